import type { LoadTestEvidence, RegressionReport, RegressionRow, RegressionVerdict } from '../evidence/types';
import { percentileOf, RunFigures, unitOf, worseIsHigher, type Figure, type FigureName } from './runFigures';
import { mean, tQuantile95, tQuantileClaim, variance } from './statistics';

/** The smallest change of a figure that matters: a share of the baseline, an amount, or the larger of both. */
export interface Threshold {
  /** Percent of the baseline mean. */
  relative?: number;
  /** In the figure's unit (ms, percentage points, requests per second). */
  absolute?: number;
  /** Where it came from: `default` or the criterion's text. */
  source: string;
}

export interface RowSpec {
  request: string;
  metric: FigureName;
  threshold: Threshold;
}

/**
 * Defaults when no regression criterion names a figure. Tails are noisier than medians, so p99 gets twice the
 * margin; the absolute floors keep scheduler jitter (about a millisecond) from counting as a change of a fast
 * endpoint. Error rates compare in percentage points: +10% of 0.1% errors is no news, +1 point is.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, Threshold>> = Object.freeze({
  p50: { relative: 10, absolute: 1, source: 'default' },
  p95: { relative: 10, absolute: 1, source: 'default' },
  p99: { relative: 20, absolute: 2, source: 'default' },
  error: { absolute: 1, source: 'default' },
  rps: { relative: 10, source: 'default' },
});

/** Fewer than this many requests beyond a percentile, and the percentile is the noise of a handful of samples. */
const TAIL_SAMPLES = 5;
/** A run shorter than this share of the baseline's shortest run carries a different share of warm-up. */
const SHORTEST_SHARE = 0.5;
/** Asking for more than this many times the run length is not advice anyone can take. */
const MAX_LONGER = 100;

export interface BaselineSelection {
  runs: LoadTestEvidence[];
  refused: Array<{ id: string; reason: string }>;
  pinned?: string;
}

/**
 * Compares a run with its baseline window, figure by figure.
 *
 * Why between-run variance: within one run n is huge, so a within-run interval is a fraction of a millisecond
 * wide, while two runs of the same code on the same agent differ by more than that (placement, caches, noisy
 * neighbours). A within-run test would call most runs a regression. So the candidate is judged as one more draw
 * from the population of runs the baseline window samples. Each run's estimate is the true value plus a run effect
 * (variance tau^2) plus its sampling error; the spread of the baseline runs' estimates (s^2) estimates tau^2 plus
 * their sampling variance. The delta's variance is tau^2 (1 + 1/k) plus the candidate's sampling variance plus the
 * baseline mean's; for runs of equal length that is s^2 (1 + 1/k). The interval uses Student's t with
 * k - 1 degrees of freedom, which is exactly calibrated when run effects are normal; few baseline runs give wide
 * intervals, honestly.
 *
 * Verdict of a figure, with its threshold T (the smallest change that matters) and the 90% interval [lo, hi] of
 * the change in the worse direction:
 *   regressed     the 97.5% one-sided bound clears 0 and the change itself exceeds T (a real change, and one that
 *                 matters; the stricter bound keeps a run's several figures from adding up to false alarms);
 *   improved      the mirror image;
 *   unchanged     hi <= T: shown to be no worse than the threshold (non-inferiority, the question a regression
 *                 gate asks), and not shown to be better by more than it;
 *   inconclusive  anything else: the interval reaches past T on the worse side, so the data cannot say whether
 *                 the figure regressed. The note says what would
 *                 settle it: a longer run when the candidate's own sampling error is what is wide, more (or
 *                 steadier) baseline runs when the runs disagree among themselves.
 */
