import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { startCapacityTarget, type CapacityTarget } from '../support/capacityTarget';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { readEvidenceDir } from '../../src/evidence/files';
import { newHistogram, summary } from '../../src/load/engine/recorder';
import { decodeDistribution, quantile } from '../../src/regression/distribution';
import { judgeAgainstBaseline } from '../../src/regression/apply';
import { seeded } from './fixtures';
import { get, requestsJson, URL_YAML, writeTest } from '../load/helpers';

/**
 * The acceptance, end to end through the CLI against a real loopback server whose service time the test
 * sets between runs: three baseline runs at 20 ms, then a run at 24 ms (regressed, exit 1 naming the request and
 * the figure), one at 20.2 ms (unchanged), and one too short to judge (inconclusive, never regressed). Runs are five
 * seconds each (about 1,900 requests, 19 of them beyond p99), so the file costs about 40 s.
 *
 * The server runs in its own process, as a service does: sharing the generator's event loop made each run's tail
 * a measure of the generator's own pauses, and three baseline runs then disagreed by more than the 10% that
 * `unchanged` must show (docs/regression.md, "How many baseline runs").
 *
 * A machine busy with other work stalls the generator now and then, and a stall during the candidate honestly
 * makes its p99 inconclusive (bench/regression-calibration.ts measures how often). The two verdict tests may
 * therefore run their candidate up to three times against the same baseline; a wrong comparison fails all three.
 */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd(), env: {}, signal: new AbortController().signal };
  const code = await main(['loadtest', ...args], io);
  return { code, stdout, stderr };
}

/**
 * Waits (at most about 4 s) for a moment when this process's timers fire on time: 20 sleeps of 5 ms, and the 18th
 * latest of them late by under 2 ms. A run started during a burst of other work on the machine measures the burst,
 * not the server; settling first is what a benchmark does, and it changes nothing about how runs are judged.
 */
async function settle(): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const late: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 5));
      late.push(performance.now() - start - 5);
    }
    late.sort((a, b) => a - b);
    if (late[17] < 2) return;
  }
}

function evidenceOf(stdout: string): LoadTestEvidence {
  return JSON.parse(fs.readFileSync(stdout.trim(), 'utf8')) as LoadTestEvidence;
}

describe('regression acceptance: CLI against a loopback server', function () {
  this.timeout(120_000);
  let target: CapacityTarget;
  let config: string;
  let baselineDir: string;
  let scratch: string;

  before(async () => {
    target = await startCapacityTarget({ mode: 'fixed', serviceMs: 20 });
    config = writeTest({ yaml: URL_YAML, requests: requestsJson([get('GetItem', `${target.url}/item`)], { virtualUsersPerEngine: 8, durationInSeconds: 5 }) });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'regression-'));
    baselineDir = path.join(scratch, 'baseline');
    for (let i = 0; i < 3; i++) {
      await settle();
      const run = await cli(['--config', config, '--out', baselineDir]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    await target.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const candidate = async (serviceTimeMs: number, extra: string[] = []) => {
    await target.setServiceMs(serviceTimeMs);
    const out = path.join(scratch, `run-${serviceTimeMs}-${extra.join('')}`);
    await settle();
    const run = await cli(['--config', config, '--out', out, '--baseline', baselineDir, ...extra]);
    return { ...run, evidence: evidenceOf(run.stdout) };
  };

  it('acceptance: a run at 24 ms after three at 20 ms -> regressed, exit 1 naming the request and the figure', async function () {
    this.retries(2);
    const { code, stderr, evidence } = await candidate(24);
    const report = evidence.metrics.regression!;
    assert.equal(report.verdict, 'regressed', stderr);
    assert.equal(report.baselineRuns.length, 3);
    assert.equal(code, 1, stderr);
    assert.equal(evidence.verdict, 'failed');
    // Which percentiles clear the noise depends on the machine; the median always moves by the full 4 ms.
    const regressed = report.rows.filter((r) => r.request === 'GetItem' && r.verdict === 'regressed').map((r) => r.metric);
    assert.ok(regressed.includes('p50'), stderr);
    assert.match(stderr, /Regressed against 3 baseline runs: .*GetItem p50 \+\d/);
    assert.match(stderr, /GetItem\s+p50\s+.*regressed/);
  });

  it('acceptance: a run at 20.2 ms -> unchanged, every figure shown within its threshold, exit 0', async function () {
    this.retries(2);
    const { code, stderr, evidence } = await candidate(20.2);
    const report = evidence.metrics.regression!;
    assert.equal(code, 0, stderr);
    assert.equal(report.verdict, 'unchanged', stderr);
    assert.ok(report.rows.length >= 10 && report.rows.every((r) => r.verdict === 'unchanged'), stderr);
    assert.match(stderr, /Unchanged against 3 baseline runs: all \d+ figures within their thresholds/);
  });

  it('A/A from real runs: 200 trials resampled from a real run\'s histogram -> at most 5% called regressed', async () => {
    // The real distribution (timer slack, scheduling tails, whatever this machine did) drives every synthetic run:
    // four draws of the same size from it per trial, three as the baseline and one as the candidate.
    const real = (await readEvidenceDir(baselineDir)).valid[0] as LoadTestEvidence;
    const source = decodeDistribution(real.metrics.totals.latencyHistogram!);
    const random = seeded(14);
    const draw = (minute: number): LoadTestEvidence => {
      const h = newHistogram();
      for (let i = 0; i < source.total; i++) h.recordValue(Math.max(1, Math.round(quantile(source, 100 * random()) * 1000)));
      const stats = { ...real.metrics.totals, latencyMs: summary(h), latencyHistogram: encodeIntoCompressedBase64(h) };
      const finishedAt = new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
      return {
        ...real, id: `00000000-0000-4000-8000-${String(minute).padStart(12, '0')}`, finishedAt, startedAt: new Date(Date.parse(finishedAt) - 3000).toISOString(),
        metrics: { ...real.metrics, totals: stats, requests: [{ ...stats, name: 'GetItem' }] },
      };
    };
    let regressed = 0;
    for (let trial = 0; trial < 200; trial++) {
      const baseline = [draw(trial * 10), draw(trial * 10 + 1), draw(trial * 10 + 2)];
      if (judgeAgainstBaseline(draw(trial * 10 + 3), baseline, []).metrics.regression!.verdict === 'regressed') regressed++;
    }
    assert.ok(regressed <= 10, `${regressed} of 200 A/A trials called regressed`);
  });

  it('acceptance: a run too short to judge -> inconclusive with how long to run, never regressed, even 20% slower', async () => {
    const { code, stderr, evidence } = await candidate(24, ['--duration', '0.5']);
    const report = evidence.metrics.regression!;
    assert.equal(report.verdict, 'inconclusive', stderr);
    assert.ok(report.rows.every((r) => r.verdict === 'inconclusive'), stderr);
    assert.match(report.rows[0].note, /Too short to judge: the run lasted 0\.\d+ s, under half the shortest baseline run .*run at least \d+ s/);
    assert.equal(code, 0, stderr);
  });
});
