import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunFigures } from '../../src/regression/runFigures';
import { AltEmulator } from '../support/altEmulator';
import { altRunFixture, cloudRunner } from '../support/altCloudRun';
import { sampleLogFiles, statisticsOf, zipOf, type SampleLogModel } from '../support/altSampleLog';

const EXAMPLE = path.join(__dirname, '../../examples/azure/loadtest.yaml');
const TRANSACTION = 'Number of samples in transaction : 1';

/** 2,000 requests, one in ten taking a second: the service measures p95 = 1000 ms. */
const MODEL: SampleLogModel = { requests: [{ label: 'checkout', count: 2000, baseMs: 10, tailMs: 0 }], engines: 1 };

/**
 * The sample log as the test script can shape it: JMeter writes whatever response message and label the script
 * sets, so `slow` rows can be made to look like transaction controller rows (which the reader leaves out), and
 * `extra` fast rows can be added so the count still matches.
 */
function forgedLog(slowEvery: number, options: { disguise: 'transaction' | 'sub-result'; padWithFast?: boolean }): string {
  const [file] = sampleLogFiles(MODEL);
  const lines = file.csv.trimEnd().split('\n');
  const out = [lines[0]];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    if ((i + 1) % slowEvery !== 0) return void out.push(line);
    cells[1] = '1000';
    if (options.disguise === 'transaction') cells[4] = TRANSACTION;
    else cells[2] = `${cells[2]}-${i}`; // `<previous label>-<n>`: a sub-result of the row before
    out.push(cells.join(','));
    if (options.padWithFast) out.push(line); // a fast row in its place keeps the count equal
  });
  return `${out.join('\n')}\n`;
}

/** What the service measured for the same run: every tenth request slow. */
function serviceStatistics(slowEvery: number): Record<string, Record<string, number>> {
  const elapsed = Array.from({ length: 2000 }, (_, i) => ((i + 1) % slowEvery === 0 ? 1000 : 10)).sort((a, b) => a - b);
  const base = statisticsOf(MODEL).Total;
  const at = (p: number) => elapsed[Math.ceil((p / 100) * elapsed.length) - 1];
  const stats = { ...base, medianResTime: at(50), pct75ResTime: at(75), pct1ResTime: at(90), pct2ResTime: at(95), pct3ResTime: at(99),
    maxResTime: 1000, meanResTime: elapsed.reduce((a, b) => a + b, 0) / elapsed.length };
  return { Total: stats, checkout: stats };
}

describe('attacks: Azure Load Testing sample log', () => {
  const fixture = altRunFixture();

  async function run(archive: string) {
    fixture.emu = await new AltEmulator({ stepMs: 0, validationMs: 0, sampleLog: MODEL, statistics: serviceStatistics(10),
      resultsArchive: await zipOf([{ name: 'engine1/results.csv', content: archive }]) }).start();
    const warnings: string[] = [];
    const outcome = await cloudRunner(fixture.emu, { resultsDirectory: fixture.results })({ configFile: EXAMPLE, onWarning: (w) => warnings.push(w) });
    return { evidence: outcome.evidence!, warnings };
  }

  const forgeries: Array<{ name: string; log: () => string; why: RegExp }> = [
    { name: 'slow samples disguised as transaction controller rows', log: () => forgedLog(10, { disguise: 'transaction' }),
      why: /Total: the log counts 1800 requests where the service counts 2000/ },
    { name: 'disguised slow samples with fast rows added so the count matches', log: () => forgedLog(10, { disguise: 'transaction', padWithFast: true }),
      why: /Total: the log's p95 is 10(\.\d+)? ms where the service's is 1000 ms/ },
  ];
  for (const forgery of forgeries) {
    it(`attack: ${forgery.name} -> no histogram, p95 is the service's 1000 ms, the evidence and a warning say why`, async () => {
      const { evidence, warnings } = await run(forgery.log());
      assert.equal(evidence.metrics.totals.latencyHistogram, undefined, 'the forged distribution is not attached');
      assert.ok(evidence.metrics.requests.every((r) => r.latencyHistogram === undefined));
      assert.equal((new RunFigures(evidence).figure('Total', 'p95') as { value: number }).value, 1000);
      assert.match(evidence.metrics.azure?.sampleLog?.detail ?? '', forgery.why);
      assert.match(warnings.join('\n'), /^results\.zip: Distributions not used, as the log disagrees with the service's statistics/m);
      assert.match(warnings.join('\n'), forgery.why);
    });
  }

  it('attack: slow samples disguised as sub-results (`<previous label>-<n>`, outside that sample\'s time) -> counted, p95 1000 ms as the service measured', async () => {
    const { evidence, warnings } = await run(forgedLog(10, { disguise: 'sub-result' }));
    // Each disguised row is a sampler of its own: its label differs per row, so only the Total is compared.
    assert.equal(evidence.metrics.totals.requests, 2000);
    assert.ok(evidence.metrics.totals.latencyHistogram, 'the log counts every request, so its distribution is the service\'s');
    assert.ok((new RunFigures(evidence).figure('Total', 'p95') as { value: number }).value >= 999);
    assert.doesNotMatch(warnings.join('\n'), /Total:/);
  });

  it('control: the same run logged honestly -> its histogram is attached', async () => {
    const [file] = sampleLogFiles(MODEL);
    const honest = file.csv.trimEnd().split('\n').map((line, i) => {
      if (i === 0 || i % 10 !== 0) return line;
      const cells = line.split(',');
      cells[1] = '1000';
      return cells.join(',');
    });
    const { evidence, warnings } = await run(`${honest.join('\n')}\n`);
    assert.deepEqual(warnings, []);
    assert.ok(evidence.metrics.totals.latencyHistogram);
    assert.equal((new RunFigures(evidence).figure('Total', 'p95') as { value: number }).value >= 999, true);
  });
});
