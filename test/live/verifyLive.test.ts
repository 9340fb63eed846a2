import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSUMPTIONS } from '../../scripts/verifyLive/assumptions';
import { createCredential } from '../../src/azure/credentials';
import { runCloudCapacitySearch } from '../../src/capacity/cloudSearch';
import { cloudCapacityTest } from '../capacity/helpers';
import { AltEmulator, DEFAULT_SAMPLE_LOG, emulatedConnection, emulatedResource, type EmulatorOptions } from '../support/altEmulator';
import { resultsZipOf } from '../support/altSampleLog';
import { startAzdoEmulator, type AzdoEmulator } from '../support/azdoEmulator';

/**
 * `npm run verify:live` against the emulators. This proves the checks run and read the answers right; it proves
 * nothing about the real platform, which is why docs/emulators.md still says "not yet run live".
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'verifyLive.ts');
const ADO_TOKEN = 'job-token-for-verify-live';
const APP = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Web/sites/web-orders';

function verifyLive(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('READINESS_LIVE_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [require.resolve('tsx/cli'), SCRIPT, ...args], { cwd: ROOT, env: { ...clean, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Outcome by id, read from the printed table. */
function outcomes(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split('\n').filter((l) => /^\| [a-z]+-/.test(l)).map((l) => l.split('|').map((c) => c.trim()))
    .map((cells) => [cells[1], cells[3]]));
}

describe('npm run verify:live', function () {
  this.timeout(120_000);
  let emu: AltEmulator | undefined;
  let azdo: AzdoEmulator | undefined;
  afterEach(async () => {
    await emu?.stop();
    await azdo?.close();
    emu = undefined;
    azdo = undefined;
  });

  it('docs/emulators.md: the "only assumes" table -> lists exactly the ids the command checks', () => {
    const page = readFileSync(path.join(ROOT, 'docs', 'emulators.md'), 'utf8');
    const table = page.slice(page.indexOf('## What each emulator only assumes'), page.indexOf('## Checking the platform live'));
    const ids = [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(ids, ASSUMPTIONS.map((a) => a.id));
    assert.match(page.slice(page.indexOf('## Checking the platform live')), /not yet run live/);
  });

  it('no credentials -> "not run", every assumption listed as not checked, exit 0', async () => {
    const run = await verifyLive([]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Live check: not run/);
    const seen = outcomes(run.stdout);
    assert.deepEqual(Object.keys(seen), ASSUMPTIONS.map((a) => a.id));
    assert.ok(Object.values(seen).every((o) => o === 'not checked'));
  });

  async function emulatorCredentials(extra: Record<string, string> = {}, options: EmulatorOptions = {}): Promise<{ file: string; env: Record<string, string> }> {
    emu = await new AltEmulator({ stepMs: 0, validationMs: 0, ...options }).start();
    azdo = await startAzdoEmulator({ accessToken: ADO_TOKEN });
    azdo.addIdentity({ name: '[Orders]\\Contributors', members: [azdo.addIdentity({ name: 'Ann' })] });
    const o = emu.options;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'verify-live-')), 'credentials.json');
    writeFileSync(file, JSON.stringify({
      READINESS_LIVE_TENANT_ID: o.tenantId, READINESS_LIVE_CLIENT_ID: o.clientId, READINESS_LIVE_CLIENT_SECRET: o.clientSecret,
      READINESS_LIVE_SUBSCRIPTION_ID: o.subscriptionId, READINESS_LIVE_RESOURCE_GROUP: o.resourceGroup, READINESS_LIVE_RESOURCE: o.resourceName,
      READINESS_LIVE_AUTHORITY_HOST: emu.baseUrl, READINESS_LIVE_ARM_ENDPOINT: emu.baseUrl,
      READINESS_LIVE_ADO_COLLECTION_URI: azdo.collectionUri, READINESS_LIVE_ADO_PROJECT: azdo.project, READINESS_LIVE_ADO_TOKEN: ADO_TOKEN,
      ...extra,
    }));
    return { file, env: { NODE_EXTRA_CA_CERTS: emu.caFile() } };
  }

  /** A finished stepped run on the emulator, as `readiness capacity --engine azure` leaves one, for the metrics checks. */
  async function capacityRun(): Promise<string> {
    const { credential, armEndpoint } = createCredential(emulatedConnection(emu!), { caCertificate: emu!.ca });
    const evidence = await runCloudCapacitySearch({
      configFile: cloudCapacityTest('holdSeconds: 10\nazure: { steps: 10 }\nserviceLevel: ["percentage(error) > 1"]'), resource: emulatedResource(emu!),
      credential, armEndpoint, caCertificate: emu!.ca, resultsDirectory: mkdtempSync(path.join(os.tmpdir(), 'verify-live-run-')), retryDelayMs: 20,
    });
    return evidence.metrics.cloud!.testRunId;
  }

  it('credentials from a file, against the emulators -> each checkable assumption confirmed, no secret printed', async () => {
    const { file, env } = await emulatorCredentials({ READINESS_LIVE_APP_COMPONENT_ID: APP, READINESS_LIVE_ALLOW_RUNS: 'true', READINESS_LIVE_TEST_RUN_ID: 'finished-run' },
      { service: { slots: 8, serviceMs: 50, mode: 'shed' } });
    // A finished run on the resource, with its sample log (the emulator's modelled one).
    emu!.runs.set('finished-run', { testRunId: 'finished-run', status: 'DONE',
      testArtifacts: { outputArtifacts: { resultFileInfo: { url: `${emu!.baseUrl}/blob/finished-run/results.zip?sig=x` } } } });
    emu!.archives.set('/blob/finished-run/results.zip', await resultsZipOf(DEFAULT_SAMPLE_LOG));
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...settings, READINESS_LIVE_METRICS_RUN_ID: await capacityRun() }));
    const run = await verifyLive(['--credentials', file], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const seen = outcomes(run.stdout);
    for (const id of ['alt-nonscript-status-empty', 'alt-zip-in-additional-files', 'alt-delete-file-204', 'alt-dataplane-uri-no-scheme',
      'alt-sas-refuses-bearer', 'alt-p999-accepted', 'alt-default-metrics', 'alt-readonly-run-fields-refused',
      'alt-results-csv-shape',
      'alt-metrics-unfiltered-one-series', 'alt-metrics-nextlink-get', 'alt-virtualusers-level', 'alt-totalrequests-include-errors', 'alt-step-levels',
      'ado-job-token-extension-data', 'ado-identities-org-scope']) {
      assert.equal(seen[id], 'confirmed', `${id}\n${run.stdout}`);
    }
    assert.equal(seen['ado-job-token-approvals'], 'not checked', 'no build id given');
    assert.equal(seen['ado-one-click-two-roles'], 'not checked');
    for (const secret of [emu!.options.clientSecret, ADO_TOKEN]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'credentials are masked');
    }
    assert.ok(!emu!.tests.has('readiness-verify-live'), 'the throwaway test was deleted');
    assert.deepEqual(azdo!.documents('readiness-verify-live'), [], 'the throwaway document was deleted');
  });

  it('the organisation refuses the token on extension data (403) -> "refuted", exit 1', async () => {
    const { file, env } = await emulatorCredentials();
    azdo!.fail({ status: 403, path: /ExtensionManagement/, times: 10 });
    const run = await verifyLive(['--credentials', file], env);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(outcomes(run.stdout)['ado-job-token-extension-data'], 'refuted', run.stdout);
  });

  it('--credentials without a file -> exit 2 naming the flag', async () => {
    const run = await verifyLive(['--credentials']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--credentials needs a file path/);
  });
});
