import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import type { DrillEvidence, Evidence, GateEvidence, LoadTestEvidence } from '../../src/evidence/types';
import { loadPolicy, type Policy } from '../../src/gate/policy';
import { Collections, subjectKey } from '../../src/gate/records';
import { addWaiver, recordSignOff, type Actor } from '../../src/gate/signoffs';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';
import { explain, repoRoot, runBundledTask, type TaskRun } from '../support/agentRunner';
import { startTarget, type Target } from '../support/httpTarget';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * ReadinessGate@1 run as the agent runs it, in an emulated pipeline run: the load-test and drill tasks run first
 * (bundled, against a loopback server and a real PostgreSQL), their `readiness.evidence` attachments are served by
 * the Azure DevOps emulator as the run's attachments, and sign-offs and waivers live in its extension data.
 */
const POLICY = path.join(repoRoot, 'examples', 'sample-service', 'readiness.yml');
const TOKEN = 'job-token-for-gate-tests';
const DAY = 86_400_000;
const ops: Actor = { id: 'demo-ops', name: 'Demo Operations', groups: [] };
const business: Actor = { id: 'demo-business', name: 'Demo Business', groups: [] };

function evidenceOf<T extends Evidence>(run: TaskRun): T {
  const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
  assert.ok(attachment, `the task published no evidence${explain(run)}`);
  return JSON.parse(readFileSync(attachment.path, 'utf8')) as T;
}

function shortLoadTest(baseUrl: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'readiness-gate-lt-'));
  const source = path.join(repoRoot, 'examples', 'loadtest', 'basic');
  writeFileSync(
    path.join(dir, 'requests.json'),
    readFileSync(path.join(source, 'requests.json'), 'utf8').replace(/"durationInSeconds":\s*\d+/g, '"durationInSeconds": 2').replace(/"rampUpTimeInSeconds":\s*\d+/g, '"rampUpTimeInSeconds": 1'),
  );
  writeFileSync(path.join(dir, 'loadtest.yaml'), readFileSync(path.join(source, 'loadtest.yaml'), 'utf8').replace(/http:\/\/127\.0\.0\.1:8080/, baseUrl));
  return path.join(dir, 'loadtest.yaml');
}

