/**
 * Conditions on a health endpoint's JSON body, e.g. `$.status == "Healthy"` or `$.db.latencyMs < 50`.
 *
 *   condition = path operator literal ;
 *   path      = "$" { "." key | "[" index "]" } ;
 *   key       = ( letter | "_" ) { letter | digit | "_" | "-" } ;
 *   index     = digit { digit } ;
 *   operator  = "==" | "!=" | "<" | "<=" | ">" | ">=" ;
 *   literal   = string | number | "true" | "false" | "null" ;
 *   string    = '"' { character other than '"' and "\" | "\" ( '"' | "\" ) } '"' ;
 *   number    = [ "-" ] digit { digit } [ "." digit { digit } ] ;
 *   Blanks may appear between the three parts.
 *
 * A small subset of JSONPath (RFC 9535): one member or index per step, no wildcards or filters, so a path names at
 * most one value and a condition has one meaning. `<`, `<=`, `>` and `>=` compare numbers only; `==` and `!=`
 * compare JSON values of the same type. A path that is absent from the body makes the condition fail, never pass.
 */
export type Literal = string | number | boolean | null;
export type ConditionOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface BodyCondition {
  text: string;
  path: Array<string | number>;
  operator: ConditionOperator;
  expected: Literal;
}

const OPERATORS: ConditionOperator[] = ['==', '!=', '<=', '>=', '<', '>'];

/** Parses one condition; returns a problem sentence instead when it cannot. */
export function parseCondition(text: string): BodyCondition | string {
  let i = 0;
  const blank = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  blank();
  if (text[i] !== '$') return `"${text}": a condition starts with a path such as $.status`;
  i++;
  const path: Array<string | number> = [];
  for (;;) {
    if (text[i] === '.') {
      const key = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i + 1));
      if (!key) return `"${text}": after "." at column ${i + 2} comes a key made of letters, digits, "_" and "-"`;
      path.push(key[0]);
      i += 1 + key[0].length;
    } else if (text[i] === '[') {
      const index = /^\[(\d+)\]/.exec(text.slice(i));
      if (!index) return `"${text}": at column ${i + 1} write an index as [0]`;
      path.push(Number(index[1]));
      i += index[0].length;
    } else break;
  }
  blank();
  const operator = OPERATORS.find((op) => text.startsWith(op, i));
  if (!operator) return `"${text}": expected one of ${OPERATORS.join(' ')} at column ${i + 1}`;
  i += operator.length;
  blank();
  const rest = text.slice(i).trimEnd();
  const expected = parseLiteral(rest);
  if (expected === undefined) return `"${text}": "${rest}" is not a value; write a number, true, false, null or a "quoted string"`;
  if (operator !== '==' && operator !== '!=' && typeof expected !== 'number') {
    return `"${text}": ${operator} compares numbers; use == or != for ${JSON.stringify(expected)}`;
  }
  return { text, path, operator, expected };
}

function parseLiteral(text: string): Literal | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^"(?:[^"\\]|\\["\\])*"$/.test(text)) return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return undefined;
}

/** Evaluates a condition against a parsed body: `{ holds, found }`, where `found` is what the path named. */
export function evaluateCondition(condition: BodyCondition, body: unknown): { holds: boolean; found: string } {
  let value: unknown = body;
  for (const step of condition.path) {
    if (typeof step === 'number' ? !Array.isArray(value) : value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { holds: false, found: 'absent' };
    }
    value = (value as Record<string | number, unknown>)[step];
    if (value === undefined) return { holds: false, found: 'absent' };
  }
  const found = JSON.stringify(value) ?? 'absent';
  const expected = condition.expected;
  switch (condition.operator) {
    case '==':
      return { holds: value === expected, found };
    case '!=':
      return { holds: value !== expected, found };
    default: {
      if (typeof value !== 'number' || typeof expected !== 'number') return { holds: false, found };
      const holds = { '<': value < expected, '<=': value <= expected, '>': value > expected, '>=': value >= expected }[condition.operator];
      return { holds, found };
    }
  }
}
