import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { validateEvidence } from '../../src/evidence/validate';
import { AltEmulator, type EmulatorOptions } from '../support/altEmulator';
import { altTaskOptions } from '../support/altTaskInputs';
import { explain, repoRoot, runBundledTask, runJob, taskVariablesSet, type RunTaskOptions } from '../support/agentRunner';

/**
 * ReadinessLoadTest@1 with Azure Load Testing, run as the agent runs it: each step's bundled target in a child
 * process, the service connection given the way the agent gives it (ENDPOINT_* variables, the job token in
 * SystemVssConnection), and the HTTPS emulator in this process. The child trusts the emulator's throwaway CA through
 * NODE_EXTRA_CA_CERTS; TLS checks stay on. The emulator compresses time (stepMs 0: a run has finished by the time
 * its creation is answered), so the task keeps AzureLoadTest@1's poll intervals and no test hook is needed.
 */
const EXAMPLE = path.join(repoRoot, 'examples', 'azure', 'loadtest.yaml');
const CONNECTION = 'c0ffee00-0000-0000-0000-000000000001';

describe('ReadinessLoadTest@1 (bundled, engine azure against the emulator)', function () {
  this.timeout(120_000);
  let emu: AltEmulator;
  afterEach(async () => emu?.stop());

  async function taskOptions(options: EmulatorOptions = {}, inputs: Record<string, string> = {}, extra: Partial<RunTaskOptions> = {}): Promise<RunTaskOptions> {
    emu = await new AltEmulator({ serviceConnectionId: CONNECTION, stepMs: 0, validationMs: 0, ...options }).start();
    const base = altTaskOptions(emu, EXAMPLE, inputs);
    return { ...base, ...extra, env: { ...base.env, ...extra.env } };
  }

  it('full cycle through the task: the AzureLoadTest@1 inputs with only the task renamed -> Succeeded, evidence, JUnit, run id output', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', await taskOptions({}, { outputVariableName: 'ALTOutputVar' }));
    assert.equal(run.result, 'Succeeded', explain(run));
    const [runId] = [...emu.runs.keys()];
    assert.equal(run.variables['ALTOutputVar.testRunId']?.value, runId);
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment && existsSync(attachment.path), explain(run));
    const evidence = JSON.parse(readFileSync(attachment.path, 'utf8'));
    assert.ok(validateEvidence(evidence).ok);
    assert.equal(evidence.metrics.engine, 'azure');
    assert.equal(evidence.metrics.azure.testRunId, runId);
    assert.equal(run.testResults[0]?.type, 'JUnit');
    assert.equal(emu.oidcTokens.length > 0, true, 'signed in through workload identity federation');
    for (const token of [...emu.issuedTokens, ...emu.oidcTokens]) {
      assert.ok(run.secrets.includes(token), 'every token is marked secret');
      const leaks = run.stdout.split('\n').filter((l) => l.includes(token) && !l.startsWith('##vso[task.setsecret]'));
      assert.deepEqual(leaks, [], 'no token in the log');
    }
  });

  it('validation failure through the task: the service rejects requests.json -> Failed quoting the service', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', await taskOptions({ validationFailure: 'Endpoint is not a valid URL.' }));
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /requests\.json: Azure Load Testing could not validate the file: "Endpoint is not a valid URL\."/);
  });

  it('429 and 500 through the task: one of each on reading the test -> retried, Succeeded', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', await taskOptions({ faults: [
      { method: 'GET', path: /^\/tests\/[^/]+$/, status: 429, retryAfterSeconds: 1 },
      { method: 'GET', path: /^\/tests\/[^/]+$/, status: 500 },
    ] }));
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.ok(emu.requestsTo('GET', /^\/tests\/[^/]+$/).length >= 3);
  });

  it('cancel through the task: SIGINT while the cloud run executes -> :stop reaches the service, task Failed as cancelled; the post-job step stops nothing more', async () => {
    // stepMs 60 000: the run stays CANCELLING after the stop, as a real one does for a while.
    const options = await taskOptions({ holdAt: 'EXECUTING', stepMs: 60_000 });
    let stoppedByMain: string[] = [];
    const { main: run, post } = await runJob('ReadinessLoadTestV1', options,
      { onLine: (line) => (line.includes('Started run') ? 'SIGINT' : undefined) }, () => (stoppedByMain = [...emu.stopped]));
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /Cancelled/);
    assert.equal(stoppedByMain.length, 1, explain(run));
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.match(post!.resultMessage ?? '', /already stopping/);
    assert.equal(emu.stopped.length, 1, 'no second :stop');
  });

  it('a whole job, main then post-job: one cloud run, and the post-job step contacts nothing', async () => {
    let requestsAfterMain = 0;
    const { main, post } = await runJob('ReadinessLoadTestV1', await taskOptions(), {}, () => (requestsAfterMain = emu.requests.length));
    assert.equal(main.result, 'Succeeded', explain(main));
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.match(post!.resultMessage ?? '', /No cloud run left to stop/);
    assert.equal(emu.runs.size, 1, 'one cloud run per job');
    assert.equal(emu.requests.length, requestsAfterMain, 'the post-job step sent no request');
    assert.equal(post!.attachments.length, 0, 'the post-job step published no evidence');
  });

  it('waitForCompletion false, then the post-job step: run id returned at once, and the run it chose not to wait for keeps going', async () => {
    const { main, post } = await runJob('ReadinessLoadTestV1', await taskOptions({ holdAt: 'EXECUTING' }, { waitForCompletion: 'false' }));
    assert.equal(main.result, 'Succeeded', explain(main));
    assert.match(main.resultMessage ?? '', /no verdict was reached/);
    const runId = main.variables['ALTOutputVar.testRunId']?.value;
    assert.ok(runId && emu.runs.has(runId));
    assert.deepEqual(taskVariablesSet(main), { READINESS_CLOUD_RUN_ID: runId, READINESS_CLOUD_RUN_DONE: 'true' });
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.match(post!.resultMessage ?? '', /No cloud run left to stop/);
    assert.deepEqual(emu.stopped, []);
    assert.ok(!['CANCELLING', 'CANCELLED'].includes(String(emu.runs.get(runId)!.status)), 'the run is still going');
  });

  it('main step killed mid-run (SIGKILL, no clean-up), then the post-job step: the leftover cloud run is stopped', async () => {
    const options = await taskOptions({ holdAt: 'EXECUTING' });
    const { main, post } = await runJob('ReadinessLoadTestV1', options, { onLine: (line) => (line.includes('Started run') ? 'SIGKILL' : undefined) });
    assert.equal(main.result, undefined, `the killed step reports no result${explain(main)}`);
    const runId = taskVariablesSet(main).READINESS_CLOUD_RUN_ID;
    assert.ok(runId && emu.runs.has(runId), explain(main));
    assert.equal(taskVariablesSet(main).READINESS_CLOUD_RUN_DONE, undefined);
    assert.equal(post?.result, 'Succeeded', explain(post!));
    assert.deepEqual(emu.stopped, [runId]);
    assert.equal(emu.runs.size, 1, 'the post-job step started no run of its own');
  });

  it('migration page: the renamed step exactly as docs/migration.md shows it -> runs in the cloud and Succeeded', async () => {
    const page = readFileSync(path.join(repoRoot, 'docs', 'migration.md'), 'utf8');
    const block = page.slice(page.indexOf('<!-- migration: after -->')).match(/```yaml\n([\s\S]*?)```/)![1];
    const step = (parse(block) as Array<{ task: string; inputs: Record<string, string> }>)[0];
    assert.equal(step.task, 'ReadinessLoadTest@1');
    // The agent expands macros and resolves the azureSubscription alias before the task starts.
    const expand = (v: string) => v.replace('$(Build.BuildNumber)', '20261126.1').replace('$(apiKey)', 'k-123');
    const { azureSubscription, ...rest } = step.inputs;
    const inputs = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, expand(String(v))]));
    const work = mkdtempSync(path.join(os.tmpdir(), 'readiness-migration-'));
    mkdirSync(path.join(work, 'loadtest'));
    copyFileSync(path.join(repoRoot, 'examples', 'azure', 'smoke.yaml'), path.join(work, 'loadtest', 'loadtest.yaml'));
    copyFileSync(path.join(repoRoot, 'examples', 'azure', 'smoke-requests.json'), path.join(work, 'loadtest', 'smoke-requests.json'));
    emu = await new AltEmulator({ serviceConnectionId: azureSubscription, resourceGroup: inputs.resourceGroup, resourceName: inputs.loadTestResource,
      stepMs: 0, validationMs: 0 }).start();
    const o = emu.options;
    const run = await runBundledTask('ReadinessLoadTestV1', {
      cwd: work,
      inputs: { ...inputs, connectedServiceNameARM: azureSubscription },
      endpoints: [{ id: azureSubscription, url: `${emu.baseUrl}/`, scheme: 'ServicePrincipal',
        parameters: { tenantid: o.tenantId, serviceprincipalid: o.clientId, serviceprincipalkey: o.clientSecret },
        data: { subscriptionId: o.subscriptionId, environmentAuthorityUrl: `${emu.baseUrl}/` } }],
      env: { NODE_EXTRA_CA_CERTS: emu.caFile() },
    });
    assert.equal(run.result, 'Succeeded', explain(run));
    const [runId] = [...emu.runs.keys()];
    assert.equal(run.variables['ALTOutputVar.testRunId']?.value, runId);
    const body = JSON.parse(emu.requestsTo('PATCH', /^\/test-runs\//)[0].body);
    assert.equal(body.displayName, 'Nightly 20261126.1');
    assert.deepEqual(body.secrets, { 'api-key': { type: 'SECRET_VALUE', value: 'k-123' } });
    assert.equal((emu.tests.get('smoke')!.loadTestConfiguration as { engineInstances: number }).engineInstances, 4, 'overrideParameters applied');
    assert.ok(run.secrets.includes(o.clientSecret), 'the client secret is masked');
  });
});
