import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import type { CapacityEvidence } from '../../src/evidence/types';
import { capacityTest, cloudCapacityTest } from '../capacity/helpers';
import { AltEmulator } from '../support/altEmulator';
import { startCapacityTarget, type CapacityTarget } from '../support/capacityTarget';

async function cli(args: string[], signal = new AbortController().signal, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd(), env, signal };
  const code = await main(['capacity', ...args], io);
  return { code, stdout, stderr };
}

const readEvidence = (stdout: string) => JSON.parse(fs.readFileSync(stdout.trim(), 'utf8')) as CapacityEvidence;
const outDir = () => fs.mkdtempSync('/tmp/capacity-out-');

describe('cli/capacity', function () {
  this.timeout(60_000);
  let target: CapacityTarget;
  before(async () => (target = await startCapacityTarget({ mode: 'queue', servers: 4, serviceMs: 20 })));
  after(async () => target.close());

  const badInput: Array<{ name: string; capacity: string; message: RegExp }> = [
    { name: 'capacity: unknown key -> exit 2 naming the line and the nearest key', capacity: 'serviceLevel: ["p95(response_time_ms) > 100"]\nholdSecond: 5', message: /test\.yaml:\d+ capacity\.holdSecond: unknown key "holdSecond"; did you mean "holdSeconds"\?/ },
    { name: 'capacity: no service level anywhere -> exit 2 saying what to add', capacity: 'startRps: 10', message: /the search needs a service level: add capacity\.serviceLevel/ },
    { name: 'capacity: a rate criterion in the service level -> exit 2', capacity: 'serviceLevel: ["avg(requests_per_sec) < 10"]', message: /the search varies the request rate/ },
    { name: 'capacity: bad criterion grammar -> exit 2 with the criteria parser\'s message and line', capacity: 'serviceLevel: ["p95(response_time) > 100"]', message: /test\.yaml:\d+ .*response_time/ },
    { name: 'capacity: a per-request bound on a request that does not exist -> exit 2 with the nearest name', capacity: 'serviceLevel: ["home: p95(response_time_ms) > 100"]', message: /capacity\.serviceLevel: "home: p95\(response_time_ms\) > 100": no request is named "home"; did you mean "Home"\?/ },
    { name: 'capacity: maxRps below startRps, negative hold -> both reported at once', capacity: 'serviceLevel: ["p95(response_time_ms) > 100"]\nstartRps: 100\nmaxRps: 10\nholdSeconds: -1', message: /maxRps: must be at least startRps[\s\S]*holdSeconds: must be a number from 1 to 600, found -1/ },
  ];
  for (const c of badInput) {
    it(c.name, async () => {
      const r = await cli(['--config', capacityTest(target.url, c.capacity), '--out', outDir()]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('request budget: the next probe would pass it -> stops early, says why, writes the curve so far', async () => {
    const r = await cli(['--config', capacityTest(target.url, 'serviceLevel: ["p95(response_time_ms) > 100"]\nstartRps: 50\nholdSeconds: 1\nbudget: { requests: 120 }'), '--out', outDir()]);
    const e = readEvidence(r.stdout);
    assert.equal(e.metrics.outcome, 'incomplete', e.summary);
    assert.equal(e.metrics.stoppedBy?.reason, 'request-budget');
    assert.equal(e.metrics.steps.length, 1);
    assert.equal(e.metrics.provenRps, 50);
    assert.match(e.summary, /request-budget: the next probe \(100 rps for 1 s\) would pass the request budget of 120/);
    assert.equal(r.code, 3);
    for (const ext of ['.md', '.html', '.junit.xml']) assert.ok(fs.existsSync(r.stdout.trim().replace(/\.json$/, ext)));
  });

  it('time budget: stops before a probe that would not fit, and says so', async () => {
    const r = await cli(['--config', capacityTest(target.url, 'serviceLevel: ["p95(response_time_ms) > 100"]\nstartRps: 20\nholdSeconds: 2\nbudget: { seconds: 5 }'), '--out', outDir()]);
    const e = readEvidence(r.stdout);
    assert.equal(e.metrics.stoppedBy?.reason, 'time-budget', e.summary);
    assert.ok(e.metrics.durationSeconds <= 5.5, `took ${e.metrics.durationSeconds} s`);
    assert.ok(e.metrics.steps.length >= 1);
  });

  it('cancel (SIGINT) during a probe -> stops within a second, exit 3, writes what it learned', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 2500);
    const r = await cli(['--config', capacityTest(target.url, 'serviceLevel: ["p95(response_time_ms) > 100"]\nstartRps: 20\nholdSeconds: 2'), '--out', outDir()], controller.signal);
    const tookMs = Date.now() - started;
    assert.equal(r.code, 3, r.stderr);
    const e = readEvidence(r.stdout);
    assert.equal(e.metrics.cancelled, true);
    assert.equal(e.metrics.stoppedBy?.reason, 'cancelled');
    assert.equal(e.verdict, 'error');
    assert.ok(e.metrics.steps.length >= 1 && e.metrics.provenRps >= 20, e.summary);
    const md = fs.readFileSync(r.stdout.trim().replace(/\.json$/, '.md'), 'utf8');
    assert.match(md, /Capacity search: Error \(cancelled\)/);
    if (!e.metrics.steps.at(-1)!.good && e.metrics.steps.at(-1)!.signals.length === 0) assert.match(md, /cut short \(cancelled\)/);
    assert.ok(tookMs < 4500, `took ${tookMs} ms after a cancel at 2.5 s`);
  });
});

/** `readiness capacity --engine azure` against the Azure Load Testing emulator, whose run meets 8 slots x 50 ms (160 rps). */
describe('cli/capacity --engine azure', function () {
  this.timeout(60_000);
  let emu: AltEmulator | undefined;
  afterEach(async () => emu?.stop());
  const config = () => cloudCapacityTest('holdSeconds: 10\nazure: { steps: 10 }\nserviceLevel: ["p95(response_time_ms) > 500", "percentage(error) > 1"]');

  it('capacity --engine azure: service principal from the environment -> exit 0, knee from the run\'s metrics, secret never printed', async () => {
    emu = await new AltEmulator({ stepMs: 0, validationMs: 0, service: { slots: 8, serviceMs: 50 } }).start();
    const o = emu.options;
    const r = await cli(['--config', config(), '--out', outDir(), '--engine', 'azure', '--subscription', o.subscriptionId, '--resource-group', o.resourceGroup,
      '--load-test-resource', o.resourceName, '--arm-endpoint', emu.baseUrl, '--ca-file', emu.caFile()], undefined,
    { AZURE_TENANT_ID: o.tenantId, AZURE_CLIENT_ID: o.clientId, AZURE_CLIENT_SECRET: o.clientSecret, AZURE_AUTHORITY_HOST: emu.baseUrl });
    assert.equal(r.code, 0, r.stderr);
    const e = readEvidence(r.stdout);
    assert.equal(e.metrics.engine, 'azure');
    assert.equal(e.metrics.sustainableRps, 160, e.summary);
    assert.match(r.stderr, /ramp 160 rps \(8 users\): achieved 160, .*: held/);
    assert.ok(!r.stderr.includes(o.clientSecret));
  });

  it('capacity --engine azure without the resource flags or the credential variables -> exit 2 listing every missing one, nothing sent', async () => {
    const r = await cli(['--config', config(), '--out', outDir(), '--engine', 'azure', '--subscription', 'sub'], undefined, { AZURE_TENANT_ID: 't' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--resource-group: required with --engine azure/);
    assert.match(r.stderr, /--load-test-resource: required with --engine azure/);
    assert.match(r.stderr, /AZURE_CLIENT_ID: not set/);
    assert.match(r.stderr, /AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: neither is set/);
  });

  it('capacity: a resource flag without --engine azure -> exit 2 saying to add it', async () => {
    const r = await cli(['--config', config(), '--resource-group', 'rg']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--resource-group: for engine azure only; add --engine azure/);
  });
});
