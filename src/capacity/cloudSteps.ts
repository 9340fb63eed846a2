import { evaluateCriteria, formatNumber, type Criterion } from '../criteria';
import type { CapacitySignal, CapacityStep, LatencySummary, RequestStats } from '../evidence/types';
import { round } from '../load/engine/recorder';
import { serviceSignals } from './signals';
import type { CapacitySettings } from './settings';

/**
 * The steps of a stepped run on Azure Load Testing, sliced from the service's own time series (the test-run metrics
 * API, namespace LoadTestRunMetrics), and judged with the local search's service signals.
 *
 * Slicing: the VirtualUsers series shows the profile's levels. Consecutive points at one level are one step; a
 * point between two levels (a bucket that straddles a change) belongs to none. Of a step of three or more points the
 * first is left out, as the local probe leaves out its first second: the users just added are still connecting.
 * In the read after the run, the last step's last bucket is left out as well: the load ended (or was stopped)
 * somewhere inside it, and the buckets are not aligned with the load's start, so it counts only part of its span.
 *
 * The closed model: Azure's users wait for each answer, so nobody arrives on a schedule and no arrival can find the
 * users busy; the local `users` signal has no cloud equivalent. What a step offers is what its users would send at
 * the per-user rate of the first (lightest) step; a service that keeps up completes that, one that queues holds its
 * users longer and completes less: the `plateau` signal, unchanged.
 */
export interface Point { t: number; v: number }

/** One figure's series per aggregation; the ResponseTime aggregations the service has (Average, Percentile90/95/99). */
export interface FigureSeries {
  requests: Point[];
  errors: Point[];
  responseTime: { avg: Point[]; p90?: Point[]; p95: Point[]; p99: Point[] };
}

export interface RunSeries extends FigureSeries {
  intervalSeconds: number;
  virtualUsers: Point[];
  /** The same figures for each request (SamplerName), for per-request service levels. */
  samplers: Map<string, FigureSeries>;
}

/**
 * A step whose engines ran this much less than planned (beyond the service's rounding of one user per engine per
 * setup) did not get its load: the cloud's generator-bound.
 */
const ENGINE_SHORTFALL = 0.1;

/**
 * `completeBy` (ms since the epoch): judge only the steps the profile had ended by then (the last step holds the top
 * to the profile's end); the steps of a run still going on (src/capacity/kneeWatch.ts). Without it, every slice.
 */
export interface SliceOptions {
  /**
   * The series is the whole run, read after it ended (or was stopped): its load ended somewhere inside the last
   * bucket, which the buckets' grid does not follow, so the last step's last bucket is left out too.
   */
  ended?: boolean;
  /** Users a step may fall short of its plan by through the service's rounding alone (SteppedProfile.roundingUsers). */
  roundingUsers?: number;
}

export function cloudSteps(series: RunSeries, planned: number[], holdSeconds: number, settings: Pick<CapacitySettings, 'serviceLevel' | 'plateauPercent'>,
  completeBy?: number, options: SliceOptions = {}): CapacityStep[] {
  return cloudCurve(series, planned, holdSeconds, settings, completeBy, options).steps;
}

/** The judged steps, and the profile's step (1-based) whose users never held one level, where the curve stops. */
export interface CloudCurve { steps: CapacityStep[]; unsettled?: { step: number; detail: string } }

export function cloudCurve(series: RunSeries, planned: number[], holdSeconds: number, settings: Pick<CapacitySettings, 'serviceLevel' | 'plateauPercent'>,
  completeBy?: number, options: SliceOptions = {}): CloudCurve {
  const { slices: all, unsettled } = sliceByUsers(series.virtualUsers, series.intervalSeconds, holdSeconds, options.ended ?? false);
  const slices = all.filter((slice) => (unsettled === undefined || slice.index < unsettled) &&
    (completeBy === undefined || slice.start + plannedEndSeconds(slice.index, planned.length, holdSeconds) * 1000 <= completeBy));
  let perUserRps: number | undefined;
  const steps = slices.map((slice) => {
    const total = statsOf('Total', series, slice.times, series.intervalSeconds);
    perUserRps ??= slice.users > 0 ? total.rps / slice.users : 0;
    const plannedUsers = planned[Math.min(planned.length - 1, Math.max(0, slice.index))] ?? slice.users;
    const step: CapacityStep = {
      phase: 'ramp',
      offeredRps: round(slice.users * perUserRps),
      achievedRps: round(total.rps),
      holdSeconds: slice.times.length * series.intervalSeconds,
      requests: total.requests,
      errors: total.errors,
      errorPercentage: total.errorPercentage,
      // The metrics API has no median: the p50 place holds the mean (the reports label it so).
      latencyMs: { p50: finite(total.latencyMs.avg), p95: finite(total.latencyMs.p95), p99: finite(total.latencyMs.p99) },
      good: true,
      signals: [],
      virtualUsers: { planned: plannedUsers, measured: round(slice.users) },
    };
    const short = plannedUsers > 0 && slice.users < plannedUsers * (1 - ENGINE_SHORTFALL) - (options.roundingUsers ?? 0);
    const signals: CapacitySignal[] = short
      ? [{ kind: 'generator', detail: `Azure Load Testing's engines ran ${formatNumber(round(slice.users))} of the ${plannedUsers} virtual users planned for this step` }]
      : serviceSignals(step, evaluateCriteria(settings.serviceLevel as Criterion[], {
        totals: total,
        requests: [...series.samplers].map(([name, s]) => statsOf(name, s, slice.times, series.intervalSeconds)),
      }), settings);
    step.signals = signals;
    step.good = signals.length === 0;
    return step;
  });
  if (unsettled === undefined) return { steps };
  const at = planned[Math.min(planned.length - 1, unsettled)];
  return { steps, unsettled: { step: unsettled + 1, detail: `step ${unsettled + 1} of ${planned.length}${at !== undefined ? ` (${at} virtual users planned)` : ''}: ` +
    'its VirtualUsers never held one level for two buckets, so it could not be judged; the curve stops before it' } };
}

