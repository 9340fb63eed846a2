import { strict as assert } from 'node:assert';
import type { PolicyDocument } from '../../hub/client/ReadinessClient';
import { approvalGates, approvalsCsv, decisionRows, gateHistory, pendingSignOffRoles, roleOfStep, runIdOf, scorecardOf, type HubApproval } from '../../hub/model/approvals';
import type { StatusDocument } from '../../src/gate/records';
import type { Evidence } from '../../src/evidence/types';
import { drillEvidence, loadTestEvidence } from './fixtures';

/** The sign-off panel's rules over Azure Pipelines approvals, without a browser. */
const policy = {
  id: 'checkout.prod', service: 'checkout', environment: 'prod',
  roles: [
    { role: 'operations', users: [], groups: ['[Shop]\\Operations'] },
    { role: 'business', users: ['bea'], groups: [] },
  ],
} as unknown as PolicyDocument;

function approval(overrides: Partial<HubApproval> = {}): HubApproval {
  return {
    id: 'a-1', status: 'pending', instructions: 'Production readiness sign-off for checkout in prod: ...',
    pipeline: { id: '4', name: 'checkout', owner: { id: 42, name: 'checkout #42' } },
    steps: [
      { assignedApprover: { id: 'g-ops', displayName: '[Shop]\\Operations', isContainer: true }, status: 'pending' },
      { assignedApprover: { id: 'bea', displayName: 'Bea' }, status: 'pending' },
    ],
    ...overrides,
  };
}

