import assert from 'node:assert/strict';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import { readEarlierEvidence, readRunEvidence } from '../../src/azdo/runEvidence';
import { InfrastructureError } from '../../src/errors';
import { EVIDENCE_ATTACHMENT_TYPE } from '../../src/evidence/types';
import { type AzdoEmulator, startAzdoEmulator } from '../support/azdoEmulator';
import { drillPassed, gateReady, loadTestFailed, loadTestPassed } from '../evidence/fixtures';
import { capacityEvidence } from '../capacity/fixtures';

const TOKEN = 'job-token-evidence-77';

describe('azdo run evidence', () => {
  let emulator: AzdoEmulator;
  let client: AzureDevOpsClient;

  beforeEach(async () => {
    emulator = await startAzdoEmulator({ accessToken: TOKEN });
    client = createAzureDevOpsClient({
      collectionUri: emulator.collectionUri, project: emulator.project, accessToken: TOKEN,
      publisher: emulator.publisher, extensionId: emulator.extensionId, retryDelayMs: 10,
    });
  });
  afterEach(() => emulator.close());

  /** Attached by our task's step in that run, recording the run (as the tasks do through runInfoFromEnv). */
  const attach = (buildId: number, name: string, doc: unknown) =>
    emulator.addAttachment(buildId, EVIDENCE_ATTACHMENT_TYPE, name, typeof doc === 'string' ? doc : JSON.stringify(inRun(buildId, doc)));
  const inRun = (buildId: number, doc: unknown) => ({ ...(doc as object), run: { ...(doc as { run?: object }).run, runId: String(buildId) } });

  it('provenance: an attachment a script step published, or one made in another run -> invalid, never counted', async () => {
    attach(42, 'loadtest.json', loadTestPassed());
    emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'forged.json', JSON.stringify(inRun(42, { ...drillPassed(), id: '5f0c0a52-0000-4000-8000-0000000000aa' })), 'CmdLine');
    emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'replayed.json', JSON.stringify(inRun(17, drillPassed())));
    emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'wrong-task.json', JSON.stringify(inRun(42, { ...drillPassed(), id: '5f0c0a52-0000-4000-8000-0000000000bb' })), 'ReadinessLoadTest');
    const gathered = await readRunEvidence(client, 42);
    assert.deepEqual(gathered.valid.map((e) => e.kind), ['loadtest']);
    assert.match(gathered.invalid.find((i) => i.file.endsWith('forged.json'))!.errors[0], /published by step "CmdLine" \(task CmdLine\), not by one of our tasks/);
    assert.match(gathered.invalid.find((i) => i.file.endsWith('replayed.json'))!.errors[0], /made in run 17 but attached to run 42/);
    assert.match(gathered.invalid.find((i) => i.file.endsWith('wrong-task.json'))!.errors[0], /a drill document attached by ReadinessLoadTest/);
  });

  it('provenance: capacity and environment evidence from the tasks that make them, and the dev build of a task -> counted', async () => {
    const environment = { ...loadTestPassed(), id: '5f0c0a52-0000-4000-8000-0000000000cc', kind: 'environment', metrics: { configFile: 'environment.yaml', checks: [], cancelled: false } };
    attach(42, 'capacity.json', capacityEvidence('found'));
    attach(42, 'environment.json', environment);
    emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'dev-build.json', JSON.stringify(inRun(42, { ...loadTestPassed(), id: '5f0c0a52-0000-4000-8000-0000000000dd' })), 'ReadinessLoadTestDev');
    emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'env-by-drill.json', JSON.stringify(inRun(42, { ...environment, id: '5f0c0a52-0000-4000-8000-0000000000ee' })), 'ReadinessDrDrill');
    const gathered = await readRunEvidence(client, 42);
    assert.deepEqual(gathered.valid.map((e) => e.kind).sort(), ['capacity', 'environment', 'loadtest'], JSON.stringify(gathered.invalid));
    assert.match(gathered.invalid.find((i) => i.file.endsWith('env-by-drill.json'))!.errors[0], /an environment document attached by ReadinessDrDrill/);
  });

  it('this run: valid attachments -> evidence; malformed JSON and schema failures -> reported as invalid, never valid', async () => {
    attach(42, 'loadtest.json', loadTestPassed());
    attach(42, 'drill.json', drillPassed());
    attach(42, 'broken.json', '{"kind": "loadtest",');
    attach(42, 'wrong.json', { ...drillPassed(), id: 'other', verdict: 'maybe' });
    emulator.addAttachment(42, 'some.other.type', 'x.json', JSON.stringify(loadTestFailed()));

    const gathered = await readRunEvidence(client, 42);
    assert.deepEqual(gathered.valid.map((e) => e.kind).sort(), ['drill', 'loadtest']);
    assert.deepEqual(gathered.invalid.map((i) => i.file).sort(), ['run 42 attachment broken.json', 'run 42 attachment wrong.json']);
    assert.match(gathered.invalid.find((i) => i.file.endsWith('broken.json'))!.errors[0], /not valid JSON/);
    assert.match(gathered.invalid.find((i) => i.file.endsWith('wrong.json'))!.errors.join(' '), /verdict/);
  });

  it('earlier runs: evidence for the service from completed runs of the pipeline, gate verdicts and this run left out', async () => {
    emulator.addBuild({ id: 10, definitionId: 3, finishTime: '2026-11-20T10:00:00Z' });
    emulator.addBuild({ id: 11, definitionId: 3, finishTime: '2026-11-21T10:00:00Z' });
    emulator.addBuild({ id: 12, definitionId: 3, finishTime: '2026-11-22T10:00:00Z' });
    emulator.addBuild({ id: 20, definitionId: 9, finishTime: '2026-11-22T10:00:00Z' });
    attach(10, 'drill.json', drillPassed());
    attach(11, 'gate.json', gateReady());
    attach(11, 'other-service.json', { ...loadTestFailed(), service: 'billing' });
    attach(12, 'current.json', loadTestPassed());
    attach(20, 'other-pipeline.json', loadTestFailed());

    const gathered = await readEarlierEvidence(client, { definitionId: 3, service: 'Checkout-API', excludeBuildId: 12, branch: 'refs/heads/main' });
    assert.deepEqual(gathered.valid.map((e) => e.id), [drillPassed().id]);
    assert.deepEqual(gathered.invalid, []);
  });

  it('earlier runs: pull-request runs and runs of other branches -> left out, only the released branch counts', async () => {
    emulator.addBuild({ id: 30, definitionId: 3, finishTime: '2026-11-20T10:00:00Z', sourceBranch: 'refs/heads/main', reason: 'schedule' });
    emulator.addBuild({ id: 31, definitionId: 3, finishTime: '2026-11-21T10:00:00Z', sourceBranch: 'refs/heads/main', reason: 'pullRequest' });
    emulator.addBuild({ id: 32, definitionId: 3, finishTime: '2026-11-22T10:00:00Z', sourceBranch: 'refs/heads/feature/x', reason: 'individualCI' });
    const fromMain = drillPassed();
    attach(30, 'drill.json', fromMain);
    attach(31, 'forged.json', { ...loadTestPassed(), id: '5f0c0a52-0000-4000-8000-000000000031' });
    attach(32, 'branch.json', { ...loadTestPassed(), id: '5f0c0a52-0000-4000-8000-000000000032' });

    const gathered = await readEarlierEvidence(client, { definitionId: 3, service: 'Checkout-API', branch: 'refs/heads/main' });
    assert.deepEqual(gathered.valid.map((e) => e.id), [fromMain.id]);
    assert.ok(emulator.requests.some((r) => r.query.get('branchName') === 'refs/heads/main'), 'the branch filter is sent to the service');
  });

  it('earlier runs: a refused token -> InfrastructureError, the gate never sees an empty but passing set', async () => {
    emulator.addBuild({ id: 10, definitionId: 3, finishTime: '2026-11-20T10:00:00Z' });
    emulator.fail({ status: 401, path: /attachments/ });
    attach(10, 'drill.json', drillPassed());
    await assert.rejects(readEarlierEvidence(client, { definitionId: 3, service: 'checkout-api', branch: 'refs/heads/main' }), InfrastructureError);
  });
});
