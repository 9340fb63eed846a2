import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSampleLog, type SampleLog } from '../../src/azure/sampleLog';
import { percentiles } from '../../src/load/engine/recorder';
import { registerSecret } from '../../src/redact/secretMask';
import { sampleLogNote, withSampleLog } from '../../src/azure/sampleLogStats';
import { modelledSamples, sampleLogFiles, zipOf, type SampleLogModel } from '../support/altSampleLog';

/** The JMeter CSV header of Azure Load Testing's results files (how-to-export-test-results.md). */
const HEADER = 'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect';
const row = (elapsed: string | number, label: string, extra: { code?: string; message?: string; thread?: string; success?: string; ts?: number } = {}) =>
  `${extra.ts ?? 1676040230680},${elapsed},${label},${extra.code ?? '200'},${extra.message ?? 'OK'},${extra.thread ?? '172.18.33.7-Thread Group 1-1'},text,${extra.success ?? 'true'},,1607,133,5,5,https://www.example.com/,98,0,94`;

const MODEL: SampleLogModel = {
  requests: [
    { label: 'home', count: 3000, baseMs: 5, tailMs: 20 },
    { label: 'search, "advanced"', count: 1500, baseMs: 12, tailMs: 80, errorEvery: 50, networkErrorEvery: 300 },
  ],
  engines: 3,
};

