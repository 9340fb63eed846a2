/**
 * Requests per second and generator CPU per request, against autocannon, on the same loopback target (another
 * process) with the same number of connections. The tools take turns for several rounds and the medians are
 * compared, because the machine is shared and its load moves. Our engine records per-request-name and
 * per-second histograms while it runs; autocannon records one histogram.
 * Run: npx tsx bench/load-vs-autocannon.ts [connections] [seconds per round] [rounds]
 */
import { machine, runAutocannon, runEngine, startTargetProcess, table, type Measured } from './load-support';

function median(rows: Measured[], tool: string): Measured {
  const pick = (f: (m: Measured) => number) => rows.map(f).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  return {
    tool: `${tool} (median of ${rows.length})`, requests: pick((m) => m.requests), rps: pick((m) => m.rps), cpuMicrosPerRequest: pick((m) => m.cpuMicrosPerRequest),
    p50: pick((m) => m.p50), p90: pick((m) => m.p90), p99: pick((m) => m.p99), errors: rows.reduce((n, m) => n + m.errors, 0),
  };
}

async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 50);
  const seconds = Number(process.argv[3] ?? 5);
  const rounds = Number(process.argv[4] ?? 3);
  const target = await startTargetProcess();
  try {
    // Warm both up briefly so JIT and connection set-up do not favour the second tool.
    await runAutocannon(target.url, connections, 1);
    await runEngine(target.url, { users: connections, seconds: 1 });
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    let countMismatch = 0;
    for (let i = 0; i < rounds; i++) {
      const before = await target.count();
      const run = await runEngine(target.url, { users: connections, seconds });
      if ((await target.count()) - before !== run.requests) countMismatch++;
      ours.push(run);
      theirs.push(await runAutocannon(target.url, connections, seconds));
    }
    const a = median(ours, 'readiness');
    const b = median(theirs, 'autocannon');
    console.log(`# Load engine vs autocannon: ${connections} connections, ${rounds} rounds of ${seconds} s each, taking turns\n${machine()}\n`);
    console.log(table([...ours, ...theirs]));
    console.log('\nmedians:\n');
    console.log(table([a, b]));
    console.log(`\nrounds where our count differed from the target's: ${countMismatch} of ${rounds}`);
    console.log(`ratio req/s (ours / autocannon): ${(a.rps / b.rps).toFixed(2)}`);
    console.log(`ratio CPU per request (ours / autocannon): ${(a.cpuMicrosPerRequest / b.cpuMicrosPerRequest).toFixed(2)} (below 1 means cheaper)`);
  } finally {
    target.stop();
  }
}
void main();
