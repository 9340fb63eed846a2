/**
 * A small evaluator of the expression language Azure Pipelines uses for server tasks, release gates and the
 * "Invoke REST API" check (docs/authoring/servertaskauthoring.md; shared/reference/ado-extensions.md §2.7), so tests
 * can run a gate's documented Expression against what our emulator answers. It covers the subset our gates and docs
 * use, with the documented semantics that matter for them:
 * - `eq`/`ne`/`gt`/`ge`/`lt`/`le` convert the right operand to the left one's type, and compare strings ignoring
 *   case (Azure Pipelines expressions: "ordinal ignore-case comparison for strings");
 * - `and`, `or`, `xor`, `not`; `in`, `notIn`; `contains`, `startsWith`, `endsWith`; `count`, `isNullOrEmpty`;
 * - literals `'text'` (a quote is doubled: `'it''s'`), numbers, `true`, `false`, `null`;
 * - `root['a']['b']` (the parsed JSON body), `root.a`, `taskInputs['name']`, `variables['name']`, array indexes.
 * A missing property is null, so `eq(root['status'], 'ready')` is false for a document without `status`.
 */
export interface ExpressionContext {
  root: unknown;
  taskInputs?: Record<string, string>;
  variables?: Record<string, string>;
}

type Value = unknown;
type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'name'; name: string }
  | { kind: 'index'; target: Node; key: Node }
  | { kind: 'call'; name: string; args: Node[] };

export function evaluateExpression(expression: string, context: ExpressionContext): Value {
  return evaluate(parseExpression(expression), context);
}

/** True when the expression's result is truthy, as a gate judges it. */
export function expressionPasses(expression: string, context: ExpressionContext): boolean {
  return truthy(evaluateExpression(expression, context));
}

export function parseExpression(text: string): Node {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`Expression "${text}" at ${at}: ${what}.`);
  };
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const expect = (char: string) => {
    space();
    if (text[at] !== char) fail(`expected "${char}"`);
    at++;
  };
  const primary = (): Node => {
    space();
    const char = text[at];
    if (char === "'") {
      let value = '';
      for (at++; ; at++) {
        if (at >= text.length) fail('unterminated string');
        if (text[at] === "'") {
          if (text[at + 1] === "'") {
            value += "'";
            at++;
            continue;
          }
          at++;
          return { kind: 'literal', value };
        }
        value += text[at];
      }
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(at));
    if (!word) fail('expected a value, a name or a function');
    const name = word![0];
    at += name.length;
    space();
    if (text[at] === '(') {
      at++;
      const args: Node[] = [];
      space();
      if (text[at] === ')') at++;
      else {
        for (;;) {
          args.push(primary());
          space();
          if (text[at] === ',') {
            at++;
            continue;
          }
          expect(')');
          break;
        }
      }
      return { kind: 'call', name: name.toLowerCase(), args };
    }
    const lower = name.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    const [head, ...dotted] = name.split('.');
    let node: Node = { kind: 'name', name: head };
    for (const key of dotted) node = { kind: 'index', target: node, key: { kind: 'literal', value: key } };
    for (space(); text[at] === '['; space()) {
      at++;
      const key = primary();
      expect(']');
      node = { kind: 'index', target: node, key };
    }
    return node;
  };
  const node = primary();
  space();
  if (at !== text.length) fail('unexpected text after the expression');
  return node;
}

function evaluate(node: Node, context: ExpressionContext): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name': {
      const name = node.name.toLowerCase();
      if (name === 'root') return context.root;
      if (name === 'taskinputs') return caseInsensitive(context.taskInputs ?? {});
      if (name === 'variables') return caseInsensitive(context.variables ?? {});
      throw new Error(`Unknown name "${node.name}" (supported: root, taskInputs, variables).`);
    }
    case 'index': {
      const target = evaluate(node.target, context);
      const key = evaluate(node.key, context);
      if (target === null || target === undefined) return null;
      if (Array.isArray(target)) return typeof key === 'number' ? (target[key] ?? null) : null;
      if (typeof target === 'object') {
        const record = target as Record<string, unknown>;
        const found = Object.keys(record).find((k) => k === String(key)) ?? Object.keys(record).find((k) => k.toLowerCase() === String(key).toLowerCase());
        return found === undefined ? null : (record[found] ?? null);
      }
      return null;
    }
    case 'call':
      return call(node.name, node.args, context);
  }
}

function call(name: string, args: Node[], context: ExpressionContext): Value {
  const value = (i: number) => evaluate(args[i], context);
  const need = (min: number, max = min) => {
    if (args.length < min || args.length > max) throw new Error(`${name}() takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}.`);
  };
  switch (name) {
    case 'eq': need(2); return compare(value(0), value(1)) === 0;
    case 'ne': need(2); return compare(value(0), value(1)) !== 0;
    case 'gt': need(2); return compare(value(0), value(1)) === 1;
    case 'ge': need(2); { const c = compare(value(0), value(1)); return c === 0 || c === 1; }
    case 'lt': need(2); return compare(value(0), value(1)) === -1;
    case 'le': need(2); { const c = compare(value(0), value(1)); return c === 0 || c === -1; }
    case 'and': need(2, 99); return args.every((_, i) => truthy(value(i)));
    case 'or': need(2, 99); return args.some((_, i) => truthy(value(i)));
    case 'xor': need(2); return truthy(value(0)) !== truthy(value(1));
    case 'not': need(1); return !truthy(value(0));
    case 'in': need(1, 99); { const needle = value(0); return args.slice(1).some((_, i) => compare(needle, value(i + 1)) === 0); }
    case 'notin': need(1, 99); { const needle = value(0); return !args.slice(1).some((_, i) => compare(needle, value(i + 1)) === 0); }
    case 'contains': need(2); return asString(value(0)).toLowerCase().includes(asString(value(1)).toLowerCase());
    case 'startswith': need(2); return asString(value(0)).toLowerCase().startsWith(asString(value(1)).toLowerCase());
    case 'endswith': need(2); return asString(value(0)).toLowerCase().endsWith(asString(value(1)).toLowerCase());
    case 'count': need(1); {
      const subject = value(0);
      if (Array.isArray(subject)) return subject.length;
      if (subject && typeof subject === 'object') return Object.keys(subject).length;
      return subject === null || subject === undefined || subject === '' ? 0 : 1;
    }
    case 'isnullorempty': need(1); { const subject = value(0); return subject === null || subject === undefined || subject === ''; }
    default:
      throw new Error(`Unsupported function ${name}() in this evaluator.`);
  }
}