describe('ReadinessGate@1 (bundled) in an emulated pipeline run', function () {
  this.timeout(240_000);
  let azdo: AzdoEmulator;
  let client: AzureDevOpsClient;
  let policy: Policy;
  let target: Target;
  let pg: TestPostgres;
  let loadtest: LoadTestEvidence;
  let drill: DrillEvidence;
  let nextBuild = 100;

  before(async () => {
    [azdo, target, pg, policy] = await Promise.all([startAzdoEmulator({ accessToken: TOKEN }), startTarget(), startPostgres(), loadPolicy(POLICY)]);
    client = createAzureDevOpsClient({
      collectionUri: azdo.collectionUri, project: azdo.project, accessToken: TOKEN, publisher: azdo.publisher, extensionId: azdo.extensionId,
    });
    // The sample policy's groups exist in the organisation (empty: its approvers are listed under users).
    azdo.addIdentity({ name: '[Demo]\\Operations', members: [] });
    azdo.addIdentity({ name: '[Demo]\\Product Owners', members: [] });
    await pg.createDatabase('orders');
    await pg.query(
      `create table customers (id int primary key, name text not null);
       create table orders (id int primary key, customer_id int not null references customers(id), total_cents int not null, updated_at timestamptz not null);
       insert into customers select g, 'c' || g from generate_series(1, 10) g;
       insert into orders select g, 1 + g % 10, g, now() from generate_series(1, 200) g;`,
      [],
      'orders',
    );
    const [loadRun, drillRun] = await Promise.all([
      runBundledTask('ReadinessLoadTestV1', { inputs: { loadTestConfigFile: shortLoadTest(target.url), service: 'sample-service', environment: 'production' } }),
      runBundledTask('ReadinessDrDrillV1', {
        inputs: { drillFile: path.join(repoRoot, 'examples', 'drill', 'postgres-fresh.yaml'), environment: 'production' },
        env: { PGPORT: String(pg.port), PGPASSWORD: 'pw' },
      }),
    ]);
    assert.equal(loadRun.result, 'Succeeded', explain(loadRun));
    assert.equal(drillRun.result, 'Succeeded', explain(drillRun));
    loadtest = evidenceOf<LoadTestEvidence>(loadRun);
    // The drill example is about orders-api; in this run the policy's service is the sample service.
    drill = { ...evidenceOf<DrillEvidence>(drillRun), service: 'sample-service' };
  });
  after(async () => {
    await Promise.all([azdo?.close(), target?.close(), pg?.stop()]);
  });

  beforeEach(async () => {
    for (const collection of [Collections.signoffs, Collections.waivers]) {
      for (const doc of await client.extensionData.getDocuments(collection)) await client.extensionData.deleteDocument(collection, doc.id);
    }
  });

  /** Registers the evidence as attachments of a new run and runs the gate task in it. */
  async function gateRun(evidence: Evidence[]): Promise<{ run: TaskRun; gate: GateEvidence }> {
    const buildId = nextBuild++;
    azdo.addBuild({ id: buildId, definitionId: 7, status: 'inProgress' });
    for (const e of evidence) azdo.addAttachment(buildId, 'readiness.evidence', `${e.kind}-${e.id}.json`, JSON.stringify(e));
    const run = await runGateTask(buildId);
    const attachment = run.attachments.filter((a) => a.type === 'readiness.evidence').map((a) => JSON.parse(readFileSync(a.path, 'utf8'))).find((e) => e.kind === 'gate');
    assert.ok(attachment, `the gate published no gate evidence${explain(run)}`);
    return { run, gate: attachment as GateEvidence };
  }

  const approve = async (actor: Actor, role: string, decision: 'approve' | 'reject' = 'approve') =>
    recordSignOff(client.extensionData, policy, actor, { role, decision, comment: `${decision} after reviewing the evidence`, environment: 'production', version: '1.0.0' });
  const stateOf = (gate: GateEvidence, id: string) => gate.metrics.checks.find((c) => c.id === id)?.state;

  it('gate: everything passes and both roles approve -> Succeeded, ready, level gold, status document written', async () => {
    await approve(ops, 'operations');
    await approve(business, 'business');
    const { run, gate } = await gateRun([loadtest, drill]);
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(gate.metrics.status, 'ready');
    assert.equal(run.variables.ready?.value, 'true');
    assert.equal(run.variables.status?.value, 'ready');
    assert.equal(run.variables.level?.value, 'gold');
    const status = azdo.documents(Collections.status).find((d) => d.id === subjectKey('sample-service', 'production'));
    assert.equal(status?.status, 'ready');
    assert.equal(status?.version, '1.0.0');
    const roles = azdo.documents(Collections.policies).find((d) => d.id === subjectKey('sample-service', 'production'));
    assert.ok(roles, 'the gate publishes the policy roles the hub\'s sign-off panel needs');
    assert.ok(run.testResults.length === 1 && run.summaries.length === 1);
  });

  it('gate: a drill 45 days old -> Failed, drill stale, the reason in the message', async () => {
    await approve(ops, 'operations');
    await approve(business, 'business');
    const old = (iso: string) => new Date(Date.parse(iso) - 45 * DAY).toISOString();
    const staleDrill: DrillEvidence = { ...drill, id: randomUUID(), startedAt: old(drill.startedAt), finishedAt: old(drill.finishedAt) };
    const { run, gate } = await gateRun([loadtest, staleDrill]);
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'drill'), 'stale');
    assert.match(run.resultMessage ?? '', /drill \(stale\)/);
    assert.equal(azdo.documents(Collections.status).find((d) => d.id === subjectKey('sample-service', 'production'))?.status, 'not-ready');
  });

  it('gate: business has not signed -> Failed, sign-offs missing', async () => {
    await approve(ops, 'operations');
    const { run, gate } = await gateRun([loadtest, drill]);
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'signoffs'), 'missing');
    assert.equal(run.variables.ready?.value, 'false');
  });

  it('gate: no drill but a waiver in force -> Succeeded, drill waived', async () => {
    await approve(ops, 'operations');
    await approve(business, 'business');
    await addWaiver(client.extensionData, policy, ops, { environment: 'production', check: 'drill', reason: 'Backup host replaced; drill booked for Monday.', until: new Date(Date.now() + 2 * DAY) });
    const { run, gate } = await gateRun([loadtest]);
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(stateOf(gate, 'drill'), 'waived');
  });

  it('gate: no drill and the waiver expired -> Failed, drill missing', async () => {
    await approve(ops, 'operations');
    await approve(business, 'business');
    await addWaiver(client.extensionData, policy, ops, {
      environment: 'production', check: 'drill', reason: 'Backup host replaced.', until: new Date(Date.now() - 60_000), now: new Date(Date.now() - 3 * DAY),
    });
    const { run, gate } = await gateRun([loadtest]);
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'drill'), 'missing');
  });

  it('gate: business rejects -> Failed, not ready, the rejection named', async () => {
    await approve(ops, 'operations');
    await approve(business, 'business', 'reject');
    const { run, gate } = await gateRun([loadtest, drill]);
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(gate.metrics.status, 'not-ready');
    assert.match(run.resultMessage ?? '', /reject/i);
  });

  it('gate: extension data refuses the token (401) -> Failed as an infrastructure error, never ready', async () => {
    await approve(ops, 'operations');
    await approve(business, 'business');
    azdo.fail({ status: 401, path: /ExtensionManagement/, times: 10 });
    const buildId = nextBuild++;
    azdo.addBuild({ id: buildId, definitionId: 7, status: 'inProgress' });
    for (const e of [loadtest, drill]) azdo.addAttachment(buildId, 'readiness.evidence', `${e.kind}-${e.id}.json`, JSON.stringify(e));
    const run = await runGateTask(buildId);
    assert.equal(run.result, 'Failed', explain(run));
    // task.setsecret is how the agent learns what to mask; no other line may carry the token.
    const leaks = run.stdout.split('\n').filter((line) => line.includes(TOKEN) && !line.startsWith('##vso[task.setsecret]'));
    assert.deepEqual(leaks, [], 'the token never reaches the log');
    assert.match(run.resultMessage ?? '', /401|refused/);
  });

  function runGateTask(buildId: number): Promise<TaskRun> {
    return runBundledTask('ReadinessGateV1', {
      inputs: { policyFile: POLICY, environment: 'production', version: '1.0.0', earlierRuns: '0', publisher: azdo.publisher, extensionId: azdo.extensionId },
      env: { SYSTEM_COLLECTIONURI: azdo.collectionUri, SYSTEM_TEAMPROJECT: azdo.project, BUILD_BUILDID: String(buildId) },
      jobAccessToken: TOKEN,
    });
  }
});
