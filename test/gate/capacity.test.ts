import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import type { CapacityEvidence, CheckState } from '../../src/evidence/types';
import { validateEvidence } from '../../src/evidence/validate';
import { evaluatePolicy } from '../../src/gate/evaluate';
import { parsePolicy } from '../../src/gate/policy';
import { daysBefore, NOW } from './fixtures';

const policy = (rule: string) => parsePolicy(
  `
service: checkout
roles: { operations: { users: [ops] } }
checks:
  - { id: capacity, title: Capacity headroom, owner: operations, type: capacity, rule: ${rule} }
levels: [{ name: silver, checks: [capacity] }]
environments: { production: { requiredLevel: silver, enforcement: block } }
`,
  'readiness.yml',
);

let n = 0;
function capacity(o: { provenRps: number; outcome?: CapacityEvidence['metrics']['outcome']; ageDays?: number; cancelled?: boolean; service?: string; declaredPeak?: number }): CapacityEvidence {
  const finishedAt = daysBefore(o.ageDays ?? 1);
  const outcome = o.outcome ?? 'found';
  const step = (rps: number, good: boolean) => ({
    phase: 'ramp' as const, offeredRps: rps, achievedRps: rps, holdSeconds: 10, requests: rps * 10, errors: 0, errorPercentage: 0,
    latencyMs: { p50: 10, p95: 20, p99: 30 }, good, signals: good ? [] : [{ kind: 'slo' as const, bound: 'latency' as const, expression: 'p95(response_time_ms) > 100', detail: 'p95 over' }],
    generator: { cpuPercent: 20, eventLoopDelayP90Ms: 1, schedulerLagP90Ms: 1, meanSendToResponseMs: 10, peakUsers: 5, maxVirtualUsers: 1000, arrivals: rps * 10, arrivalsWithoutFreeUser: 0 },
  });
  const doc: CapacityEvidence = {
    schemaVersion: 1, id: `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`, kind: 'capacity', service: o.service ?? 'checkout', environment: 'staging',
    run: {}, startedAt: finishedAt, finishedAt, verdict: 'passed', summary: 'search', criteria: [],
    metrics: {
      engine: 'local', testId: 'checkout', outcome, bound: outcome === 'generator-bound' ? 'generator' : 'latency',
      sustainableRps: outcome === 'found' ? o.provenRps : null, interval: outcome === 'found' ? { lowRps: o.provenRps, highRps: o.provenRps * 1.05 } : null,
      provenRps: o.provenRps, firstBreak: null, serviceLevel: ['p95(response_time_ms) > 100'], durationSeconds: 100, requests: 1000,
      cancelled: o.cancelled ?? false, steps: [step(o.provenRps, true), step(o.provenRps * 1.05, false)],
      // What the team declared in its own capacity block: the gate must ignore it.
      ...(o.declaredPeak ? { expectedPeakRps: o.declaredPeak, headroom: 1 } : {}),
    },
    links: [],
  };
  assert.ok(validateEvidence(doc).ok);
  return doc;
}

function gate(rule: string, evidence: unknown[]) {
  const result = evaluatePolicy({ policy: policy(rule), environment: 'production', evidence, signoffs: [], waivers: [], now: NOW });
  return result.metrics.checks.find((c) => c.id === 'capacity')!;
}

const cases: Array<{ name: string; rule: string; evidence: () => unknown[]; state: CheckState; reason: RegExp }> = [
  { name: 'capacity 290 rps, policy 2x a 150 rps peak -> failed (below headroom)', rule: '{ passedWithinDays: 14, expectedPeakRps: 150, headroom: 2 }', evidence: () => [capacity({ provenRps: 290 })], state: 'failed', reason: /290 rps, below 300 rps \(2x the expected peak of 150 rps\)/ },
  { name: 'capacity 310 rps, policy 2x a 150 rps peak -> passed', rule: '{ passedWithinDays: 14, expectedPeakRps: 150 }', evidence: () => [capacity({ provenRps: 310 })], state: 'passed', reason: /sustainable rate of 310 rps, at least 300 rps/ },
  { name: 'exactly at the required rate -> passed', rule: '{ passedWithinDays: 14, minimumRps: 300 }', evidence: () => [capacity({ provenRps: 300 })], state: 'passed', reason: /at least 300 rps \(the minimum of 300 rps\)/ },
  { name: 'both asks: the larger decides', rule: '{ passedWithinDays: 14, expectedPeakRps: 100, headroom: 3, minimumRps: 250 }', evidence: () => [capacity({ provenRps: 280 })], state: 'failed', reason: /below 300 rps \(3x the expected peak/ },
  { name: 'evidence declares its own low peak: ignored, the policy decides', rule: '{ passedWithinDays: 14, minimumRps: 500 }', evidence: () => [capacity({ provenRps: 400, declaredPeak: 100 })], state: 'failed', reason: /below 500 rps/ },
  { name: 'generator-bound but the rate reached is enough -> passed as a lower bound', rule: '{ passedWithinDays: 14, minimumRps: 300 }', evidence: () => [capacity({ provenRps: 400, outcome: 'generator-bound' })], state: 'passed', reason: /400 rps held \(outcome generator-bound; a lower bound\)/ },
  { name: 'generator-bound and not enough -> failed, saying drive it harder', rule: '{ passedWithinDays: 14, minimumRps: 500 }', evidence: () => [capacity({ provenRps: 400, outcome: 'generator-bound' })], state: 'failed', reason: /more engines/ },
  { name: 'cancelled search -> failed', rule: '{ passedWithinDays: 14, minimumRps: 1 }', evidence: () => [capacity({ provenRps: 400, cancelled: true })], state: 'failed', reason: /cancelled/ },
  { name: 'older than passedWithinDays -> stale', rule: '{ passedWithinDays: 7, minimumRps: 100 }', evidence: () => [capacity({ provenRps: 400, ageDays: 8 })], state: 'stale', reason: /older than the 7-day limit/ },
  { name: 'newest decides: an older strong search does not hide a newer weak one', rule: '{ passedWithinDays: 14, minimumRps: 300 }', evidence: () => [capacity({ provenRps: 900, ageDays: 3 }), capacity({ provenRps: 100, ageDays: 1 })], state: 'failed', reason: /100 rps/ },
  { name: 'another service\'s search -> missing', rule: '{ passedWithinDays: 14, minimumRps: 300 }', evidence: () => [capacity({ provenRps: 900, service: 'payments' })], state: 'missing', reason: /No capacity search for checkout/ },
  { name: 'malformed capacity document -> missing, and said so', rule: '{ passedWithinDays: 14, minimumRps: 300 }', evidence: () => [{ ...capacity({ provenRps: 900 }), metrics: { provenRps: 900 } }], state: 'missing', reason: /1 malformed capacity document was ignored/ },
];

describe('gate/capacity: headroom over a declared peak, or a minimum rate, with freshness', () => {
  for (const c of cases) {
    it(c.name, () => {
      const outcome = gate(c.rule, c.evidence());
      assert.equal(outcome.state, c.state, outcome.reason);
      assert.match(outcome.reason, c.reason);
    });
  }

  it('policy: a capacity rule without expectedPeakRps or minimumRps -> bad input naming the rule', () => {
    assert.throws(() => policy('{ passedWithinDays: 14 }'), (e: unknown) => e instanceof ConfigError && /readiness\.yml:\d+ checks\[0\]\.rule/.test(e.message));
  });
});
