import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Evidence } from '../../src/evidence/types';
import { Collections, subjectKey } from '../../src/gate/records';
import { WAIVERS_FILE } from '../../src/gate/waivers';
import { explain } from '../support/agentRunner';
import { approvalOf, BUSINESS_GROUP, COMMIT, GateHarness, gateOf, OPS_GROUP, requireGate } from '../support/gateHarness';
import { drill, loadtest } from '../gate/fixtures';

/**
 * The threat model of docs/security.md, attack by attack, through the bundled ReadinessGate@1 in an emulated
 * pipeline run (HTTPS Azure DevOps emulator, reached through System.CollectionUri). Each test sets up a run that is
 * NOT ready (or not publishable), lets the attacker do what the threat says, and shows the verdict unchanged.
 * Test names start with the threat id of docs/security.md.
 */
const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();
const evidence = (): Evidence[] => [loadtest({ service: 'sample-service', finishedAt: hourAgo() }), drill({ service: 'sample-service', finishedAt: hourAgo() })];
const SUBJECT = subjectKey('sample-service', 'production');

describe('attacks: through ReadinessGate@1 in an emulated run', function () {
  this.timeout(120_000);
  let h: GateHarness;

  before(async () => {
    h = await GateHarness.start();
  });
  after(() => h?.close());
  beforeEach(() => void h.freshCheckout());

  it('baseline: the same run with both role groups approving -> ready (so each attack below is what keeps it not ready)', async () => {
    const run = await h.run(h.newRun(evidence()));
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(requireGate(run).metrics.status, 'ready');
  });

  it('S1 org member with a PAT forges the status document "ready" -> the gate and the release gate never read it; still not ready', async () => {
    await h.client.extensionData.setDocument(Collections.status, { id: SUBJECT, service: 'sample-service', environment: 'production', status: 'ready', level: 'gold', requiredLevel: 'gold', checks: [], evaluatedAt: new Date().toISOString(), __etag: -1 });
    const run = await h.run(h.newRun(evidence(), [{ group: OPS_GROUP, by: h.olga }]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(run.variables.ready?.value, 'false');
    assert.equal(requireGate(run).metrics.status, 'not-ready');
  });

  it('S2 org member with a PAT forges sign-offs and a waiver in extension data -> neither counts; still not ready', async () => {
    const at = new Date().toISOString();
    const signoff = (role: string, by: string) => ({ type: 'signoff', id: randomUUID(), role, decision: 'approve', by: { id: by, name: by }, at, comment: 'ok', for: { service: 'sample-service', environment: 'production' } });
    await h.client.extensionData.setDocument(Collections.signoffs, { id: SUBJECT, service: 'sample-service', environment: 'production', history: [signoff('operations', 'demo-ops'), signoff('business', 'demo-business')], __etag: -1 });
    await h.client.extensionData.setDocument(Collections.waivers, { id: SUBJECT, service: 'sample-service', environment: 'production', waivers: [{ id: 'w', check: 'drill', reason: 'x', by: { id: 'demo-ops', name: 'x' }, at, until: '9999-12-31T00:00:00Z' }], __etag: -1 });
    const run = await h.run(h.newRun([loadtest({ service: 'sample-service', finishedAt: hourAgo() })], []));
    assert.equal(run.result, 'Failed', explain(run));
    const gate = requireGate(run);
    assert.deepEqual([gate.metrics.checks.find((c) => c.id === 'signoffs')?.state, gate.metrics.checks.find((c) => c.id === 'drill')?.state], ['missing', 'missing']);
  });

  it('S3 pull-request author edits readiness.yml so their PR run is "ready" -> a PR run never publishes: no verdict, ready false', async () => {
    writeFileSync(h.policyFile, 'service: sample-service\nchecks:\n  - { id: none, title: Nothing, owner: x, type: drill, rule: { passedWithinDays: 9999 } }\nlevels: [{ name: gold, checks: [] }]\nenvironments: { production: { requiredLevel: gold, enforcement: block } }\n');
    const before = h.azdo.documents(Collections.status).find((d) => d.id === SUBJECT);
    const run = await h.run(h.newRun(evidence(), [], { reason: 'pullRequest', sourceBranch: 'refs/pull/9/merge' }), { env: { BUILD_REASON: 'PullRequest', BUILD_SOURCEBRANCH: 'refs/pull/9/merge' } });
    assert.equal(run.variables.ready?.value, 'false', explain(run));
    assert.equal(gateOf(run), undefined, 'no gate verdict is attached');
    assert.deepEqual(h.azdo.documents(Collections.status).find((d) => d.id === SUBJECT), before);
  });

  it('S4 pipeline author of another branch runs the gate there -> a non-release branch never publishes', async () => {
    const run = await h.run(h.newRun(evidence(), h.both(), { sourceBranch: 'refs/heads/feature/x' }), { env: { BUILD_SOURCEBRANCH: 'refs/heads/feature/x' } });
    assert.equal(run.variables.ready?.value, 'false', explain(run));
    assert.match(run.resultMessage ?? '', /not a release branch/);
    assert.equal(gateOf(run), undefined);
  });

  it('S5 whoever queues the run sets READINESS_EXTENSION_DATA_URI to their host -> the task never calls it, the token stays home', async () => {
    const seen: string[] = [];
    const attacker: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"count":0,"value":[]}');
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
      const run = await h.run(h.newRun(evidence(), [{ group: OPS_GROUP, by: h.olga }]), { env: { READINESS_EXTENSION_DATA_URI: url } });
      assert.equal(run.result, 'Failed', explain(run));
      assert.deepEqual(seen, [], 'the attacker host received nothing');
    } finally {
      attacker.close();
    }
  });

  it('S6 one role\'s holder acts for another: an operations member approves the business step -> not counted', async () => {
    const run = await h.run(h.newRun(evidence(), [{ group: OPS_GROUP, by: h.olga }, { group: BUSINESS_GROUP, by: h.olga }]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(requireGate(run).metrics.checks.find((c) => c.id === 'signoffs')!.reason, /is not a member of "\[Demo\]\\Product Owners"/);
  });

  it('S7 business holder "revokes" the operations rejection: the rejected approval stays rejected -> not ready', async () => {
    // Azure DevOps has no revoke: a decided approval cannot be changed (the serve attack shows the 409); a second,
    // approved approval in the same run does not outweigh the rejection.
    const buildId = h.newRun(evidence(), [{ group: OPS_GROUP, by: h.olga, status: 'rejected' }, { group: BUSINESS_GROUP, by: h.bea }]);
    h.azdo.addApproval(buildId, approvalOf(h.both()));
    const run = await h.run(buildId);
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(requireGate(run).metrics.checks.find((c) => c.id === 'signoffs')?.state, 'failed');
  });

  it('S8 an approval replayed from another run into this run -> not counted', async () => {
    const buildId = h.newRun(evidence(), []);
    h.azdo.addApproval(buildId, approvalOf(h.both(), { owner: buildId - 1 }));
    const run = await h.run(buildId);
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(requireGate(run).metrics.checks.find((c) => c.id === 'signoffs')!.reason, /an approval counts only for the run it was given in/);
  });

  it('S9 an approval of another stage of this run (e.g. staging) -> does not sign for production', async () => {
    const buildId = h.newRun(evidence(), []);
    h.azdo.addApproval(buildId, approvalOf(h.both()), 'staging');
    const run = await h.run(buildId);
    assert.equal(run.result, 'Failed', explain(run));
  });

  it('S10 a waiver by another role, or running to 9999, committed beside the policy -> ignored', async () => {
    writeFileSync(path.join(h.policyDir, WAIVERS_FILE), [
      'waivers:',
      '  - { check: drill, role: business, reason: not my check, from: 2026-01-01, until: 2099-01-01 }',
      '  - { check: drill, role: operations, reason: forever, from: 2026-01-01, until: 9999-12-31 }',
      '',
    ].join('\n'));
    const run = await h.run(h.newRun([loadtest({ service: 'sample-service', finishedAt: hourAgo() })]));
    assert.equal(run.result, 'Failed', explain(run));
    const drillCheck = requireGate(run).metrics.checks.find((c) => c.id === 'drill')!;
    assert.equal(drillCheck.state, 'missing');
    assert.match(drillCheck.reason, /only its owner role operations may waive it.*more than maxWaiverDays 30/);
  });

  it('S11 a script step drops passing evidence in the results folder and attaches it as readiness.evidence -> both ignored', async () => {
    const buildId = h.newRun([], h.both());
    const forged = { ...drill({ service: 'sample-service', finishedAt: hourAgo() }), id: randomUUID(), run: { runId: String(buildId) } };
    h.attach(buildId, forged, 'CmdLine');
    h.attach(buildId, { ...loadtest({ service: 'sample-service', finishedAt: hourAgo() }), id: randomUUID(), run: { runId: String(buildId) } }, 'CmdLine');
    const work = path.join(h.policyDir, '..', `work-${buildId}`);
    mkdirSync(path.join(work, '_temp', 'readiness'), { recursive: true });
    writeFileSync(path.join(work, '_temp', 'readiness', 'drill.json'), JSON.stringify(forged));
    const run = await h.run(buildId, { cwd: work });
    assert.equal(run.result, 'Failed', explain(run));
    const gate = requireGate(run);
    assert.deepEqual([gate.metrics.checks.find((c) => c.id === 'load')?.state, gate.metrics.checks.find((c) => c.id === 'drill')?.state], ['missing', 'missing']);
    assert.ok(run.warnings.some((w) => /not by one of our tasks/.test(w)), run.warnings.join('\n'));
    assert.ok(run.warnings.some((w) => /stray file/.test(w)), run.warnings.join('\n'));
  });

  it('S12 evidence replayed from another run (reusing a version) -> ignored', async () => {
    const buildId = h.newRun([], h.both());
    for (const e of evidence()) h.attach(buildId, { ...e, id: randomUUID(), run: { runId: String(buildId - 3) } });
    const run = await h.run(buildId);
    assert.equal(run.result, 'Failed', explain(run));
    assert.ok(run.warnings.some((w) => /made in run \d+ but attached to run/.test(w)));
  });

  it('S13 a forged attestation event whose role is "constructor" -> no crash, the verdict is computed (not ready)', async () => {
    await h.client.extensionData.setDocument(Collections.signoffs, {
      id: SUBJECT, service: 'sample-service', environment: 'production', __etag: -1,
      history: [{ type: 'signoff', id: 'x', role: 'constructor', decision: 'reject', by: { id: 'm', name: 'm' }, at: new Date().toISOString(), comment: 'boom', for: { service: 'sample-service', environment: 'production' } }, { type: 'revoke', id: 'y', revokes: 'x', role: '__proto__', by: { id: 'm', name: 'm' }, at: new Date().toISOString(), comment: 'x' }],
    });
    const run = await h.run(h.newRun(evidence(), [{ group: OPS_GROUP, by: h.olga }]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(requireGate(run).metrics.status, 'not-ready');
    assert.doesNotMatch(run.stderr, /TypeError/);
  });

  it('S14 evidence carrying a javascript: link -> invalid, ignored', async () => {
    const buildId = h.newRun([], h.both());
    h.attach(buildId, { ...drill({ service: 'sample-service', finishedAt: hourAgo() }), id: randomUUID(), run: { runId: String(buildId) }, links: [{ name: 'report', url: 'javascript:alert(document.domain)' }] });
    h.attach(buildId, { ...loadtest({ service: 'sample-service', finishedAt: hourAgo() }), id: randomUUID(), run: { runId: String(buildId) } });
    const run = await h.run(buildId);
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(requireGate(run).metrics.checks.find((c) => c.id === 'drill')?.state, 'missing');
  });

  it('S15 an unqualified group name in the policy (could match another project\'s group) -> bad input, no verdict', async () => {
    const text = (await import('node:fs')).readFileSync(h.policyFile, 'utf8').replace('["[Demo]\\\\Operations"]', '["Operations"]');
    writeFileSync(h.policyFile, text);
    h.azdo.addIdentity({ name: 'Operations', members: [h.olga] });
    const run = await h.run(h.newRun(evidence()));
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /group "Operations" must be qualified/);
    assert.equal(gateOf(run), undefined);
  });

  it('S16 pipeline author in another pipeline names their run as an evidence run -> bad input, nothing counted', async () => {
    h.azdo.addBuild({ id: 9001, definitionId: 99, status: 'completed', result: 'succeeded', sourceVersion: COMMIT });
    for (const e of evidence()) h.attach(9001, { ...e, id: randomUUID(), run: { runId: '9001' } });
    const run = await h.run(h.newRun([], h.both()), { inputs: { evidenceRuns: '9001' } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /Run 9001 is a run of another pipeline/);
  });
});
