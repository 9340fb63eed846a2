/**
 * Latency accuracy: a target with a fixed 20 ms service time. The truth is the median hold the server itself
 * measured (20 ms plus timer slack); our p50 must be within 1 ms of it. Autocannon (1 ms histogram resolution)
 * runs on the same target for comparison. Run: npx tsx bench/load-latency-accuracy.ts [seconds]
 */
import { machine, runAutocannon, runEngine, startTargetProcess, table } from './load-support';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const users = 10;
  const target = await startTargetProcess({ serviceMs: 20 });
  try {
    await target.holdP50();
    const ours = await runEngine(target.url, { users, seconds });
    const truthOurs = await target.holdP50();
    const theirs = await runAutocannon(target.url, users, seconds);
    const truthTheirs = await target.holdP50();
    console.log(`# Latency accuracy: 20 ms service time, ${users} users, ${seconds} s each\n${machine()}\n`);
    console.log(table([ours, theirs]));
    console.log(`\nserver-measured median hold: ${truthOurs.toFixed(3)} ms during our run, ${truthTheirs.toFixed(3)} ms during autocannon's`);
    console.log(`p50 error: ours ${(ours.p50 - truthOurs).toFixed(3)} ms (target: within 1 ms), autocannon ${(theirs.p50 - truthTheirs).toFixed(3)} ms`);
    console.log(`p50 error against the nominal 20 ms: ours ${(ours.p50 - 20).toFixed(3)} ms, autocannon ${(theirs.p50 - 20).toFixed(3)} ms`);
  } finally {
    target.stop();
  }
}
void main();
