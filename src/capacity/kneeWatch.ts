import type { AltTestRun } from '../azure/model';
import { formatNumber } from '../criteria';
import type { CapacityStep } from '../evidence/types';
import { cloudSteps, loadStart, plannedEndSeconds, type FigureSeries, type Point, type RunSeries } from './cloudSteps';
import type { CapacitySettings } from './settings';

/**
 * "Stop at the knee" for the capacity search on Azure Load Testing (`capacity.azure.stopAtKnee`, default on): while
 * the stepped run executes, its time series is read every so often, the steps that are over are judged, and once one
 * breaks the search asks runCloudLoadTest to stop the run. The steps after the knee would only show a service
 * already past its limit, at the highest loads of the profile, which cost the most virtual-user hours.
 *
 * The lag rule: the metrics API shows a running run's buckets as they are aggregated, so the newest bucket may be
 * incomplete and may still change (assumption alt-metrics-live-partial, docs/emulators.md). The newest bucket with
 * data (in VirtualUsers and TotalRequests both) is never used, and a step is judged only once its planned end lies
 * at or before that bucket's start: the bucket after its end has data, so every bucket of the step has a later one.
 * A step still running is never judged. The last step holds the top to the profile's end, so it is never judged
 * early: the run ends anyway.
 *
 * The confirmation rule: more than the newest bucket may still be revised (metricsLateBuckets in the emulator), so
 * a step is reported, and stopped for, only once two consecutive reads, with newer data in between, show it with
 * the same figures (a bucket still being aggregated changes between them). This costs one read (half a step)
 * before the stop, and holds as long as a bucket is final once a bucket after it has come in between two reads.
 *
 * What the read after the run finds decides the result; this only decides when to stop.
 */
export interface KneeStop {
  /** The profile's step (1-based) that broke. */
  step: number;
  /** "stopped at the knee: step 5 of 10 broke (plateau), ...; stopped after 6 of 10 steps, ..." */
  detail: string;
}

export interface KneeWatchOptions {
  /** Virtual users planned per step, lowest first (steppedProfile.ts). */
  levels: number[];
  /** Users a step may fall short of its plan by through the service's rounding alone (SteppedProfile.roundingUsers). */
  roundingUsers?: number;
  settings: Pick<CapacitySettings, 'holdSeconds' | 'serviceLevel' | 'plateauPercent'>;
  /** The run's series so far (readRunSeries). */
  read: (run: AltTestRun) => Promise<RunSeries>;
  /** Real milliseconds between reads. Default: half a step, never below the series' finest grain. */
  intervalMs?: number;
  progress: (message: string) => void;
  signal?: AbortSignal;
}

/** The shouldStop check of a stepped run: undefined, or the step that broke and what stopping saves. */
export function kneeWatch(o: KneeWatchOptions): (run: AltTestRun) => Promise<KneeStop | undefined> {
  const hold = o.settings.holdSeconds;
  let nextAt = 0;
  let busy = false;
  let reported = 0;
  // The previous read: each judged step's figures by step number, and its newest bucket.
  let previous: { newest: number; figures: Map<number, string> } | undefined;
  const wait = (grainSeconds: number) => o.intervalMs ?? Math.max(grainSeconds, hold / 2) * 1000;
  return async (run) => {
    // One read cycle at a time, and only while the load runs: before, there is nothing; after, the final read decides.
    if (run.status !== 'EXECUTING' || busy || Date.now() < nextAt) return undefined;
    busy = true;
    try {
      const series = await o.read(run);
      nextAt = Date.now() + wait(series.intervalSeconds);
      const live = settledSteps(series, o.levels, hold, o.settings, o.roundingUsers);
      if (!live) return undefined;
      // The confirmation rule (see above): only a step seen with the same figures on the read before, with newer
      // data in between, is final enough to report or to stop for.
      const figures = new Map(live.steps.map((step) => [stepNumber(step, o.levels, live.steps), figuresOf(step)]));
      const last = previous;
      previous = { newest: live.newest, figures };
      if (!last || live.newest <= last.newest) return undefined;
      const changed = live.steps.findIndex((step) => last.figures.get(stepNumber(step, o.levels, live.steps)) !== figuresOf(step));
      const stable = changed === -1 ? live.steps : live.steps.slice(0, changed);
      for (const step of stable.slice(reported)) o.progress(`Step ${stepNumber(step, o.levels, live.steps)} of ${o.levels.length} (${step.virtualUsers?.measured} virtual users): ${describe(step)}`);
      reported = Math.max(reported, stable.length);
      const broken = stable.find((s) => !s.good);
      return broken ? stopFor(broken, live, o.levels, hold) : undefined;
    } catch (error) {
      if (o.signal?.aborted) return undefined;
      // A read that fails mid-run costs this check only: the run goes on, and the read after it decides.
      nextAt = Date.now() + wait(5);
      o.progress(`Could not read the run's metrics while it runs (${error instanceof Error ? error.message : String(error)}); the run goes on, and the read after it ends decides.`);
      return undefined;
    } finally {
      busy = false;
    }
  };
}

