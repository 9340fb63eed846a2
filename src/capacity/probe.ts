import { evaluateCriteria, type Criterion } from '../criteria';
import type { CapacityStep, LocalCapacityStep } from '../evidence/types';
import { round } from '../load/engine/recorder';
import { runEngine } from '../load/engine/run';
import type { UrlTestPlan } from '../load/urlTest';
import { watchGenerator } from '../load/generatorWatch';
import { judgeStep } from './signals';
import type { CapacitySettings } from './settings';

/**
 * One probe of the search: the plan's scenarios in the open model at one offered request rate, held steady for a
 * number of seconds, then judged. Each probe is its own engine run, so its figures are its own (nothing from an
 * overloaded step leaks into the next one's histograms).
 */
export interface ProbeContext {
  plan: UrlTestPlan;
  settings: CapacitySettings;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  signal?: AbortSignal;
  /** The service's own mean time at the highest good rate so far: tells a pool too small for the rate from a slow service. */
  healthyServiceMs?: number;
}

export interface ProbeResult {
  step: CapacityStep;
  cancelled: boolean;
}

/** At most this long for requests still in flight at the end of a probe: beyond it they count as unfinished errors. */
const PROBE_DRAIN_MS = 2000;

export async function runProbe(ctx: ProbeContext, phase: CapacityStep['phase'], offeredRps: number, holdSeconds: number): Promise<ProbeResult> {
  const plan = openPlanAt(ctx.plan, offeredRps, holdSeconds, ctx.settings.maxVirtualUsers);
  const { result, generator } = await watchGenerator(() => runEngine({
    plan, requestTimeoutMs: ctx.requestTimeoutMs, connectTimeoutMs: ctx.connectTimeoutMs, signal: ctx.signal, drainLimitMs: PROBE_DRAIN_MS,
  }));
  const stats = result.recorder.stats(result.loadSeconds);
  const t = stats.totals;
  const unfinished = result.recorder.slots.reduce((n, s) => n + s.unfinished, 0);
  const step: LocalCapacityStep = {
    phase,
    offeredRps: round(offeredRps),
    achievedRps: achievedRate(result.recorder.timeline, result.loadSeconds, t.requests - unfinished),
    holdSeconds: round(result.loadSeconds),
    requests: t.requests,
    errors: t.errors,
    errorPercentage: t.errorPercentage,
    latencyMs: { p50: t.latencyMs.p50, p95: t.latencyMs.p95, p99: t.latencyMs.p99 },
    good: true,
    signals: [],
    generator: {
      cpuPercent: generator.cpuPercent,
      eventLoopDelayP90Ms: generator.eventLoopDelayP90Ms,
      ...(generator.cpuPressurePercent !== undefined ? { cpuPressurePercent: generator.cpuPressurePercent } : {}),
      schedulerLagP90Ms: result.schedulerLagP90Ms,
      meanSendToResponseMs: result.meanSendToResponseMs,
      peakUsers: result.peakUsers,
      maxVirtualUsers: ctx.settings.maxVirtualUsers * ctx.plan.setups.length,
      arrivals: result.arrivals,
      arrivalsWithoutFreeUser: result.arrivalsWithoutFreeUser,
    },
  };
  step.signals = judgeStep(step, evaluateCriteria(ctx.settings.serviceLevel as Criterion[], stats), ctx.settings, ctx.healthyServiceMs);
  step.good = step.signals.length === 0;
  return { step, cancelled: result.cancelled };
}

/**
 * Responses per second while the rate was held, by the second each completed in. The first second is left out
 * (its completions lag the arrivals by one latency) and so is the last, partial one, which also holds what the
 * drain collected: counting those would hide a queue that only empties after the offered load stops.
 */
function achievedRate(timeline: Array<{ second: number; requests: number }>, loadSeconds: number, completed: number): number {
  const full = Math.floor(loadSeconds);
  const window = timeline.filter((p) => p.second >= 1 && p.second < full);
  if (window.length === 0) return round(loadSeconds > 0 ? completed / loadSeconds : 0);
  return round(window.reduce((n, p) => n + p.requests, 0) / window.length);
}

/** Requests one scenario iteration sends, averaged over the setups (the offered rate is in requests per second). */
export function requestsPerIteration(plan: UrlTestPlan): number {
  return plan.setups.reduce((n, s) => n + s.scenario.requests.length, 0) / plan.setups.length;
}

/**
 * The plan with every setup turned into the open model: the offered request rate is shared among the setups by
 * their declared weight (requestsPerSecond for open setups, virtual users for closed ones), and each setup's
 * arrival rate is its share divided by the requests of one of its iterations.
 */
export function openPlanAt(plan: UrlTestPlan, offeredRps: number, holdSeconds: number, maxVirtualUsers: number): UrlTestPlan {
  const weight = (shape: UrlTestPlan['setups'][number]['shape']) => (shape.kind === 'constantArrivalRate' ? shape.requestsPerSecond : shape.virtualUsers);
  const total = plan.setups.reduce((n, s) => n + weight(s.shape), 0);
  return {
    ...plan,
    setups: plan.setups.map((s) => ({
      scenario: s.scenario,
      shape: {
        kind: 'constantArrivalRate' as const,
        requestsPerSecond: (offeredRps * weight(s.shape)) / total / s.scenario.requests.length,
        durationSeconds: holdSeconds,
        maxVirtualUsers,
      },
    })),
  };
}
