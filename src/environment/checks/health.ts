import type { HealthFacts } from '../../evidence/types';
import { sleep } from '../../azure/sleep';
import type { HealthSpec } from '../config';
import { probeOnce } from '../probe';
import { checkResult, type CheckContext } from '../result';

const MAX_LISTED_FAILURES = 5;

/** Probes an endpoint `repeats` times, `intervalMs` apart; passes when the share of good answers reaches the ratio. */
export async function runHealthCheck(spec: HealthSpec, ctx: CheckContext) {
  const started = performance.now();
  const latencies: number[] = [];
  const failures: string[] = [];
  let successes = 0;
  let networkOnly = true;
  for (let i = 0; i < spec.repeats; i++) {
    if (i > 0) await sleep(spec.intervalMs, ctx.signal);
    const outcome = await probeOnce(spec.probe, ctx.signal);
    if (outcome.latencyMs !== null) latencies.push(outcome.latencyMs);
    if (outcome.ok) successes += 1;
    else {
      if (outcome.latencyMs !== null) networkOnly = false;
      if (failures.length < MAX_LISTED_FAILURES) failures.push(`probe ${i + 1}: ${outcome.reason}`);
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const facts: HealthFacts = {
    url: spec.probe.url,
    probes: spec.repeats,
    successes,
    successRatio: successes / spec.repeats,
    latencyMs: sorted.length ? { min: sorted[0], p50: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] } : null,
    failures,
  };
  const ratio = `${successes}/${spec.repeats}`;
  if (facts.successRatio >= spec.minSuccessRatio) {
    return checkResult(spec, 'passed', `${spec.probe.url} answered as expected ${ratio} times (minimum ratio ${spec.minSuccessRatio})${facts.latencyMs ? `, p50 ${facts.latencyMs.p50} ms` : ''}.`, started, { health: facts });
  }
  // No answer at all says nothing about the service's health, only that it could not be reached.
  if (successes === 0 && networkOnly) {
    return checkResult(spec, 'unknown', `${spec.probe.url} never answered (${failures[0]}); make it reachable from the agent and run the check again.`, started, { health: facts });
  }
  return checkResult(
    spec,
    'failed',
    `${spec.probe.url} answered as expected only ${ratio} times, under the minimum ratio ${spec.minSuccessRatio} (${failures.join('; ')}); fix what the failing probes name, or the bounds if they are wrong.`,
    started,
    { health: facts },
  );
}
