/**
 * Requests per second and generator CPU per request, against autocannon, same loopback target (another process),
 * same number of connections. Run: npx tsx bench/load-vs-autocannon.ts [connections] [seconds]
 */
import { machine, runAutocannon, runEngine, startTargetProcess, table } from './load-support';

async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 50);
  const seconds = Number(process.argv[3] ?? 10);
  const target = await startTargetProcess();
  try {
    // Warm both up briefly so JIT and connection set-up do not favour the second tool.
    await runAutocannon(target.url, connections, 1);
    await runEngine(target.url, { users: connections, seconds: 1 });
    const before = await target.count();
    const ours = await runEngine(target.url, { users: connections, seconds });
    const served = (await target.count()) - before;
    const theirs = await runAutocannon(target.url, connections, seconds);
    console.log(`# Load engine vs autocannon: ${connections} connections, ${seconds} s each\n${machine()}\n`);
    console.log(table([ours, theirs]));
    console.log(`\nrequests counted by the target during our run: ${served} (engine reported ${ours.requests})`);
    console.log(`ratio req/s (ours / autocannon): ${(ours.rps / theirs.rps).toFixed(2)}`);
    console.log(`ratio CPU per request (ours / autocannon): ${(ours.cpuMicrosPerRequest / theirs.cpuMicrosPerRequest).toFixed(2)} (below 1 means cheaper)`);
  } finally {
    target.stop();
  }
}
void main();
