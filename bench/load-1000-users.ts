/**
 * 1,000 concurrent users on one machine: is the generator the bottleneck? The target holds each request 500 ms,
 * so 1,000 users can at best make 2,000 requests per second (a rate the one-process target can serve on a small machine). Autocannon with 1,000 connections runs on the same
 * target for comparison. Run: npx tsx bench/load-1000-users.ts [seconds]
 */
import { machine, runAutocannon, runEngine, startTargetProcess, table } from './load-support';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const users = 1000;
  const serviceMs = 500;
  const target = await startTargetProcess({ serviceMs });
  try {
    const before = await target.count();
    const ours = await runEngine(target.url, { users, seconds });
    const served = (await target.count()) - before;
    const theirs = await runAutocannon(target.url, users, seconds);
    const ideal = (users * 1000) / serviceMs;
    console.log(`# ${users} concurrent users, ${serviceMs} ms service time, ${seconds} s each\n${machine()}\n`);
    console.log(table([ours, theirs]));
    console.log(`\nideal rate ${ideal} req/s; ours reached ${(ours.rps / ideal * 100).toFixed(1)}%, autocannon ${(theirs.rps / ideal * 100).toFixed(1)}%`);
    console.log(`peak users reported: ${ours.evidence.metrics.virtualUsers}; requests counted by the target during our run: ${served} (engine reported ${ours.requests})`);
    console.log(`ratio req/s (ours / autocannon): ${(ours.rps / theirs.rps).toFixed(2)}`);
    console.log(`ratio CPU per request (ours / autocannon): ${(ours.cpuMicrosPerRequest / theirs.cpuMicrosPerRequest).toFixed(2)}`);
    console.log(`p50 above the service time: ours ${(ours.p50 - serviceMs).toFixed(2)} ms, autocannon ${(theirs.p50 - serviceMs).toFixed(2)} ms`);
  } finally {
    target.stop();
  }
}
void main();