interface LiveSteps { steps: CapacityStep[]; start: number; newest: number; grainMs: number }

/** The steps of a run still going on that the lag rule lets us judge (see above); undefined before any data. */
export function settledSteps(series: RunSeries, levels: number[], holdSeconds: number, settings: KneeWatchOptions['settings'],
  roundingUsers = 0): LiveSteps | undefined {
  const newest = Math.min(latest(series.virtualUsers), latest(series.requests));
  if (!Number.isFinite(newest)) return undefined;
  const grainMs = series.intervalSeconds * 1000;
  const before = (points: Point[]) => points.filter((p) => p.t < newest);
  const cutFigures = (f: FigureSeries): FigureSeries => ({
    requests: before(f.requests), errors: before(f.errors),
    responseTime: { avg: before(f.responseTime.avg), ...(f.responseTime.p90 ? { p90: before(f.responseTime.p90) } : {}),
      p95: before(f.responseTime.p95), p99: before(f.responseTime.p99) },
  });
  const cut: RunSeries = { intervalSeconds: series.intervalSeconds, virtualUsers: before(series.virtualUsers), ...cutFigures(series),
    samplers: new Map([...series.samplers].map(([name, f]) => [name, cutFigures(f)])) };
  const start = loadStart(cut);
  if (start === undefined) return undefined;
  return { steps: cloudSteps(cut, levels, holdSeconds, settings, newest, { roundingUsers }), start, newest, grainMs };
}

function latest(points: Point[]): number {
  return points.reduce((t, p) => Math.max(t, p.t), -Infinity);
}

/** The step's place in the profile: its planned users name it (the levels rise strictly: each setup has at least `steps` users). */
function stepNumber(step: CapacityStep, levels: number[], steps: CapacityStep[]): number {
  const at = levels.indexOf(step.virtualUsers?.planned ?? NaN);
  return at >= 0 ? at + 1 : steps.indexOf(step) + 1;
}

/** What a step's judgement rests on: a bucket revised between two reads changes it. */
function figuresOf(step: CapacityStep): string {
  return JSON.stringify([step.virtualUsers?.measured, step.requests, step.errors, step.latencyMs, step.holdSeconds]);
}

function describe(step: CapacityStep): string {
  const figures = `${formatNumber(step.achievedRps)} rps, mean ${formatNumber(step.latencyMs.p50)} ms, p95 ${formatNumber(step.latencyMs.p95)} ms, ${formatNumber(step.errorPercentage)} % errors`;
  return step.good ? `held (${figures})` : `broke: ${step.signals.map((s) => s.detail).join('; ')} (${figures})`;
}

function stopFor(broken: CapacityStep, live: LiveSteps, levels: number[], holdSeconds: number): KneeStop {
  const step = stepNumber(broken, levels, live.steps);
  const signal = broken.signals[0];
  const why = `${signal.kind}${signal.expression ? `: ${signal.expression}` : ''}`;
  // Where the profile is now: the end of the newest bucket. The stop lands a little later.
  const playedSeconds = (live.newest + live.grainMs - live.start) / 1000;
  const running = Math.min(levels.length, Math.max(1, Math.ceil(playedSeconds / holdSeconds)));
  const saved = Math.round(100 * (1 - userSeconds(levels, holdSeconds, playedSeconds) / userSeconds(levels, holdSeconds, Infinity)));
  const head = signal.kind === 'generator'
    ? `stopped at step ${step} of ${levels.length}: the engines ran fewer virtual users than planned (${why}), so the rest of the profile could not show more`
    : `stopped at the knee: step ${step} of ${levels.length} broke (${why}), the rest of the profile was not needed`;
  return { step, detail: `${head}; stopped after ${running} of ${levels.length} steps, about ${saved} % of the profile's virtual-user hours not spent` };
}

/** Virtual-user seconds of the profile's first `seconds` (each step at its level; the top held one step longer). */
function userSeconds(levels: number[], holdSeconds: number, seconds: number): number {
  return levels.reduce((sum, users, k) => {
    const from = k * holdSeconds;
    const to = plannedEndSeconds(k, levels.length, holdSeconds);
    return sum + users * Math.max(0, Math.min(to, seconds) - from);
  }, 0);
}
