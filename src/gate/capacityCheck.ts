import type { CapacityEvidence, CheckOutcome, Evidence } from '../evidence/types';

/**
 * The `capacity` check of a policy: the newest capacity search must be fresh, and the rate the service held within
 * its service level must reach what the policy asks: `headroom` x `expectedPeakRps` (e.g. 2x a declared peak),
 * `minimumRps`, or both. The numbers come from the policy, never from the evidence's own capacity block, which the
 * team being gated writes.
 *
 * The rate judged is `provenRps`: a rate a probe held within the service level. For a search that found the knee it
 * is the confirmed sustainable rate; for a generator-bound or budget-stopped search it is a lower bound, which can
 * still prove enough headroom. A cancelled search proves nothing and fails.
 */
export interface CapacityRule {
  passedWithinDays: number;
  expectedPeakRps?: number;
  headroom: number;
  minimumRps?: number;
  testId?: string;
  environments?: string[];
}

export const CAPACITY_RULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['passedWithinDays'],
  anyOf: [{ required: ['expectedPeakRps'] }, { required: ['minimumRps'] }],
  properties: {
    passedWithinDays: { type: 'integer', minimum: 0 },
    expectedPeakRps: { type: 'number', exclusiveMinimum: 0, description: 'The peak request rate the service must expect, requests/s.' },
    headroom: { type: 'number', minimum: 1, description: 'Capacity must be at least headroom x expectedPeakRps (default 2).' },
    minimumRps: { type: 'number', exclusiveMinimum: 0, description: 'Capacity must be at least this many requests/s.' },
    testId: { type: 'string', minLength: 1 },
    environments: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const;

export function buildCapacityRule(rule: Record<string, unknown>): CapacityRule {
  const r: CapacityRule = { passedWithinDays: rule.passedWithinDays as number, headroom: (rule.headroom as number | undefined) ?? 2 };
  if (rule.expectedPeakRps !== undefined) r.expectedPeakRps = rule.expectedPeakRps as number;
  if (rule.minimumRps !== undefined) r.minimumRps = rule.minimumRps as number;
  if (rule.testId !== undefined) r.testId = String(rule.testId);
  if (rule.environments !== undefined) r.environments = rule.environments as string[];
  return r;
}

export interface CapacityContext {
  service: string;
  now: Date;
  evidence: Evidence[];
  malformedCount: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function evaluateCapacity(rule: CapacityRule, ctx: CapacityContext): { state: 'passed' | 'failed' | 'missing' | 'stale'; reason: string; evidence: CheckOutcome['evidence'] } {
  const nowMs = ctx.now.getTime();
  let e: CapacityEvidence | undefined;
  for (const x of ctx.evidence) {
    if (x.kind !== 'capacity' || x.service !== ctx.service) continue;
    const t = Date.parse(x.finishedAt);
    if (t > nowMs || (rule.environments && !rule.environments.includes(x.environment)) || (rule.testId && x.metrics.testId !== rule.testId)) continue;
    if (!e || t > Date.parse(e.finishedAt)) e = x;
  }
  const filters = `${rule.environments ? ` from ${rule.environments.join(' or ')}` : ''}${rule.testId ? ` with test id ${rule.testId}` : ''}`;
  if (!e) {
    const note = ctx.malformedCount ? ` (${ctx.malformedCount} malformed capacity document${ctx.malformedCount === 1 ? ' was' : 's were'} ignored)` : '';
    return { state: 'missing', reason: `No capacity search for ${ctx.service}${filters}${note}; run readiness capacity (or the load-test task with mode: capacity) before the gate.`, evidence: [] };
  }
  const ref = [{ id: e.id, kind: e.kind, finishedAt: e.finishedAt, ...(e.run.url ? { runUrl: e.run.url } : {}) }];
  const age = (nowMs - Date.parse(e.finishedAt)) / DAY_MS;
  const ageText = age < 1 ? `${Math.round(age * 24)} hours` : `${+age.toFixed(1)} days`;
  if (age > rule.passedWithinDays) {
    return { state: 'stale', reason: `The newest capacity search finished ${ageText} ago, older than the ${rule.passedWithinDays}-day limit; run it again.`, evidence: ref };
  }
  const m = e.metrics;
  if (m.cancelled) return { state: 'failed', reason: 'The newest capacity search was cancelled, so it shows no capacity; run it again.', evidence: ref };
  const asks: Array<[number, string]> = [];
  if (rule.expectedPeakRps !== undefined) asks.push([rule.expectedPeakRps * rule.headroom, `${rule.headroom}x the expected peak of ${rule.expectedPeakRps} rps`]);
  if (rule.minimumRps !== undefined) asks.push([rule.minimumRps, `the minimum of ${rule.minimumRps} rps`]);
  const [required, why] = asks.reduce((a, b) => (b[0] > a[0] ? b : a));
  const held = m.outcome === 'found' ? `a sustainable rate of ${m.provenRps} rps` : `${m.provenRps} rps held (outcome ${m.outcome}; a lower bound)`;
  if (m.provenRps < required) {
    const hint = m.outcome === 'generator-bound' ? ' The search was generator-bound: drive it from more engines to show more.' : '';
    return { state: 'failed', reason: `The newest capacity search shows ${held}, below ${required} rps (${why}).${hint}`, evidence: ref };
  }
  return { state: 'passed', reason: `A capacity search ${ageText} ago shows ${held}, at least ${required} rps (${why}).`, evidence: ref };
}
