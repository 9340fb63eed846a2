import { formatNumber } from '../criteria';
import type { CapacitySignal, CapacityStep, CriterionResult } from '../evidence/types';
import type { CapacitySettings } from './settings';

/** Above this share of what the pool can sustain at healthy latency, a pool that ran out is the generator's limit. */
const POOL_SHARE = 0.75;

/**
 * What broke in one probe, most decisive first:
 *   generator: the generator itself saturated (CPU, event-loop delay, or a virtual-user pool too small for the
 *              rate at the latency the service had while healthy). Nothing else of that step can be trusted.
 *   slo:       a service-level criterion failed (errors or latency).
 *   plateau:   the achieved rate fell below the offered rate: the service completes no more, it queues.
 *   users:     arrivals found no free virtual user, because the service held the users longer than before.
 * An empty list is a good step.
 */
export function judgeStep(
  step: CapacityStep, serviceLevel: CriterionResult[], settings: CapacitySettings, healthyP50Ms: number | undefined,
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
  const poolShort = waitedOften && g.peakUsers >= g.maxVirtualUsers;
  // Little's law: a pool of N users sustains at most N / latency requests per second. Judged at the latency the
  // service had while it was healthy: if that already needs most of the pool, the pool is the limit (users then
  // queue at random moments long before the pool is full on average).
  const poolLimitRps = healthyP50Ms && healthyP50Ms > 0 ? (g.maxVirtualUsers * 1000) / healthyP50Ms : undefined;
  if (poolShort && (poolLimitRps === undefined || step.offeredRps >= POOL_SHARE * poolLimitRps)) {
    signals.push({
      kind: 'generator',
      detail: `all ${g.maxVirtualUsers} virtual users were busy and ${g.arrivalsWithoutFreeUser} arrivals waited for one` +
        (poolLimitRps ? `; at the healthy median latency (${formatNumber(healthyP50Ms!)} ms) the pool sustains about ${formatNumber(Math.round(poolLimitRps))} rps` : ''),
    });
  }
  if (signals.length) return signals;

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
  if (waitedOften) {
    signals.push({ kind: 'users', detail: `${g.arrivalsWithoutFreeUser} arrivals found no free virtual user (${g.peakUsers} of ${g.maxVirtualUsers} busy): the service held them longer` });
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
