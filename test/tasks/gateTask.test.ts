import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import type { DrillEvidence, Evidence, GateEvidence, LoadTestEvidence } from '../../src/evidence/types';
import { Collections, subjectKey } from '../../src/gate/records';
import { recordSignOff } from '../../src/gate/signoffs';
import { loadPolicy } from '../../src/gate/policy';
import { WAIVERS_FILE } from '../../src/gate/waivers';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';
import { explain, repoRoot, runBundledTask, type TaskRun } from '../support/agentRunner';
import { startTarget, type Target } from '../support/httpTarget';
import { approvalOf, caFetch } from '../support/gateHarness';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * ReadinessGate@1 run as the agent runs it, in an emulated pipeline run: the load-test and drill tasks run first
 * (bundled, against a loopback server and a real PostgreSQL), their `readiness.evidence` attachments are served by
 * the HTTPS Azure DevOps emulator as the run's attachments (published by those tasks' steps, per the timeline), the
 * run's approvals by its Approvals API, and waivers come from readiness.waivers.yml beside the policy. The task finds
 * the emulator only through the variables the agent sets (System.CollectionUri) and trusts its certificate through
 * NODE_EXTRA_CA_CERTS, as an agent behind an internal CA does.
 */
const SAMPLE = path.join(repoRoot, 'examples', 'sample-service');
const COMMIT = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const TOKEN = 'job-token-for-gate-tests';
const DAY = 86_400_000;
const OPS_GROUP = '[Demo]\\Operations';
const BUSINESS_GROUP = '[Demo]\\Product Owners';

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
  let target: Target;
  let policyDir: string;
  let caFile: string;
  let olga: string;
  let bea: string;
  let pg: TestPostgres;
  let loadtest: LoadTestEvidence;
  let drill: DrillEvidence;
  let nextBuild = 100;

  before(async () => {
    [azdo, target, pg] = await Promise.all([startAzdoEmulator({ accessToken: TOKEN, tls: true }), startTarget(), startPostgres()]);
    caFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'readiness-ca-')), 'ca.pem');
    writeFileSync(caFile, azdo.caCertificate!);
    client = createAzureDevOpsClient({
      collectionUri: azdo.collectionUri, project: azdo.project, accessToken: TOKEN, publisher: azdo.publisher, extensionId: azdo.extensionId,
      fetch: caFetch(azdo.caCertificate!),
    });
    // The sample policy's role groups, with one member each.
    olga = azdo.addIdentity({ name: 'Olga Ops' });
    bea = azdo.addIdentity({ name: 'Bea Business' });
    azdo.addIdentity({ name: OPS_GROUP, members: [olga] });
    azdo.addIdentity({ name: BUSINESS_GROUP, members: [bea] });
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

  beforeEach(() => {
    // A fresh checkout of the sample service per test, so a test's readiness.waivers.yml stays its own.
    policyDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-gate-repo-'));
    cpSync(SAMPLE, policyDir, { recursive: true });
  });

  /** Evidence as this run's own task steps made it: a new document that records this run. */
  const madeIn = (buildId: number, e: Evidence): Evidence => ({ ...e, id: randomUUID(), run: { ...e.run, runId: String(buildId) } });

  /** A new run with the evidence attached by our tasks' steps, and its approval as `steps` decided it. */
  function newRun(evidence: Evidence[], steps: Array<{ group: string; by?: string; status?: string }> = [], o: { build?: Partial<Parameters<AzdoEmulator['addBuild']>[0]> } = {}): number {
    const buildId = nextBuild++;
    azdo.addBuild({ id: buildId, definitionId: 7, status: 'inProgress', sourceVersion: COMMIT, ...o.build });
    for (const e of evidence) azdo.addAttachment(buildId, 'readiness.evidence', `${e.kind}-${e.id}.json`, JSON.stringify(madeIn(buildId, e)));
    if (steps.length) azdo.addApproval(buildId, approvalOf(steps));
    return buildId;
  }

  async function gateRun(buildId: number, env: Record<string, string> = {}): Promise<{ run: TaskRun; gate: GateEvidence }> {
    const run = await runGateTask(buildId, env);
    const attachment = run.attachments.filter((a) => a.type === 'readiness.evidence').map((a) => JSON.parse(readFileSync(a.path, 'utf8'))).find((e) => e.kind === 'gate');
    assert.ok(attachment, `the gate published no gate evidence${explain(run)}`);
    return { run, gate: attachment as GateEvidence };
  }

  const both = () => [{ group: OPS_GROUP, by: olga }, { group: BUSINESS_GROUP, by: bea }];
  const stateOf = (gate: GateEvidence, id: string) => gate.metrics.checks.find((c) => c.id === id)?.state;

  it('gate: everything passes and both role groups approved this run -> Succeeded, ready, gold, commit and audit trail in the verdict', async () => {
    const { run, gate } = await gateRun(newRun([loadtest, drill], both()));
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(gate.metrics.status, 'ready');
    assert.equal(run.variables.ready?.value, 'true');
    assert.equal(run.variables.status?.value, 'ready');
    assert.equal(run.variables.level?.value, 'gold');
    const status = azdo.documents(Collections.status).find((d) => d.id === subjectKey('sample-service', 'production'));
    assert.equal(status?.status, 'ready');
    assert.equal(status?.commit, COMMIT);
    assert.equal(gate.metrics.commit, COMMIT);
    assert.deepEqual(gate.metrics.approvals?.map((a) => [a.role, a.status, a.approver?.id]), [['operations', 'approved', olga], ['business', 'approved', bea]]);
    const roles = azdo.documents(Collections.policies).find((d) => d.id === subjectKey('sample-service', 'production'));
    assert.ok(roles, 'the gate publishes the policy roles the hub\'s sign-off panel needs');
    assert.ok(run.testResults.length === 1 && run.summaries.length === 1);
  });

  it('gate: a drill 45 days old -> Failed, drill stale, the reason in the message', async () => {
    const old = (iso: string) => new Date(Date.parse(iso) - 45 * DAY).toISOString();
    const staleDrill: DrillEvidence = { ...drill, id: randomUUID(), startedAt: old(drill.startedAt), finishedAt: old(drill.finishedAt) };
    const { run, gate } = await gateRun(newRun([loadtest, staleDrill], both()));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'drill'), 'stale');
    assert.match(run.resultMessage ?? '', /drill \(stale\)/);
    assert.equal(azdo.documents(Collections.status).find((d) => d.id === subjectKey('sample-service', 'production'))?.status, 'not-ready');
  });

  it('gate: business has not approved -> Failed, sign-offs missing', async () => {
    const { run, gate } = await gateRun(newRun([loadtest, drill], [{ group: OPS_GROUP, by: olga }, { group: BUSINESS_GROUP, status: 'pending' }]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'signoffs'), 'missing');
    assert.equal(run.variables.ready?.value, 'false');
  });

  it('gate: no drill but a repository waiver in force -> Succeeded, drill waived', async () => {
    writeWaiver(new Date(Date.now() - DAY), new Date(Date.now() + 2 * DAY));
    const { run, gate } = await gateRun(newRun([loadtest], both()));
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.equal(stateOf(gate, 'drill'), 'waived');
  });

  it('gate: no drill and the waiver expired -> Failed, drill missing', async () => {
    writeWaiver(new Date(Date.now() - 3 * DAY), new Date(Date.now() - 60_000));
    const { run, gate } = await gateRun(newRun([loadtest], both()));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'drill'), 'missing');
  });

  it('gate: business rejects -> Failed, not ready, the rejection named', async () => {
    const { run, gate } = await gateRun(newRun([loadtest, drill], [{ group: OPS_GROUP, by: olga }, { group: BUSINESS_GROUP, by: bea, status: 'rejected' }]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(gate.metrics.status, 'not-ready');
    assert.match(run.resultMessage ?? '', /reject/i);
  });

  it('gate: the Approvals API refuses the token (401) -> Failed as an infrastructure error, never ready', async () => {
    const buildId = newRun([loadtest, drill], both());
    azdo.fail({ status: 401, path: /pipelines\/approvals/, times: 1 });
    const run = await runGateTask(buildId);
    assert.equal(run.result, 'Failed', explain(run));
    // task.setsecret is how the agent learns what to mask; no other line may carry the token.
    const leaks = run.stdout.split('\n').filter((line) => line.includes(TOKEN) && !line.startsWith('##vso[task.setsecret]'));
    assert.deepEqual(leaks, [], 'the token never reaches the log');
    assert.match(run.resultMessage ?? '', /401|refused/);
  });

  it('gate: extension-data sign-offs by the right people, and no approvals -> Failed, sign-offs missing', async () => {
    const policy = await loadPolicy(path.join(policyDir, 'readiness.yml'));
    for (const [role, id] of [['operations', 'demo-ops'], ['business', 'demo-business']] as const) {
      await recordSignOff(client.extensionData, policy, { id, name: id, groups: [] }, { role, decision: 'approve', comment: 'ok', environment: 'production' });
    }
    const { run, gate } = await gateRun(newRun([loadtest, drill]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.equal(stateOf(gate, 'signoffs'), 'missing');
  });

  it('gate: a pull-request run, everything approved -> not published: no gate attachment, no status, ready false', async () => {
    const buildId = newRun([loadtest, drill], both(), { build: { reason: 'pullRequest', sourceBranch: 'refs/pull/7/merge' } });
    const before = azdo.documents(Collections.status).find((d) => d.id === subjectKey('sample-service', 'production'));
    const run = await runGateTask(buildId, { BUILD_REASON: 'PullRequest', BUILD_SOURCEBRANCH: 'refs/pull/7/merge' });
    assert.equal(run.result, 'SucceededWithIssues', explain(run));
    assert.match(run.resultMessage ?? '', /pull-request run, which never publishes a verdict/);
    assert.equal(run.variables.ready?.value, 'false');
    assert.equal(run.attachments.filter((a) => a.type === 'readiness.evidence').length, 0);
    const after = azdo.documents(Collections.status).find((d) => d.id === subjectKey('sample-service', 'production'));
    assert.deepEqual(after, before, 'the status document is untouched');
  });

  function writeWaiver(from: Date, until: Date): void {
    writeFileSync(
      path.join(policyDir, WAIVERS_FILE),
      `waivers:\n  - check: drill\n    role: operations\n    reason: Backup host replaced; drill booked for Monday.\n    from: ${from.toISOString()}\n    until: ${until.toISOString()}\n`,
    );
  }

  function runGateTask(buildId: number, env: Record<string, string> = {}): Promise<TaskRun> {
    return runBundledTask('ReadinessGateV1', {
      inputs: { policyFile: path.join(policyDir, 'readiness.yml'), environment: 'production', version: '1.0.0', earlierRuns: '0', publisher: azdo.publisher, extensionId: azdo.extensionId },
      env: {
        SYSTEM_COLLECTIONURI: azdo.collectionUri, SYSTEM_TEAMPROJECT: azdo.project, BUILD_BUILDID: String(buildId), SYSTEM_ACCESSTOKEN: TOKEN,
        SYSTEM_STAGENAME: 'deploy', BUILD_SOURCEBRANCH: 'refs/heads/main', BUILD_REASON: 'IndividualCI', BUILD_SOURCEVERSION: COMMIT,
        NODE_EXTRA_CA_CERTS: caFile, ...env,
      },
    });
  }
});
