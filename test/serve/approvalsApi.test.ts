import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Approval } from '../../src/azdo/approvals';
import { Collections, subjectKey, type StatusDocument } from '../../src/gate/records';
import { prepareLocalGate, reevaluateOnChange } from '../../src/serve/localGate';
import { RunningServer, startServer } from '../../src/serve/server';
import { FileDocumentStore } from '../../src/store/fileStore';
import { ensureHubBuilt, hostToken, repoRoot } from '../support/browser';

/**
 * `readiness serve` plays the Approvals API (learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals,
 * 7.1): the local run's pending approvals are listed and decided through the documented routes, the server records
 * the signed-in user as the approver, and the local gate counts the decision.
 */
const POLICY = path.join(repoRoot, 'examples', 'sample-service', 'readiness.yml');
const OPS = '[Demo]\\Operations';
const BUSINESS = '[Demo]\\Product Owners';

describe('readiness serve: Approvals API', function () {
  this.timeout(60_000);
  const approver = { id: 'demo-user', name: 'Demo approver', groups: [OPS, BUSINESS] };
  const outsider = { id: 'mallory', name: 'Mallory', groups: ['[Other]\\Operations'] };
  let storeDir: string;
  let hubDir: string;
  let asApprover: RunningServer;
  let asOutsider: RunningServer;
  let store: FileDocumentStore;

  before(async () => {
    hubDir = await ensureHubBuilt();
  });

  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-approvals-'));
    const evidenceDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-approvals-evidence-'));
    store = new FileDocumentStore(storeDir);
    const gate = { store, policyFile: POLICY, evidenceDir, log: () => undefined, members: { [OPS]: [approver.id], [BUSINESS]: [approver.id] } };
    await prepareLocalGate(gate);
    asApprover = await startServer({ storeDir, hubDir, user: approver, onChange: reevaluateOnChange(gate), log: () => undefined });
    asOutsider = await startServer({ storeDir, hubDir, user: outsider, onChange: reevaluateOnChange(gate), log: () => undefined });
  });

  afterEach(async () => {
    await asApprover.close();
    await asOutsider.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  async function call(server: RunningServer, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.url}/local/_apis/${route}`, {
      method,
      headers: { Authorization: `Bearer ${await hostToken(server.url)}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  const pending = async (server = asApprover) => (await call(server, 'GET', 'pipelines/approvals?state=pending&$expand=steps&api-version=7.1-preview.1')).body.value as Approval[];
  const production = async () => {
    const list = await pending();
    const run = list[0].pipeline!.owner.id;
    const timeline = (await call(asApprover, 'GET', `build/builds/${run}/timeline?api-version=7.1`)).body;
    // The run's timeline names its approvals; the production one is the approval whose instructions name it.
    assert.deepEqual(timeline.records.map((r: { type: string }) => r.type), ['Checkpoint.Approval', 'Checkpoint.Approval']);
    return list.find((a) => /for production/.test(a.instructions ?? ''))!;
  };

  /** The gate re-evaluates after the answer; wait for the status document to reflect the decision. */
  async function signoffsState(want: string): Promise<StatusDocument> {
    for (let i = 0; i < 100; i++) {
      const status = await store.getDocument<StatusDocument>(Collections.status, subjectKey('sample-service', 'production'));
      if (status?.checks.find((c) => c.id === 'signoffs')?.state === want) return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`the signoffs check never became ${want}`);
  }

  it('approvals: the local run has one pending approval per environment, one step per role group, in its timeline', async () => {
    const list = await pending();
    assert.equal(list.length, 2);
    for (const a of list) {
      assert.deepEqual(a.steps.map((s) => s.assignedApprover.displayName), [OPS, BUSINESS]);
      assert.ok(a.steps.every((s) => s.status === 'pending' && !s.actualApprover));
    }
    const one = await production();
    const got = await call(asApprover, 'GET', `pipelines/approvals/${one.id}?$expand=steps&api-version=7.1-preview.1`);
    assert.equal(got.status, 200);
    assert.equal(got.body.id, one.id);
    const run = (await call(asApprover, 'GET', `build/builds/${one.pipeline!.owner.id}?api-version=7.1`)).body;
    assert.match(run.sourceVersion, /^[0-9a-f]{40}$/);
    await signoffsState('missing');
  });

  it('approve: the server records the signed-in user, whatever the body claims -> signoffs passed', async () => {
    const one = await production();
    const res = await call(asApprover, 'PATCH', 'pipelines/approvals?api-version=7.1-preview.1', [
      { approvalId: one.id, status: 'approved', comment: 'Scorecard reviewed', actualApprover: { id: 'someone-else' } },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const approved = res.body.value[0] as Approval;
    assert.equal(approved.status, 'approved');
    assert.deepEqual(approved.steps.map((s) => s.actualApprover?.id), ['demo-user', 'demo-user']);
    assert.equal(approved.steps[0].comment, 'Scorecard reviewed');
    const status = await signoffsState('passed');
    assert.match(status.checks.find((c) => c.id === 'signoffs')!.reason, /operations approved by Demo approver/);
    assert.equal((await pending()).length, 1, 'only staging is still pending');
  });

  it('approve: a user in no role group -> 403, the approval stays pending and the verdict unchanged', async () => {
    const one = await production();
    const res = await call(asOutsider, 'PATCH', 'pipelines/approvals?api-version=7.1-preview.1', [{ approvalId: one.id, status: 'approved', comment: 'lgtm' }]);
    assert.equal(res.status, 403);
    assert.match(res.body.message, /not an approver/);
    assert.equal((await pending()).length, 2);
    await signoffsState('missing');
  });

  it('reject: -> the approval is rejected and the gate says a role rejected; deciding it again -> 409', async () => {
    const one = await production();
    const res = await call(asApprover, 'PATCH', 'pipelines/approvals?api-version=7.1-preview.1', [{ approvalId: one.id, status: 'rejected', comment: 'p95 too close to the limit' }]);
    assert.equal(res.status, 200);
    const status = await signoffsState('failed');
    assert.equal(status.status, 'not-ready');
    const again = await call(asApprover, 'PATCH', 'pipelines/approvals?api-version=7.1-preview.1', [{ approvalId: one.id, status: 'approved', comment: 'changed my mind' }]);
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already rejected/);
  });

  it('bad input: a decision that is not approved/rejected, or no list -> 400', async () => {
    const one = await production();
    assert.equal((await call(asApprover, 'PATCH', 'pipelines/approvals?api-version=7.1-preview.1', [{ approvalId: one.id, status: 'bypassed' }])).status, 400);
    assert.equal((await call(asApprover, 'PATCH', 'pipelines/approvals?api-version=7.1-preview.1', { approvalId: one.id })).status, 400);
    assert.equal((await call(asApprover, 'GET', 'pipelines/approvals/nope?api-version=7.1-preview.1')).status, 404);
  });
});
