import { strict as assert } from 'node:assert';
import type { DrillEvidence } from '../../src/evidence/types';
import { evaluateDrill, type EvidenceContext } from '../../src/gate/evidenceChecks';
import { parsePolicy, type DrillRule } from '../../src/gate/policy';
import { ConfigError } from '../../src/errors';
import { drill, NOW } from './fixtures';

/** Gate rules over recreation drills (environment RTO) and rollback drills (time to rollback and to recover). */
function recreation(o: { ageDays?: number; verdict?: DrillEvidence['verdict']; environmentRtoSeconds?: number | null; environment?: string } = {}): DrillEvidence {
  const e = drill({ ageDays: o.ageDays, verdict: o.verdict, rtoSeconds: o.environmentRtoSeconds ?? 420, rpoSeconds: null });
  e.environment = o.environment ?? 'staging';
  Object.assign(e.metrics, { provider: 'terraform', mode: 'recreation', rpoMethod: 'none', environmentRtoSeconds: o.environmentRtoSeconds === undefined ? 420 : o.environmentRtoSeconds, leaks: [], drift: [] });
  return e;
}

function rollback(o: { ageDays?: number; verdict?: DrillEvidence['verdict']; timeToRollbackSeconds?: number | null; timeToRecoverSeconds?: number | null } = {}): DrillEvidence {
  const e = drill({ ageDays: o.ageDays, verdict: o.verdict, rtoSeconds: null, rpoSeconds: null });
  Object.assign(e.metrics, {
    provider: 'rollback',
    mode: 'rollback',
    rpoMethod: 'none',
    timeToRollbackSeconds: o.timeToRollbackSeconds === undefined ? 95 : o.timeToRollbackSeconds,
    timeToRecoverSeconds: o.timeToRecoverSeconds === undefined ? 80 : o.timeToRecoverSeconds,
    versions: { previous: '1.4.2', current: '1.5.0' },
  });
  return e;
}

const ctx = (evidence: DrillEvidence[]): EvidenceContext => ({ service: 'checkout', now: NOW, evidence, malformed: {}, docsChecks: 0 });
const recreationRule: DrillRule = { passedWithinDays: 30, mode: 'recreation', environmentRtoSeconds: 900 };
const rollbackRule: DrillRule = { passedWithinDays: 14, mode: 'rollback', timeToRollbackSeconds: 300, timeToRecoverSeconds: 300 };

describe('gate: recreation and rollback drill rules', () => {
  const cases: Array<{ name: string; rule: DrillRule; evidence: DrillEvidence[]; state: string; reason: RegExp }> = [
    { name: 'recreation: passed 2 days ago, environment RTO 7m under 15m -> passed', rule: recreationRule, evidence: [recreation()], state: 'passed', reason: /A recreation drill passed 2 days ago .* with environment RTO 7m <= 15m/ },
    { name: 'recreation: environment RTO 15m01s -> failed naming it', rule: recreationRule, evidence: [recreation({ environmentRtoSeconds: 901 })], state: 'failed', reason: /measured environment RTO 15m1s, over the 15m limit/ },
    { name: 'recreation: RTO not measured -> failed, never passed', rule: recreationRule, evidence: [recreation({ environmentRtoSeconds: null })], state: 'failed', reason: /did not measure its environment RTO/ },
    { name: 'recreation: only a restore drill -> missing (a restore is not a recreation)', rule: recreationRule, evidence: [drill()], state: 'missing', reason: /No recreation drill evidence for checkout/ },
    { name: 'recreation: 31 days old -> stale', rule: recreationRule, evidence: [recreation({ ageDays: 31 })], state: 'stale', reason: /newest recreation drill finished 31 days ago/ },
    { name: 'recreation: newest failed (a leak) -> failed with its summary', rule: recreationRule, evidence: [recreation({ ageDays: 5 }), recreation({ ageDays: 1, verdict: 'failed' })], state: 'failed', reason: /newest recreation drill failed/ },
    { name: 'recreation: from another environment than the rule names -> missing', rule: { ...recreationRule, environments: ['prod-dr'] }, evidence: [recreation()], state: 'missing', reason: /from prod-dr/ },
    { name: 'rollback: both times within limits -> passed', rule: rollbackRule, evidence: [rollback()], state: 'passed', reason: /time to rollback 1m35s <= 5m, time to recover 1m20s <= 5m/ },
    { name: 'rollback: time to rollback over -> failed', rule: rollbackRule, evidence: [rollback({ timeToRollbackSeconds: 301 })], state: 'failed', reason: /time to rollback 5m1s, over the 5m limit/ },
    { name: 'rollback: recover not measured -> failed', rule: rollbackRule, evidence: [rollback({ timeToRecoverSeconds: null })], state: 'failed', reason: /did not measure its time to recover/ },
    { name: 'rollback: only a recreation drill -> missing', rule: rollbackRule, evidence: [recreation()], state: 'missing', reason: /No rollback drill evidence/ },
    { name: 'restore rule (no mode): a recreation drill does not count', rule: { passedWithinDays: 30, rtoSeconds: 900 }, evidence: [recreation()], state: 'missing', reason: /No drill evidence/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const outcome = evaluateDrill(c.rule, ctx(c.evidence));
      assert.equal(outcome.state, c.state, outcome.reason);
      assert.match(outcome.reason, c.reason);
    });
  }

  const policy = (rule: string) => `service: checkout
checks:
  - id: rebuild
    title: Environment rebuilt from Terraform
    owner: operations
    type: drill
    rule: ${rule}
levels:
  - { name: bronze, checks: [rebuild] }
environments:
  production: { requiredLevel: bronze, enforcement: block }
roles:
  operations: { users: [ops@example.com] }
`;

  it('policy: mode recreation with environmentRto -> parsed into seconds', () => {
    const parsed = parsePolicy(policy('{ passedWithinDays: 30, mode: recreation, environmentRto: 10m }'), 'readiness.yml');
    assert.deepEqual(parsed.checks[0].rule, { passedWithinDays: 30, mode: 'recreation', environmentRtoSeconds: 600 });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['environmentRto without mode recreation -> names the line and the mode to set', '{ passedWithinDays: 30, environmentRto: 10m }', /^readiness\.yml:7 checks\[0\]\.rule\.environmentRto: environmentRto is measured by recreation drills, and this check counts restore drills; set mode: recreation/],
    ['rpo on a rollback rule -> error', '{ passedWithinDays: 30, mode: rollback, rpo: 5m }', /checks\[0\]\.rule\.rpo: rpo is measured by restore drills, and this check counts rollback drills/],
    ['timeToRollback not a duration -> error', '{ passedWithinDays: 30, mode: rollback, timeToRollback: soon }', /checks\[0\]\.rule\.timeToRollback: "soon" is not a duration/],
    ['unknown mode -> lists the modes', '{ passedWithinDays: 30, mode: recreate }', /checks\[0\]\.rule\.mode: "recreate" is not allowed; did you mean "recreation"\?/],
  ];
  for (const [name, rule, pattern] of bad) {
    it(`policy: ${name}`, () => {
      assert.throws(() => parsePolicy(policy(rule), 'readiness.yml'), (error: unknown) => error instanceof ConfigError && error.problems.some((p) => pattern.test(p)) || assert.fail((error as ConfigError).problems?.join('\n') ?? String(error)));
    });
  }
});
