import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Approval } from '../../src/azdo/approvals';
import { Collections, subjectKey, type StatusDocument } from '../../src/gate/records';
import { prepareLocalGate, reevaluateOnChange } from '../../src/serve/localGate';
import { type RunningServer, startServer } from '../../src/serve/server';
import { FileDocumentStore } from '../../src/store/fileStore';
import { ensureHubBuilt, repoRoot, sessionToken } from '../support/browser';
import { withAttestation } from '../support/gateHarness';

/**
 * The threat model of docs/security.md through `readiness serve`, where it applies: the attacker holds the hub's
 * token of their own server (one role's holder, or someone in no role) and calls the same REST routes the hub does.
 * Each test shows the local gate's verdict (the status document it writes) unchanged.
 */
const POLICY = path.join(repoRoot, 'examples', 'sample-service', 'readiness.yml');
const OPS = '[Demo]\\Operations';
const BUSINESS = '[Demo]\\Product Owners';
const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';
const SUBJECT = subjectKey('sample-service', 'production');

describe('attacks: through readiness serve', function () {
  this.timeout(60_000);
  const opsHolder = { id: 'olga', name: 'Olga Ops', groups: [OPS] };
  const businessHolder = { id: 'bea', name: 'Bea Business', groups: [BUSINESS] };
  let storeDir: string;
  let store: FileDocumentStore;
  let asOps: RunningServer;
  let asBusiness: RunningServer;
  let changes = 0;

  beforeEach(async () => {
    const hubDir = await ensureHubBuilt();
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-attacks-'));
    store = new FileDocumentStore(storeDir);
    const gate = { store, policyFile: POLICY, evidenceDir: mkdtempSync(path.join(os.tmpdir(), 'readiness-attacks-ev-')), log: () => undefined, members: { [OPS]: ['olga'], [BUSINESS]: ['bea'] } };
    await prepareLocalGate(gate);
    const onChange = reevaluateOnChange(gate)!;
    const counted = async (service: string, environment: string) => {
      await onChange(service, environment);
      changes++;
    };
    changes = 0;
    asOps = await startServer({ storeDir, hubDir, user: opsHolder, onChange: counted, log: () => undefined });
    asBusiness = await startServer({ storeDir, hubDir, user: businessHolder, onChange: counted, log: () => undefined });
  });
  afterEach(async () => {
    await asOps.close();
    await asBusiness.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  async function call(server: RunningServer, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { Authorization: `Bearer ${await sessionToken(server.signInUrl())}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }
  const production = async (): Promise<Approval> =>
    ((await call(asOps, 'GET', '/local/_apis/pipelines/approvals?state=all&$expand=steps&api-version=7.1-preview.1')).body.value as Approval[]).find((a) => /for production/.test(a.instructions ?? ''))!;
  const decide = (server: RunningServer, approvalId: string, status: string) =>
    call(server, 'PATCH', '/local/_apis/pipelines/approvals?api-version=7.1-preview.1', [{ approvalId, status, comment: `${status} by attacker test` }]);
  const verdict = async () => (await store.getDocument<StatusDocument>(Collections.status, SUBJECT))!;
  async function settled(count: number): Promise<void> {
    for (let i = 0; i < 200 && changes < count; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(changes >= count, 'the local gate re-evaluated');
  }

  it('S1 the hub token writes a status document "ready" -> 403, the verdict unchanged', async () => {
    const before = await verdict();
    const res = await call(asOps, 'PUT', `${DATA}/status/Documents`, { ...before, status: 'ready' });
    assert.equal(res.status, 403);
    assert.deepEqual(await verdict(), before);
  });

  it('S2 a sign-off written to extension data by a role holder -> stored for display, but the verdict unchanged', async () => {
    const before = await verdict();
    const event = (user: { id: string; name: string }, role: string) => ({ type: 'signoff', id: `${user.id}-${role}`, role, decision: 'approve', by: { id: user.id, name: user.name }, at: new Date().toISOString(), comment: 'ok', for: { service: 'sample-service', environment: 'production' } });
    const first = await call(asOps, 'POST', `${DATA}/signoffs/Documents`, { id: SUBJECT, service: 'sample-service', environment: 'production', history: [event(opsHolder, 'operations')] });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    await settled(1);
    const after = await verdict();
    assert.equal(after.status, before.status);
    assert.equal(after.checks.find((c) => c.id === 'signoffs')?.state, 'missing');
  });

  it('S6 the operations holder approves the production approval -> only the operations step is decided; business still missing', async () => {
    const approval = await production();
    assert.equal((await decide(asOps, approval.id, 'approved')).status, 200);
    await settled(1);
    const after = await production();
    assert.deepEqual(after.steps.map((s) => [s.assignedApprover.displayName, s.status]), [[OPS, 'approved'], [BUSINESS, 'pending']]);
    assert.equal((await verdict()).checks.find((c) => c.id === 'signoffs')?.state, 'missing');
  });

  it('S7 business holder tries to undo the operations rejection -> 409, still rejected, not ready', async () => {
    const approval = await production();
    assert.equal((await decide(asOps, approval.id, 'rejected')).status, 200);
    await settled(1);
    const rejected = await verdict();
    assert.equal(rejected.checks.find((c) => c.id === 'signoffs')?.state, 'failed');
    const undo = await decide(asBusiness, approval.id, 'approved');
    assert.equal(undo.status, 409);
    // The extension-data revoke route is closed too: a revoke claiming the operations role, by a business holder.
    const revoke = await call(asBusiness, 'POST', `${DATA}/signoffs/Documents`, {
      id: SUBJECT, service: 'sample-service', environment: 'production',
      history: [{ type: 'revoke', id: 'r1', revokes: 'anything', role: 'operations', by: { id: 'bea', name: 'Bea Business' }, at: new Date().toISOString(), comment: 'undo' }],
    });
    assert.equal(revoke.status, 403);
    assert.equal((await verdict()).status, 'not-ready');
    assert.equal((await verdict()).checks.find((c) => c.id === 'signoffs')?.state, 'failed');
  });

  it('S17 a rejection after the verdict (approval already approved) -> 409, the verdict and the audit trail unchanged', async () => {
    const approval = await production();
    await decide(asOps, approval.id, 'approved');
    await decide(asBusiness, approval.id, 'approved');
    await settled(2);
    const approved = await verdict();
    assert.equal(approved.checks.find((c) => c.id === 'signoffs')?.state, 'passed');
    const late = await decide(asBusiness, approval.id, 'rejected');
    assert.equal(late.status, 409);
    assert.match(late.body.message, /already approved/);
    assert.deepEqual((await production()).steps.map((s) => s.status), ['approved', 'approved']);
    assert.equal((await verdict()).checks.find((c) => c.id === 'signoffs')?.state, 'passed');
  });

  it('S18 the body names someone else as the approver -> the server records the signed-in user', async () => {
    const approval = await production();
    const res = await call(asOps, 'PATCH', '/local/_apis/pipelines/approvals?api-version=7.1-preview.1', [{ approvalId: approval.id, status: 'approved', comment: 'as bea', actualApprover: { id: 'bea' }, by: { id: 'bea' } }]);
    assert.equal(res.status, 200);
    assert.equal((res.body.value[0] as Approval).steps[0].actualApprover?.id, 'olga');
    assert.equal((res.body.value[0] as Approval).steps[1].status, 'pending');
  });

  for (const spelling of ['Signoffs', 'signoffs.', 'SIGNOFFS', 'Waivers', 'status.']) {
    it(`S19 writing through the collection path "${spelling}" -> 403, nothing stored`, async () => {
      const res = await call(asOps, 'POST', `${DATA}/${encodeURIComponent(spelling)}/Documents`, {
        id: SUBJECT, service: 'sample-service', environment: 'production',
        history: [{ type: 'signoff', id: 'f', role: 'business', decision: 'approve', by: { id: 'bea', name: 'Bea' }, at: new Date().toISOString(), comment: 'forged', for: { service: 'sample-service', environment: 'production' } }],
      });
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(await store.getDocument(Collections.signoffs, SUBJECT), undefined);
    });
  }

  it('S13 a stored event whose role is "constructor" -> the local gate still evaluates (no crash), verdict unchanged', async () => {
    const policyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'readiness-attacks-policy-')), 'readiness.yml');
    await fs.cp(path.dirname(POLICY), path.dirname(policyFile), { recursive: true });
    withAttestation(policyFile);
    const before = await verdict();
    await store.createDocument(Collections.signoffs, {
      id: SUBJECT, service: 'sample-service', environment: 'production',
      history: [{ type: 'signoff', id: 'c', role: 'constructor', decision: 'reject', by: { id: 'm', name: 'm' }, at: new Date().toISOString(), comment: 'x', for: { service: 'sample-service', environment: 'production' } }],
    });
    await reevaluateOnChange({ store, policyFile, log: () => undefined })!('sample-service', 'production');
    const after = await verdict();
    assert.equal(after.status, before.status);
    assert.ok((after.__etag ?? 0) > (before.__etag ?? 0), 're-evaluated');
  });
});
