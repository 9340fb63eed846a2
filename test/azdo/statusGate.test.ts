import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAzureDevOpsClient } from '../../src/azdo/client';
import { Collections, type StatusDocument } from '../../src/gate/records';
import { type AzdoEmulator, startAzdoEmulator } from '../support/azdoEmulator';
import { type HttpRequestExecute, sampleHttpRequestGate } from '../support/serverExpression';

/**
 * The classic release gate, as documented, against the emulator: the server-gate task's own HttpRequest section
 * (tasks/ReadinessStatusGateV1/task.json), expanded with the example inputs of examples/release-gate/README.md,
 * pointed at the emulator instead of dev.azure.com, and judged like the server judges it. The verdict comes from the
 * deployed artifact's run (Build REST, which only Azure DevOps writes), never from the status document.
 */
const ROOT = join(__dirname, '..', '..');
const TOKEN = 'job-token-gate-5d1e';
const SERVICES_HOST = 'https://dev.azure.com/';

const taskJson = JSON.parse(readFileSync(join(ROOT, 'tasks/ReadinessStatusGateV1/task.json'), 'utf8'));
const execute: HttpRequestExecute = taskJson.execution.HttpRequest.Execute;
const gateReadme = readFileSync(join(ROOT, 'examples/release-gate/README.md'), 'utf8');

function fenced(markdown: string, label: string): string {
  const match = new RegExp('```\\w+ ' + label + '\\n([\\s\\S]*?)```').exec(markdown);
  assert.ok(match, `examples/release-gate/README.md has no block labelled ${label}`);
  return match[1].trim();
}

const inputs: Record<string, string> = JSON.parse(fenced(gateReadme, 'release-gate-inputs'));

describe('classic release gate on the artifact\'s run (task.json HttpRequest)', () => {
  let emulator: AzdoEmulator;
  const rebase = () => ({ from: SERVICES_HOST, to: `${emulator.url}/` });
  const variables = () => ({ 'system.accesstoken': TOKEN });
  const run = Number(inputs.buildId);

  before(async () => {
    emulator = await startAzdoEmulator({ accessToken: TOKEN, organization: inputs.organization, project: inputs.project });
  });
  after(() => emulator.close());

  it('gate URL: the task URL with the example inputs is the documented Build REST route', () => {
    const gateUrl = execute.EndpointUrl.replace(/\$\((\w+)\)/g, (_m, name: string) => inputs[name]);
    assert.equal(`GET ${gateUrl}`, fenced(gateReadme, 'status-url'));
    assert.doesNotMatch(JSON.stringify(taskJson.execution), /ExtensionManagement|extmgmt/, 'the gate never reads extension data');
  });

  const cases: Array<{ name: string; build?: Parameters<AzdoEmulator['addBuild']>[0]; passes: boolean; status: number }> = [
    { name: 'no such run (404) -> fails', passes: false, status: 404 },
    { name: 'completed, succeeded, release branch -> passes', build: { id: run, status: 'completed', result: 'succeeded' }, passes: true, status: 200 },
    { name: 'failed (the readiness gate blocked it) -> fails', build: { id: run, status: 'completed', result: 'failed' }, passes: false, status: 200 },
    { name: 'partially succeeded (warn enforcement) -> fails', build: { id: run, status: 'completed', result: 'partiallySucceeded' }, passes: false, status: 200 },
    { name: 'still running -> fails', build: { id: run, status: 'inProgress' }, passes: false, status: 200 },
    { name: 'a pull-request run -> fails', build: { id: run, status: 'completed', result: 'succeeded', reason: 'pullRequest' }, passes: false, status: 200 },
    { name: 'a run of another branch -> fails', build: { id: run, status: 'completed', result: 'succeeded', sourceBranch: 'refs/heads/feature/x' }, passes: false, status: 200 },
  ];
  for (const c of cases) {
    it(`gate: ${c.name}`, async () => {
      if (c.build) emulator.addBuild(c.build);
      const sample = await sampleHttpRequestGate(execute, { taskInputs: inputs, variables: variables(), rebase: rebase() });
      assert.equal(sample.status, c.status, sample.reason);
      assert.equal(sample.passed, c.passes, sample.reason);
    });
  }

  it('gate: a status document saying ready, forged in extension data, with a failed artifact run -> still fails', async () => {
    emulator.addBuild({ id: run, status: 'completed', result: 'failed' });
    const forger = createAzureDevOpsClient({ collectionUri: emulator.collectionUri, project: emulator.project, accessToken: TOKEN, publisher: emulator.publisher, extensionId: emulator.extensionId });
    const forged: StatusDocument = { id: 'orders-api.production', service: 'orders-api', environment: 'production', status: 'ready', level: 'gold', requiredLevel: 'gold', checks: [], evaluatedAt: new Date().toISOString() };
    await forger.extensionData.setDocument(Collections.status, { ...forged, __etag: -1 });
    const sample = await sampleHttpRequestGate(execute, { taskInputs: inputs, variables: variables(), rebase: rebase() });
    assert.equal(sample.passed, false, sample.reason);
  });

  it('gate: a token the service refuses (401) -> gate fails', async () => {
    emulator.addBuild({ id: run, status: 'completed', result: 'succeeded' });
    const sample = await sampleHttpRequestGate(execute, { taskInputs: inputs, variables: { 'system.accesstoken': 'expired' }, rebase: rebase() });
    assert.deepEqual([sample.status, sample.passed], [401, false]);
  });
});