describe('azure sample log (results.zip)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sample-log-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function archive(files: Array<{ name: string; content: string | Buffer }>): Promise<string> {
    const file = path.join(dir, 'results.zip');
    fs.writeFileSync(file, await zipOf(files));
    return file;
  }
  async function read(files: Array<{ name: string; content: string | Buffer }>, limits = {}) {
    return readSampleLog(await archive(files), 'results.zip', limits);
  }
  async function modelled(model: SampleLogModel): Promise<SampleLog> {
    const outcome = await read(sampleLogFiles(model).map((f) => ({ name: f.name, content: f.csv })));
    assert.ok(outcome.log, outcome.warning);
    return outcome.log;
  }

  it('modelled log, one CSV per engine: every label and the Total -> histograms whose percentiles are the samples\' own', async () => {
    const log = await modelled(MODEL);
    const samples = modelledSamples(MODEL);
    assert.deepEqual(log.files, ['engine1/results.csv', 'engine2/results.csv', 'engine3/results.csv']);
    for (const [label, tally] of [...log.labels, ['Total', log.total] as const]) {
      const own = samples.filter((s) => label === 'Total' || s.label === label).map((s) => s.elapsed).sort((a, b) => a - b);
      assert.equal(tally.requests, own.length, label);
      const wanted = [50, 90, 95, 99, 99.9];
      const got = percentiles(tally.histogram, wanted).slice(0, wanted.length).map((us) => us / 1000);
      wanted.forEach((p, i) => {
        // Nearest rank, with the float noise of p/100 * n rounded away (as HdrHistogram does: 99.9% of 3000 is 2997).
        const exact = own[Math.ceil(Number(((p / 100) * own.length).toFixed(9))) - 1];
        // 3 significant digits: a bucket is at most 0.1% of its value wide.
        assert.ok(Math.abs(got[i] - exact) <= exact * 0.001 + 0.001, `${label} p${p}: histogram ${got[i]} ms, samples ${exact} ms`);
      });
    }
  });

  it('labels with commas and quotes: quoted CSV fields -> one label each, not split', async () => {
    const log = await modelled(MODEL);
    assert.deepEqual([...log.labels.keys()], ['home', 'search, "advanced"']);
  });

  it('failed samples: numeric response code vs "Non HTTP response code" -> HTTP errors and network errors', async () => {
    const log = await modelled(MODEL);
    const search = log.labels.get('search, "advanced"')!;
    assert.deepEqual([search.httpErrors, search.networkErrors], [25, 5]);
    assert.deepEqual([log.total.httpErrors, log.total.networkErrors], [25, 5]);
  });

  it('failed samples by response code: 200 with a failed assertion, 302, 404, 503, Non HTTP -> other failures, HTTP errors (>= 400 only), network errors', async () => {
    const rows = [HEADER, row(5, 'a', { success: 'false', code: '200', message: 'OK' }), row(5, 'a', { success: 'false', code: '302' }),
      row(5, 'a', { success: 'false', code: '404' }), row(5, 'a', { success: 'false', code: '503' }),
      row(5, 'a', { success: 'false', code: 'Non HTTP response code: java.net.ConnectException' }), row(5, 'a')];
    const { log } = await read([{ name: 'e.csv', content: rows.join('\n') }]);
    assert.deepEqual([log!.total.httpErrors, log!.total.networkErrors, log!.total.otherFailures], [2, 1, 2]);
    // The service counts 5 errors; HTTP + network errors make 3, so the evidence keeps the service's figures.
    const service = { name: 'Total', requests: 6, errors: 5, httpErrors: 5, networkErrors: 0, errorPercentage: 83.33, rps: 1,
      latencyMs: { min: 5, avg: 5, p50: 5, p75: 5, p90: 5, p95: 5, p99: 5, p999: 5, max: 5 } };
    const joined = withSampleLog(service, log!.total);
    assert.ok(joined.latencyHistogram, 'the distribution is still the service\'s own');
    assert.deepEqual([joined.httpErrors, joined.networkErrors], [5, 0]);
    assert.match(sampleLogNote({ log: log! })!.detail, /2 failed samples were answered with a status below 400 \(a failed assertion\)/);
  });

  it('sub-result and transaction controller rows: left out -> each request counted once, counts as modelled', async () => {
    const log = await modelled({ ...MODEL, withParents: true });
    assert.equal(log.total.requests, 4500);
    assert.deepEqual([...log.labels.keys()], ['home', 'search, "advanced"']);
    assert.equal(log.excluded.subResults, 450);
    assert.equal(log.excluded.transactionControllers, 450);
  });

  it('a label that merely ends in -<digits>: not the previous label of its thread -> counted as a request', async () => {
    const outcome = await read([{ name: 'e1.csv', content: [HEADER, row(10, 'step'), row(12, 'step-1', { thread: 'other' }), row(11, 'page-2')].join('\n') }]);
    assert.deepEqual([...outcome.log!.labels.keys()], ['step', 'step-1', 'page-2']);
  });

  it('samplers named `Search` then `Search-2`: the second runs after the first, not inside it -> every sample of both counted', async () => {
    const t = 1676040230000;
    const rows = [HEADER];
    for (let i = 0; i < 50; i++) rows.push(row(10, 'Search', { ts: t + i * 100 }), row(20, 'Search-2', { ts: t + i * 100 + 11 }));
    const outcome = await read([{ name: 'e1.csv', content: rows.join('\n') }]);
    assert.deepEqual([...outcome.log!.labels].map(([label, s]) => [label, s.requests]), [['Search', 50], ['Search-2', 50]]);
    assert.equal(outcome.log!.excluded.subResults, 0);
  });

  it('sub-results within their parent\'s time (a redirect followed): `<label>-<n>` inside [timeStamp, timeStamp + elapsed] -> left out', async () => {
    const t = 1676040230000;
    const outcome = await read([{ name: 'e1.csv', content: [HEADER, row(30, 'login', { ts: t }), row(12, 'login-0', { ts: t }), row(15, 'login-1', { ts: t + 13 }),
      row(16, 'login-2', { ts: t + 15 })].join('\n') }]);
    // login-2 ends at t + 31, after its parent's end (t + 30): a sampler of its own.
    assert.deepEqual([...outcome.log!.labels].map(([label, s]) => [label, s.requests]), [['login', 1], ['login-2', 1]]);
    assert.equal(outcome.log!.excluded.subResults, 2);
  });

  const bad: Array<{ name: string; files: () => Array<{ name: string; content: string | Buffer }>; warning: RegExp; limits?: object }> = [
    { name: 'archive without CSV', files: () => [{ name: 'jmeter.log', content: 'log' }], warning: /^results\.zip: the archive holds no CSV file/ },
    { name: 'elapsed not a number', files: () => [{ name: 'engine1/results.csv', content: [HEADER, row(10, 'a'), row(10, 'a'), row('1x', 'a')].join('\n') }],
      warning: /^results\.zip\/engine1\/results\.csv: line 4: elapsed "1x" is not a whole number/ },
    { name: 'success neither true nor false', files: () => [{ name: 'e.csv', content: [HEADER, row(10, 'a', { success: 'maybe' })].join('\n') }],
      warning: /^results\.zip\/e\.csv: line 2: success "maybe"/ },
    { name: 'row with a missing field', files: () => [{ name: 'e.csv', content: [HEADER, row(10, 'a'), '1676040230680,12,a,200'].join('\n') }],
      warning: /^results\.zip\/e\.csv: line 3: not valid CSV/ },
    { name: 'unclosed quote', files: () => [{ name: 'e.csv', content: [HEADER, row(10, '"a'), row(10, 'b')].join('\n') }],
      warning: /^results\.zip\/e\.csv: line \d+: not valid CSV/ },
    { name: 'header without elapsed', files: () => [{ name: 'e.csv', content: 'timeStamp,label,success\n1,a,true\n' }],
      warning: /^results\.zip\/e\.csv: line 1: the header names no "elapsed" column/ },
    { name: 'empty CSV', files: () => [{ name: 'e.csv', content: '' }], warning: /^results\.zip\/e\.csv: the file is empty/ },
    { name: 'CSV past the size cap', files: () => [{ name: 'e.csv', content: [HEADER, row(10, 'a')].join('\n') }], limits: { maxCsvBytes: 100 },
      warning: /^results\.zip: its CSV files hold more than 0 KiB uncompressed \(at e\.csv\)/ },
    { name: 'more labels than the cap', files: () => [{ name: 'e.csv', content: [HEADER, row(1, 'a'), row(1, 'b'), row(1, 'c')].join('\n') }], limits: { maxLabels: 2 },
      warning: /^results\.zip\/e\.csv: line 4: more than 2 distinct labels/ },
  ];
  it('bad field quoting a secret past 40 characters: -> the warning masks it whole before shortening, no piece of it shown', async () => {
    const secret = 'Sl-secret-quoted-in-a-field-5521';
    registerSecret(secret);
    const outcome = await read([{ name: 'e.csv', content: [HEADER, row(`${'9'.repeat(30)}${secret}`, 'a')].join('\n') }]);
    assert.match(outcome.warning!, /^results\.zip\/e\.csv: line 2: elapsed "9{30}\*\*\*" is not a whole number/);
    assert.ok(!outcome.warning!.includes(secret.slice(0, 6)));
  });

  for (const c of bad) {
    it(`bad input, ${c.name}: -> warning naming the file (and line), no histogram`, async () => {
      const outcome = await read(c.files(), c.limits);
      assert.equal(outcome.log, undefined);
      assert.match(outcome.warning!, c.warning);
    });
  }

  it('bad input, truncated archive: cut mid-way -> warning that it may be truncated, no histogram', async () => {
    const whole = await zipOf(sampleLogFiles(MODEL).map((f) => ({ name: f.name, content: f.csv })));
    const file = path.join(dir, 'results.zip');
    fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const outcome = await readSampleLog(file);
    assert.equal(outcome.log, undefined);
    assert.match(outcome.warning!, /^results\.zip: could not be read as a zip archive \(.+\); it may be truncated or damaged$/);
  });

  it('bad input, entry data damaged behind an intact directory: inflate fails -> warning naming the entry, no histogram', async () => {
    const whole = await zipOf([{ name: 'e.csv', content: [HEADER, ...Array.from({ length: 2000 }, (_, i) => row(i % 97, `l${i % 7}`))].join('\n') }]);
    const damaged = Buffer.from(whole);
    for (let i = 200; i < 600; i++) damaged[i] ^= 0x5a; // inside the compressed data of the only entry
    const file = path.join(dir, 'results.zip');
    fs.writeFileSync(file, damaged);
    const outcome = await readSampleLog(file);
    assert.equal(outcome.log, undefined);
    assert.match(outcome.warning!, /^results\.zip\/e\.csv: /);
  });

  it('bad input, not a zip at all: -> warning, never a throw', async () => {
    const file = path.join(dir, 'results.zip');
    fs.writeFileSync(file, 'PK but not really');
    assert.match((await readSampleLog(file)).warning!, /could not be read as a zip archive/);
  });
});
