import { ConfigError } from '../errors';
import { parseExpression, pointAt } from './grammar';
import { hint } from '../config/suggest';
import type { Criterion, ServerMetricCriterion, Where } from './types';

type Path = (string | number)[];

/**
 * `failureCriteria` comes in two shapes (reference §2.2):
 *   - a flat list whose items are strings or one-entry maps `RequestName: expr`;
 *   - a map `{ clientMetrics: [...], serverMetrics: [...] }`.
 * Every problem is collected and thrown together as one ConfigError, each naming file:line and the key.
 */
export function parseFailureCriteriaAll(raw: unknown, where: Where): { client: Criterion[]; server: ServerMetricCriterion[]; baseline: Criterion[] } {
  const problems = new ProblemList(where, 'failureCriteria');
  let client: Criterion[] = [];
  let server: ServerMetricCriterion[] = [];
  if (raw === undefined || raw === null) {
    // No criteria: the run is judged on nothing and passes unless it errors.
  } else if (Array.isArray(raw)) {
    client = parseClientList(raw, [], problems);
  } else if (typeof raw === 'object') {
    const shape = raw as Record<string, unknown>;
    for (const key of Object.keys(shape)) {
      if (key !== 'clientMetrics' && key !== 'serverMetrics') {
        problems.add([key], `unknown key "${key}"${hint(key, ['clientMetrics', 'serverMetrics'])}`);
      }
    }
    if (shape.clientMetrics !== undefined && shape.clientMetrics !== null) {
      if (Array.isArray(shape.clientMetrics)) client = parseClientList(shape.clientMetrics, ['clientMetrics'], problems);
      else problems.add(['clientMetrics'], 'must be a list of criteria such as "p95(response_time_ms) > 300"');
    }
    if (shape.serverMetrics !== undefined && shape.serverMetrics !== null) {
      if (Array.isArray(shape.serverMetrics)) server = parseServerList(shape.serverMetrics, ['serverMetrics'], problems);
      else problems.add(['serverMetrics'], 'must be a list of {resourceId, metricName, aggregation, condition, value}');
    }
  } else {
    problems.add([], 'must be a list of criteria, or a map with clientMetrics and serverMetrics lists');
  }
  problems.throwIfAny();
  // Baseline criteria have no meaning for Azure or for a single run's figures; they travel apart (src/regression).
  return { client: reduceDuplicates(client.filter((c) => !c.baseline)), server, baseline: reduceDuplicates(client.filter((c) => c.baseline)) };
}

function parseClientList(items: unknown[], base: Path, problems: ProblemList): Criterion[] {
  const out: Criterion[] = [];
  items.forEach((item, index) => {
    const path = [...base, index];
    if (typeof item === 'string') {
      addParsed(item, undefined, path, problems, out);
    } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.length !== 1) {
        // Azure's task silently keeps only the first entry; we refuse rather than drop criteria.
        problems.add(path, `a request entry holds exactly one criterion ("RequestName: expr"); found ${entries.length} entries — put each on its own list item`);
        return;
      }
      const [request, expr] = entries[0];
      if (typeof expr !== 'string') {
        problems.add([...path, request], `the criterion for request "${request}" must be text such as "avg(latency) > 200"`);
        return;
      }
      addParsed(expr, request, [...path, request], problems, out);
    } else {
      problems.add(path, `each criterion is text such as "p95(response_time_ms) > 300" or a map "RequestName: expr" (found ${JSON.stringify(item)})`);
    }
  });
  return out;
}

function addParsed(text: string, request: string | undefined, path: Path, problems: ProblemList, out: Criterion[]): void {
  const outcome = parseExpression(text, request);
  if (!outcome.ok) {
    const column = outcome.problem.start + 1;
    problems.add(path, `"${text}": ${outcome.problem.message} (column ${column})\n${pointAt(text, outcome.problem)}`);
    return;
  }
  const parsed = outcome.value;
  const expression = request === undefined ? text.trim() : `${request}: ${text.trim()}`;
  const criterion: Criterion = {
    expression,
    aggregate: parsed.aggregate,
    metric: parsed.metric,
    operator: parsed.operator,
    threshold: parsed.threshold,
    action: parsed.action,
  };
  if (parsed.request !== undefined) criterion.request = parsed.request;
  if (parsed.baseline) criterion.baseline = parsed.baseline;
  const line = problems.lineOf(path);
  if (line !== undefined) criterion.line = line;
  out.push(criterion);
}

/**
 * Azure keeps one criterion per request+metric+aggregate+condition+action, the strictest: "If there are multiple
 * criteria for the same metric, the criterion with the lowest threshold value is used" (docs), and the task keeps
 * the minimum for `>` and the maximum for `<` (PassFailCriteriaUtil.ts, reference §2.3). `>=`/`<=` follow their
 * strict siblings. The survivor keeps the place of the first occurrence.
 */
export function reduceDuplicates(criteria: Criterion[]): Criterion[] {
  const byKey = new Map<string, number>();
  const out: Criterion[] = [];
  for (const c of criteria) {
    const key = [c.request ?? '', c.metric, c.aggregate, c.operator, c.action, c.baseline ? (c.baseline.relative ? '%' : 'abs') : ''].join('\u0000');
    const at = byKey.get(key);
    if (at === undefined) {
      byKey.set(key, out.length);
      out.push(c);
      continue;
    }
    const kept = out[at];
    const stricter = c.operator.startsWith('>') ? c.threshold < kept.threshold : c.threshold > kept.threshold;
    if (stricter) out[at] = c;
  }
  return out;
}

