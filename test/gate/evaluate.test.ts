import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import type { CheckState, DrillEvidence, GateStatus } from '../../src/evidence/types';
import { evaluatePolicy, type EvaluateInput } from '../../src/gate/evaluate';
import { parsePolicy } from '../../src/gate/policy';
import type { SignOffEvent } from '../../src/gate/records';
import { approval, COMMIT, DAY, daysBefore, docs, drill, loadtest, NOW, runApprovals, signoff, step, waiver } from './fixtures';

const policy = parsePolicy(
  `
service: checkout
roles:
  operations: { users: [operations-lead], groups: ["[Shop]\\\\Operations"] }
  business: { users: [business-lead] }
  oncall: { users: [alice, bob], groups: ["[Shop]\\\\On-call"] }
checks:
  - { id: load, title: Load test, owner: operations, type: loadtest, rule: { passedWithinDays: 7, metrics: ["p95 <= 300", "errorPercentage < 1"] } }
  - { id: drill, title: Restore drill, owner: operations, type: drill, rule: { passedWithinDays: 30, rto: 15m, rpo: 5m } }
  - { id: docs, title: Runbook, owner: operations, type: docs, waivable: false, rule: { files: [RUNBOOK.md] } }
  - { id: signoffs, title: Sign-offs, owner: business, type: signoff, rule: { roles: [operations, business] } }
  - { id: training, title: On-call training, owner: operations, type: signoff, rule: { roles: [oncall], expiresAfterDays: 180, everyMember: true } }
maxWaiverDays: 14
levels:
  - { name: bronze, checks: [docs] }
  - { name: silver, checks: [load, drill] }
  - { name: gold, checks: [signoffs, training] }
environments:
  production: { requiredLevel: gold, enforcement: block }
  staging: { requiredLevel: silver, enforcement: warn }
  qa: { requiredLevel: silver, enforcement: block }
`,
  'readiness.yml',
);

/** The run's approval: one step per role, both approved by the people asked. */
const approved = () => runApprovals([approval([step({ assigned: 'operations-lead' }), step({ assigned: 'business-lead' })])]);
const withSteps = (...steps: Parameters<typeof step>[0][]) => runApprovals([approval(steps.map(step))]);
const training = (ageDays = 10): SignOffEvent[] =>
  ['alice', 'bob', 'carol'].map((by) => signoff({ role: 'oncall', by, ageDays, version: '' }));
const allEvidence = () => [loadtest(), drill(), docs()];

interface Case {
  name: string;
  input?: Partial<EvaluateInput>;
  status: GateStatus;
  level: string | null;
  states?: Record<string, CheckState>;
  /** [check id, text the reason must contain] */
  reason?: [string, string];
}

