import type { CapacityMetrics, CapacityStep } from '../evidence/types';
import { formatNumber } from '../criteria';
import { boundOf } from './signals';
import type { CapacitySettings } from './settings';

/**
 * The capacity search (open model): ramp the offered rate in steps until a probe breaks, bisect between the highest
 * good and the lowest bad rate holding each probe steady, then confirm with a final, longer hold at the highest good
 * rate, just below the knee. A generator-side signal stops everything: its figures are the generator's, not the
 * service's. Time and request budgets, and a cancel, end the search early with what it has learned.
 *
 * The probe is passed in, so this module only decides; src/capacity/probe.ts measures.
 */
export type Probe = (phase: CapacityStep['phase'], offeredRps: number, holdSeconds: number, healthyServiceMs: number | undefined) => Promise<{ step: CapacityStep; cancelled: boolean }>;

export interface SearchProgress {
  step: CapacityStep;
  elapsedSeconds: number;
}

export type SearchResult = Omit<CapacityMetrics, 'engine' | 'testId' | 'serviceLevel' | 'expectedPeakRps' | 'headroom' | 'minimumRps'>;

/** Per probe, beyond its hold: connecting, the drain, judging; used to decide whether the next probe fits the budget. */
const PROBE_OVERHEAD_SECONDS = 1;
/** After a probe that broke, the service gets this long to empty its queues before the next probe. */
const COOL_DOWN_SECONDS = 1;
/** A failed confirmation lowers the rate by the precision and tries again, this many times at most. */
const CONFIRM_RETRIES = 2;

export async function searchCapacity(
  settings: CapacitySettings, probe: Probe, options: { signal?: AbortSignal; onStep?: (p: SearchProgress) => void } = {},
): Promise<SearchResult> {
  const started = performance.now();
  const steps: CapacityStep[] = [];
  let good: CapacityStep | undefined;
  let bad: CapacityStep | undefined;
  let requests = 0;
  let cancelled = false;
  let stoppedBy: SearchResult['stoppedBy'];
  let generatorStep: CapacityStep | undefined;
  const elapsed = () => (performance.now() - started) / 1000;

  /** Runs one probe unless a budget or a cancel forbids it; returns undefined when the search must stop. */
  const tryProbe = async (phase: CapacityStep['phase'], rps: number, hold: number): Promise<CapacityStep | undefined> => {
    if (options.signal?.aborted) {
      cancelled = true;
      stoppedBy = { reason: 'cancelled', detail: `cancelled after ${formatNumber(Math.round(elapsed()))} s` };
      return undefined;
    }
    if (elapsed() + hold + PROBE_OVERHEAD_SECONDS > settings.budget.seconds) {
      stoppedBy = { reason: 'time-budget', detail: `the next probe (${formatNumber(rps)} rps for ${hold} s) would pass the time budget of ${settings.budget.seconds} s` };
      return undefined;
    }
    if (requests + rps * hold > settings.budget.requests) {
      stoppedBy = { reason: 'request-budget', detail: `the next probe (${formatNumber(rps)} rps for ${hold} s) would pass the request budget of ${settings.budget.requests}` };
      return undefined;
    }
    if (steps.length && !steps[steps.length - 1].good) await pause(COOL_DOWN_SECONDS * 1000, options.signal);
    const result = await probe(phase, rps, hold, good?.generator?.meanSendToResponseMs);
    steps.push(result.step);
    requests += result.step.requests;
    options.onStep?.({ step: result.step, elapsedSeconds: elapsed() });
    if (result.cancelled) {
      cancelled = true;
      result.step.good = false;
      stoppedBy = { reason: 'cancelled', detail: `cancelled during the probe at ${formatNumber(rps)} rps, after ${formatNumber(Math.round(elapsed()))} s` };
      return undefined;
    }
    if (result.step.signals.some((s) => s.kind === 'generator')) {
      generatorStep = result.step;
      return undefined;
    }
    return result.step;
  };
  const record = (step: CapacityStep) => {
    if (step.good) {
      if (!good || step.offeredRps > good.offeredRps) good = step;
    } else if (!bad || step.offeredRps < bad.offeredRps) bad = step;
  };

  // 1. Ramp.
  let rate = settings.startRps;
  let ramping = true;
  while (ramping) {
    const step = await tryProbe('ramp', rate, settings.holdSeconds);
    if (!step) break;
    record(step);
    if (!step.good) break;
    if (rate >= settings.maxRps) {
      stoppedBy = { reason: 'max-rate', detail: `every rate up to maxRps (${formatNumber(settings.maxRps)} rps) held the service level` };
      ramping = false;
    } else rate = Math.min(settings.maxRps, round1(rate * settings.stepFactor));
  }

  // 2. Bisect between the highest good and the lowest bad rate.
  let searching = !stoppedBy && !generatorStep && good !== undefined && bad !== undefined;
  while (searching && good && bad && (bad.offeredRps - good.offeredRps) / good.offeredRps > settings.precisionPercent / 100) {
    const step = await tryProbe('bisect', round1((good.offeredRps + bad.offeredRps) / 2), settings.holdSeconds);
    if (!step) searching = false;
    else record(step);
  }

  // 3. Confirm with a longer hold at the highest good rate; a failure lowers it and tries again.
  let confirmed: CapacityStep | undefined;
  if (searching && good && bad) {
    let target = good.offeredRps;
    for (let attempt = 0; attempt <= CONFIRM_RETRIES && !confirmed; attempt++) {
      const step = await tryProbe('confirm', target, settings.confirmSeconds);
      if (!step) break;
      if (step.good) confirmed = step;
      else {
        if (!bad || step.offeredRps < bad.offeredRps) bad = step;
        target = round1(target * (1 - settings.precisionPercent / 100));
      }
    }
    if (!confirmed && !stoppedBy && !generatorStep) {
      stoppedBy = { reason: 'confirm-failed', detail: `no rate held the ${settings.confirmSeconds} s confirming hold; the service does not hold steady near its knee` };
    }
  }
  if (confirmed) good = confirmed;
  else if (good && bad && good.offeredRps >= bad.offeredRps) good = steps.filter((s) => s.good && s.offeredRps < bad!.offeredRps).sort((a, b) => b.offeredRps - a.offeredRps)[0];

  return concludeSearch({
    steps, good, bad, found: confirmed !== undefined, generatorStep, stoppedBy, cancelled, requests,
    elapsedSeconds: elapsed(), advice: generatorAdvice,
  });
}