const SERVER_KEYS = ['resourceId', 'metricNamespace', 'metricName', 'aggregation', 'condition', 'value'];
/** Azure Monitor aggregation types (Microsoft.Insights metric definitions). */
const SERVER_AGGREGATIONS = ['Average', 'Minimum', 'Maximum', 'Total', 'Count'];
/** Spellings people carry over from other tools, mapped to Azure Monitor's names. */
const SERVER_AGGREGATION_ALIASES: Readonly<Record<string, string>> = { avg: 'Average', mean: 'Average', min: 'Minimum', max: 'Maximum', sum: 'Total' };
const SERVER_CONDITIONS = ['GreaterThan', 'LessThan'];
/** An ARM resource id with a GUID subscription, as Azure's task requires for app components. */
const RESOURCE_ID = /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[^/]+\/providers\/[^/]+\/.+/i;

function parseServerList(items: unknown[], base: Path, problems: ProblemList): ServerMetricCriterion[] {
  const out: ServerMetricCriterion[] = [];
  items.forEach((item, index) => {
    const path = [...base, index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.add(path, 'each server metric criterion is a map {resourceId, metricName, aggregation, condition, value}');
      return;
    }
    const entry = item as Record<string, unknown>;
    const before = problems.count;
    for (const key of Object.keys(entry)) {
      if (!SERVER_KEYS.includes(key)) problems.add([...path, key], `unknown key "${key}"${hint(key, SERVER_KEYS)}`);
    }
    const text = (key: string): string | undefined => {
      const value = entry[key];
      if (value === undefined || value === null || value === '') {
        problems.add([...path, key], `"${key}" is required`);
        return undefined;
      }
      if (typeof value !== 'string') {
        problems.add([...path, key], `"${key}" must be text`);
        return undefined;
      }
      return value;
    };
    const resourceId = text('resourceId');
    if (resourceId !== undefined && !RESOURCE_ID.test(resourceId)) {
      problems.add([...path, 'resourceId'], `"${resourceId}" is not an Azure resource id; expected /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/<type>/<name>`);
    }
    const metricName = text('metricName');
    const aggregation = text('aggregation');
    if (aggregation !== undefined && !SERVER_AGGREGATIONS.includes(aggregation)) {
      const alias = SERVER_AGGREGATION_ALIASES[aggregation.toLowerCase()];
      problems.add([...path, 'aggregation'], `unknown aggregation "${aggregation}"${alias ? `; did you mean "${alias}"?` : hint(aggregation, SERVER_AGGREGATIONS)}`);
    }
    const condition = text('condition');
    if (condition !== undefined && !SERVER_CONDITIONS.includes(condition)) {
      problems.add([...path, 'condition'], `unknown condition "${condition}"; use GreaterThan or LessThan`);
    }
    const rawValue = entry.value;
    const value = typeof rawValue === 'number' ? rawValue : typeof rawValue === 'string' && rawValue.trim() !== '' ? Number(rawValue) : NaN;
    if (!Number.isFinite(value)) problems.add([...path, 'value'], `"value" must be a number (found ${JSON.stringify(rawValue ?? null)})`);
    let namespace: string | undefined;
    if (entry.metricNamespace !== undefined) namespace = text('metricNamespace');
    if (problems.count > before) return;
    const criterion: ServerMetricCriterion = {
      resourceId: resourceId!,
      metricName: metricName!,
      aggregation: aggregation!,
      condition: condition as ServerMetricCriterion['condition'],
      value,
    };
    if (namespace !== undefined) criterion.metricNamespace = namespace;
    const line = problems.lineOf(path);
    if (line !== undefined) criterion.line = line;
    out.push(criterion);
  });
  return out;
}

/** Problems of one configuration key, each formatted `file:line key.path: message`. */
export class ProblemList {
  private readonly list: string[] = [];

  constructor(
    private readonly where: Where,
    private readonly rootKey: string,
  ) {}

  get count(): number {
    return this.list.length;
  }

  lineOf(path: Path): number | undefined {
    try {
      return this.where.lineOf?.(path);
    } catch {
      return undefined;
    }
  }

  add(path: Path, message: string): void {
    const line = this.lineOf(path);
    const place = line === undefined ? this.where.file : `${this.where.file}:${line}`;
    this.list.push(`${place} ${formatKey(this.rootKey, path)}: ${message}`);
  }

  throwIfAny(): void {
    if (this.list.length) throw new ConfigError(this.list);
  }
}

/** `failureCriteria.clientMetrics[1]`; a request-name step is shown quoted, because names may hold dots or spaces. */
function formatKey(root: string, path: Path): string {
  let out = root;
  path.forEach((step, i) => {
    if (typeof step === 'number') out += `[${step}]`;
    else if (i > 0 && typeof path[i - 1] === 'number' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) out += `[${JSON.stringify(step)}]`;
    else out += `.${step}`;
  });
  return out;
}
