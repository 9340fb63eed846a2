import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, InfrastructureError } from '../../src/errors';
import { cloudRunner, FAST_POLLS as FAST } from '../support/altCloudRun';
import { AltEmulator, DEFAULT_STATISTICS, type EmulatorOptions } from '../support/altEmulator';

/**
 * The cases where a cloud run must not pass for want of figures: every request failed, no request at all, statistics
 * the service has not published (yet), and files the service has not listed (yet) when validation is judged.
 */
const EXAMPLE = path.join(__dirname, '../../examples/azure/loadtest.yaml');
type Json = Record<string, unknown>;

describe('azure cloud verdict: no pass without figures', () => {
  let emu: AltEmulator;
  let work: string;
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-verdict-'))));
  afterEach(async () => {
    await emu?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function start(options: EmulatorOptions = {}) {
    emu = await new AltEmulator(options).start();
    return cloudRunner(emu, { configFile: EXAMPLE, resultsDirectory: path.join(work, 'results') });
  }

  /** The example's requests with a YAML that sets no failure criteria. */
  function noCriteriaConfig(): string {
    fs.copyFileSync(path.join(path.dirname(EXAMPLE), 'requests.json'), path.join(work, 'requests.json'));
    fs.writeFileSync(path.join(work, 'lt.yaml'), 'testId: no-criteria\ntestType: URL\ntestPlan: requests.json\n');
    return path.join(work, 'lt.yaml');
  }

  function totals(sampleCount: number, errorCount: number) {
    const stats = structuredClone(DEFAULT_STATISTICS);
    Object.assign(stats.Total, { sampleCount, errorCount, errorPct: sampleCount ? (100 * errorCount) / sampleCount : 0 });
    return stats;
  }

  /** Every run the emulator creates publishes its statistics only after `readsAtDone` reads of the DONE run (never if Infinity). */
  function withholdStatistics(readsAtDone: number): void {
    const set = emu.runs.set.bind(emu.runs);
    emu.runs.set = (id: string, run: Json) => {
      let held: unknown;
      let reads = 0;
      Object.defineProperty(run, 'testRunStatistics', { enumerable: true, configurable: true,
        set: (value: unknown) => (held = value),
        get: () => (run.status === 'DONE' && ++reads > readsAtDone ? held : undefined) });
      return set(id, run);
    };
  }

  /** The test's uploaded files are left out of `reads` answers to GET tests/{id} once the upload starts (Infinity: always). */
  function hideUploadedFiles(reads: number): (message: string) => void {
    let hidden = false;
    return (message) => {
      if (hidden || !message.startsWith('Uploading ')) return;
      hidden = true;
      const artifacts = emu.tests.get('checkout-api')!.inputArtifacts as Json;
      let served = 0;
      Object.defineProperty(artifacts, 'toJSON', { enumerable: false, value: () => (served++ < reads ? {} : { ...artifacts }) });
    };
  }

  it('no criteria, every request failed: DONE with 100 of 100 requests in error -> failed, like the local engine', async () => {
    const run = await start({ statistics: totals(100, 100) });
    const e = (await run({ configFile: noCriteriaConfig() })).evidence!;
    assert.equal(e.verdict, 'failed', e.summary);
    assert.match(e.summary, /^Failed: every request failed \(100 errors\); 100 requests at/);
    assert.equal(e.criteria.length, 0);
  });

  it('no criteria, no request: DONE with a sample count of 0 -> error, never passed', async () => {
    const run = await start({ statistics: totals(0, 0) });
    const e = (await run({ configFile: noCriteriaConfig() })).evidence!;
    assert.equal(e.verdict, 'error', e.summary);
    assert.match(e.summary, /^No request completed in run .*; check the target and the test plan\./);
  });

  it('no criteria, some errors: DONE with 6 of 1200 requests in error -> still passed', async () => {
    const run = await start();
    const e = (await run({ configFile: noCriteriaConfig() })).evidence!;
    assert.equal(e.verdict, 'passed', e.summary);
    assert.match(e.summary, /^Passed: no failure criteria set; 1200 requests/);
  });

  it('statistics late: the run is DONE three polls before its statistics appear -> waited for, judged on the real figures', async () => {
    const run = await start();
    withholdStatistics(3);
    const progress: string[] = [];
    const e = (await run({ onProgress: (m) => progress.push(m) })).evidence!;
    assert.equal(e.verdict, 'passed', e.summary);
    assert.equal(e.metrics.totals.requests, DEFAULT_STATISTICS.Total.sampleCount);
    assert.equal(e.metrics.totals.latencyMs.p95, DEFAULT_STATISTICS.Total.pct2ResTime);
    assert.ok(progress.some((m) => /is DONE; waiting for Azure Load Testing to publish its statistics/.test(m)), progress.join('\n'));
  });

  it('statistics never published: "<"-style criteria would pass on zeros -> error verdict saying the statistics are missing', async () => {
    const run = await start();
    withholdStatistics(Infinity);
    const e = (await run({ pollIntervals: { ...FAST, artifactsAttempts: 4 } })).evidence!;
    assert.equal(e.verdict, 'error', e.summary);
    assert.match(e.summary, /reported the run .* as DONE but never returned its statistics \(testRunStatistics\), so nothing could be judged; no verdict/);
    assert.equal(emu.requestsTo('GET', /^\/test-runs\//).length >= 5, true, 'four extra polls after DONE');
  });

  it('validation, test answers 404 right after the upload: the file is then rejected -> ConfigError, no run started', async () => {
    // The first 404 answers the existence check (a new test); the second answers the first validation poll.
    const run = await start({ validationFailure: 'Endpoint is not a valid URL.', faults: [{ method: 'GET', path: /^\/tests\/checkout-api$/, status: 404, times: 2 }] });
    await assert.rejects(run(), (e: Error) => e instanceof ConfigError && /requests\.json: Azure Load Testing could not validate the file: "Endpoint is not a valid URL\."/.test(e.message));
    assert.equal(emu.requestsTo('PATCH', /^\/test-runs\//).length, 0);
  });

  it('validation, uploaded file not listed yet: two polls without it, then rejected -> ConfigError, no run started', async () => {
    const run = await start({ validationFailure: 'Endpoint is not a valid URL.' });
    await assert.rejects(run({ onProgress: hideUploadedFiles(2) }), ConfigError);
    assert.equal(emu.requestsTo('PATCH', /^\/test-runs\//).length, 0);
  });

  it('validation, uploaded file never listed: -> InfrastructureError naming it after the validation timeout, no run started', async () => {
    const run = await start();
    await assert.rejects(run({ onProgress: hideUploadedFiles(Infinity), pollIntervals: { ...FAST, validationTimeoutMs: 300 } }), (e: Error) => {
      assert.ok(e instanceof InfrastructureError, String(e));
      assert.match(e.message, /did not finish validating requests\.json \(not listed on the test\) within 0\.3 s/);
      return true;
    });
    assert.equal(emu.requestsTo('PATCH', /^\/test-runs\//).length, 0);
  });
});