/** Seconds from the start of the load to the end of step `index` (0-based) of `steps`: the top is held one step longer. */
export function plannedEndSeconds(index: number, steps: number, holdSeconds: number): number {
  return (Math.min(index, steps - 1) + (index >= steps - 1 ? 2 : 1)) * holdSeconds;
}

/** The first bucket with users running: where the profile's clock starts. */
export function loadStart(series: Pick<RunSeries, 'virtualUsers'>): number | undefined {
  const running = series.virtualUsers.filter((p) => p.v > 0).map((p) => p.t);
  return running.length ? Math.min(...running) : undefined;
}

interface Slice { users: number; times: number[]; index: number; start: number }

function sliceByUsers(users: Point[], intervalSeconds: number, holdSeconds: number, ended: boolean): { slices: Slice[]; unsettled?: number } {
  const points = users.filter((p) => p.v > 0).sort((a, b) => a.t - b.t);
  if (!points.length) return { slices: [] };
  const start = points[0].t;
  const groups: Point[][] = [];
  for (const p of points) {
    const last = groups.at(-1);
    const level = last?.[0].v;
    if (last && level !== undefined && Math.abs(p.v - level) <= Math.max(0.5, level * 0.02) && p.t - last.at(-1)!.t <= intervalSeconds * 1000 * 1.5) last.push(p);
    else groups.push([p]);
  }
  const steps = groups.filter((g) => g.length >= 2);
  // Every step of the profile up to the last level seen must lie within a level that held (engines that stop
  // climbing hold one level across several steps: that covers them); a step none covers is where the curve stops.
  const holdMs = holdSeconds * 1000;
  const covered = new Set(steps.flatMap((g) => {
    const from = Math.floor((g[0].t - start) / holdMs);
    return Array.from({ length: Math.floor((g.at(-1)!.t - start) / holdMs) - from + 1 }, (_, k) => from + k);
  }));
  const highest = Math.max(-1, ...covered);
  const gap = Array.from({ length: highest + 1 }, (_, k) => k).find((k) => !covered.has(k));
  const slices = steps.map((g, i) => {
    const first = g.length >= 3 ? g.slice(1) : g;
    // The load's end cut the last bucket of a run that ended: it counts part of an interval (~17% short at 1 s of 5).
    const kept = ended && i === steps.length - 1 ? first.slice(0, Math.max(1, first.length - 1)) : first;
    const mid = (kept[0].t + kept.at(-1)!.t) / 2;
    return {
      users: kept.reduce((n, p) => n + p.v, 0) / kept.length,
      times: kept.map((p) => p.t),
      index: Math.floor((mid - start) / (holdSeconds * 1000)),
      start,
    };
  });
  return gap === undefined ? { slices } : { slices, unsettled: gap };
}

/**
 * A step's figures from its buckets: counts add up; a percentile of the step is the mean of its buckets'
 * percentiles weighted by their successful requests, the ones ResponseTime describes ("Response time (Successful
 * request)", ListTestRunMetricsDefinitions.json) (percentiles do not merge exactly, and the service gives no histogram).
 */
function statsOf(name: string, s: FigureSeries, times: number[], intervalSeconds: number): RequestStats {
  const at = (series: Point[] | undefined) => {
    const byTime = new Map((series ?? []).map((p) => [p.t, p.v]));
    return times.map((t) => byTime.get(t));
  };
  const requests = at(s.requests).map((v) => v ?? 0);
  const failed = at(s.errors).map((v) => v ?? 0);
  const errors = failed.reduce((n, v) => n + v, 0);
  const count = requests.reduce((n, v) => n + v, 0);
  // ResponseTime covers successful requests only, TotalRequests counts the failed too: weight by the successful.
  const succeeded = requests.map((v, i) => Math.max(0, v - failed[i]));
  const weighted = (series: Point[] | undefined) => {
    if (!series) return NaN;
    const values = at(series);
    let sum = 0;
    let weight = 0;
    values.forEach((v, i) => {
      if (v === undefined || !(succeeded[i] > 0)) return;
      sum += v * succeeded[i];
      weight += succeeded[i];
    });
    return weight > 0 ? sum / weight : NaN;
  };
  const latencyMs: LatencySummary = {
    min: NaN, avg: weighted(s.responseTime.avg), p50: NaN, p75: NaN, p90: weighted(s.responseTime.p90), p95: weighted(s.responseTime.p95),
    p99: weighted(s.responseTime.p99), p999: NaN, max: NaN,
  };
  return {
    name, requests: count, errors, httpErrors: errors, networkErrors: 0,
    errorPercentage: count > 0 ? round((100 * errors) / count) : 0,
    rps: times.length ? count / (times.length * intervalSeconds) : 0,
    latencyMs,
  };
}

/** A figure for the evidence: a step without a completed request has no latency, shown as 0. */
function finite(n: number): number {
  return Number.isFinite(n) ? round(n) : 0;
}