const cases: Case[] = [
  { name: 'everything passes -> ready at gold', status: 'ready', level: 'gold', states: { load: 'passed', drill: 'passed', docs: 'passed', signoffs: 'passed', training: 'passed' } },
  // Load test
  { name: 'load test: no evidence -> missing, not ready at bronze', input: { evidence: [drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'missing' }, reason: ['load', 'No load test evidence for checkout'] },
  { name: 'load test: exactly 7 days old -> still passed (window is inclusive)', input: { evidence: [loadtest({ finishedAt: daysBefore(7) }), drill(), docs()] }, status: 'ready', level: 'gold', states: { load: 'passed' } },
  { name: 'load test: 7 days and 1 ms old -> stale', input: { evidence: [loadtest({ finishedAt: new Date(NOW.getTime() - 7 * DAY - 1).toISOString() }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'stale' }, reason: ['load', 'older than the 7-day limit'] },
  { name: 'load test: failed verdict -> failed with its summary', input: { evidence: [loadtest({ verdict: 'failed' }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'failed' }, reason: ['load', 'p95 was 450 ms'] },
  { name: 'load test: error verdict -> failed, never passed', input: { evidence: [loadtest({ verdict: 'error' }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'failed' }, reason: ['load', 'ended in an error'] },
  { name: 'load test: p95 301 over "p95 <= 300" -> failed naming the bound', input: { evidence: [loadtest({ p95: 301 }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'failed' }, reason: ['load', 'p95 = 301, which breaks "p95 <= 300"'] },
  { name: 'load test: p95 exactly 300 with "<=" -> passed', input: { evidence: [loadtest({ p95: 300 }), drill(), docs()] }, status: 'ready', level: 'gold', states: { load: 'passed' } },
  { name: 'load test: error 1% with "< 1" -> failed', input: { evidence: [loadtest({ errorPercentage: 1 }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'failed' }, reason: ['load', 'errorPercentage = 1'] },
  { name: 'load test: newest failed, older passed -> failed (newest decides)', input: { evidence: [loadtest({ ageDays: 3 }), loadtest({ ageDays: 1, verdict: 'failed' }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'failed' } },
  { name: 'load test: newest passed, older failed -> passed', input: { evidence: [loadtest({ ageDays: 1 }), loadtest({ ageDays: 3, verdict: 'failed' }), drill(), docs()] }, status: 'ready', level: 'gold', states: { load: 'passed' } },
  { name: 'load test: finished after the evaluation time -> not counted, missing', input: { evidence: [loadtest({ finishedAt: new Date(NOW.getTime() + 1).toISOString() }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'missing' } },
  { name: 'load test: malformed document -> missing, never passed', input: { evidence: [{ ...loadtest(), metrics: { engine: 'local' } }, drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'missing' }, reason: ['load', '1 malformed load test document was ignored'] },
  { name: 'load test: another service -> missing', input: { evidence: [loadtest({ service: 'search' }), drill(), docs()] }, status: 'not-ready', level: 'bronze', states: { load: 'missing' } },
  { name: 'evidence files that could not be read -> reported in the reason and summary', input: { evidence: [drill(), docs()], invalidEvidence: [{ file: 'evidence/load.json', errors: ['not valid JSON'] }] }, status: 'not-ready', level: 'bronze', states: { load: 'missing' }, reason: ['load', '1 unreadable evidence file was ignored'] },
  // Drill
  { name: 'drill: RTO 15m01s over 15m -> failed', input: { evidence: [loadtest(), drill({ rtoSeconds: 901 }), docs()] }, status: 'not-ready', level: 'bronze', states: { drill: 'failed' }, reason: ['drill', 'RTO 15m1s, over the 15m limit'] },
  { name: 'drill: RTO exactly 15m -> passed', input: { evidence: [loadtest(), drill({ rtoSeconds: 900 }), docs()] }, status: 'ready', level: 'gold', states: { drill: 'passed' } },
  { name: 'drill: RPO not measured -> failed (unknown never passes)', input: { evidence: [loadtest(), drill({ rpoSeconds: null }), docs()] }, status: 'not-ready', level: 'bronze', states: { drill: 'failed' }, reason: ['drill', 'did not measure RPO'] },
  { name: 'drill: exactly 30 days old -> passed', input: { evidence: [loadtest(), drill({ finishedAt: daysBefore(30) }), docs()] }, status: 'ready', level: 'gold', states: { drill: 'passed' } },
  { name: 'drill: 31 days old -> stale', input: { evidence: [loadtest(), drill({ ageDays: 31 }), docs()] }, status: 'not-ready', level: 'bronze', states: { drill: 'stale' }, reason: ['drill', '31 days ago'] },
  { name: 'drill: old and failed -> stale (an old result says nothing about today)', input: { evidence: [loadtest(), drill({ ageDays: 40, verdict: 'failed' }), docs()] }, status: 'not-ready', level: 'bronze', states: { drill: 'stale' } },
  // Docs
  { name: 'docs: failed evidence -> failed naming the finding, no level', input: { evidence: [loadtest(), drill(), docs({ verdict: 'failed' })] }, status: 'not-ready', level: null, states: { docs: 'failed' }, reason: ['docs', 'RUNBOOK.md has no "Rollback" heading'] },
  // Sign-offs
  // Sign-offs: the run's approvals (src/gate/approvals.ts)
  { name: 'sign-off: business has no step in the approval -> missing, naming the Approvals check', input: { approvals: withSteps({ assigned: 'operations-lead' }) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'the run\'s approvals have no step for business'] },
  { name: 'sign-off: no approvals given -> missing', input: { approvals: undefined }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'no run approvals were given'] },
  { name: 'sign-off: business rejects -> failed, not ready, the rejection named', input: { approvals: withSteps({ assigned: 'operations-lead' }, { assigned: 'business-lead', status: 'rejected' }) }, status: 'not-ready', level: 'silver', states: { signoffs: 'failed' }, reason: ['signoffs', 'rejected for business'] },
  { name: 'sign-off: a reject blocks even where the level does not need sign-offs', input: { environment: 'qa', approvals: withSteps({ assigned: 'business-lead', status: 'rejected' }) }, status: 'not-ready', level: 'silver', states: { signoffs: 'failed' } },
  { name: 'sign-off: an approval of another run (replayed) -> ignored and named, missing', input: { approvals: runApprovals([approval([step({ assigned: 'operations-lead' }), step({ assigned: 'business-lead' })], { runId: 41 })]) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'an approval counts only for the run it was given in (42)'] },
  { name: 'sign-off: approval marked approved but the business step pending (bypassed) -> missing', input: { approvals: runApprovals([approval([step({ assigned: 'operations-lead' }), step({ assigned: 'business-lead', status: 'pending' })], { status: 'approved' })]) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'bypassed'] },
  { name: 'sign-off: an approved step with no recorded approver (bypassed) -> missing', input: { approvals: withSteps({ assigned: 'operations-lead' }, { assigned: 'business-lead', by: null }) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'records no approver for business'] },
  { name: 'sign-off: a skipped or timed-out step -> not a sign-off', input: { approvals: runApprovals([approval([step({ assigned: 'operations-lead' }), step({ assigned: 'business-lead', status: 'timedOut' })], { status: 'timedOut' })]) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'is timedOut'] },
  { name: 'sign-off: the group step approved by a verified member -> passed', input: { approvals: withSteps({ assigned: '[Shop]\\Operations', by: 'olga' }, { assigned: 'business-lead' }), members: { '[Shop]\\Operations': ['olga'], '[Shop]\\On-call': ['carol', 'alice'] } }, status: 'ready', level: 'gold', states: { signoffs: 'passed' } },
  { name: 'sign-off: the group step approved by someone not a member -> missing, named', input: { approvals: withSteps({ assigned: '[Shop]\\Operations', by: 'mallory' }, { assigned: 'business-lead' }), members: { '[Shop]\\Operations': ['olga'], '[Shop]\\On-call': ['carol', 'alice'] } }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'is not a member of "[Shop]\\Operations"'] },
  { name: 'sign-off: the group\'s members unknown -> not counted (fail closed)', input: { approvals: withSteps({ assigned: '[Shop]\\Operations', by: 'olga' }, { assigned: 'business-lead' }) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'could not read'] },
  { name: 'sign-off: a user step approved by another person -> not counted', input: { approvals: withSteps({ assigned: 'operations-lead', by: 'mallory' }, { assigned: 'business-lead' }) }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' } },
  { name: 'sign-off: extension-data sign-offs alone -> never count', input: { approvals: runApprovals([]), signoffs: [signoff({ role: 'operations' }), signoff({ role: 'business' })] }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'this run has no approvals'] },
  { name: 'attestation: by someone outside the known group -> not counted', input: { signoffs: [...training(), signoff({ role: 'oncall', by: 'dave', version: '' })], members: { '[Shop]\\On-call': ['carol', 'alice', 'erin'] } }, status: 'ready', level: 'gold', states: { training: 'missing' }, reason: ['training', 'Ignored dave (dave)'] },
  // Attestations are warn-only (extension data records no writer): shown, never deciding the level or status
  { name: 'attestation: forged attestations in extension data cannot lift a verdict -> still not ready', input: { approvals: undefined, signoffs: training() }, status: 'not-ready', level: 'silver', states: { training: 'passed', signoffs: 'missing' } },
  { name: 'attestation: exactly 180 days old -> still valid', input: { signoffs: [...training(180)] }, status: 'ready', level: 'gold', states: { training: 'passed' } },
  { name: 'attestation: 180 days and 1 ms old -> stale', input: { signoffs: [...training(180 + 1 / DAY)] }, status: 'ready', level: 'gold', states: { training: 'stale' }, reason: ['training', '3 of 3 oncall attestations expired after 180 days'] },
  { name: 'attestation: a group member never attested -> missing naming them', input: { signoffs: [...training().slice(0, 2)] }, status: 'ready', level: 'gold', states: { training: 'missing' }, reason: ['training', '1 of 3 oncall members have not attested: carol'] },
  { name: 'attestation: group membership unknown -> missing, never passed', input: { members: {} }, status: 'ready', level: 'gold', states: { training: 'missing' }, reason: ['training', 'Cannot tell who belongs to "[Shop]\\On-call"'] },
  { name: 'attestation: not tied to the release version', input: { signoffs: [...['alice', 'bob', 'carol'].map((by) => signoff({ role: 'oncall', by, version: '0.1.0' }))] }, status: 'ready', level: 'gold', states: { training: 'passed' } },
  { name: 'attestation: group lookup spells an id in another case -> still matched', input: { members: { '[Shop]\\On-call': ['CAROL', 'alice'] } }, status: 'ready', level: 'gold', states: { training: 'passed' } },
  // Waivers
  { name: 'waiver: active for a missing drill -> waived, ready', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', until: '2026-12-01T00:00:00Z' })] }, status: 'ready', level: 'gold', states: { drill: 'waived' }, reason: ['drill', 'without the waiver: missing'] },
  { name: 'waiver: until exactly now -> expired and ignored', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', until: NOW.toISOString() })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' } },
  { name: 'waiver: until 1 ms after now -> still active', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', until: new Date(NOW.getTime() + 1).toISOString() })] }, status: 'ready', level: 'gold', states: { drill: 'waived' } },
  { name: 'waiver: expired yesterday -> ignored', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', until: daysBefore(1) })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' } },
  { name: 'waiver: given after the evaluation time -> not active yet', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', at: daysBefore(-1), until: daysBefore(-5) })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' } },
  { name: 'waiver: on a passing check -> the check shows passed', input: { waivers: [waiver({ check: 'load', until: daysBefore(-5) })] }, status: 'ready', level: 'gold', states: { load: 'passed' } },
  { name: 'drill: newest document is a freshness check (nothing restored) -> not a drill; the older real drill decides', input: { evidence: [loadtest(), docs(), drill({ ageDays: 3 }), withDrillMetrics(drill({ ageDays: 1 }), { mode: 'freshness', rtoSeconds: null })] }, status: 'ready', level: 'gold', states: { drill: 'passed' }, reason: ['drill', 'passed 3 days ago'] },
  { name: 'drill: only freshness checks -> missing', input: { evidence: [loadtest(), docs(), withDrillMetrics(drill({ ageDays: 1 }), { mode: 'freshness' })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' } },
  { name: 'drill: RPO declared, not measured -> failed against the RPO limit, saying how to measure it', input: { evidence: [loadtest(), docs(), withDrillMetrics(drill({ rpoSeconds: 60 }), { rpoMethod: 'declared-interval' })] }, status: 'not-ready', level: 'bronze', states: { drill: 'failed' }, reason: ['drill', 'did not measure RPO: its RPO is the log-backup interval the drill file declares'] },
  { name: 'drill: RPO from a file time -> failed against the RPO limit', input: { evidence: [loadtest(), docs(), withDrillMetrics(drill({ rpoSeconds: 60 }), { rpoMethod: 'file-time' })] }, status: 'not-ready', level: 'bronze', states: { drill: 'failed' }, reason: ['drill', "modification time"] },
  { name: 'waiver: written by someone outside the owner role -> ignored and named, the check stays missing', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', until: '2026-12-01T00:00:00Z', role: 'business' })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' }, reason: ['drill', 'only its owner role operations may waive it'] },
  { name: 'waiver: running longer than maxWaiverDays -> ignored, named', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'drill', at: daysBefore(3), until: '9999-12-31T00:00:00Z' })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' }, reason: ['drill', 'more than maxWaiverDays 14'] },
  { name: 'waiver: a check marked waivable: false -> ignored', input: { evidence: [loadtest(), drill()], waivers: [waiver({ check: 'docs', until: '2026-12-01T00:00:00Z' })] }, status: 'not-ready', level: null, states: { docs: 'missing' }, reason: ['docs', 'marks "docs" as not waivable'] },
  { name: 'waiver: a sign-off check, even by its owner role -> never waivable', input: { approvals: undefined, waivers: [waiver({ check: 'signoffs', role: 'business', until: '2026-12-01T00:00:00Z' })] }, status: 'not-ready', level: 'silver', states: { signoffs: 'missing' }, reason: ['signoffs', 'sign-offs are never waivable'] },
  { name: 'waiver: for another check -> no effect', input: { evidence: [loadtest(), docs()], waivers: [waiver({ check: 'load', until: daysBefore(-5) })] }, status: 'not-ready', level: 'bronze', states: { drill: 'missing' } },
  // Enforcement
  { name: 'enforcement warn: staging below silver -> warn', input: { environment: 'staging', evidence: [docs()], signoffs: [] }, status: 'warn', level: 'bronze' },
  { name: 'enforcement warn: staging at silver -> ready without sign-offs', input: { environment: 'staging', signoffs: [], approvals: undefined }, status: 'ready', level: 'silver' },
];

function run(c: Case) {
  return evaluatePolicy({
    policy,
    environment: 'production',
    evidence: allEvidence(),
    signoffs: training(),
    approvals: approved(),
    waivers: [],
    now: NOW,
    version: '1.4.0',
    members: { '[Shop]\\On-call': ['carol', 'alice'] },
    ...c.input,
  });
}

describe('gate: evaluatePolicy', () => {
  for (const c of cases) {
    it(c.name, () => {
      const gate = run(c);
      const states = Object.fromEntries(gate.metrics.checks.map((k) => [k.id, k.state]));
      assert.equal(gate.metrics.status, c.status, `status; checks: ${JSON.stringify(gate.metrics.checks.map((k) => [k.id, k.state, k.reason]))}`);
      assert.equal(gate.metrics.level, c.level, 'level');
      for (const [id, state] of Object.entries(c.states ?? {})) assert.equal(states[id], state, `state of ${id}: ${gate.metrics.checks.find((k) => k.id === id)?.reason}`);
      if (c.reason) {
        const reason = gate.metrics.checks.find((k) => k.id === c.reason![0])!.reason;
        assert.ok(reason.includes(c.reason[1]), `reason of ${c.reason[0]} was: ${reason}`);
      }
      assert.equal(gate.verdict, c.status === 'ready' ? 'passed' : 'failed');
    });
  }

  it('result: every check has a reason sentence and the evidence behind it', () => {
    const gate = run({ name: '', status: 'ready', level: 'gold' });
    for (const check of gate.metrics.checks) assert.match(check.reason, /\.$|"$/, check.id);
    const load = gate.metrics.checks.find((c) => c.id === 'load')!;
    assert.equal(load.evidence.length, 1);
    assert.equal(load.evidence[0].kind, 'loadtest');
    assert.equal(load.evidence[0].runUrl, 'https://dev.azure.com/org/proj/_build/results?buildId=1');
    assert.equal(gate.kind, 'gate');
    assert.equal(gate.metrics.evaluatedAt, NOW.toISOString());
    assert.deepEqual(gate.criteria.map((c) => c.failed), [false, false, false, false, false]);
  });

  it('result: same inputs twice -> the same document (pure)', () => {
    const input = { name: '', status: 'ready' as const, level: 'gold' };
    const evidence = allEvidence();
    const signoffs = training();
    const approvals = approved();
    const a = run({ ...input, input: { evidence, signoffs, approvals } });
    const b = run({ ...input, input: { evidence, signoffs, approvals } });
    assert.deepEqual(a, b);
  });

  it('audit trail: the verdict carries the run, the commit and every approval step with approver, comment and time', () => {
    const gate = run({ name: '', status: 'ready', level: 'gold' });
    assert.equal(gate.metrics.runId, 42);
    assert.equal(gate.metrics.commit, COMMIT);
    assert.deepEqual(gate.metrics.approvals?.map((a) => [a.role, a.status, a.approver?.id, a.comment]), [
      ['operations', 'approved', 'operations-lead', 'Reviewed the scorecard.'],
      ['business', 'approved', 'business-lead', 'Reviewed the scorecard.'],
    ]);
    assert.ok(gate.metrics.approvals?.every((a) => a.at && a.runId === 42));
  });

  it('distinct people: one person approving both roles where the policy says so -> failed', () => {
    const strict = parsePolicy(
      `service: checkout
roles:
  operations: { groups: ["[Shop]\\\\Operations"] }
  business: { groups: ["[Shop]\\\\Business"] }
checks:
  - { id: signoffs, title: Sign-offs, owner: business, type: signoff, rule: { roles: [operations, business], distinctPeople: true } }
levels: [{ name: gold, checks: [signoffs] }]
environments: { production: { requiredLevel: gold, enforcement: block } }
`,
      'strict.yml',
    );
    const members = { '[Shop]\\Operations': ['pat', 'olga'], '[Shop]\\Business': ['pat', 'bea'] };
    const judge = (ops: string, biz: string) =>
      evaluatePolicy({ policy: strict, environment: 'production', evidence: [], signoffs: [], waivers: [], now: NOW, members, approvals: withSteps({ assigned: '[Shop]\\Operations', by: ops }, { assigned: '[Shop]\\Business', by: biz }) });
    const same = judge('pat', 'pat');
    assert.equal(same.metrics.status, 'not-ready');
    assert.match(same.metrics.checks[0].reason, /needs a different person for each of operations, business/);
    assert.equal(judge('pat', 'bea').metrics.status, 'ready');
  });

  it('summary: not ready -> names the required level and the checks short of it', () => {
    const gate = run({ name: '', status: 'not-ready', level: 'bronze', input: { evidence: [drill(), docs()] } });
    assert.match(gate.summary, /checkout reached bronze; production requires gold: not passed: load \(missing\)/);
    assert.match(gate.summary, /enforcement is block/);
  });

  it('environment: not in the policy -> ConfigError naming the nearest one', () => {
    assert.throws(() => run({ name: '', status: 'ready', level: null, input: { environment: 'prodution' } }), (e: unknown) => e instanceof ConfigError && /did you mean "production"/.test(e.message));
  });
});

function withDrillMetrics(evidence: DrillEvidence, metrics: Partial<DrillEvidence['metrics']>): DrillEvidence {
  return { ...evidence, metrics: { ...evidence.metrics, ...metrics } };
}
