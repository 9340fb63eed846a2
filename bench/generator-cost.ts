/**
 * Generator CPU per request over the whole process, start-up included: `readiness loadtest` (the bundled CLI,
 * dist/cli.js, as a pipeline runs it) against the `autocannon` command, on the same loopback target (another process),
 * with the same number of connections and seconds. Each tool runs in its own process, preloaded with
 * bench/cpu-exit-hook.js, which reports that process's CPU time at exit. The tools take turns; medians are compared.
 * Requests are counted by the target, so both tools are measured the same way.
 * With a rate, both tools are held to it (ours: the open model with maxVirtualUsers = connections; autocannon: -R),
 * so each does the same work per second: a tool that gets fewer requests through a busy machine pays its fixed
 * per-second costs over fewer requests, which tilts an as-fast-as-possible comparison.
 * The target also reports how each tool spread its requests over 10 ms slots (the busiest tenth of the slots' share of
 * the requests, and the share of idle slots): held to a rate, autocannon (-R) sends each connection's share of a
 * second back to back and then waits for the next second, while the open model spaces arrivals evenly.
 * Before the rounds, each tool makes 10 requests three times: its fixed cost (start-up, end of run) on its own.
 * Run (after npm run build:fast): npx tsx bench/generator-cost.ts [connections] [seconds per round] [rounds] [rate]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { machine, startTargetProcess } from './load-support';

const root = path.resolve(__dirname, '..');

/** Runs `node --require cpu-exit-hook <args>` and returns the process's CPU time in microseconds. */
function runMeasured(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', path.join(__dirname, 'cpu-exit-hook.js'), ...args], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
    let report = '';
    child.stdio[3]!.on('data', (d: Buffer) => (report += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (!report) return reject(new Error(`${args.join(' ')} exited ${code} without a CPU report`));
      resolve(JSON.parse(report).cpuMicros);
    });
  });
}

function writeConfig(url: string, users: number, seconds: number, rate?: number, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cost-'))): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'requests.json'), JSON.stringify({
    version: '1.0', scenarios: { s: { requests: [{ requestName: 'Get', requestType: 'URL', method: 'GET', endpoint: `${url}/` }] } },
    testSetup: [rate
      ? { scenario: 's', loadType: 'constantArrivalRate', requestsPerSecond: rate, maxVirtualUsers: users, durationInSeconds: seconds }
      : { scenario: 's', loadType: 'linear', virtualUsersPerEngine: users, durationInSeconds: seconds }],
  }));
  fs.writeFileSync(path.join(dir, 'test.yaml'), 'version: v0.1\ntestId: bench\ntestType: URL\ntestPlan: requests.json\nautoStop: disable\n');
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 50);
  const seconds = Number(process.argv[3] ?? 5);
  const rounds = Number(process.argv[4] ?? 3);
  const rate = process.argv[5] ? Number(process.argv[5]) : undefined;
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing; run npm run build:fast first');
  const autocannon = require.resolve('autocannon/autocannon.js');
  const target = await startTargetProcess();
  const dir = writeConfig(target.url, connections, seconds, rate);
  // 10 requests: 10 per second for 1 s with one user (ours), -a 10 with one connection (autocannon).
  const tiny = writeConfig(target.url, 1, 1, 10, path.join(dir, 'tiny'));
  const rows: Array<{ tool: string; requests: number; cpuMicros: number; busiestTenthShare: number; idleShare: number }> = [];
  const fixed: Record<string, number[]> = { readiness: [], autocannon: [] };
  try {
    for (let i = 0; i < 3; i++) {
      fixed.readiness.push(await runMeasured([cli, 'loadtest', '--config', path.join(tiny, 'test.yaml'), '--out', path.join(tiny, 'out')]));
      fixed.autocannon.push(await runMeasured([autocannon, '-c', '1', '-a', '10', '-p', '1', '--json', `${target.url}/`]));
    }
    for (let i = 0; i < rounds; i++) {
      for (const tool of ['readiness', 'autocannon'] as const) {
        const before = await target.count();
        await target.pattern();
        const cpuMicros = tool === 'readiness'
          ? await runMeasured([cli, 'loadtest', '--config', path.join(dir, 'test.yaml'), '--out', path.join(dir, 'out')])
          : await runMeasured([autocannon, '-c', String(connections), '-d', String(seconds), '-p', '1', ...(rate ? ['-R', String(rate)] : []), '--json', `${target.url}/`]);
        const pattern = await target.pattern();
        rows.push({ tool, requests: (await target.count()) - before, cpuMicros, busiestTenthShare: pattern.busiestTenthShare, idleShare: pattern.idleShare });
      }
    }
  } finally {
    target.stop();
  }
  const load = rate ? `both held to ${rate} req/s` : 'as fast as each goes';
  console.log(`# Generator CPU per request, whole process (start-up included): ${connections} connections, ${load}, ${rounds} rounds of ${seconds} s, taking turns\n${machine()}\n`);
  console.log(`fixed cost (10 requests, median of 3): readiness ${(median(fixed.readiness) / 1e6).toFixed(2)} s of CPU, autocannon ${(median(fixed.autocannon) / 1e6).toFixed(2)} s\n`);
  console.log('| tool | round | requests (target count) | req/s | process CPU s | CPU µs/request | busiest tenth of 10 ms slots | idle slots |\n|---|---|---|---|---|---|---|---|');
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
  rows.forEach((r, i) => console.log(`| ${r.tool} | ${Math.floor(i / 2) + 1} | ${r.requests} | ${(r.requests / seconds).toFixed(0)} | ${(r.cpuMicros / 1e6).toFixed(2)} | ${(r.cpuMicros / r.requests).toFixed(1)} | ${pct(r.busiestTenthShare)} | ${pct(r.idleShare)} |`));
  const per = (tool: string) => median(rows.filter((r) => r.tool === tool).map((r) => r.cpuMicros / r.requests));
  const ours = per('readiness');
  const theirs = per('autocannon');
  console.log(`\nmedian CPU per request: readiness ${ours.toFixed(1)} µs, autocannon ${theirs.toFixed(1)} µs`);
  console.log(`ratio CPU per request, whole process (ours / autocannon): ${(ours / theirs).toFixed(2)} (target: at most 0.80)`);
}
void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
