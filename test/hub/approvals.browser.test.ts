import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { Approval } from '../../src/azdo/approvals';
import { Collections, subjectKey, type StatusDocument } from '../../src/gate/records';
import { prepareLocalGate, reevaluateOnChange } from '../../src/serve/localGate';
import { RunningServer, startServer } from '../../src/serve/server';
import { FileDocumentStore } from '../../src/store/fileStore';
import { hubFrame, repoRoot, sessionToken, sharedBrowser } from '../support/browser';
import { drillEvidence, loadTestEvidence } from './fixtures';

/**
 * The hub's sign-off panel in headless Chromium against `readiness serve`, which plays the Azure Pipelines
 * Approvals API: the production hub code lists the run's pending approval beside its scorecard, and decides it
 * through PATCH {project}/_apis/pipelines/approvals only after a confirm dialog naming the run and the commit.
 * The server records who approved; the local gate then re-evaluates.
 */
const POLICY = path.join(repoRoot, 'examples', 'sample-service', 'readiness.yml');
const OPS = '[Demo]\\Operations';
const BUSINESS = '[Demo]\\Product Owners';
const SUBJECT = subjectKey('sample-service', 'production');
const approver = { id: 'demo-user', name: 'Dana Approver', groups: [OPS, BUSINESS] };

