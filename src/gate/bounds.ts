import type { LoadTestMetrics, RequestStats } from '../evidence/types';
import { hint as suggestion } from '../config/suggest';

/**
 * Metric bounds of a load-test check, e.g. `p95 <= 300`, `errorPercentage < 1`, `GetUser: p99 <= 800ms`.
 *
 *   bound   := [request ":"] metric op number [unit]
 *   metric  := one of LOADTEST_METRICS (what the load-test task writes under metrics.totals)
 *   op      := "<=" | "<" | ">=" | ">"
 *   unit    := "ms" (latency metrics) | "%" (errorPercentage)
 *
 * The bound says what must hold for the check to pass (unlike Azure failure criteria, which say what fails).
 */
export interface MetricBound {
  text: string;
  request?: string;
  metric: LoadTestMetric;
  op: '<=' | '<' | '>=' | '>';
  value: number;
}

const LATENCY = ['min', 'avg', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
export const LOADTEST_METRICS = [...LATENCY, 'errorPercentage', 'errors', 'requests', 'rps'] as const;
export type LoadTestMetric = (typeof LOADTEST_METRICS)[number];

const BOUND = /^\s*(?:([^:<>=]+?)\s*:\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*(<=|<|>=|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(ms|%)?\s*$/;

/** Parses one bound; returns a problem sentence instead when it cannot. */
export function parseBound(text: string): MetricBound | string {
  const m = BOUND.exec(text);
  if (!m) return `"${text}" is not a bound; write it as "metric op number", e.g. "p95 <= 300"`;
  const [, request, metric, op, value, unit] = m;
  if (!(LOADTEST_METRICS as readonly string[]).includes(metric)) {
    return `no task produces a load-test metric "${metric}"${suggestion(metric, LOADTEST_METRICS)}`;
  }
  const isLatency = (LATENCY as readonly string[]).includes(metric);
  if (unit === 'ms' && !isLatency) return `"${metric}" is not a latency; drop the "ms" unit`;
  if (unit === '%' && metric !== 'errorPercentage') return `only errorPercentage takes a "%" unit`;
  return { text, request, metric: metric as LoadTestMetric, op: op as MetricBound['op'], value: Number(value) };
}

/** The measured value a bound refers to, or null when the evidence does not carry it. */
export function measure(metrics: LoadTestMetrics, bound: MetricBound): number | null {
  let stats: RequestStats | undefined = metrics.totals;
  if (bound.request) stats = metrics.requests?.find((r) => r.name === bound.request);
  if (!stats) return null;
  const value = (LATENCY as readonly string[]).includes(bound.metric)
    ? (stats.latencyMs as unknown as Record<string, unknown> | undefined)?.[bound.metric]
    : (stats as unknown as Record<string, unknown>)[bound.metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function holds(actual: number, bound: MetricBound): boolean {
  switch (bound.op) {
    case '<=':
      return actual <= bound.value;
    case '<':
      return actual < bound.value;
    case '>=':
      return actual >= bound.value;
    case '>':
      return actual > bound.value;
  }
}

/**
 * `15m`, `90s`, `1h30m`, `2h`, or a plain number of seconds -> seconds. Returns undefined when unreadable.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) return Number(text);
  const m = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** 900 -> "15m", 5400 -> "1h30m", 42 -> "42s", for sentences. */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
