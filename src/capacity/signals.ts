import { formatNumber } from '../criteria';
import type { CapacitySignal, CapacityStep, CriterionResult, LocalCapacityStep } from '../evidence/types';
import type { CapacitySettings } from './settings';

/** The service's own time may grow by this factor over the healthy step's before a full pool is the service's doing. */
const SLOWDOWN = 1.5;

/**
 * What broke in one probe, most decisive first:
 *   generator: the generator itself saturated (CPU, event-loop delay, scheduler lag, or a virtual-user pool too
 *              small for the rate while the service answered as fast as when healthy), or the step broke while the
 *              machine was short of CPU. Nothing else of that step can be trusted.
 *   slo:       a service-level criterion failed (errors or latency).
 *   plateau:   the achieved rate fell below the offered rate: the service completes no more, it queues.
 *   users:     arrivals found no free virtual user, because the service held the users longer than before.
 * An empty list is a good step.
 */
export function judgeStep(
  step: LocalCapacityStep, serviceLevel: CriterionResult[], settings: CapacitySettings,
  healthyServiceMs: number | undefined,
): CapacitySignal[] {
  const signals: CapacitySignal[] = [];
  const g = step.generator;
  const limits = settings.generator;
  if (g.cpuPercent > limits.cpuPercent) {
    signals.push({ kind: 'generator', detail: `the generator's process used ${formatNumber(g.cpuPercent)}% of a CPU core (limit ${formatNumber(limits.cpuPercent)}%)` });
  }
  const lag = Math.max(g.eventLoopDelayP90Ms, g.schedulerLagP90Ms);
  if (lag > limits.lagMs) {
    signals.push({
      kind: 'generator',
      detail: `the generator ran late: event loop ${formatNumber(g.eventLoopDelayP90Ms)} ms, arrivals started ${formatNumber(g.schedulerLagP90Ms)} ms after their time (p90; limit ${formatNumber(limits.lagMs)} ms)`,
    });
  }
  // A few arrivals that met a busy pool are jitter; more than 1% of them is a pattern.
  const waitedOften = g.arrivalsWithoutFreeUser > Math.max(1, g.arrivals * 0.01);
  // Whose fault is a full pool? Its users are busy for the service's own time (write to response). If that time
  // is what it was at the highest good rate, the service did not slow down: the pool is too small for the rate
  // (Little's law: N users sustain at most N / service time requests a second). If it grew, the service held them.
  const serviceSlowed = healthyServiceMs !== undefined && healthyServiceMs > 0 && g.meanSendToResponseMs > SLOWDOWN * healthyServiceMs;
  if (waitedOften && g.peakUsers >= g.maxVirtualUsers && !serviceSlowed) {
    const poolLimitRps = g.meanSendToResponseMs > 0 ? (g.maxVirtualUsers * 1000) / g.meanSendToResponseMs : undefined;
    signals.push({
      kind: 'generator',
      detail: `all ${g.maxVirtualUsers} virtual users were busy and ${g.arrivalsWithoutFreeUser} arrivals waited for one, while the service answered as fast as before` +
        (poolLimitRps ? ` (${formatNumber(g.meanSendToResponseMs)} ms on average): the pool sustains about ${formatNumber(Math.round(poolLimitRps))} rps` : ''),
    });
  }
  if (signals.length) return signals;
  signals.push(...serviceSignals(step, serviceLevel, settings));
  if (waitedOften) {
    signals.push({ kind: 'users', detail: `${g.arrivalsWithoutFreeUser} arrivals found no free virtual user (${g.peakUsers} of ${g.maxVirtualUsers} busy): the service held them longer` });
  }
  // A step that broke while the machine was short of CPU cannot say whose limit it found: the generator was ready
  // to run but not running (neither its CPU nor its event loop shows that), and a service on the same machine was
  // starved too. A step that held under such pressure still proves its rate, so pressure alone breaks nothing; and
  // errors the service answered are its own (a busy agent slows answers down, it does not make a service fail them).
  const errorsBroke = signals.some((s) => s.kind === 'slo' && s.bound === 'errors');
  if (signals.length && !errorsBroke && g.cpuPressurePercent !== undefined && g.cpuPressurePercent > limits.cpuPressurePercent) {
    return [{
      kind: 'generator',
      detail: `the machine was short of CPU while the service level broke: some task waited for a core ${formatNumber(g.cpuPressurePercent)}% of the probe (Linux CPU pressure; limit ${formatNumber(limits.cpuPressurePercent)}%), so the break may be the machine's rather than the service's`,
    }];
  }
  return signals;
}

/**
 * The service's own signals, whatever generated the load: a service-level criterion that held (slo), and an achieved
 * rate more than plateauPercent below the offered one (plateau). Shared by the local probes and the steps of a
 * search on Azure Load Testing (src/capacity/cloudSteps.ts).
 */
export function serviceSignals(step: Pick<CapacityStep, 'offeredRps' | 'achievedRps'>, serviceLevel: CriterionResult[],
  settings: Pick<CapacitySettings, 'plateauPercent'>): CapacitySignal[] {
  const signals: CapacitySignal[] = [];
  for (const r of serviceLevel) {
    if (!r.failed) continue;
    signals.push({ kind: 'slo', bound: /\berror\b/.test(r.expression) ? 'errors' : 'latency', expression: r.expression, detail: r.explanation });
  }
  const shortfall = step.offeredRps > 0 ? (100 * (step.offeredRps - step.achievedRps)) / step.offeredRps : 0;
  if (shortfall > settings.plateauPercent) {
    signals.push({
      kind: 'plateau',
      detail: `${formatNumber(step.achievedRps)} rps completed of ${formatNumber(step.offeredRps)} rps offered (${formatNumber(Math.round(shortfall))}% short; limit ${formatNumber(settings.plateauPercent)}%)`,
    });
  }
  return signals;
}

/** What limits the service, from the first signal of the lowest rate that broke. */
export function boundOf(signal: CapacitySignal): 'errors' | 'latency' | 'throughput' | 'concurrency' | 'generator' {
  if (signal.kind === 'slo') return signal.bound ?? 'latency';
  if (signal.kind === 'plateau') return 'throughput';
  if (signal.kind === 'users') return 'concurrency';
  return 'generator';
}
