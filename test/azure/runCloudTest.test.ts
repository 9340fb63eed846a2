import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, ConfigError } from '../../src/errors';
import { createCredential } from '../../src/azure/credentials';
import { runCloudLoadTest, stopCloudRun, type CloudRunOptions } from '../../src/azure/runCloudTest';
import { AltEmulator, DEFAULT_STATISTICS, emulatedConnection, emulatedResource, type EmulatorOptions } from '../support/altEmulator';

const EXAMPLE = path.join(__dirname, '../../examples/azure/loadtest.yaml');
const FAST = { validationMs: 20, runMs: 30, finishingMs: 20, artifactsMs: 20 };

describe('azure cloud run', () => {
  let emu: AltEmulator;
  let results: string;
  beforeEach(() => (results = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-results-'))));
  afterEach(async () => {
    await emu?.stop();
    fs.rmSync(results, { recursive: true, force: true });
  });

  async function start(options: EmulatorOptions = {}, scheme: 'ServicePrincipal' | 'WorkloadIdentityFederation' = 'ServicePrincipal') {
    emu = await new AltEmulator(options).start();
    const { credential, armEndpoint } = createCredential(emulatedConnection(emu, scheme), { caCertificate: emu.ca });
    return (extra: Partial<CloudRunOptions> = {}) => runCloudLoadTest({
      configFile: EXAMPLE, resource: emulatedResource(emu), credential, armEndpoint, caCertificate: emu.ca,
      waitForCompletion: true, resultsDirectory: results, pollIntervals: FAST, retryDelayMs: 20, ...extra,
    });
  }

  it('full cycle: create, upload, validate, run, poll, collect -> passed evidence with statistics, criteria and portal link', async () => {
    const run = await start({}, 'WorkloadIdentityFederation');
    const progress: Array<[string, number | undefined]> = [];
    let created = '';
    const outcome = await run({ runName: 'Nightly run', env: [{ name: 'stage', value: 'ci' }], secrets: [{ name: 'token', value: 's3cr3t-value' }],
      onProgress: (m, p) => progress.push([m, p]), onRunCreated: (id) => (created = id) });
    const e = outcome.evidence!;
    assert.equal(created, outcome.runId);
    assert.equal(e.verdict, 'passed', e.summary);
    assert.equal(e.metrics.engine, 'azure');
    assert.equal(e.metrics.totals.requests, DEFAULT_STATISTICS.Total.sampleCount);
    assert.equal(e.metrics.totals.latencyMs.p95, DEFAULT_STATISTICS.Total.pct2ResTime);
    assert.deepEqual(e.metrics.requests.map((r) => r.name), ['home', 'search']);
    assert.deepEqual(e.criteria.map((c) => c.failed), [false, false, false, false]);
    assert.equal(e.criteria.length, 4, 'three client criteria and one server criterion');
    assert.equal(e.metrics.azure?.testRunId, outcome.runId);
    assert.equal(e.metrics.azure?.serviceTestResult, 'PASSED');
    assert.equal(e.metrics.azure?.disagreement, undefined);
    // Like-with-like for baselines: the same plan files give the same fingerprint; the resource is the pool.
    assert.match(e.metrics.comparable?.planHash ?? '', /^[0-9a-f]{64}$/);
    assert.equal(e.metrics.comparable?.engine, 'azure');
    assert.match(e.metrics.comparable?.pool ?? '', /^azure-load-testing\//);
    assert.equal(e.metrics.comparable?.platform, 'azure-load-testing/jmeter');
    // The distributions come from the run's sample log in results.zip; its counts match the service's, so the
    // errors are split into HTTP and network errors as the log tells them apart.
    assert.ok(e.metrics.totals.latencyHistogram && e.metrics.requests.every((r) => r.latencyHistogram));
    assert.deepEqual(e.metrics.requests.map((r) => [r.httpErrors, r.networkErrors]), [[0, 0], [4, 2]]);
    assert.equal(e.metrics.azure?.sampleLog?.read, true, e.metrics.azure?.sampleLog?.detail);
    assert.equal(e.links[0].url, `https://portal.azure.com/#emulated/testRun/${outcome.runId}`);
    assert.deepEqual(outcome.files.map((f) => path.basename(f)), ['results.zip', 'report.zip']);
    assert.ok(fs.readFileSync(path.join(results, 'report.zip')).length > 0);

    const upload = emu.requestsTo('PUT', /\/files\/requests\.json$/)[0];
    assert.equal(upload.query.fileType, 'URL_TEST_CONFIG');
    assert.equal(upload.contentType, 'application/octet-stream');
    assert.equal(emu.requestsTo('PATCH', /\/app-components$/).length, 1);
    assert.equal(emu.requestsTo('PATCH', /\/server-metrics-config$/).length, 1);
    const runBody = JSON.parse(emu.requestsTo('PATCH', /^\/test-runs\//)[0].body);
    assert.deepEqual(runBody.environmentVariables, { stage: 'ci' });
    assert.deepEqual(runBody.secrets, { token: { type: 'SECRET_VALUE', value: 's3cr3t-value' } });
    assert.equal(runBody.createdByUri, undefined, 'createdByUri is read-only on a test run');
    assert.equal(runBody.createdByType, undefined, 'the service sets who created the run');
    assert.equal(progress.filter(([, p]) => p !== undefined).at(-1)?.[1], 100);
    assert.ok(progress.some(([m]) => m.endsWith(': DONE')), 'the final status is reported');
    assert.ok(!JSON.stringify(progress).includes('eyJ') && !JSON.stringify(e).includes('eyJ'), 'no token in progress or evidence');
    assert.ok(!JSON.stringify(e).includes('sig='), 'no SAS signature in the evidence');
  });

  it('failed criterion: p95 above its limit -> failed verdict naming it, service and our evaluation agree', async () => {
    const stats = structuredClone(DEFAULT_STATISTICS);
    stats.Total.pct2ResTime = 420;
    const run = await start({ statistics: stats });
    const e = (await run()).evidence!;
    assert.equal(e.verdict, 'failed');
    assert.match(e.summary, /Failed: 1 of 4 criteria failed \(p95\(response_time_ms\) > 300\); 1200 requests at 40.2 rps, p95 420 ms/);
    assert.equal(e.criteria[0].actual, 420);
    assert.equal(e.metrics.azure?.serviceTestResult, 'FAILED');
    assert.equal(e.metrics.azure?.disagreement, undefined);
  });

  it('disagreement: service says FAILED while every criterion passes by our evaluation -> failed, reported in summary', async () => {
    const run = await start({ forceTestResult: 'FAILED' });
    const e = (await run()).evidence!;
    assert.equal(e.verdict, 'failed');
    assert.match(e.metrics.azure!.disagreement!, /testResult FAILED, but every criterion passed/);
    assert.match(e.summary, /Disagreement between Azure Load Testing and our evaluation/);
  });

  it('validation failure: the service rejects the requests JSON -> ConfigError quoting it, no run started', async () => {
    const run = await start({ validationFailure: 'Invalid URL test config: scenario browse has no requests.' });
    await assert.rejects(run(), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /requests\.json: Azure Load Testing could not validate the file: "Invalid URL test config: scenario browse has no requests\."/);
      return true;
    });
    assert.equal(emu.requestsTo('PATCH', /^\/test-runs\//).length, 0);
  });

  it('run failed by the service: FAILED status -> error verdict quoting the service and pointing to the portal', async () => {
    const run = await start({ runFailure: 'Engine provisioning failed: quota exceeded in eastus.' });
    const e = (await run()).evidence!;
    assert.equal(e.verdict, 'error');
    assert.match(e.summary, /Azure Load Testing failed the run .*: Engine provisioning failed: quota exceeded in eastus\. Open the run in the portal/);
  });

  it('cancellation: pipeline aborts while the run executes -> :stop reaches the service and CancelledError is thrown', async () => {
    const run = await start({ holdAt: 'EXECUTING' });
    const controller = new AbortController();
    await assert.rejects(run({ signal: controller.signal, onProgress: (m) => m.endsWith('EXECUTING') && controller.abort() }), (e: Error) => {
      assert.ok(e instanceof CancelledError);
      assert.match(e.message, /was asked to stop/);
      return true;
    });
    assert.equal(emu.stopped.length, 1);
    assert.equal(emu.requestsTo('POST', /^\/test-runs\/[^/]+:stop$/).length, 1);
  });

  it('waitForCompletion false: returns the run id at once, without evidence, and the post-job stop reaches :stop', async () => {
    const run = await start({ holdAt: 'EXECUTING' });
    const outcome = await run({ waitForCompletion: false });
    assert.equal(outcome.evidence, undefined);
    assert.ok(emu.runs.has(outcome.runId));
    assert.equal(emu.requestsTo('GET', /^\/test-runs\//).length, 0, 'no polling');
    const { credential } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca });
    const stop = await stopCloudRun({ resource: emulatedResource(emu), credential, runId: outcome.runId, armEndpoint: emu.baseUrl, caCertificate: emu.ca });
    assert.equal(stop.stopped, true, stop.message);
    assert.deepEqual(emu.stopped, [outcome.runId]);
  });

  it('faults mid-run: a 429 and a 500 on the run poll -> retried, run still collected', async () => {
    const run = await start({ faults: [
      { method: 'GET', path: /^\/test-runs\//, status: 429, retryAfterSeconds: 1 },
      { method: 'GET', path: /^\/test-runs\//, status: 500 },
    ] });
    const e = (await run()).evidence!;
    assert.equal(e.verdict, 'passed', e.summary);
  });

  it('portal settings: a test edited in the portal and a YAML without env or VNet -> those settings survive the run', async () => {
    const run = await start();
    emu.tests.set('checkout-api', { testId: 'checkout-api', subnetId: '/subscriptions/x/subnets/portal', environmentVariables: { fromPortal: 'yes' },
      secrets: { portalSecret: { value: 'https://kv/secrets/p', type: 'AKV_SECRET_URI' } }, inputArtifacts: {} });
    await run();
    const test = emu.tests.get('checkout-api')!;
    assert.equal(test.subnetId, '/subscriptions/x/subnets/portal');
    assert.deepEqual(test.environmentVariables, { fromPortal: 'yes', host: '127.0.0.1' });
    assert.deepEqual(Object.keys(test.secrets as object).sort(), ['api-key', 'portalSecret']);
  });

  it('local-only key in the YAML: refused before any request reaches Azure', async () => {
    const run = await start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-local-'));
    fs.copyFileSync(path.join(path.dirname(EXAMPLE), 'requests.json'), path.join(dir, 'requests.json'));
    fs.writeFileSync(path.join(dir, 'lt.yaml'), 'testId: x1\ntestType: URL\ntestPlan: requests.json\nlocalEngine:\n  connectTimeoutSeconds: 2\n');
    await assert.rejects(run({ configFile: path.join(dir, 'lt.yaml') }), /localEngine \(line 4\) is understood only by the local engine/);
    assert.equal(emu.requests.length, 0);
  });

  it('expired client secret during a run: AADSTS7000222 -> InfrastructureError with the remedy, secret never in the text', async () => {
    const run = await start({ secretExpired: true });
    await assert.rejects(run(), (e: Error) => {
      assert.equal(e.constructor.name, 'InfrastructureError');
      assert.match(e.message, /AADSTS7000222.*Create a new secret for the app registration and update the service connection/);
      assert.ok(!e.message.includes(emu.options.clientSecret));
      return true;
    });
  });

  it('run poll failing past the retries while the run executes -> the cloud run is stopped, then the error is reported', async () => {
    const run = await start({ holdAt: 'EXECUTING', faults: [{ method: 'GET', path: /^\/test-runs\/[^/:]+$/, status: 500, times: 1000 }] });
    await assert.rejects(run(), (e: Error) => e.constructor.name === 'InfrastructureError');
    assert.equal(emu.stopped.length, 1, 'the run left behind would burn virtual-user hours until its profile ends');
  });

  it('timeout: the run outlasts timeoutSeconds -> the cloud run is stopped and the error says how to fix it', async () => {
    const run = await start({ holdAt: 'EXECUTING' });
    await assert.rejects(run({ timeoutSeconds: 0.3 }), /did not finish within 0.3 s, so it was stopped\. Raise the timeout/);
    assert.equal(emu.stopped.length, 1);
  });

  it('criteria set in the portal and absent from the YAML: judged by the service and by us -> listed in the evidence, failed verdict', async () => {
    const run = await start();
    emu.tests.set('portal-criteria', { testId: 'portal-criteria', inputArtifacts: {}, passFailCriteria: { passFailMetrics: {
      'from-portal': { clientMetric: 'response_time_ms', aggregate: 'avg', condition: '>', value: 40, action: 'continue' } } } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-portal-'));
    fs.copyFileSync(path.join(path.dirname(EXAMPLE), 'requests.json'), path.join(dir, 'requests.json'));
    fs.writeFileSync(path.join(dir, 'lt.yaml'), 'testId: portal-criteria\ntestType: URL\ntestPlan: requests.json\n');
    const e = (await run({ configFile: path.join(dir, 'lt.yaml') })).evidence!;
    assert.equal(e.verdict, 'failed', e.summary);
    assert.equal(e.criteria.length, 1);
    assert.equal(e.criteria[0].expression, 'avg(response_time_ms) > 40');
    assert.equal(e.criteria[0].actual, DEFAULT_STATISTICS.Total.meanResTime);
    assert.match(e.criteria[0].explanation, /Set on the test in Azure Load Testing, not in the YAML/);
    assert.equal(e.metrics.azure?.disagreement, undefined);
  });

  it('JMeter plan with a CSV and user properties: uploaded in AzureLoadTest@1 order with their file types -> run collected', async () => {
    const run = await start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-jmx-'));
    fs.writeFileSync(path.join(dir, 'plan.jmx'), '<?xml version="1.0"?><jmeterTestPlan version="1.2"><hashTree/></jmeterTestPlan>\n');
    fs.writeFileSync(path.join(dir, 'users.csv'), 'user\nalice\n');
    fs.writeFileSync(path.join(dir, 'user.properties'), 'threads=5\n');
    fs.writeFileSync(path.join(dir, 'lt.yaml'), 'testId: jmx-plan\ntestPlan: plan.jmx\nconfigurationFiles:\n  - users.csv\n' +
      'properties:\n  userPropertyFile: user.properties\n');
    const e = (await run({ configFile: path.join(dir, 'lt.yaml') })).evidence!;
    assert.equal(e.verdict, 'passed', e.summary);
    const uploads = emu.requestsTo('PUT', /\/files\//).map((r) => `${r.path.split('/').pop()}:${r.query.fileType}`);
    assert.deepEqual(uploads, ['users.csv:ADDITIONAL_ARTIFACTS', 'user.properties:USER_PROPERTIES', 'plan.jmx:TEST_SCRIPT']);
    assert.equal(JSON.parse(emu.requestsTo('PATCH', /^\/tests\/jmx-plan$/)[0].body).kind, 'JMX');
  });

  it('latency criterion: the service measures time to first byte, the statistics do not -> the service figure decides, no false disagreement', async () => {
    const run = await start();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-latency-'));
    fs.copyFileSync(path.join(path.dirname(EXAMPLE), 'requests.json'), path.join(dir, 'requests.json'));
    // Full response time averages 42 ms (above 40); the emulated service measures latency at 37 ms (below).
    fs.writeFileSync(path.join(dir, 'lt.yaml'), 'testId: latency\ntestType: URL\ntestPlan: requests.json\nfailureCriteria:\n  - avg(latency) > 40\n');
    const e = (await run({ configFile: path.join(dir, 'lt.yaml') })).evidence!;
    assert.equal(e.verdict, 'passed', e.summary);
    assert.equal(e.criteria[0].actual, DEFAULT_STATISTICS.Total.meanResTime - 5);
    assert.match(e.criteria[0].explanation, /judged by Azure Load Testing \(its run statistics carry no latency figure\): passed/);
    assert.equal(e.metrics.azure?.disagreement, undefined);
  });
});