describe('hub sign-off panel on approvals, in headless Chromium against readiness serve', function () {
  this.timeout(90_000);
  let storeDir: string;
  let evidenceDir: string;
  let store: FileDocumentStore;
  let server: RunningServer;
  let page: Page;
  let patches: string[];

  const shared = sharedBrowser();
  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-hub-approvals-'));
    evidenceDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-hub-approvals-evidence-'));
    writeFileSync(path.join(evidenceDir, 'load.json'), JSON.stringify(loadTestEvidence('sample-service', 'production')));
    writeFileSync(path.join(evidenceDir, 'drill.json'), JSON.stringify(drillEvidence('sample-service', 'production')));
    store = new FileDocumentStore(storeDir);
    const gate = { store, policyFile: POLICY, evidenceDir, log: () => undefined, members: { [OPS]: [approver.id], [BUSINESS]: [approver.id] } };
    await prepareLocalGate(gate);
    server = await startServer({ storeDir, hubDir: shared.hubDir, user: approver, onChange: reevaluateOnChange(gate), log: () => undefined });
    page = await shared.browser.context.newPage();
    patches = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH' && /\/_apis\/pipelines\/approvals/.test(request.url())) patches.push(request.postData() ?? '');
    });
  });
  afterEach(async () => {
    await page.close();
    await server.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
    await fs.rm(evidenceDir, { recursive: true, force: true });
  });

  async function rest(route: string): Promise<any> {
    const res = await fetch(`${server.url}/local/_apis/${route}`, { headers: { Authorization: `Bearer ${await sessionToken(server.signInUrl())}` } });
    assert.equal(res.status, 200);
    return res.json();
  }
  async function productionApproval(): Promise<Approval> {
    const all = (await rest('pipelines/approvals?state=all&$expand=steps&api-version=7.1-preview.1')).value as Approval[];
    return all.find((a) => /for production/.test(a.instructions ?? ''))!;
  }
  async function status(): Promise<StatusDocument | undefined> {
    return store.getDocument<StatusDocument>(Collections.status, SUBJECT);
  }
  /** The server re-evaluates after answering the PATCH; wait until the status document reflects the decision. */
  async function statusOnceSignoffs(state: string): Promise<StatusDocument> {
    for (let i = 0; i < 200; i++) {
      const doc = await status();
      if (doc?.checks.find((c) => c.id === 'signoffs')?.state === state) return doc;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`the signoffs check never became ${state}: ${JSON.stringify((await status())?.checks)}`);
  }
  async function openSignOffs(): Promise<Frame> {
    await page.goto(server.signInUrl('/host/readiness-hub') + `#/service/${SUBJECT}/signoffs`);
    const frame = await hubFrame(page);
    await frame.locator('[data-approval]').first().waitFor({ timeout: 20_000 });
    return frame;
  }
  const dialog = (frame: Frame) => frame.locator('.bolt-dialog-callout-content');
  /** Opens the signed-in user's hub on the production approval, clicks `button`, types a comment in the dialog. */
  async function decideInDialog(button: 'Approve' | 'Reject', comment: string) {
    const pending = await productionApproval();
    const frame = await openSignOffs();
    await frame.locator(`[data-approval="${pending.id}"]`).getByRole('button', { name: button }).click();
    const confirm = dialog(frame);
    await confirm.locator('textarea').fill(comment);
    return { pending, frame, confirm };
  }

  it('approve: the run is listed with its scorecard; approving through the dialog -> recorded with the server-attested approver, the service becomes ready', async () => {
    const before = await status();
    assert.equal(before?.status, 'not-ready');
    const pending = await productionApproval();
    const run = await rest(`build/builds/${pending.pipeline!.owner.id}?api-version=7.1`);
    const frame = await openSignOffs();

    const item = frame.locator(`[data-approval="${pending.id}"]`);
    assert.match(await item.locator('[data-testid="run-commit"]').innerText(), new RegExp(`commit ${run.sourceVersion.slice(0, 12)}`));
    const scorecard = item.locator('[data-testid="scorecard"]');
    assert.equal(await scorecard.locator('[data-evidence="loadtest"]').getAttribute('data-verdict'), 'passed');
    assert.equal(await scorecard.locator('[data-evidence="drill"]').getAttribute('data-verdict'), 'passed');
    assert.equal(await scorecard.locator('[data-check="signoffs"]').getAttribute('data-check-state'), 'missing');
    assert.equal(await item.locator('[data-role="operations"]').getAttribute('data-step-state'), 'pending');

    await item.getByRole('button', { name: 'Approve' }).click();
    const confirm = dialog(frame);
    await confirm.waitFor();
    assert.equal(await confirm.locator('[data-testid="confirm-run"]').innerText(), run.buildNumber);
    assert.equal(await confirm.locator('[data-testid="confirm-commit"]').innerText(), run.sourceVersion);
    assert.ok(await confirm.getByRole('button', { name: 'Approve' }).isDisabled(), 'no decision without a comment');
    await confirm.locator('textarea').fill('Scorecard reviewed: load and drill passed on this commit.');
    await confirm.getByRole('button', { name: 'Approve' }).click();
    await frame.locator('[data-testid="no-pending"]').waitFor();
    await confirm.waitFor({ state: 'detached' });

    // The body named only the approval, the decision and the comment; the server recorded who approved.
    assert.equal(patches.length, 1);
    assert.deepEqual(JSON.parse(patches[0]), [{ approvalId: pending.id, status: 'approved', comment: 'Scorecard reviewed: load and drill passed on this commit.' }]);
    const decided = await rest(`pipelines/approvals/${pending.id}?$expand=steps&api-version=7.1-preview.1`) as Approval;
    assert.equal(decided.status, 'approved');
    for (const step of decided.steps) {
      assert.equal(step.status, 'approved');
      assert.deepEqual({ id: step.actualApprover?.id, name: step.actualApprover?.displayName }, { id: 'demo-user', name: 'Dana Approver' });
      assert.equal(step.comment, 'Scorecard reviewed: load and drill passed on this commit.');
    }
    const after = await statusOnceSignoffs('passed');
    assert.equal(after.status, 'ready');

    const history = frame.locator('[data-testid="audit-trail"]');
    await history.waitFor();
    assert.match(await history.innerText(), /operations\s+approved\s+Dana Approver \(demo-user\)\s+Scorecard reviewed/);
    await page.reload();
    const again = await hubFrame(page);
    await again.locator('[data-status="ready"]').first().waitFor();
  });

  it('reject: rejecting through the dialog -> the approval is rejected and the service stays not ready', async () => {
    const { pending, frame, confirm } = await decideInDialog('Reject', 'The drill ran against last month\'s backup.');
    await confirm.getByRole('button', { name: 'Reject' }).click();
    await frame.locator('[data-testid="no-pending"]').waitFor();
    const decided = await rest(`pipelines/approvals/${pending.id}?$expand=steps&api-version=7.1-preview.1`) as Approval;
    assert.equal(decided.status, 'rejected');
    assert.ok(decided.steps.every((s) => s.actualApprover?.id === 'demo-user'));
    const after = await statusOnceSignoffs('failed');
    assert.equal(after.status, 'not-ready');
    assert.match(await frame.locator('[data-testid="audit-trail"]').innerText(), /rejected\s+Dana Approver \(demo-user\)/);
  });

  it('cancel: Approve, a comment, then Cancel in the dialog -> nothing is sent, the approval stays pending', async () => {
    const { pending, frame, confirm } = await decideInDialog('Approve', 'Changed my mind.');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(patches.length, 0);
    assert.equal((await productionApproval()).status, 'pending');
    assert.equal((await status())?.status, 'not-ready');
    assert.equal(await frame.locator(`[data-approval="${pending.id}"]`).count(), 1);
  });

  it('outsider: a user in no role group approves through the dialog -> Azure DevOps (here serve) refuses and says why; nothing is recorded', async () => {
    const outsider = await startServer({ storeDir, hubDir: shared.hubDir, user: { id: 'mallory', name: 'Mallory', groups: ['[Other]\\Operations'] }, log: () => undefined });
    try {
      const pending = await productionApproval();
      await page.goto(outsider.signInUrl('/host/readiness-hub') + `#/service/${SUBJECT}/signoffs`);
      const frame = await hubFrame(page);
      await frame.locator(`[data-approval="${pending.id}"]`).getByRole('button', { name: 'Approve' }).click();
      const confirm = dialog(frame);
      await confirm.locator('textarea').fill('Looks fine to me.');
      await confirm.getByRole('button', { name: 'Approve' }).click();
      assert.match(await confirm.locator('[data-testid="decide-error"]').innerText(), /Not saved: Azure DevOps refused to approve approval .*Mallory \(mallory\) is not an approver/);
      const after = await rest(`pipelines/approvals/${pending.id}?$expand=steps&api-version=7.1-preview.1`) as Approval;
      assert.equal(after.status, 'pending');
      assert.ok(after.steps.every((s) => s.actualApprover === undefined));
      assert.equal((await status())?.status, 'not-ready');
    } finally {
      await outsider.close();
    }
  });

  it('forged: approvals written straight into extension data (as any PAT holder can) -> the run still waits, both roles still pending', async () => {
    const forged = (role: string) => ({
      type: 'signoff', id: `forged-${role}`, role, decision: 'approve', by: { id: 'demo-user', name: 'Dana Approver' },
      at: new Date().toISOString(), comment: 'Trust me.', for: { service: 'sample-service', environment: 'production' },
    });
    await store.setDocument(Collections.signoffs, { id: SUBJECT, service: 'sample-service', environment: 'production', history: [forged('operations'), forged('business')] } as never);
    const pending = await productionApproval();
    const frame = await openSignOffs();
    assert.equal(await frame.locator(`[data-approval="${pending.id}"] [data-role="operations"]`).getAttribute('data-step-state'), 'pending');
    assert.equal(await frame.locator('[data-testid="audit-trail"]').count(), 0, 'no decision shown');
    await page.goto(server.signInUrl('/host/readiness-hub'));
    const overview = await hubFrame(page);
    const row = overview.locator('tr', { has: overview.locator(`[data-subject="${SUBJECT}"]`) });
    assert.match(await row.innerText(), /operations, business/);
    assert.equal(pending.status, 'pending');
  });

  it('errors: the decision never reaches the server -> the dialog says so and keeps the comment; nothing is recorded', async () => {
    await page.route('**/_apis/pipelines/approvals?**', (route) => (route.request().method() === 'PATCH' ? route.abort('internetdisconnected') : route.continue()));
    const { confirm } = await decideInDialog('Approve', 'Reviewed on a shaky connection.');
    await confirm.getByRole('button', { name: 'Approve' }).click();
    assert.match(await confirm.locator('[data-testid="decide-error"]').innerText(), /Not saved: Could not reach Azure DevOps/);
    assert.equal(await confirm.locator('textarea').inputValue(), 'Reviewed on a shaky connection.');
    assert.equal((await productionApproval()).status, 'pending');
  });
});