export function compareWithBaseline(candidate: LoadTestEvidence, selection: BaselineSelection, specs: RowSpec[]): RegressionReport {
  const base = {
    baselineRuns: selection.runs.map((e) => ({ id: e.id, finishedAt: e.finishedAt, ...(e.run.runId ? { runId: e.run.runId } : {}), ...(e.run.url ? { url: e.run.url } : {}) })),
    refused: selection.refused,
    ...(selection.pinned ? { pinned: selection.pinned } : {}),
  };
  if (selection.runs.length === 0) {
    const why = selection.refused.length ? ` (${selection.refused.length} earlier run(s) left out: ${selection.refused[0].reason}${selection.refused.length > 1 ? ', ...' : ''})` : '';
    return { verdict: 'inconclusive', summary: `No baseline: no earlier passing run of this test compares with this one${why}. This run can become part of the baseline once it passes.`, ...base, rows: [] };
  }
  const current = new RunFigures(candidate);
  const earlier = selection.runs.map((e) => new RunFigures(e));
  const shortest = Math.min(...selection.runs.map((e) => e.metrics.durationSeconds));
  const tooShort = candidate.metrics.durationSeconds < SHORTEST_SHARE * shortest
    ? `the run lasted ${round(candidate.metrics.durationSeconds)} s, under half the shortest baseline run (${round(shortest)} s), so warm-up weighs differently; run at least ${Math.ceil(SHORTEST_SHARE * shortest)} s`
    : undefined;
  const stalls = generatorStalls(candidate, selection.runs);
  const rows = specs.map((spec) => withStallNote(compareRow(spec, current, earlier, candidate.metrics.durationSeconds, tooShort), stalls));
  return { verdict: overall(rows), summary: summarise(rows, selection.runs.length), ...base, rows };
}

function compareRow(spec: RowSpec, current: RunFigures, earlier: RunFigures[], durationSeconds: number, tooShort: string | undefined): RegressionRow {
  const unit = unitOf(spec.metric);
  const found = current.figure(spec.request, spec.metric);
  const baseFigures = earlier.map((r) => r.figure(spec.request, spec.metric)).filter((f): f is Figure => !('missing' in f));
  const values = baseFigures.map((f) => f.value);
  const baseMean = values.length ? mean(values) : 0;
  const threshold = { value: thresholdValue(spec.threshold, baseMean), source: describeThreshold(spec.threshold) };
  const row = (fields: Pick<RegressionRow, 'candidate' | 'delta' | 'interval' | 'verdict' | 'note'>): RegressionRow => ({
    request: spec.request,
    metric: spec.metric,
    unit,
    baseline: { mean: round(baseMean), min: round(values.length ? Math.min(...values) : 0), max: round(values.length ? Math.max(...values) : 0), runs: values.length },
    ...fields,
    candidate: round(fields.candidate),
    delta: round(fields.delta),
    deltaPercent: baseMean !== 0 ? round((100 * fields.delta) / baseMean) : null,
    interval: fields.interval && { low: round(fields.interval.low), high: round(fields.interval.high) },
    threshold: { value: round(threshold.value), source: threshold.source },
  });
  if ('missing' in found) return row({ candidate: 0, delta: 0, interval: null, verdict: 'inconclusive', note: `Not measured in this run: ${found.missing}.` });
  const delta = found.value - baseMean;
  if (values.length < 2) {
    return row({
      candidate: found.value, delta, interval: null, verdict: 'inconclusive',
      note: `${values.length} baseline run(s) measured this; the spread between runs needs at least 2 (3 to 5 is better): keep passing runs coming, or widen the window.`,
    });
  }
  const k = values.length;
  // Random effects: each run's estimate = true value + run effect (variance tau^2) + its sampling error. The
  // baseline runs' spread estimates tau^2 + their sampling variance; a few runs can agree by chance (a lumpy tail
  // resampled three times may give the same p99 thrice), so tau^2 never goes below zero and the sampling errors
  // of the candidate and of the baseline mean always count.
  const sampling = mean(baseFigures.map((f) => f.standardError ** 2));
  const tau2 = Math.max(0, variance(values) - sampling);
  const fixed = tau2 * (1 + 1 / k) + sampling / k;
  const t = tQuantile95(k - 1);
  const spread = Math.sqrt(fixed + found.standardError ** 2);
  const half = t * spread;
  // A regression is claimed at 97.5% one-sided (see statistics.ts): the bound it must clear is wider.
  const claim = tQuantileClaim(k - 1) * spread;
  const interval = { low: delta - half, high: delta + half };
  const sign = worseIsHigher(spec.metric) ? 1 : -1;
  const worse = sign * delta;
  const T = threshold.value;
  const tail = tailShortfall(spec.metric, found.requests, current, spec.request, durationSeconds);
  if (tooShort || tail) {
    return row({ candidate: found.value, delta, interval, verdict: 'inconclusive', note: `Too short to judge: ${tooShort ?? tail}.` });
  }
  let verdict: RegressionVerdict;
  if (worse - claim > 0 && worse > T) verdict = 'regressed';
  else if (worse + claim < 0 && -worse > T) verdict = 'improved';
  else if (worse + half <= T) verdict = 'unchanged';
  else verdict = 'inconclusive';
  const change = `${delta >= 0 ? '+' : ''}${fmt(delta)} ${unit}`;
  const range = `90% interval ${signed(interval.low)} to ${signed(interval.high)} ${unit}`;
  let note: string;
  if (verdict === 'regressed' || verdict === 'improved') note = `${change} (${range}), beyond the ${fmt(T)} ${unit} threshold.`;
  else if (verdict === 'unchanged') note = `${change}; the ${range} stays under the ${fmt(T)} ${unit} threshold on the worse side.`;
  else note = `${change}, ${range}: ${advice(worse, T, worse > T ? claim : half, worse > T ? tQuantileClaim(k - 1) : t, fixed, found.standardError, durationSeconds)}`;
  return row({ candidate: found.value, delta, interval, verdict, note });
}