/** -1, 0, 1, or NaN when the right operand cannot be converted to the left one's type (then eq is false). */
function compare(left: Value, right: Value): number {
  if (left === null || left === undefined || right === null || right === undefined) {
    return (left ?? null) === (right ?? null) ? 0 : NaN;
  }
  if (typeof left === 'number') {
    const r = typeof right === 'number' ? right : typeof right === 'string' && right.trim() !== '' ? Number(right) : typeof right === 'boolean' ? Number(right) : NaN;
    return Number.isNaN(r) ? NaN : Math.sign(left - r);
  }
  if (typeof left === 'boolean') {
    const r = truthy(right);
    return left === r ? 0 : left ? 1 : -1;
  }
  if (typeof left === 'string') {
    if (typeof right === 'object') return NaN;
    const a = left.toLowerCase();
    const b = String(right).toLowerCase();
    return a === b ? 0 : a > b ? 1 : -1;
  }
  return left === right ? 0 : NaN;
}

function truthy(value: Value): boolean {
  return !(value === null || value === undefined || value === false || value === 0 || value === '' || Number.isNaN(value));
}

function asString(value: Value): string {
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function caseInsensitive(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * Expands `$(name)` macros the way the server does in a gate's Execute section: names are case-insensitive, and an
 * unknown macro is left as written (so a test can see what was not supplied).
 */
export function expandMacros(text: string, variables: Record<string, string>): string {
  const lookup = caseInsensitive(variables);
  return text.replace(/\$\(([^)]+)\)/g, (whole, name: string) => lookup[name.trim().toLowerCase()] ?? whole);
}

/** The `$(name)` macros left in a text after expansion. */
export function unexpandedMacros(text: string): string[] {
  return [...text.matchAll(/\$\(([^)]+)\)/g)].map((m) => m[1]);
}

/** The `execution.HttpRequest.Execute` section of a server-gate task.json (ado-extensions.md §2.2, §2.3). */
export interface HttpRequestExecute {
  EndpointId?: string;
  EndpointUrl: string;
  Method: string;
  Body?: string;
  Headers?: string;
  WaitForCompletion?: string;
  Expression?: string;
}

export interface GateSample {
  passed: boolean;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  body: unknown;
  /** The URL actually called (after macro expansion and rebasing onto the emulator). */
  url: string;
  reason: string;
}

/**
 * One sample of a synchronous HTTP gate or check, as the server performs it: expand the macros, call the URL with
 * the headers, and pass only when the call answers 2xx within the time limit and the Expression holds on the JSON
 * body ("No expression means response content does not influence the result"). The 3-second default is the limit
 * the Invoke REST API check documents for synchronous answers (ado-extensions.md §2.9). `rebase` swaps the
 * documented host (e.g. `https://extmgmt.dev.azure.com/`) for the emulator's.
 */
export async function sampleHttpRequestGate(
  execute: HttpRequestExecute,
  options: { variables: Record<string, string>; taskInputs?: Record<string, string>; rebase?: { from: string; to: string }; timeoutMs?: number;
    /**
     * The Authorization the check's service connection produces. It replaces any Authorization header written in the
     * check (azure-devops-docs issue 8597): a Generic connection with no user name and password sends Basic of
     * ":", so a `Bearer $(system.AccessToken)` header never reaches the service. Absent: no connection (a gate task).
     */
    connectionAuthorization?: string },
): Promise<GateSample> {
  const macros = { ...options.taskInputs, ...options.variables };
  let url = expandMacros(execute.EndpointUrl, macros);
  if (options.rebase && url.startsWith(options.rebase.from)) url = options.rebase.to + url.slice(options.rebase.from.length);
  const left = unexpandedMacros(url);
  if (left.length) return { passed: false, status: null, body: undefined, url, reason: `unexpanded macros in the URL: ${left.join(', ')}` };
  const headersText = expandMacros(execute.Headers ?? '', macros).trim();
  const headers = headersText ? (JSON.parse(headersText) as Record<string, string>) : {};
  if (options.connectionAuthorization !== undefined) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    headers.Authorization = options.connectionAuthorization;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: expandMacros(execute.Method, macros),
      headers,
      body: execute.Body ? expandMacros(execute.Body, macros) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
    });
  } catch (error) {
    return { passed: false, status: null, body: undefined, url, reason: `no answer: ${(error as Error).message}` };
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the expression sees nothing under root.
  }
  if (response.status < 200 || response.status >= 300) {
    return { passed: false, status: response.status, body, url, reason: `HTTP ${response.status}` };
  }
  const expression = expandMacros(execute.Expression ?? '', macros).trim();
  if (!expression) return { passed: true, status: response.status, body, url, reason: 'no expression' };
  const passed = expressionPasses(expression, { root: body, taskInputs: options.taskInputs, variables: options.variables });
  return { passed, status: response.status, body, url, reason: `${expression} -> ${passed}` };
}
