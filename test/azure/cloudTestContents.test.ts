import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudRunOptions } from '../../src/azure/runCloudTest';
import { altRunFixture, cloudRunner, FAST_POLLS } from '../support/altCloudRun';
import { AltEmulator, type EmulatorOptions } from '../support/altEmulator';

/**
 * The cloud test follows the YAML and the service's documented answers (shared/reference/platform-facts.md):
 * validation waits on the test script only, a run that fails validation is over, and files, app components and
 * metrics the YAML dropped leave the cloud test. Each case failed before its fix.
 */
const REQUESTS = fs.readFileSync(path.join(__dirname, '../../examples/azure/requests.json'), 'utf8');
const FAST = { ...FAST_POLLS, validationTimeoutMs: 2000 };
const APP = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Web/sites/web-orders';
const DB = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Sql/servers/sql-orders';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-contents-'));
  fs.writeFileSync(path.join(dir, 'requests.json'), REQUESTS);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, 'test.yaml');
}
const HEAD = 'version: v0.1\ntestId: orders\ntestType: URL\ntestPlan: requests.json\n';

describe('azure cloud test contents and waits', function () {
  this.timeout(60_000);
  const fixture = altRunFixture();
  let emu: AltEmulator;

  async function start(options: EmulatorOptions = {}) {
    emu = fixture.emu = await new AltEmulator(options).start();
    const run = cloudRunner(emu, { resultsDirectory: fixture.results, pollIntervals: FAST });
    return (configFile: string, extra: Partial<CloudRunOptions> = {}) => run({ configFile, ...extra });
  }

  it('validation: a CSV the service reports with validationStatus "" -> not waited on; the run starts once the script is validated', async () => {
    const run = await start();
    const yaml = project({ 'test.yaml': `${HEAD}configurationFiles:\n  - users.csv\n`, 'users.csv': 'user\nann\n' });
    const outcome = await run(yaml);
    assert.equal(outcome.evidence?.verdict, 'passed', outcome.evidence?.summary);
    const listed = emu.tests.get('orders')!.inputArtifacts as { additionalFileInfo: Array<{ fileName: string; validationStatus: string }> };
    assert.deepEqual(listed.additionalFileInfo.map((f) => [f.fileName, f.validationStatus]), [['users.csv', '']]);
  });

  it('validation: the script stays VALIDATION_INITIATED -> times out naming the script, not the CSV', async () => {
    const run = await start({ validationMs: 60_000 });
    const yaml = project({ 'test.yaml': `${HEAD}configurationFiles:\n  - users.csv\n`, 'users.csv': 'user\nann\n' });
    await assert.rejects(run(yaml, { pollIntervals: { ...FAST, validationTimeoutMs: 300 } }),
      (e: Error) => /did not finish validating requests\.json within/.test(e.message) && !e.message.includes('users.csv'));
  });

  it('run status VALIDATION_FAILURE -> the run is over: error verdict quoting the service, no stop, no timeout', async () => {
    const run = await start({ runValidationFailure: 'The JMX file has no thread group.' });
    const outcome = await run(project({ 'test.yaml': HEAD }), { timeoutSeconds: 20 });
    assert.equal(outcome.evidence?.verdict, 'error');
    assert.match(outcome.evidence!.summary, /refused to start the run .*failed validation \(The JMX file has no thread group\)/);
    assert.deepEqual(emu.stopped, []);
  });

  it('stale files: a CSV dropped from the YAML -> deleted from the test before the upload; the kept one stays', async () => {
    const run = await start();
    await run(project({ 'test.yaml': `${HEAD}configurationFiles:\n  - users.csv\n  - old.csv\n`, 'users.csv': 'u\n', 'old.csv': 'o\n' }));
    const firstRun = emu.requests.length;
    await run(project({ 'test.yaml': `${HEAD}configurationFiles:\n  - users.csv\n`, 'users.csv': 'u\n' }));
    const second = emu.requests.slice(firstRun);
    const deleted = second.filter((r) => r.method === 'DELETE').map((r) => r.path);
    assert.deepEqual(deleted, ['/tests/orders/files/old.csv']);
    const firstUpload = second.findIndex((r) => r.method === 'PUT' && r.path.includes('/files/'));
    assert.ok(second.findIndex((r) => r.method === 'DELETE') < firstUpload, 'deleted before uploading');
    const listed = emu.tests.get('orders')!.inputArtifacts as { additionalFileInfo: Array<{ fileName: string }> };
    assert.deepEqual(listed.additionalFileInfo.map((f) => f.fileName), ['users.csv']);
  });

  it('app components: one dropped from the YAML -> sent as null and gone from the test', async () => {
    const run = await start();
    await run(project({ 'test.yaml': `${HEAD}appComponents:\n  - resourceId: ${APP}\n  - resourceId: ${DB}\n` }));
    await run(project({ 'test.yaml': `${HEAD}appComponents:\n  - resourceId: ${APP}\n` }));
    const last = JSON.parse(emu.requestsTo('PATCH', /\/app-components$/).at(-1)!.body);
    assert.equal(last.components[DB], null);
    assert.deepEqual(Object.keys(emu.appComponents.get('orders')!.components as object), [APP]);
  });

  it('metrics: explicit metrics for a component -> its default metrics sent as null; a component without metrics keeps its defaults', async () => {
    const run = await start({ defaultMetricName: 'Http5xx' });
    await run(project({ 'test.yaml': `${HEAD}appComponents:\n  - resourceId: ${APP}\n  - resourceId: ${DB}\n` }));
    const defaults = Object.values(emu.serverMetrics.get('orders')!.metrics as Record<string, { name: string }>).map((m) => m.name);
    assert.deepEqual(defaults, ['Http5xx', 'Http5xx'], 'each new component brought a default metric');
    await run(project({ 'test.yaml': `${HEAD}appComponents:\n  - resourceId: ${APP}\n    metrics:\n      - name: CpuTime\n        aggregation: Average\n  - resourceId: ${DB}\n` }));
    const held = Object.values(emu.serverMetrics.get('orders')!.metrics as Record<string, { resourceId: string; name: string }>);
    assert.deepEqual(held.filter((m) => m.resourceId === APP).map((m) => m.name), ['CpuTime'], 'only the listed metric for the app');
    assert.deepEqual(held.filter((m) => m.resourceId === DB).map((m) => m.name), ['Http5xx'], 'the database keeps its default');
  });
});