describe('hub model: approvals', () => {
  const evidence = [loadTestEvidence('checkout', 'prod', '42'), drillEvidence('checkout', 'prod', '42')];

  it('runIdOf: the run is pipeline.owner.id; a missing or bad id -> undefined', () => {
    assert.equal(runIdOf(approval()), 42);
    assert.equal(runIdOf(approval({ pipeline: undefined })), undefined);
    assert.equal(runIdOf(approval({ pipeline: { owner: { id: 'x' } } })), undefined);
  });

  const gates = [
    { name: 'run has the service evidence, instructions name the environment', a: approval(), env: 'prod', e: evidence, gates: true },
    { name: 'another environment named', a: approval({ instructions: 'sign-off for checkout in staging' }), env: 'prod', e: evidence, gates: false },
    { name: 'environment only as part of a longer word', a: approval({ instructions: 'for checkout in prod-eu' }), env: 'prod', e: evidence, gates: false },
    { name: 'run produced evidence for another service only', a: approval(), env: 'prod', e: [loadTestEvidence('search', 'prod', '42')], gates: false },
  ];
  for (const c of gates) {
    it(`approvalGates: ${c.name} -> ${c.gates}`, () => assert.equal(approvalGates(c.a, c.e, 'checkout', c.env), c.gates));
  }

  it('scorecardOf: the newest verdict of each kind in this environment, and the gate checks with the commit', () => {
    const gate = {
      ...loadTestEvidence('checkout', 'prod', '42'), id: 'g', kind: 'gate',
      metrics: { status: 'not-ready', level: 'silver', checks: [{ id: 'signoffs', title: 'Signed off', state: 'missing' }], commit: 'abc123' },
    } as unknown as Evidence;
    const failed = { ...drillEvidence('checkout', 'prod', '42'), verdict: 'failed' } as Evidence;
    const staging = { ...loadTestEvidence('checkout', 'staging', '42'), id: 'other-env', verdict: 'failed' } as Evidence;
    const older = { ...loadTestEvidence('checkout', 'prod', '42'), id: 'older', finishedAt: '2020-01-01T00:00:00Z', verdict: 'failed' } as Evidence;
    const card = scorecardOf({ runId: 42, buildNumber: '20261207.1', commit: 'abc123def' }, [older, loadTestEvidence('checkout', 'prod', '42'), staging, failed, gate], 'checkout', 'prod');
    assert.deepEqual(card.evidence.map((e) => [e.kind, e.verdict]), [['loadtest', 'passed'], ['drill', 'failed']]);
    assert.equal(card.gate?.status, 'not-ready');
    assert.equal(card.gate?.commit, 'abc123');
    assert.deepEqual(card.gate?.checks, [{ id: 'signoffs', title: 'Signed off', state: 'missing' }]);
  });

  it('roleOfStep: a group step maps to the role naming the group (case aside), a user step to the role listing the user', () => {
    const [ops, bea] = approval().steps;
    assert.equal(roleOfStep(policy, { ...ops, assignedApprover: { id: 'g', displayName: '[shop]\\operations' } }), 'operations');
    assert.equal(roleOfStep(policy, bea), 'business');
    assert.equal(roleOfStep(policy, { assignedApprover: { id: 'z', displayName: '[Shop]\\Interns' }, status: 'pending' }), '[Shop]\\Interns');
  });

  it('decisionRows: only decided steps, newest first, the approver as the server recorded it', () => {
    const done = approval({
      status: 'rejected',
      steps: [
        { assignedApprover: { id: 'g-ops', displayName: '[Shop]\\Operations' }, status: 'approved', actualApprover: { id: 'u1', displayName: 'Olga' }, comment: 'ok', lastModifiedOn: '2026-12-01T10:00:00Z' },
        { assignedApprover: { id: 'bea', displayName: 'Bea' }, status: 'rejected', actualApprover: { id: 'bea', displayName: 'Bea' }, comment: 'not yet', lastModifiedOn: '2026-12-01T11:00:00Z' },
        { assignedApprover: { id: 'g-x', displayName: 'X' }, status: 'skipped', lastModifiedOn: '2026-12-01T09:00:00Z' },
      ],
    });
    const rows = decisionRows([done, approval()], policy);
    assert.deepEqual(rows.map((r) => [r.role, r.status, r.by]), [
      ['business', 'rejected', 'Bea (bea)'],
      ['operations', 'approved', 'Olga (u1)'],
      ['X', 'skipped', 'nobody recorded'],
    ]);
    assert.match(approvalsCsv(rows), /^at,run,approval,role,decision,by,comment\r\n2026-12-01T11:00:00Z,42,a-1,business,rejected,Bea \(bea\),not yet\r\n/);
  });

  it('approvalsCsv: a comment starting with = is quoted as text', () => {
    const csv = approvalsCsv([{ approvalId: 'a', role: 'r', status: 'approved', by: 'x', comment: '=HYPERLINK("evil")', at: 't' }]);
    assert.match(csv, /"'=HYPERLINK\(""evil""\)"/);
  });

  const verdicts = [
    { name: 'not evaluated yet', status: undefined, pending: ['operations', 'business'] },
    { name: 'the sign-off check missing', checks: [{ type: 'signoff', state: 'missing' }], pending: ['operations', 'business'] },
    { name: 'the sign-off check passed', checks: [{ type: 'loadtest', state: 'failed' }, { type: 'signoff', state: 'passed' }], pending: [] },
  ];
  for (const c of verdicts) {
    it(`pendingSignOffRoles: ${c.name} -> ${c.pending.join(', ') || 'none'}`, () => {
      const status = c.checks ? ({ checks: c.checks } as unknown as StatusDocument) : undefined;
      assert.deepEqual(pendingSignOffRoles(policy, status), c.pending);
    });
  }

  it('gateHistory: gate evidence of the environment, newest first, with the run and commit', () => {
    const older = { ...loadTestEvidence('checkout', 'prod', '7'), id: 'g1', kind: 'gate', finishedAt: '2026-12-01T00:00:00Z', metrics: { status: 'not-ready', checks: [] } } as unknown as Evidence;
    const newer = { ...older, id: 'g2', finishedAt: '2026-12-02T00:00:00Z', metrics: { status: 'ready', checks: [], runId: 8, commit: 'c0ffee' } } as unknown as Evidence;
    const other = { ...older, id: 'g3', environment: 'staging' } as unknown as Evidence;
    assert.deepEqual(gateHistory([older, newer, other], 'prod').map((g) => [g.id, g.status, g.runId, g.commit]), [
      ['g2', 'ready', 8, 'c0ffee'],
      ['g1', 'not-ready', 7, undefined],
    ]);
  });
});
