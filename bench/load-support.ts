/**
 * Shared pieces of the load-engine benchmarks (scripts, not tests): a target server in its own process, so that
 * process.cpuUsage() in this process measures only the load generator, and helpers to run our engine and
 * autocannon against the same target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLoadTest } from '../src/load/runLoadTest';
import type { LoadTestEvidence } from '../src/evidence/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p90: number; p99: number; average: number };
  errors: number;
  non2xx: number;
  duration: number;
}

const TARGET_SOURCE = `
const http = require('node:http');
const [serviceMs, everyMs, forMs] = process.argv.slice(1).map(Number);
const t0 = performance.now();
let count = 0;
const holds = [];
// Requests per 10 ms slot since the last 'pattern' message: how evenly a tool spreads a held rate.
let patternStart = performance.now();
let slots = [];
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count++;
    const slot = Math.floor((performance.now() - patternStart) / 10);
    slots[slot] = (slots[slot] ?? 0) + 1;
    let delay = serviceMs;
    if (everyMs > 0) { const phase = (performance.now() - t0) % everyMs; if (phase < forMs) delay += forMs - phase; }
    const arrived = performance.now();
    const send = () => { holds.push(performance.now() - arrived); res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }); res.end('ok'); };
    delay > 0 ? setTimeout(send, delay) : send();
  });
});
server.keepAliveTimeout = 60000;
server.maxRequestsPerSocket = 0;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  if (m === 'pattern') {
    let first = slots.findIndex((n) => n > 0);
    const used = first < 0 ? [] : Array.from(slots.slice(first), (n) => n ?? 0);
    while (used.length && used[used.length - 1] === 0) used.pop();
    const total = used.reduce((a, b) => a + b, 0);
    const top = [...used].sort((a, b) => b - a).slice(0, Math.ceil(used.length / 10)).reduce((a, b) => a + b, 0);
    process.send({ slots: used.length, busiestTenthShare: total ? top / total : 0, idleShare: used.length ? used.filter((n) => n === 0).length / used.length : 0 });
    slots = [];
    patternStart = performance.now();
  }
  if (m === 'holds') {
    const s = holds.sort((a, b) => a - b);
    const at = (q) => s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0;
    process.send({ p50: at(0.5), p90: at(0.9), p99: at(0.99), n: s.length });
    holds.length = 0;
  }
});
`;

export interface Holds { p50: number; p90: number; p99: number; n: number }
/** How requests were spread over 10 ms slots: the busiest tenth of the slots' share of requests, and idle slots' share. */
export interface ArrivalPattern { slots: number; busiestTenthShare: number; idleShare: number }

export interface TargetProcess {
  url: string;
  count(): Promise<number>;
  /** Median time the server held a request (service time as the server measured it), then resets. */
  holdP50(): Promise<number>;
  /** Percentiles of the server's own hold times since the last call, then resets. */
  holds(): Promise<Holds>;
  /** How the requests since the last call were spread in time, then resets. */
  pattern(): Promise<ArrivalPattern>;
  stop(): void;
}

/** A loopback HTTP server in a child process: fixed service time, optional stall of `forMs` in every `everyMs`. */
export async function startTargetProcess(options: { serviceMs?: number; stall?: { everyMs: number; forMs: number } } = {}): Promise<TargetProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', TARGET_SOURCE, String(options.serviceMs ?? 0), String(options.stall?.everyMs ?? 0), String(options.stall?.forMs ?? 0)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).port));
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  const holds = () => new Promise<Holds>((resolve) => {
    child.once('message', (m: Holds) => resolve(m));
    child.send('holds');
  });
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => new Promise((resolve) => {
      child.once('message', (m: { count: number }) => resolve(m.count));
      child.send('count');
    }),
    holdP50: async () => (await holds()).p50,
    holds,
    pattern: () => new Promise<ArrivalPattern>((resolve) => {
      child.once('message', (m: ArrivalPattern) => resolve(m));
      child.send('pattern');
    }),
    stop: () => child.kill(),
  };
}

export interface Measured { tool: string; requests: number; rps: number; cpuMicrosPerRequest: number; p50: number; p90: number; p99: number; errors: number }

/** Our engine, closed model with `users` users, or open model at `rps`. */
export async function runEngine(url: string, setup: { users?: number; rps?: number; seconds: number }): Promise<Measured & { evidence: LoadTestEvidence }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const testSetup = setup.rps
    ? { scenario: 's', loadType: 'constantArrivalRate', requestsPerSecond: setup.rps, durationInSeconds: setup.seconds }
    : { scenario: 's', loadType: 'linear', virtualUsersPerEngine: setup.users, durationInSeconds: setup.seconds };
  fs.writeFileSync(path.join(dir, 'requests.json'), JSON.stringify({
    version: '1.0', scenarios: { s: { requests: [{ requestName: 'Get', requestType: 'URL', method: 'GET', endpoint: `${url}/` }] } }, testSetup: [testSetup],
  }));
  fs.writeFileSync(path.join(dir, 'test.yaml'), 'version: v0.1\ntestId: bench\ntestType: URL\ntestPlan: requests.json\nautoStop: disable\n');
  const cpu = process.cpuUsage();
  const evidence = await runLoadTest({ configFile: path.join(dir, 'test.yaml') });
  const used = process.cpuUsage(cpu);
  const t = evidence.metrics.totals;
  return {
    tool: setup.rps ? 'readiness (open model)' : 'readiness (closed model)', requests: t.requests, rps: t.rps,
    cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, t.requests),
    p50: t.latencyMs.p50, p90: t.latencyMs.p90, p99: t.latencyMs.p99, errors: t.errors, evidence,
  };
}

export async function runAutocannon(url: string, connections: number, seconds: number): Promise<Measured> {
  const cpu = process.cpuUsage();
  const result = await autocannon({ url: `${url}/`, connections, duration: seconds, pipelining: 1 });
  const used = process.cpuUsage(cpu);
  return {
    tool: 'autocannon', requests: result.requests.total, rps: result.requests.total / result.duration,
    cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, result.requests.total),
    p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, errors: result.errors + result.non2xx,
  };
}

export function table(rows: Measured[]): string {
  const head = '| tool | requests | req/s | generator CPU µs/request | p50 ms | p90 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|---|';
  const f = (n: number, d = 1) => n.toFixed(d);
  return [head, ...rows.map((r) => `| ${r.tool} | ${r.requests} | ${f(r.rps, 0)} | ${f(r.cpuMicrosPerRequest)} | ${f(r.p50, 2)} | ${f(r.p90, 2)} | ${f(r.p99, 2)} | ${r.errors} |`)].join('\n');
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}
