import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateEvidence } from '../../src/evidence/validate';
import { startTarget, type Target } from '../support/httpTarget';
import { explain, repoRoot, runBundledTask } from '../support/agentRunner';
import { shortExampleConfig } from './shortExample';

/**
 * ReadinessLoadTest@1 run as the agent runs it: the bundled index.js against a real loopback server,
 * using the shipped example configuration with its baseUrl pointed at the server through the `env` input.
 */
const exampleConfig = shortExampleConfig;

describe('ReadinessLoadTest@1 (bundled, local engine)', function () {
  this.timeout(120_000);
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  const inputs = (configFile: string, extra: Record<string, string> = {}) => ({
    loadTestConfigFile: configFile,
    env: JSON.stringify([{ name: 'baseUrl', value: target.url }]),
    outputVariableName: 'LT',
    environment: 'staging',
    ...extra,
  });

  it('criteria: all pass -> Succeeded, JUnit, summary, HTML, evidence attachment and output variables published', async () => {
    const before = target.total();
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: inputs(exampleConfig()) });
    assert.equal(run.result, 'Succeeded', explain(run));
    const evidenceAttachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(evidenceAttachment && existsSync(evidenceAttachment.path), explain(run));
    const evidence = JSON.parse(readFileSync(evidenceAttachment.path, 'utf8'));
    const valid = validateEvidence(evidence);
    assert.ok(valid.ok, JSON.stringify(valid));
    assert.equal(evidence.kind, 'loadtest');
    assert.equal(evidence.environment, 'staging');
    assert.equal(evidence.run.runId, '42');
    // The engine's count is what the server saw.
    assert.equal(evidence.metrics.totals.requests, target.total() - before);
    assert.ok(run.attachments.some((a) => a.type === 'readiness.report' && a.path.endsWith('.html')));
    assert.equal(run.summaries.length, 1);
    assert.match(readFileSync(run.summaries[0], 'utf8'), /p95/);
    assert.equal(run.testResults.length, 1);
    assert.equal(run.testResults[0].type, 'JUnit');
    assert.ok(existsSync(run.testResults[0].files[0]));
    assert.equal(run.variables['LT.passed']?.value, 'true');
    assert.equal(run.variables['LT.passed']?.isOutput, true);
    assert.equal(Number(run.variables['LT.p95']?.value), evidence.metrics.totals.latencyMs.p95);
    assert.equal(Number(run.variables['LT.rps']?.value), evidence.metrics.totals.rps);
    assert.equal(run.variables['LT.resultsFile']?.value, evidenceAttachment.path);
    assert.ok(run.progress.length > 0 || run.stdout.includes('requests'), 'progress is reported');
  });

  it('criteria: p95 over its limit -> Failed, the message names the criterion with actual against threshold', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: inputs(exampleConfig(['p95(response_time_ms) > 0.001', 'percentage(error) > 50'])) });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /p95\(response_time_ms\) > 0\.001/);
    assert.doesNotMatch(run.resultMessage ?? '', /percentage\(error\)/, 'only the failed criterion is listed');
    assert.equal(run.variables['LT.passed']?.value, 'false');
    const junit = readFileSync(run.testResults[0].files[0], 'utf8');
    assert.match(junit, /<failure/);
  });

  it('bad input: a criterion with an unknown metric -> Failed before any traffic, quoting the criterion', async () => {
    const before = target.total();
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: inputs(exampleConfig(['p95(response_time) > 300'])) });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /response_time/);
    assert.match(run.resultMessage ?? '', /loadtest\.yaml:\d+/);
    assert.equal(target.total(), before, 'no request may be sent when the configuration is wrong');
  });

  it('bad input: env input that is not JSON -> Failed naming the input', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', { inputs: inputs(exampleConfig(), { env: 'baseUrl=x' }) });
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /"env" is not valid JSON/);
  });

  it('secrets: a secret used in a header -> sent to the target, masked with setsecret, absent from every result file and log line', async () => {
    const config = exampleConfig();
    const requests = path.join(path.dirname(config), 'requests.json');
    writeFileSync(requests, readFileSync(requests, 'utf8').replace('"accept": "text/html"', '"accept": "text/html", "x-api-key": "${apiKey}"'));
    const secret = 's3cr3t-value-123';
    const run = await runBundledTask('ReadinessLoadTestV1', {
      inputs: inputs(config, { secrets: JSON.stringify([{ name: 'apiKey', value: secret }]) }),
    });
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.ok(run.secrets.includes(secret), 'the value is registered with the agent for masking');
    assert.ok(target.seen.some((r) => r.headers['x-api-key'] === secret), 'the target received the secret in the header');
    const leaks = (run.stdout + run.stderr).split('\n').filter((line) => line.includes(secret) && !line.startsWith('##vso[task.setsecret]') && !line.startsWith('##vso[task.debug]'));
    assert.deepEqual(leaks, [], 'no log line may carry the secret');
    const evidence = run.attachments.find((a) => a.type === 'readiness.evidence')!;
    for (const file of readdirSync(path.dirname(evidence.path))) {
      assert.doesNotMatch(readFileSync(path.join(path.dirname(evidence.path), file), 'utf8'), new RegExp(secret), `${file} carries the secret`);
    }
  });

  it('cancel: SIGINT while the load runs -> stops, Failed as cancelled, partial evidence kept', async () => {
    const config = exampleConfig();
    // Make the run long enough to cancel it in the middle.
    const requests = path.join(path.dirname(config), 'requests.json');
    writeFileSync(requests, readFileSync(requests, 'utf8').replace(/"durationInSeconds":\s*\d+/g, '"durationInSeconds": 60'));
    let sent = false;
    const started = Date.now();
    const run = await runBundledTask('ReadinessLoadTestV1', {
      inputs: inputs(config),
      onLine: (line) => {
        if (!sent && /requests/.test(line) && /rps/.test(line)) {
          sent = true;
          return 'SIGINT';
        }
      },
    });
    assert.ok(sent, `no progress line was seen${explain(run)}`);
    assert.ok(Date.now() - started < 45_000, 'the task must stop soon after the signal');
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /[Cc]ancel/);
    const partial = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(partial, `the partial result must be published${explain(run)}`);
    const evidence = JSON.parse(readFileSync(partial.path, 'utf8'));
    assert.equal(evidence.metrics.cancelled, true);
    assert.notEqual(evidence.verdict, 'passed');
  });
});
