import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudRunOptions } from '../../src/azure/runCloudTest';
import { CancelledError } from '../../src/errors';
import { writeEvidenceFile } from '../../src/evidence/files';
import { renderHtml, renderJUnit, renderMarkdown } from '../../src/evidence/render';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { judgeAgainstBaseline } from '../../src/regression/apply';
import { RunFigures } from '../../src/regression/runFigures';
import { readSampleLog } from '../../src/azure/sampleLog';
import { AltEmulator, type EmulatorOptions } from '../support/altEmulator';
import { altRunFixture, cloudRunner } from '../support/altCloudRun';
import { modelledSamples, modelPercentile, resultsZipOf, sampleLogFiles, zipOf, type SampleLogModel } from '../support/altSampleLog';

const EXAMPLE = path.join(__dirname, '../../examples/azure/loadtest.yaml');

/** Two requests whose response times follow known distributions (altSampleLog.ts), 3,000 samples in all. */
const MODEL: SampleLogModel = {
  requests: [
    { label: 'home', count: 2000, baseMs: 8, tailMs: 20 },
    { label: 'search', count: 1000, baseMs: 15, tailMs: 40 },
  ],
  engines: 2,
};

describe('azure cloud run: sample log into the evidence', () => {
  const fixture = altRunFixture();

  async function cloudRun(options: EmulatorOptions, extra: Partial<CloudRunOptions> = {}) {
    await fixture.emu?.stop();
    fixture.emu = await new AltEmulator({ stepMs: 0, validationMs: 0, ...options }).start();
    const warnings: string[] = [];
    const outcome = await cloudRunner(fixture.emu, { resultsDirectory: fixture.results })({ configFile: EXAMPLE, onWarning: (w) => warnings.push(w), ...extra });
    return { evidence: outcome.evidence!, warnings, outcome };
  }

  it('modelled distribution: percentiles read from the evidence histograms -> the samples\' own within 0.1%, near the model', async () => {
    const { evidence, warnings } = await cloudRun({ sampleLog: MODEL });
    assert.deepEqual(warnings, []);
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.azure?.sampleLog?.read, true);
    const figures = new RunFigures(evidence);
    const samples = modelledSamples(MODEL);
    for (const scope of ['Total', 'home', 'search']) {
      assert.ok(figures.hasDistribution(scope), scope);
      const own = samples.filter((s) => scope === 'Total' || s.label === scope).map((s) => s.elapsed).sort((a, b) => a - b);
      for (const p of [50, 95, 99]) {
        const figure = figures.figure(scope, `p${p}`) as { value: number; standardError: number };
        const exact = own[Math.ceil(Number(((p / 100) * own.length).toFixed(9))) - 1];
        assert.ok(Math.abs(figure.value - exact) <= exact * 0.001 + 0.001, `${scope} p${p}: evidence ${figure.value} ms, samples ${exact} ms`);
        assert.ok(figure.standardError > 0, 'a distribution gives the percentile its sampling error');
        if (scope !== 'Total') {
          const model = modelPercentile(MODEL.requests.find((r) => r.label === scope)!, p);
          assert.ok(Math.abs(figure.value - model) <= 0.05 * model + 1, `${scope} p${p}: evidence ${figure.value} ms, model ${model} ms`);
        }
      }
    }
  });

  it('results.zip truncated: -> warning naming results.zip, evidence on the service\'s statistics only, verdict unchanged, archive not kept', async () => {
    const whole = await resultsZipOf(MODEL);
    const { evidence, warnings, outcome } = await cloudRun({ sampleLog: MODEL, resultsArchive: whole.subarray(0, whole.length - 200) });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.totals.latencyHistogram, undefined, 'no fabricated histogram');
    assert.ok(evidence.metrics.requests.every((r) => r.latencyHistogram === undefined));
    assert.equal(evidence.metrics.azure?.sampleLog?.read, false);
    assert.equal(warnings.length, 1, 'one warning for one archive');
    assert.match(warnings[0], /^results\.zip: could not be read as a zip archive .*; it may be truncated or damaged\. results\.zip was not kept: .*download it from the run in the portal\. The baseline comparison uses the service's statistics/);
    assert.deepEqual(outcome.files.map((f) => path.basename(f)), ['report.zip']);
    assert.deepEqual(fs.readdirSync(fixture.results), ['report.zip'], 'no unmasked download left behind');
    // The comparison still reads the service's percentiles.
    assert.equal((new RunFigures(evidence).figure('Total', 'p95') as { value: number }).value, evidence.metrics.totals.latencyMs.p95);
  });

  it('results.zip of this run not kept, an earlier step\'s results.zip in the same folder: -> the earlier one removed, not passed off as this run\'s', async () => {
    fs.writeFileSync(path.join(fixture.results, 'results.zip'), await resultsZipOf({ ...MODEL, scale: 2 }));
    const whole = await resultsZipOf(MODEL);
    const { outcome } = await cloudRun({ sampleLog: MODEL, resultsArchive: whole.subarray(0, whole.length - 200) });
    assert.deepEqual(outcome.files.map((f) => path.basename(f)), ['report.zip']);
    assert.deepEqual(fs.readdirSync(fixture.results), ['report.zip']);
  });

  it('results.zip with a malformed row: -> warning naming the file and line, no histogram', async () => {
    const files = sampleLogFiles(MODEL);
    files[1].csv = files[1].csv.replace(/\n(\d+),(\d+),home,/, '\n$1,fast,home,');
    const { evidence, warnings } = await cloudRun({ sampleLog: MODEL, resultsArchive: await zipOf(files.map((f) => ({ name: f.name, content: f.csv }))) });
    assert.match(warnings[0], /^results\.zip\/engine2\/results\.csv: line \d+: elapsed "fast" is not a whole number of milliseconds/);
    assert.equal(evidence.metrics.totals.latencyHistogram, undefined);
    assert.match(evidence.metrics.azure?.sampleLog?.detail ?? '', /engine2\/results\.csv: line \d+/);
  });

  it('no results.zip offered (over 45 engines or 3 hours): -> warning that says so, service statistics used', async () => {
    const { evidence, warnings } = await cloudRun({ sampleLog: MODEL, noResultsFile: true });
    assert.match(warnings[0], /offered no results\.zip for this run/);
    assert.equal(evidence.metrics.totals.latencyHistogram, undefined);
    assert.equal(evidence.verdict, 'passed');
  });

  it('results.zip over the size cap: -> neither read nor kept, warning names the cap', async () => {
    const { evidence, warnings } = await cloudRun({ sampleLog: MODEL }, { archiveLimits: { maxArchiveBytes: 1024 } });
    assert.match(warnings.join('\n'), /results\.zip is larger than 0 MiB, so it was neither read nor kept/);
    assert.equal(evidence.metrics.totals.latencyHistogram, undefined);
    assert.deepEqual(fs.readdirSync(fixture.results), ['report.zip'], 'no partial download left behind');
  });

  it('results.zip inflating past the masked-copy cap: -> read for the sample log, not kept, warning names the cap', async () => {
    const { evidence, warnings, outcome } = await cloudRun({ sampleLog: MODEL }, { archiveLimits: { maxMaskedBytes: 64 * 1024 } });
    assert.deepEqual(warnings, ['results.zip was not kept: it inflates to 353 KiB, over the 64 KiB a masked copy may hold; download it from the run in the portal']);
    assert.ok(evidence.metrics.totals.latencyHistogram, 'the sample log is read under its own cap');
    assert.deepEqual(outcome.files.map((f) => path.basename(f)), ['report.zip']);
    assert.deepEqual(fs.readdirSync(fixture.results), ['report.zip']);
  });

  it('unmasked downloads: -> in a private 0700 folder under the scratch directory, never in the results folder, removed afterwards', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-scratch-'));
    try {
      const seen: Array<{ results: string[]; privateDirs: string[]; mode: number; raw: string[] }> = [];
      const onProgress = (message: string) => {
        if (!/^Reading the sample log/.test(message)) return;
        const privateDirs = fs.readdirSync(scratch);
        seen.push({ results: fs.readdirSync(fixture.results), privateDirs, mode: fs.statSync(path.join(scratch, privateDirs[0])).mode & 0o777,
          raw: fs.readdirSync(path.join(scratch, privateDirs[0])) });
      };
      const { evidence } = await cloudRun({ sampleLog: MODEL }, { scratchDirectory: scratch, onProgress });
      assert.equal(evidence.metrics.azure?.sampleLog?.read, true);
      assert.equal(seen.length, 1, 'the sample log was read once');
      assert.deepEqual(seen[0].results, [], 'nothing in the published folder while the raw archive is read');
      assert.match(seen[0].privateDirs.join(), /^readiness-archives-\w+$/);
      assert.equal(seen[0].mode, 0o700);
      assert.deepEqual(seen[0].raw, ['results.zip']);
      assert.deepEqual(fs.readdirSync(scratch), [], 'the private folder is removed');
      assert.deepEqual(fs.readdirSync(fixture.results).sort(), ['report.zip', 'results.zip']);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('cancelled while the downloaded results.zip is read: -> CancelledError, the raw download existed and is gone, nothing unmasked kept', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-scratch-'));
    try {
      const pipeline = new AbortController();
      const rawAtCancel: string[] = [];
      const onProgress = (message: string) => {
        if (!/^Reading the sample log/.test(message)) return;
        for (const dir of fs.readdirSync(scratch)) rawAtCancel.push(...fs.readdirSync(path.join(scratch, dir)).map((f) => `${dir}/${f}`));
        pipeline.abort();
      };
      await assert.rejects(cloudRun({ sampleLog: MODEL }, { signal: pipeline.signal, scratchDirectory: scratch, onProgress }),
        (error: Error) => error instanceof CancelledError && /nothing unmasked was kept/.test(error.message));
      assert.match(rawAtCancel.join(), /^readiness-archives-\w+\/results\.zip$/, 'cancelled once the raw download existed');
      assert.deepEqual(fs.readdirSync(scratch), [], 'the raw download and its folder are gone');
      assert.deepEqual(fs.readdirSync(fixture.results), [], 'nothing kept in the results folder');
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('secret in labels and URLs of the sample log: -> evidence, markdown, JUnit, HTML and the kept results.zip never carry it', async () => {
    const secret = 'tok-7f3a9c51e2';
    const model: SampleLogModel = { requests: [{ label: `login ${secret}`, count: 300, baseMs: 5, tailMs: 10 }], urlSuffix: `?session=${secret}` };
    const { evidence } = await cloudRun({ sampleLog: model }, { secrets: [{ name: 'session', value: secret }] });
    assert.ok(evidence.metrics.requests[0].latencyHistogram, 'the label matched the service\'s sampler before masking');
    const file = await writeEvidenceFile(fixture.results, evidence);
    assert.match(fs.readFileSync(file, 'utf8'), /"name": "login \*\*\*"/);
    for (const text of [fs.readFileSync(file, 'utf8'), renderMarkdown(evidence), renderJUnit(evidence), renderHtml(evidence)]) assert.ok(!text.includes(secret));
    const kept = await readSampleLog(path.join(fixture.results, 'results.zip'));
    assert.deepEqual([...kept.log!.labels.keys()], ['login ***'], 'the kept archive is the masked copy');
    const raw = fs.readFileSync(path.join(fixture.results, 'results.zip'));
    assert.equal(raw.includes(Buffer.from(secret)), false);
    assert.equal(fs.readFileSync(path.join(fixture.results, 'report.zip')).includes(Buffer.from(secret)), false);
  });

  it('regression, cloud against cloud: three baseline runs, then one 20% slower -> regressed; one equal -> not regressed', async () => {
    const baseline: LoadTestEvidence[] = [];
    for (const scale of [0.99, 1, 1.01]) baseline.push((await cloudRun({ sampleLog: { ...MODEL, scale } })).evidence);
    const slower = (await cloudRun({ sampleLog: { ...MODEL, scale: 1.2 } })).evidence;
    const judgedSlower = judgeAgainstBaseline(slower, baseline, []);
    assert.equal(judgedSlower.metrics.regression?.verdict, 'regressed', judgedSlower.metrics.regression?.summary);
    assert.equal(judgedSlower.verdict, 'failed');
    assert.ok(judgedSlower.metrics.regression!.rows.some((r) => r.request === 'Total' && r.metric === 'p50' && r.verdict === 'regressed'));
    assert.equal(judgedSlower.metrics.regression!.refused.length, 0, 'cloud runs of one plan on one resource compare');

    const equal = (await cloudRun({ sampleLog: MODEL })).evidence;
    const judgedEqual = judgeAgainstBaseline(equal, baseline, []);
    assert.notEqual(judgedEqual.metrics.regression?.verdict, 'regressed', judgedEqual.metrics.regression?.summary);
    assert.equal(judgedEqual.verdict, 'passed');
    assert.ok(judgedEqual.metrics.regression!.rows.every((r) => r.verdict !== 'regressed'));
    assert.equal(judgedEqual.metrics.regression!.rows.find((r) => r.request === 'Total' && r.metric === 'p50')?.verdict, 'unchanged');
  });
});
