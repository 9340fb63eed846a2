import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runWatch } from '../../src/environment/checks/watch';
import type { WatchSpec } from '../../src/environment/config';
import { startAzureEmulators } from '../support/armEmulator';
import { emptyMonitor } from '../support/armMonitorRoutes';

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });
const WORKSPACE = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/shop-prod/providers/Microsoft.OperationalInsights/workspaces/shop-law';

describe('environment post-deploy watch', function () {
  this.timeout(60_000);
  let server: Server;
  let url = '';
  let healthy = true;
  let flippedAt = 0;
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: healthy ? 'Healthy' : 'Unhealthy' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    healthy = true;
  });

  const healthWatch = (windowMs: number, intervalMs: number): WatchSpec => ({
    name: 'watch', type: 'watch', windowMs, intervalMs, maxConsecutiveFailures: 1,
    health: { url, expectStatus: 200, conditions: [], headers: {}, timeoutMs: 2000 },
  });

  it('watch: healthy for the whole 1.2 s window, polled every 300 ms -> passed after about 5 polls', async () => {
    const r = await runWatch(healthWatch(1200, 300), ctx());
    assert.equal(r.status, 'passed', r.detail);
    assert.ok(r.watch!.polls >= 4 && r.watch!.polls <= 6, String(r.watch!.polls));
    assert.ok(r.durationMs >= 1200);
  });

  it('watch: the endpoint turns 503 mid-window -> failed within one poll interval of the breach, long before the window ends', async () => {
    const interval = 500;
    setTimeout(() => {
      healthy = false;
      flippedAt = performance.now();
    }, 1300);
    const r = await runWatch(healthWatch(30_000, interval), ctx());
    const lag = performance.now() - flippedAt;
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /HTTP 503, expected 200\); roll back the deployment/);
    // One interval, plus the time one local request takes on a loaded machine.
    assert.ok(lag <= interval + 250, `breach reported ${Math.round(lag)} ms after it began (interval ${interval} ms)`);
    assert.ok(r.watch!.breachAtSecond! < 3, String(r.watch!.breachAtSecond));
  });

  it('watch: two bad polls needed, and only one happens -> passed', async () => {
    setTimeout(() => (healthy = false), 650);
    setTimeout(() => (healthy = true), 850);
    const r = await runWatch({ ...healthWatch(1600, 300), maxConsecutiveFailures: 2 }, ctx());
    assert.equal(r.status, 'passed', r.detail);
  });

  it('watch: a Log Analytics error-rate query through ARM goes over its bound -> failed, naming the value and the bound', async () => {
    const monitor = emptyMonitor();
    let rate = 0.4;
    monitor.logRows = () => [[rate]];
    const azure = await startAzureEmulators({ monitor });
    try {
      setTimeout(() => (rate = 7.5), 700);
      const r = await runWatch(
        { name: 'errors', type: 'watch', windowMs: 20_000, intervalMs: 300, maxConsecutiveFailures: 1, query: { resource: WORKSPACE, kql: 'AppRequests | summarize 100.0 * countif(Success == false) / count()', max: 2, timespan: 'PT5M' } },
        ctx(),
        azure.access,
      );
      assert.equal(r.status, 'failed');
      assert.match(r.detail, /the query returned 7\.5, over the bound 2/);
      assert.equal(monitor.logQueries[0].resource, WORKSPACE);
      assert.equal(monitor.logQueries[0].timespan, 'PT5M');
      assert.ok(r.watch!.polls >= 3 && r.watch!.polls <= 5, String(r.watch!.polls));
    } finally {
      await azure.stop();
    }
  });

  it('watch: the same query with the rate within bounds for the window -> passed', async () => {
    const monitor = emptyMonitor();
    monitor.logRows = () => [[0.1]];
    const azure = await startAzureEmulators({ monitor });
    try {
      const r = await runWatch({ name: 'errors', type: 'watch', windowMs: 900, intervalMs: 300, maxConsecutiveFailures: 1, query: { resource: WORKSPACE, kql: 'AppRequests | count', max: 2 } }, ctx(), azure.access);
      assert.equal(r.status, 'passed', r.detail);
    } finally {
      await azure.stop();
    }
  });
});
