import * as assert from 'node:assert/strict';
import { CAPACITY_DEFAULTS, type CapacitySettings } from '../../src/capacity/settings';
import { judgeStep } from '../../src/capacity/signals';
import type { LocalCapacityStep, CriterionResult } from '../../src/evidence/types';

const settings: CapacitySettings = { ...CAPACITY_DEFAULTS, serviceLevel: [], budget: { ...CAPACITY_DEFAULTS.budget }, generator: { ...CAPACITY_DEFAULTS.generator } };

function step(o: { offered?: number; achieved?: number; cpu?: number; lag?: number; loop?: number; waited?: number; peak?: number; max?: number; service?: number; pressure?: number }): LocalCapacityStep {
  const offered = o.offered ?? 100;
  return {
    phase: 'ramp', offeredRps: offered, achievedRps: o.achieved ?? offered, holdSeconds: 10, requests: offered * 10, errors: 0, errorPercentage: 0,
    latencyMs: { p50: 10, p95: 20, p99: 30 }, good: true, signals: [],
    generator: {
      cpuPercent: o.cpu ?? 10, eventLoopDelayP90Ms: o.loop ?? 1, schedulerLagP90Ms: o.lag ?? 1, meanSendToResponseMs: o.service ?? 10,
      peakUsers: o.peak ?? 5, maxVirtualUsers: o.max ?? 1000, arrivals: offered * 10, arrivalsWithoutFreeUser: o.waited ?? 0,
      ...(o.pressure !== undefined ? { cpuPressurePercent: o.pressure } : {}),
    },
  };
}
const breach = (expression: string): CriterionResult => ({ expression, actual: 2, threshold: 1, failed: true, explanation: `${expression}: failed.` });

describe('capacity/signals: what broke a probe', () => {
  const cases: Array<{ name: string; step: LocalCapacityStep; slo?: CriterionResult[]; healthy?: number; kinds: string[]; detail?: RegExp }> = [
    { name: 'nothing wrong -> a good step', step: step({}), kinds: [] },
    { name: 'error criterion held -> slo (errors)', step: step({}), slo: [breach('percentage(error) > 1')], kinds: ['slo'], detail: /percentage\(error\)/ },
    { name: 'achieved 80 of 100 offered -> plateau', step: step({ achieved: 80 }), kinds: ['plateau'], detail: /80 rps completed of 100 rps offered \(20% short; limit 10%\)/ },
    { name: 'achieved 95 of 100 -> within the plateau tolerance', step: step({ achieved: 95 }), kinds: [] },
    { name: 'CPU over the limit -> generator, and nothing else is judged', step: step({ cpu: 90, achieved: 50 }), slo: [breach('p95(response_time_ms) > 100')], kinds: ['generator'], detail: /used 90% of a CPU core \(limit 85%\)/ },
    { name: 'arrivals started late -> generator', step: step({ lag: 120 }), kinds: ['generator'], detail: /arrivals started 120 ms after their time/ },
    { name: 'pool full, service as fast as when healthy -> generator (the pool)', step: step({ waited: 50, peak: 2, max: 2, service: 11 }), healthy: 10, kinds: ['generator'], detail: /the pool sustains about 182 rps/ },
    { name: 'pool full, service twice as slow -> users (the service held them)', step: step({ waited: 50, peak: 2, max: 2, service: 25 }), healthy: 10, kinds: ['users'], detail: /50 arrivals found no free virtual user/ },
    { name: 'latency breached while the machine was short of CPU -> generator (the machine), not a service limit', step: step({ pressure: 60 }), slo: [breach('p95(response_time_ms) > 100')], kinds: ['generator'], detail: /some task waited for a core 60% of the probe \(Linux CPU pressure; limit 25%\)/ },
    { name: 'a step that held under CPU pressure -> still a good step', step: step({ pressure: 60 }), kinds: [] },
    { name: 'errors breached under CPU pressure -> slo (errors): the service answered them', step: step({ pressure: 60 }), slo: [breach('percentage(error) > 1')], kinds: ['slo'], detail: /percentage\(error\)/ },
    { name: 'a breach with little CPU pressure -> slo, as without it', step: step({ pressure: 5 }), slo: [breach('p95(response_time_ms) > 100')], kinds: ['slo'] },
    { name: 'one arrival of a thousand waited -> jitter, not a signal', step: step({ waited: 1, peak: 2, max: 2 }), healthy: 10, kinds: [] },
  ];
  for (const c of cases) {
    it(`signals: ${c.name}`, () => {
      const signals = judgeStep(c.step, c.slo ?? [], settings, c.healthy);
      assert.deepEqual(signals.map((s) => s.kind), c.kinds);
      if (c.detail) assert.match(signals[0].detail, c.detail);
    });
  }
});
