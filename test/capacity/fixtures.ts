import { strict as assert } from 'node:assert';
import type { CapacityEvidence } from '../../src/evidence/types';
import { validateEvidence } from '../../src/evidence/validate';
import { uuidFor } from '../hub/fixtures';

/** A search that found its knee at 250 rps: good up to 250, broke at 262.5 and above. */
export function capacityEvidence(outcome: 'found' | 'generator-bound', service = 'checkout'): CapacityEvidence {
  const step = (phase: 'ramp' | 'bisect' | 'confirm', offered: number, good: boolean, p95: number) => ({
    phase, offeredRps: offered, achievedRps: good ? offered : 250, holdSeconds: 2, requests: offered * 2, errors: 0, errorPercentage: 0,
    latencyMs: { p50: p95 / 2, p95, p99: p95 * 1.3 }, good,
    signals: good ? [] : [{ kind: 'slo' as const, bound: 'latency' as const, expression: 'p95(response_time_ms) > 80', detail: `The p95 was ${p95} ms` }],
    generator: { cpuPercent: 8, eventLoopDelayP90Ms: 1, schedulerLagP90Ms: 2, meanSendToResponseMs: 20, peakUsers: 12, maxVirtualUsers: 1000, arrivals: offered * 2, arrivalsWithoutFreeUser: 0 },
  });
  const found = outcome === 'found';
  const doc: CapacityEvidence = {
    schemaVersion: 1, id: uuidFor(`capacity-${outcome}`), kind: 'capacity', service, environment: 'prod', run: { runId: '120' },
    startedAt: new Date(Date.now() - 60_000).toISOString(), finishedAt: new Date().toISOString(), verdict: found ? 'passed' : 'error',
    summary: found ? 'Sustainable rate 250 rps (knee between 250 rps and 262.5 rps); latency-bound.' : 'Generator-bound.',
    criteria: [],
    metrics: {
      engine: 'local', testId: 'checkout', outcome, bound: found ? 'latency' : 'generator',
      sustainableRps: found ? 250 : null, interval: found ? { lowRps: 250, highRps: 262.5 } : null, provenRps: found ? 250 : 100,
      firstBreak: found ? { kind: 'slo', bound: 'latency', expression: 'p95(response_time_ms) > 80', detail: 'The p95 was 128 ms', offeredRps: 262.5 } : null,
      ...(found ? {} : { advice: 'To go further, raise capacity.maxVirtualUsers, or run the load on Azure Load Testing (engine: azure).' }),
      serviceLevel: ['p95(response_time_ms) > 80'], durationSeconds: 27, requests: 4400, cancelled: false,
      steps: found
        ? [step('ramp', 50, true, 33), step('ramp', 100, true, 33), step('ramp', 200, true, 34), step('ramp', 400, false, 900), step('bisect', 300, false, 400),
          step('bisect', 250, true, 40), step('bisect', 275, false, 200), step('bisect', 262.5, false, 128), step('confirm', 250, true, 41)]
        : [step('ramp', 50, true, 21), step('ramp', 100, true, 22)],
    },
    links: [],
  };
  const check = validateEvidence(doc);
  assert.ok(check.ok, check.ok ? '' : check.errors.join('\n'));
  return doc;
}