export interface SearchFindings {
  steps: CapacityStep[];
  /** The highest good step below the lowest bad one, and that bad one. */
  good?: CapacityStep;
  bad?: CapacityStep;
  /** The knee is bracketed and the good side stands (the local search: confirmed by its final hold). */
  found: boolean;
  /** The step where the generator (or the cloud's engines) saturated, if any: nothing past it counts. */
  generatorStep?: CapacityStep;
  stoppedBy?: SearchResult['stoppedBy'];
  cancelled: boolean;
  requests: number;
  elapsedSeconds: number;
  /** How to go further when the generator was the limit. */
  advice: (provenRps: number, generatorStep: CapacityStep) => string;
  /** The rate a good step proves. Default its offered rate (open model); a closed model proves what it achieved. */
  heldRate?: (step: CapacityStep) => number;
}

/** The outcome, bound, rates and first break of a search from what its steps found; shared by the local and the cloud search. */
export function concludeSearch(f: SearchFindings): SearchResult {
  const { good, bad, generatorStep, stoppedBy, cancelled } = f;
  const provenRps = good ? (f.heldRate ?? ((s) => s.offeredRps))(good) : 0;
  const firstBreak = generatorStep ?? bad;
  const signal = firstBreak?.signals[0];
  let outcome: SearchResult['outcome'];
  if (generatorStep) outcome = 'generator-bound';
  else if (f.found) outcome = 'found';
  // A cloud run stopped at its knee (src/capacity/kneeWatch.ts) ended because a step broke: as conclusive as a full run.
  else if (cancelled || (stoppedBy && stoppedBy.reason !== 'max-rate' && !(stoppedBy.reason === 'knee' && bad))) outcome = 'incomplete';
  else if (!good && bad) outcome = 'no-sustainable-rate';
  else outcome = good ? 'not-reached' : 'incomplete';
  return {
    outcome,
    bound: outcome === 'generator-bound' ? 'generator' : signal && outcome !== 'not-reached' ? boundOf(signal) : null,
    sustainableRps: outcome === 'found' ? provenRps : null,
    interval: bad && outcome !== 'generator-bound' ? { lowRps: provenRps, highRps: bad.offeredRps } : null,
    provenRps,
    firstBreak: signal && firstBreak ? { ...signal, offeredRps: firstBreak.offeredRps } : null,
    ...(stoppedBy ? { stoppedBy } : {}),
    ...(outcome === 'generator-bound' ? { advice: f.advice(provenRps, generatorStep!) } : {}),
    durationSeconds: Math.round(f.elapsedSeconds * 10) / 10,
    requests: f.requests,
    cancelled,
    steps: f.steps,
  };
}

function generatorAdvice(provenRps: number, step: CapacityStep): string {
  const reached = provenRps > 0 ? `The service held its level up to ${formatNumber(provenRps)} rps, the highest rate this generator reached` : 'This generator could not drive even the first rate';
  const pool = step.signals.some((s) => s.detail.includes('virtual users were busy'));
  const more = pool
    ? 'raise capacity.maxVirtualUsers (at most 1000 per engine), or'
    : 'run the search from a machine with more free CPU, split the load over more engines (agents), or';
  return `${reached}; the service's limit is higher than this generator can show. To go further, ${more} run the load on Azure Load Testing (engine: azure) with more engineInstances.`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
