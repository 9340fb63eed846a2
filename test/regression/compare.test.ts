import * as assert from 'node:assert/strict';
import { validateEvidence } from '../../src/evidence/validate';
import { parseBaselineCriteria } from '../../src/criteria';
import { judgeAgainstBaseline } from '../../src/regression/apply';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { at, normal, seeded, simulatedRun, type SimulatedRun } from './fixtures';

/** Three (or k) baseline runs around 20 ms whose medians differ run to run by `runSpread` (a share), then the candidate. */
function scenario(candidate: Partial<SimulatedRun>, options: { k?: number; runSpread?: number; seed?: number; requests?: number } = {}) {
  const random = seeded(options.seed ?? 7);
  const k = options.k ?? 3;
  const runSpread = options.runSpread ?? 0.01;
  const requests = options.requests ?? 3000;
  const baseline = Array.from({ length: k }, (_, i) => simulatedRun({ medianMs: 20 * Math.exp(runSpread * normal(random)), requests, finishedAt: at(i * 10), random }));
  const run = simulatedRun({ medianMs: 20, requests, finishedAt: at(k * 10 + 5), random, ...candidate });
  return { baseline, run };
}

function judge(run: LoadTestEvidence, pool: LoadTestEvidence[], criteria: string[] = [], options = {}) {
  const parsed = parseBaselineCriteria(criteria, { file: 'test.yaml' });
  return judgeAgainstBaseline(run, pool, parsed, options);
}

