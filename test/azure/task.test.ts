import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { validateEvidence } from '../../src/evidence/validate';
import { AltEmulator, type EmulatorOptions } from '../support/altEmulator';
import { explain, repoRoot, runBundledTask, type RunTaskOptions, type TaskRun } from '../support/agentRunner';

/**
 * ReadinessLoadTest@1 with Azure Load Testing, run as the agent runs it: the bundled index.js in a child process,
 * the service connection given the way the agent gives it (ENDPOINT_* variables), and the HTTPS emulator in this
 * process. The child trusts the emulator's throwaway CA through NODE_EXTRA_CA_CERTS; TLS checks stay on.
 */
const EXAMPLE = path.join(repoRoot, 'examples', 'azure', 'loadtest.yaml');
const CONNECTION = 'c0ffee00-0000-0000-0000-000000000001';

describe('ReadinessLoadTest@1 (bundled, engine azure against the emulator)', function () {
  this.timeout(120_000);
  let emu: AltEmulator;
  afterEach(async () => emu?.stop());

  async function taskOptions(options: EmulatorOptions = {}, inputs: Record<string, string> = {}, extra: Partial<RunTaskOptions> = {}): Promise<RunTaskOptions> {
    emu = await new AltEmulator({ serviceConnectionId: CONNECTION, ...options }).start();
    const o = emu.options;
    return {
      inputs: { loadTestConfigFile: EXAMPLE, connectedServiceNameARM: CONNECTION, // the agent resolves the azureSubscription alias
        resourceGroup: o.resourceGroup, loadTestResource: o.resourceName,
        environment: 'staging', ...inputs },
      env: {
        NODE_EXTRA_CA_CERTS: emu.caFile(),
        READINESS_ALT_POLL_MS: '30',
        [`ENDPOINT_URL_${CONNECTION}`]: `${emu.baseUrl}/`,
        [`ENDPOINT_AUTH_SCHEME_${CONNECTION}`]: 'WorkloadIdentityFederation',
        [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_TENANTID`]: o.tenantId,
        [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_SERVICEPRINCIPALID`]: o.clientId,
        [`ENDPOINT_DATA_${CONNECTION}_SUBSCRIPTIONID`]: o.subscriptionId,
        [`ENDPOINT_DATA_${CONNECTION}_ENVIRONMENTAUTHORITYURL`]: `${emu.baseUrl}/`,
        SYSTEM_OIDCREQUESTURI: emu.oidcRequestUri,
        SYSTEM_ACCESSTOKEN: o.systemAccessToken,
        ...extra.env,
      },
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'env')),
    };
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

  it('429 and 500 through the task: one of each on the run poll -> retried, Succeeded', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', await taskOptions({ faults: [
      { method: 'GET', path: /^\/test-runs\//, status: 429, retryAfterSeconds: 1 },
      { method: 'GET', path: /^\/test-runs\//, status: 500 },
    ] }));
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.ok(emu.requestsTo('GET', /^\/test-runs\//).length >= 3);
  });

  it('cancel through the task: SIGINT while the cloud run executes -> :stop reaches the service, task Failed as cancelled', async () => {
    const options = await taskOptions({ holdAt: 'EXECUTING' }, {}, { onLine: (line) => (line.includes('EXECUTING') ? 'SIGINT' : undefined) });
    const run = await runBundledTask('ReadinessLoadTestV1', options);
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /Cancelled/);
    assert.equal(emu.stopped.length, 1, explain(run));
  });

  /** The task variables a step set, as the agent carries them over to the post-job step. */
  function taskVariables(run: TaskRun): Record<string, string> {
    return Object.fromEntries(run.commands.filter((c) => c.command === 'task.settaskvariable').map((c) => [c.properties.variable, c.message]));
  }

  it('waitForCompletion false, then the post-job step: run id returned at once, and the run it chose not to wait for keeps going', async () => {
    const options = await taskOptions({ holdAt: 'EXECUTING' }, { waitForCompletion: 'false' });
    const first = await runBundledTask('ReadinessLoadTestV1', options);
    assert.equal(first.result, 'Succeeded', explain(first));
    assert.match(first.resultMessage ?? '', /no verdict was reached/);
    const runId = first.variables['ALTOutputVar.testRunId']?.value;
    assert.ok(runId && emu.runs.has(runId));
    const carried = taskVariables(first);
    assert.deepEqual(carried, { READINESS_CLOUD_RUN_ID: runId, READINESS_CLOUD_RUN_DONE: 'true' });
    const post = await runBundledTask('ReadinessLoadTestV1', { ...options, args: ['post'],
      env: { ...options.env, VSTS_TASKVARIABLE_READINESS_CLOUD_RUN_ID: runId, VSTS_TASKVARIABLE_READINESS_CLOUD_RUN_DONE: 'true' } });
    assert.equal(post.result, 'Succeeded', explain(post));
    assert.match(post.resultMessage ?? '', /No cloud run left to stop/);
    assert.deepEqual(emu.stopped, []);
    assert.ok(!['CANCELLING', 'CANCELLED'].includes(String(emu.runs.get(runId)!.status)), 'the run is still going');
  });

  it('main step killed mid-run (SIGKILL, no clean-up), then the post-job step: the leftover cloud run is stopped', async () => {
    const options = await taskOptions({ holdAt: 'EXECUTING' }, {}, { onLine: (line) => (line.includes('EXECUTING') ? 'SIGKILL' : undefined) });
    const first = await runBundledTask('ReadinessLoadTestV1', options);
    assert.equal(first.result, undefined, `the killed step reports no result${explain(first)}`);
    assert.deepEqual(emu.stopped, [], 'a killed step cannot stop the run itself');
    const carried = taskVariables(first);
    const runId = carried.READINESS_CLOUD_RUN_ID;
    assert.ok(runId && emu.runs.has(runId), explain(first));
    assert.equal(carried.READINESS_CLOUD_RUN_DONE, undefined);
    const post = await runBundledTask('ReadinessLoadTestV1', { ...options, onLine: undefined, args: ['post'],
      env: { ...options.env, VSTS_TASKVARIABLE_READINESS_CLOUD_RUN_ID: runId } });
    assert.equal(post.result, 'Succeeded', explain(post));
    assert.deepEqual(emu.stopped, [runId]);
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
    emu = await new AltEmulator({ serviceConnectionId: azureSubscription, resourceGroup: inputs.resourceGroup, resourceName: inputs.loadTestResource }).start();
    const o = emu.options;
    const run = await runBundledTask('ReadinessLoadTestV1', {
      cwd: work,
      inputs: { ...inputs, connectedServiceNameARM: azureSubscription },
      env: {
        NODE_EXTRA_CA_CERTS: emu.caFile(),
        READINESS_ALT_POLL_MS: '30',
        [`ENDPOINT_URL_${azureSubscription}`]: `${emu.baseUrl}/`,
        [`ENDPOINT_AUTH_SCHEME_${azureSubscription}`]: 'ServicePrincipal',
        [`ENDPOINT_AUTH_PARAMETER_${azureSubscription}_TENANTID`]: o.tenantId,
        [`ENDPOINT_AUTH_PARAMETER_${azureSubscription}_SERVICEPRINCIPALID`]: o.clientId,
        [`ENDPOINT_AUTH_PARAMETER_${azureSubscription}_SERVICEPRINCIPALKEY`]: o.clientSecret,
        [`ENDPOINT_DATA_${azureSubscription}_SUBSCRIPTIONID`]: o.subscriptionId,
        [`ENDPOINT_DATA_${azureSubscription}_ENVIRONMENTAUTHORITYURL`]: `${emu.baseUrl}/`,
      },
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
