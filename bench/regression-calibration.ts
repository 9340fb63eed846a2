/**
 * How often the baseline comparison is right on real runs, not simulated ones: a loopback server in its own
 * process at a 20 ms service time, and a chain of real runs of the embedded engine against it (8 users, the
 * acceptance test's shape). Each trial judges three fresh runs against the three A runs before them:
 *   - A/A: one more run at 20 ms             -> how often a false `regressed` (the issue allows at most 5%);
 *   - a run at 20.2 ms (1% slower)           -> how often `unchanged`, and never `regressed`;
 *   - a run at 24 ms (20% slower)            -> how often `regressed` (the power to catch a real slowdown).
 * The A/A run then joins the chain, so trial i's baseline is A(i-3), A(i-2), A(i-1): rolling windows, as a pipeline's
 * baseline rolls forward. The peer in the same run is the naive rule users write themselves: "regressed when p95
 * is more than 10% over the last run's". It shares every run, so the two are judged on the same noise.
 *
 * Run: npx tsx bench/regression-calibration.ts [trials] [seconds per run]     (default 20 trials of 5 s, ~6 min)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadTestEvidence } from '../src/evidence/types';
import { runLoadTest } from '../src/load/runLoadTest';
import { judgeAgainstBaseline } from '../src/regression/apply';
import { startCapacityTarget } from '../test/support/capacityTarget';
import { machine } from './load-support';

const trials = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 5);

async function main(): Promise<void> {
  const target = await startCapacityTarget({ mode: 'fixed', serviceMs: 20 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-calibration-'));
  fs.writeFileSync(path.join(dir, 'requests.json'), JSON.stringify({
    version: '1.0',
    scenarios: { s: { requests: [{ requestName: 'GetItem', requestType: 'URL', method: 'GET', endpoint: `${target.url}/item` }] } },
    testSetup: [{ scenario: 's', loadType: 'linear', virtualUsersPerEngine: 8, durationInSeconds: seconds }],
  }));
  const config = path.join(dir, 'test.yaml');
  fs.writeFileSync(config, 'version: v0.1\ntestId: calibration\ntestType: URL\ntestPlan: requests.json\nautoStop: disable\n');
  const run = async (serviceMs: number): Promise<LoadTestEvidence> => {
    await target.setServiceMs(serviceMs);
    return runLoadTest({ configFile: config });
  };
  const verdictOf = (candidate: LoadTestEvidence, baseline: LoadTestEvidence[]): string => {
    const report = judgeAgainstBaseline(candidate, baseline, []).metrics.regression!;
    const worst = report.rows.filter((r) => r.verdict === report.verdict && r.request === 'Total').map((r) => r.metric);
    const stall = candidate.metrics.generator?.eventLoopDelayMaxMs ?? 0;
    return report.verdict === 'unchanged' ? report.verdict : `${report.verdict} (${worst.join(', ')}; generator stall ${stall} ms)`;
  };
  // The naive peer: p95 more than 10% over the previous run's.
  const naive = (candidate: LoadTestEvidence, previous: LoadTestEvidence) =>
    candidate.metrics.totals.latencyMs.p95 > 1.1 * previous.metrics.totals.latencyMs.p95;

  const tally = { aa: new Map<string, number>(), small: new Map<string, number>(), slow: new Map<string, number>(), naiveAA: 0, naiveSmall: 0, naiveSlow: 0 };
  const count = (m: Map<string, number>, v: string) => m.set(v, (m.get(v) ?? 0) + 1);
  const chain: LoadTestEvidence[] = [];
  for (let i = 0; i < 3; i++) chain.push(await run(20));
  const started = Date.now();
  for (let trial = 0; trial < trials; trial++) {
    const baseline = chain.slice(-3);
    const previous = chain[chain.length - 1];
    const small = await run(20.2);
    const slow = await run(24);
    const aa = await run(20);
    const v = { aa: verdictOf(aa, baseline), small: verdictOf(small, baseline), slow: verdictOf(slow, baseline) };
    count(tally.aa, v.aa.split(' ')[0]);
    count(tally.small, v.small.split(' ')[0]);
    count(tally.slow, v.slow.split(' ')[0]);
    if (naive(aa, previous)) tally.naiveAA++;
    if (naive(small, previous)) tally.naiveSmall++;
    if (naive(slow, previous)) tally.naiveSlow++;
    process.stderr.write(`trial ${trial + 1}/${trials}: A/A ${v.aa}, 20.2 ms ${v.small}, 24 ms ${v.slow} (${Math.round((Date.now() - started) / 1000)} s)\n`);
    chain.push(aa);
  }
  await target.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const share = (m: Map<string, number> | number, v?: string) => {
    const n = typeof m === 'number' ? m : m.get(v!) ?? 0;
    return `${n}/${trials} (${Math.round((100 * n) / trials)}%)`;
  };
  console.log(`# Baseline comparison on real runs: ${trials} trials, runs of ${seconds} s, 8 users, server at 20 ms in its own process`);
  console.log(`${machine()}\n`);
  console.log('| candidate | readiness: regressed | unchanged | inconclusive | improved | naive "p95 > last run + 10%": flagged |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| A/A, 20 ms | ${share(tally.aa, 'regressed')} | ${share(tally.aa, 'unchanged')} | ${share(tally.aa, 'inconclusive')} | ${share(tally.aa, 'improved')} | ${share(tally.naiveAA)} |`);
  console.log(`| 20.2 ms (+1%) | ${share(tally.small, 'regressed')} | ${share(tally.small, 'unchanged')} | ${share(tally.small, 'inconclusive')} | ${share(tally.small, 'improved')} | ${share(tally.naiveSmall)} |`);
  console.log(`| 24 ms (+20%) | ${share(tally.slow, 'regressed')} | ${share(tally.slow, 'unchanged')} | ${share(tally.slow, 'inconclusive')} | ${share(tally.slow, 'improved')} | ${share(tally.naiveSlow)} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