describe('regression/compare', () => {
  const cases: Array<{ name: string; candidate: Partial<SimulatedRun>; options?: Parameters<typeof scenario>[1]; verdict: string; check?: (e: LoadTestEvidence) => void }> = [
    {
      name: '24 ms after three runs at 20 ms -> regressed, naming the request and the figure',
      candidate: { medianMs: 24 }, verdict: 'regressed',
      check: (e) => {
        assert.equal(e.verdict, 'failed');
        assert.match(e.summary, /Regressed against 3 baseline runs: .*GetItem p95 \+\d+(\.\d+)? ms \(\+\d+(\.\d+)?%\)/);
        assert.equal(e.metrics.regression!.rows.find((r) => r.request === 'GetItem' && r.metric === 'p95')!.verdict, 'regressed');
      },
    },
    { name: '20.2 ms -> unchanged, the run still passes', candidate: { medianMs: 20.2 }, verdict: 'unchanged', check: (e) => assert.equal(e.verdict, 'passed') },
    { name: '15 ms -> improved', candidate: { medianMs: 15 }, verdict: 'improved' },
    {
      name: 'a 60-request run at 30 ms -> inconclusive (too short), never regressed',
      candidate: { medianMs: 30, requests: 60, durationSeconds: 0.06 }, verdict: 'inconclusive',
      check: (e) => {
        const p99 = e.metrics.regression!.rows.find((r) => r.metric === 'p99')!;
        assert.equal(p99.verdict, 'inconclusive');
        assert.match(p99.note, /Too short to judge: the run lasted 0\.06 s/);
        assert.ok(!e.metrics.regression!.rows.some((r) => r.verdict === 'regressed'));
      },
    },
    {
      name: 'a run a third as long as the baseline -> inconclusive, saying how long to run',
      candidate: { medianMs: 30, durationSeconds: 1 }, verdict: 'inconclusive',
      check: (e) => assert.match(e.metrics.regression!.rows[0].note, /Too short to judge: the run lasted 1 s, under half the shortest baseline run \(3 s\).*run at least 2 s/),
    },
    {
      name: 'baseline runs that disagree by 30% -> 24 ms is inconclusive, and more baseline runs are what would settle it',
      candidate: { medianMs: 24 }, options: { runSpread: 0.3 }, verdict: 'inconclusive',
      check: (e) => assert.match(e.metrics.regression!.rows.find((r) => r.metric === 'p50')!.note, /baseline runs disagree among themselves/),
    },
    {
      name: 'errors from 0 to 5% -> error regressed',
      candidate: { errors: 150 }, verdict: 'regressed',
      check: (e) => assert.equal(e.metrics.regression!.rows.find((r) => r.request === 'Total' && r.metric === 'error')!.verdict, 'regressed'),
    },
    {
      name: 'throughput down by a third -> rps regressed (lower is worse)',
      candidate: { durationSeconds: 4.5 }, verdict: 'regressed',
      check: (e) => assert.equal(e.metrics.regression!.rows.find((r) => r.request === 'GetItem' && r.metric === 'rps')!.verdict, 'regressed'),
    },
  ];
  for (const c of cases) {
    it(`compare: ${c.name}`, () => {
      const { baseline, run } = scenario(c.candidate, c.options);
      const judged = judge(run, baseline);
      assert.equal(judged.metrics.regression!.verdict, c.verdict, JSON.stringify(judged.metrics.regression!.rows.map((r) => [r.request, r.metric, r.verdict, r.note]), null, 1));
      const valid = validateEvidence(JSON.parse(JSON.stringify(judged)));
      assert.ok(valid.ok, valid.ok ? '' : valid.errors.join('; '));
      c.check?.(judged);
    });
  }

  it('compare: few requests beyond a percentile -> that percentile is inconclusive, saying how long a run would give enough', () => {
    const { baseline, run } = scenario({ medianMs: 30 }, { requests: 150 });
    const p99 = judge(run, baseline).metrics.regression!.rows.find((r) => r.request === 'GetItem' && r.metric === 'p99')!;
    assert.equal(p99.verdict, 'inconclusive');
    assert.match(p99.note, /Too short to judge: p99 needs at least 500 requests \(5 beyond it\), this run had 150, about 10 s at this run's 50 requests\/s/);
  });

  it('compare: the generator ran late at its p99 by more than the threshold -> the undecided tail rows say where, the verdict stays', () => {
    const { baseline, run } = scenario({ medianMs: 24 }, { runSpread: 0.3 });
    // p99 of the loop delay is what counts; the longest stall (one garbage collection) is far longer and ignored.
    const stalled = (e: LoadTestEvidence, p99: number): LoadTestEvidence => ({ ...e, metrics: { ...e.metrics, generator: { cpuPercent: 40, eventLoopDelayP99Ms: p99, eventLoopDelayMaxMs: p99 + 80 } } });
    const judged = judge(stalled(run, 38), [stalled(baseline[0], 1.5), stalled(baseline[1], 52), baseline[2]]);
    const rows = judged.metrics.regression!.rows;
    const p95 = rows.find((r) => r.request === 'GetItem' && r.metric === 'p95')!;
    assert.equal(p95.verdict, 'inconclusive');
    assert.match(p95.note, /The load generator itself ran late \(event loop late by 38 ms in this run, 52 ms in baseline run 2 at its p99\), more than the [\d.]+ ms threshold/);
    const p50 = rows.find((r) => r.request === 'GetItem' && r.metric === 'p50')!;
    assert.equal(p50.verdict, 'inconclusive');
    assert.doesNotMatch(p50.note, /ran late/, 'a stall touches too few requests to move the median');
    for (const r of rows.filter((x) => x.unit !== 'ms' || x.verdict === 'unchanged')) assert.doesNotMatch(r.note, /ran late/, `${r.request} ${r.metric}`);
    const valid = validateEvidence(JSON.parse(JSON.stringify(judged)));
    assert.ok(valid.ok, valid.ok ? '' : valid.errors.join('; '));

    const quiet = judge(stalled(run, 0.4), [stalled(baseline[0], 0.5), stalled(baseline[1], 0.3), baseline[2]]).metrics.regression!.rows;
    assert.ok(quiet.every((r) => !/ran late/.test(r.note)), 'a loop late by less than the threshold is not mentioned, whatever its longest stall');
    const slower = scenario({ medianMs: 24 });
    const regressed = judge(stalled(slower.run, 60), slower.baseline).metrics.regression!;
    assert.equal(regressed.verdict, 'regressed', 'a stall never explains a regression away');
  });

  it('compare: one baseline run -> inconclusive, asking for at least 2', () => {
    const { baseline, run } = scenario({ medianMs: 30 }, { k: 1 });
    const report = judge(run, baseline).metrics.regression!;
    assert.equal(report.verdict, 'inconclusive');
    assert.match(report.rows[0].note, /1 baseline run\(s\) measured this; the spread between runs needs at least 2/);
  });

  it('compare: no earlier run -> inconclusive "No baseline", and the run keeps its own verdict', () => {
    const { run } = scenario({ medianMs: 30 });
    const judged = judge(run, []);
    assert.equal(judged.metrics.regression!.verdict, 'inconclusive');
    assert.match(judged.metrics.regression!.summary, /^No baseline/);
    assert.equal(judged.verdict, 'passed');
  });

  it('criteria: "> baseline + 50%" holds 24 ms as not a regression; "> baseline + 2 ms" fails it', () => {
    const { baseline, run } = scenario({ medianMs: 24 });
    const judged = judge(run, baseline, ['GetItem: p50(response_time_ms) > baseline + 50%', 'p50(response_time_ms) > baseline + 2ms']);
    const relative = judged.criteria.find((c) => c.expression.startsWith('GetItem'))!;
    const absolute = judged.criteria.find((c) => c.expression.startsWith('p50'))!;
    assert.equal(relative.failed, false, relative.explanation);
    assert.match(relative.explanation, /^unchanged: GetItem p50/);
    assert.ok(relative.actual! > 15 && relative.actual! < 25, `relative change ${relative.actual}%`);
    assert.equal(absolute.failed, true, absolute.explanation);
    assert.match(absolute.explanation, /^regressed: Total p50 \+\d/);
    const rows = judged.metrics.regression!.rows.filter((r) => r.metric === 'p50');
    assert.deepEqual(rows.map((r) => [r.request, r.threshold.source]), [
      ['Total', 'p50(response_time_ms) > baseline + 2ms'],
      ['GetItem', 'GetItem: p50(response_time_ms) > baseline + 50%'],
    ]);
  });

  it('A/A: 400 seeded trials of 3 to 5 baseline runs with run-to-run variance -> at most 5% false regressions; 20% slower is caught', () => {
    const random = seeded(20260107);
    let falseRegressions = 0;
    let caught = 0;
    const trials = 400;
    for (let trial = 0; trial < trials; trial++) {
      const k = 3 + (trial % 3);
      // Run effects: each run's median moves by ~4% run to run (placement, caches, neighbours), far more than its
      // sampling error with 1500 requests; latencies within a run spread lognormally.
      const draw = (minutes: number, scale = 1) =>
        simulatedRun({ medianMs: 20 * scale * Math.exp(0.04 * normal(random)), requests: 800, finishedAt: at(minutes), random, durationSeconds: 3 * Math.exp(0.03 * normal(random)) });
      const baseline = Array.from({ length: k }, (_, i) => draw(i));
      if (judge(draw(k + 1), baseline).metrics.regression!.verdict === 'regressed') falseRegressions++;
      if (trial % 4 === 0 && judge(draw(k + 1, 1.2), baseline).metrics.regression!.verdict === 'regressed') caught++;
    }
    assert.ok(falseRegressions / trials <= 0.05, `false regressions: ${falseRegressions} of ${trials}`);
    assert.ok(caught / (trials / 4) >= 0.5, `20% slowdowns caught: ${caught} of ${trials / 4}`);
  });
});
