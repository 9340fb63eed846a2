import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCondition, type BodyCondition } from '../../src/environment/bodyCondition';
import { runHealthCheck } from '../../src/environment/checks/health';
import type { HealthSpec } from '../../src/environment/config';

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });
const conditions = (...texts: string[]) => texts.map((t) => parseCondition(t) as BodyCondition);

describe('environment health check (loopback HTTP service)', function () {
  this.timeout(20_000);
  let server: Server;
  let port = 0;
  let answers: Array<{ status: number; body: unknown }> = [];
  let asked = 0;
  before(async () => {
    server = createServer((_req, res) => {
      const next = answers[Math.min(asked++, answers.length - 1)];
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(JSON.stringify(next.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    asked = 0;
  });

  const spec = (over: Partial<HealthSpec> = {}, probe: Partial<HealthSpec['probe']> = {}): HealthSpec => ({
    name: 'health', type: 'health', repeats: 4, minSuccessRatio: 1, intervalMs: 10,
    probe: { url: `http://127.0.0.1:${port}/health`, expectStatus: 200, conditions: conditions('$.status == "Healthy"', '$.db.latencyMs < 50'), headers: {}, timeoutMs: 2000, ...probe },
    ...over,
  });

  it('health: 4 of 4 healthy answers with db latency under 50 -> passed', async () => {
    answers = [{ status: 200, body: { status: 'Healthy', db: { latencyMs: 8 } } }];
    const r = await runHealthCheck(spec(), ctx());
    assert.equal(r.status, 'passed', r.detail);
    assert.equal(asked, 4);
    assert.equal(r.health!.successRatio, 1);
  });

  it('health: db latency 80 on every answer -> failed, naming the condition and what was found', async () => {
    answers = [{ status: 200, body: { status: 'Healthy', db: { latencyMs: 80 } } }];
    const r = await runHealthCheck(spec(), ctx());
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /\$\.db\.latencyMs < 50 does not hold \(found 80\)/);
  });

  it('health: one 503 in four with minimum ratio 0.75 -> passed; with ratio 1 -> failed naming HTTP 503', async () => {
    answers = [{ status: 503, body: { status: 'Unhealthy' } }, { status: 200, body: { status: 'Healthy', db: { latencyMs: 1 } } }];
    assert.equal((await runHealthCheck(spec({ minSuccessRatio: 0.75 }), ctx())).status, 'passed');
    asked = 0;
    const r = await runHealthCheck(spec(), ctx());
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /only 3\/4 times.*probe 1: HTTP 503, expected 200/);
  });

  it('health: latency bound of 0 ms cannot be met -> failed naming the latency', async () => {
    answers = [{ status: 200, body: { status: 'Healthy', db: { latencyMs: 1 } } }];
    const r = await runHealthCheck(spec({ repeats: 1 }, { maxLatencyMs: 0 } as never), ctx());
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /ms, over 0 ms/);
  });

  it('health: nothing listening -> unknown, not failed', async () => {
    const r = await runHealthCheck(spec({ repeats: 2 }, { url: 'http://127.0.0.1:9/health' }), ctx());
    assert.equal(r.status, 'unknown');
    assert.match(r.detail, /never answered \(probe 1: .*ECONNREFUSED/);
  });
});