/**
 * What would settle an inconclusive figure: the half-width it needs, and whether a longer run can give it. `fixed`
 * is the part of the variance no candidate run length changes (the baseline's); the candidate's sampling variance
 * shrinks in proportion to its length.
 */
function advice(worse: number, T: number, half: number, t: number, fixed: number, standardError: number, durationSeconds: number): string {
  // To call it regressed the interval must clear 0; to call it unchanged its worse side must stay under T.
  const needed = worse > T ? worse : T - worse;
  if (needed <= 0) return 'the change sits on the threshold itself; no run length will tell which side it is on.';
  const allowed = (needed / t) ** 2 - fixed;
  if (allowed <= 0 && needed < T / 4) {
    return `the change is within ${fmt(needed)} of the ${fmt(T)} threshold; only a much narrower interval could tell which side of it the run is on.`;
  }
  if (allowed <= 0) {
    return `the baseline runs disagree among themselves by more than that (their spread alone gives ±${fmt(t * Math.sqrt(fixed))}); a longer run will not settle it: add baseline runs or steady the environment.`;
  }
  const targetError = Math.sqrt(allowed);
  if (standardError <= targetError || standardError === 0) return `the interval (±${fmt(half)}) reaches past the threshold; add baseline runs to narrow it.`;
  const factor = (standardError / targetError) ** 2;
  if (factor > MAX_LONGER) return `this run would have to be more than ${MAX_LONGER} times longer; the change is too close to the threshold to tell.`;
  return `the interval (±${fmt(half)}) reaches past the threshold; run about ${fmt(factor)} times longer (about ${Math.ceil(factor * durationSeconds)} s) to tell.`;
}

/** A percentile needs a few samples beyond it; says how long a run would give them at this run's rate. */
function tailShortfall(metric: FigureName, requests: number, current: RunFigures, scope: string, durationSeconds: number): string | undefined {
  const p = percentileOf(metric);
  if (p === undefined) return requests < TAIL_SAMPLES ? `only ${requests} requests` : undefined;
  const needed = Math.ceil(TAIL_SAMPLES / (1 - p / 100) - 1e-9);
  if (requests >= needed) return undefined;
  const rps = current.stats(scope)?.rps ?? 0;
  const seconds = rps > 0 ? `, about ${Math.ceil(needed / rps)} s at this run's ${fmt(rps)} requests/s` : '';
  return `${metric} needs at least ${needed} requests (${TAIL_SAMPLES} beyond it), this run had ${requests}${seconds}`;
}

