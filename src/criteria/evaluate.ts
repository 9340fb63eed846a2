import type { CriterionResult, LatencySummary, RequestStats } from '../evidence/types';
import type { Criterion } from './types';

export interface RunStats {
  totals: RequestStats;
  requests: RequestStats[];
}

/**
 * Judges each criterion against the measured figures. A criterion is a failure condition, so `failed` is true when
 * `actual op threshold` holds. A figure that cannot be measured (unknown request name, no completed request, a
 * percentile the engine did not record) gives actual=null and counts as failed: a gate must never pass on nothing.
 */
export function evaluateCriteria(criteria: Criterion[], stats: RunStats): CriterionResult[] {
  return criteria.map((criterion) => evaluateOne(criterion, stats));
}

function evaluateOne(c: Criterion, stats: RunStats): CriterionResult {
  const base = { expression: c.expression, threshold: c.threshold, ...(c.request !== undefined ? { request: c.request } : {}) };
  const subject = c.request === undefined ? stats.totals : stats.requests.find((r) => r.name === c.request);
  const what = describeFigure(c);
  if (!subject) {
    const known = stats.requests.map((r) => `"${r.name}"`).join(', ') || 'none';
    return {
      ...base,
      actual: null,
      failed: true,
      explanation: `No request named "${c.request}" ran, so its ${what} could not be measured: failed. Requests that ran: ${known}; the name must match requestName in the requests file.`,
    };
  }
  const measured = figureOf(c, subject);
  if (measured.value === null) {
    return { ...base, actual: null, failed: true, explanation: `The ${what}${scopeOf(c)} could not be measured (${measured.why}): failed.` };
  }
  const actual = measured.value;
  if (!Number.isFinite(actual)) {
    return { ...base, actual: null, failed: true, explanation: `The ${what}${scopeOf(c)} could not be measured (the engine reported ${actual}): failed.` };
  }
  const failed = holds(actual, c.operator, c.threshold);
  const unit = unitOf(c.metric);
  const relation = failed ? OPERATOR_WORDS[c.operator] : `not ${OPERATOR_WORDS[c.operator]}`;
  const note = measured.note ? ` (${measured.note})` : '';
  return {
    ...base,
    actual,
    failed,
    explanation: `The ${what}${scopeOf(c)} was ${formatApart(actual, c.threshold)}${unit}${note}, ${relation} ${formatNumber(c.threshold)}${unit}: ${failed ? 'failed' : 'passed'}.`,
  };
}

/** A one-line reading of a criterion: when it fails. */
export function explainCriterion(c: Criterion): string {
  const stop = c.action === 'stop' ? ', and the run stops as soon as it does' : '';
  return `Fails when the ${describeFigure(c)}${scopeOf(c)} is ${OPERATOR_WORDS[c.operator]} ${formatNumber(c.threshold)}${unitOf(c.metric)}${stop}.`;
}

/** The lines a task or CLI prints when criteria fail: each failed criterion with actual against threshold. */
export function describeFailures(results: CriterionResult[]): string {
  return results
    .filter((r) => r.failed)
    .map((r) => `${r.expression}: actual ${r.actual === null ? 'not measured' : formatNumber(r.actual)}, threshold ${formatNumber(r.threshold)}`)
    .join('\n');
}

const OPERATOR_WORDS: Record<Criterion['operator'], string> = { '>': 'above', '<': 'below', '>=': 'at or above', '<=': 'at or below' };

function holds(actual: number, operator: Criterion['operator'], threshold: number): boolean {
  switch (operator) {
    case '>':
      return actual > threshold;
    case '<':
      return actual < threshold;
    case '>=':
      return actual >= threshold;
    case '<=':
      return actual <= threshold;
  }
}

type Measured = { value: number; note?: string } | { value: null; why: string };

function figureOf(c: Criterion, stats: RequestStats): Measured {
  switch (c.metric) {
    case 'requests':
      return { value: stats.requests };
    case 'requests_per_sec':
      return { value: stats.rps };
    case 'error':
      return stats.requests > 0 ? { value: stats.errorPercentage } : { value: null, why: 'no request completed' };
    case 'response_time_ms':
      return latencyFigure(stats.latencyMs, c.aggregate, stats.requests);
    case 'latency': {
      // JMeter's "latency" (Azure's metric) is the time to the first byte of the response. Without it, the full
      // response time is the closest figure we have, and the explanation says so.
      if (stats.timeToFirstByteMs) return latencyFigure(stats.timeToFirstByteMs, c.aggregate, stats.requests);
      const full = latencyFigure(stats.latencyMs, c.aggregate, stats.requests);
      return full.value === null ? full : { value: full.value, note: 'full response time; time to first byte was not recorded' };
    }
    default:
      return { value: null, why: `unknown metric "${c.metric}"` };
  }
}

function latencyFigure(summary: LatencySummary, aggregate: string, requests: number): Measured {
  if (requests <= 0) return { value: null, why: 'no request completed' };
  const value = (summary as unknown as Record<string, number | undefined>)[aggregate];
  return typeof value === 'number' && Number.isFinite(value) ? { value } : { value: null, why: `the engine did not record ${aggregate}` };
}

function describeFigure(c: Criterion): string {
  const agg = c.aggregate === 'avg' ? 'average' : c.aggregate === 'min' ? 'minimum' : c.aggregate === 'max' ? 'maximum' : percentileLabel(c.aggregate);
  switch (c.metric) {
    case 'response_time_ms':
      return `${agg} response time`;
    case 'latency':
      return `${agg} latency`;
    case 'error':
      return 'error percentage';
    case 'requests_per_sec':
      return 'average requests per second';
    case 'requests':
      return 'request count';
    default:
      return `${c.aggregate}(${c.metric})`;
  }
}

/** p999 reads as p99.9, p9999 as p99.99. */
export function percentileLabel(aggregate: string): string {
  if (aggregate === 'p999') return 'p99.9';
  if (aggregate === 'p9999') return 'p99.99';
  return aggregate;
}

function scopeOf(c: Criterion): string {
  return c.request === undefined ? ' over all requests' : ` of "${c.request}"`;
}

function unitOf(metric: string): string {
  return metric === 'response_time_ms' || metric === 'latency' ? ' ms' : metric === 'error' ? '%' : '';
}

/**
 * The actual value with enough decimals to differ visibly from the threshold when it differs at all, so a reader
 * never sees "300 ms, above 300 ms" for 300.004.
 */
function formatApart(actual: number, threshold: number): string {
  if (actual === threshold) return formatNumber(actual);
  for (let decimals = 2; decimals <= 6; decimals++) {
    const scale = 10 ** decimals;
    const shown = Math.round(actual * scale) / scale;
    if (shown !== Math.round(threshold * scale) / scale) return String(shown);
  }
  return String(actual);
}

/** Up to 2 decimals, no trailing zeros: 412, 0.5, 12.35. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}
