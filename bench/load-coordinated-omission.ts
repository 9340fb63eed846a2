/**
 * Coordinated omission: the target stalls for 1 s in every 5 s and is instant otherwise. At a constant arrival
 * rate a fifth of the requests arrive during a stall and wait uniformly 0-1 s, so P(latency > x) = 0.2 (1 - x):
 * the true p90 is 500 ms and the true p99 is 950 ms. Our open model must come within 5% of both; closed-model
 * measurements (ours with virtual users, and autocannon) are shown for contrast.
 * Run: npx tsx bench/load-coordinated-omission.ts [seconds, a multiple of 5]
 */
import { machine, runAutocannon, runEngine, startTargetProcess, table } from './load-support';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 15);
  const target = await startTargetProcess({ stall: { everyMs: 5000, forMs: 1000 } });
  try {
    await target.holds();
    const open = await runEngine(target.url, { rps: 200, seconds });
    const served = await target.holds();
    const closed = await runEngine(target.url, { users: 10, seconds });
    const theirs = await runAutocannon(target.url, 10, seconds);
    theirs.tool = 'autocannon (closed, 10 connections)';
    closed.tool = 'readiness (closed, 10 users)';
    open.tool = 'readiness (open, 200 req/s)';
    console.log(`# Coordinated omission: 1 s stall in every 5 s, ${seconds} s each\n${machine()}\n`);
    console.log(table([open, closed, theirs]));
    const off = (v: number, truth: number) => `${(((v - truth) / truth) * 100).toFixed(1)}%`;
    console.log(`\ntruth: p90 500 ms, p99 950 ms (analytic); the server's own hold times during the open run: p90 ${served.p90.toFixed(1)} ms, p99 ${served.p99.toFixed(1)} ms`);
    console.log(`open model: p90 ${open.p90} ms (${off(open.p90, 500)}), p99 ${open.p99} ms (${off(open.p99, 950)}); target within 5%`);
    console.log(`closed model (ours): p90 ${closed.p90} ms, p99 ${closed.p99} ms; autocannon: p90 ${theirs.p90} ms, p99 ${theirs.p99} ms`);
    console.log(`ratio p99 reported / truth: open ${(open.p99 / 950).toFixed(2)}, closed ${(closed.p99 / 950).toFixed(2)}, autocannon ${(theirs.p99 / 950).toFixed(2)}`);
  } finally {
    target.stop();
  }
}
void main();