/**
 * How late the generator's event loop ran at its 99th percentile, in the candidate and in each baseline run that
 * recorded it. The p99 rather than the longest stall: one garbage collection touches a handful of requests, while
 * a loop late at its p99 was late for at least 1% of the run, enough to move the tail percentiles.
 */
interface Stalls {
  candidateMs: number;
  baseline: Array<{ index: number; ms: number }>;
}

function generatorStalls(candidate: LoadTestEvidence, runs: LoadTestEvidence[]): Stalls {
  return {
    candidateMs: candidate.metrics.generator?.eventLoopDelayP99Ms ?? 0,
    baseline: runs.flatMap((e, index) => (e.metrics.generator ? [{ index, ms: e.metrics.generator.eventLoopDelayP99Ms }] : [])),
  };
}

/**
 * A stall of the generator delays every request in flight by as much, so a tail percentile (p90 and above) that
 * could not be called unchanged, in a run whose generator ran late by more than the figure's threshold at its p99,
 * may be the agent's doing rather than the service's. The note says where; the verdict stays what the numbers give
 * (fail closed: a regression is never explained away).
 */
function withStallNote(row: RegressionRow, stalls: Stalls): RegressionRow {
  const tail = (percentileOf(row.metric) ?? 0) >= 90;
  if (!tail || row.verdict === 'unchanged' || row.verdict === 'improved' || row.note.startsWith('Too short')) return row;
  const where = [
    ...(stalls.candidateMs > row.threshold.value ? [`${fmt(stalls.candidateMs)} ms in this run`] : []),
    ...stalls.baseline.filter((b) => b.ms > row.threshold.value).map((b) => `${fmt(b.ms)} ms in baseline run ${b.index + 1}`),
  ];
  if (!where.length) return row;
  return {
    ...row,
    note: `${row.note} The load generator itself ran late (event loop late by ${where.join(', ')} at its p99), more than the ${fmt(row.threshold.value)} ms threshold: a stall delays every request in flight, so this tail partly measures the agent. A quieter agent or a dedicated pool gives cleaner runs.`,
  };
}

function thresholdValue(t: Threshold, baseMean: number): number {
  const relative = t.relative !== undefined ? (Math.abs(baseMean) * t.relative) / 100 : 0;
  return Math.max(relative, t.absolute ?? 0);
}

function describeThreshold(t: Threshold): string {
  const parts = [t.relative !== undefined ? `${t.relative}%` : '', t.absolute !== undefined ? `${t.absolute}` : ''].filter(Boolean);
  return t.source === 'default' ? `default (${parts.join(', at least ')})` : t.source;
}

const RANK: Record<RegressionVerdict, number> = { regressed: 3, inconclusive: 2, improved: 1, unchanged: 0 };

/** The report's verdict is the worst of its rows: one regressed figure is a regression. */
function overall(rows: RegressionRow[]): RegressionVerdict {
  return rows.reduce<RegressionVerdict>((worst, r) => (RANK[r.verdict] > RANK[worst] ? r.verdict : worst), 'unchanged');
}

function summarise(rows: RegressionRow[], runs: number): string {
  const label = (r: RegressionRow) => `${r.request} ${r.metric} ${signed(r.delta)} ${r.unit}${r.deltaPercent !== null ? ` (${signed(r.deltaPercent)}%)` : ''}`;
  const of = (v: RegressionVerdict) => rows.filter((r) => r.verdict === v);
  const against = `against ${runs} baseline run${runs === 1 ? '' : 's'}`;
  if (of('regressed').length) return `Regressed ${against}: ${of('regressed').map(label).join('; ')}.`;
  if (of('inconclusive').length) return `Inconclusive ${against}: ${of('inconclusive').map((r) => `${r.request} ${r.metric}`).join(', ')} cannot be told apart from noise; see the notes.`;
  if (of('improved').length) return `Improved ${against}: ${of('improved').map(label).join('; ')}.`;
  return `Unchanged ${against}: all ${rows.length} figures within their thresholds.`;
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : value;
}

function fmt(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${fmt(value)}`;
}
