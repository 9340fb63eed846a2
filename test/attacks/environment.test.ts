import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runMonitoringCheck } from '../../src/environment/checks/monitoring';
import { runEnvironmentChecks } from '../../src/environment/run';
import { startAzureEmulators } from '../support/armEmulator';
import { emptyMonitor } from '../support/armMonitorRoutes';
import { startWorld } from '../environment/world';

/** Attacks on the environment checks; each shows the verdict and the secrets unchanged. */
describe('attacks: environment checks', function () {
  this.timeout(60_000);
  const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });

  it('attack: a list answer whose nextLink points at another host -> the bearer token is not sent there, the check is unknown', async () => {
    let foreignRequests = 0;
    let sawAuthorization = false;
    const foreign = createServer((req, res) => {
      foreignRequests += 1;
      sawAuthorization ||= Boolean(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    const monitor = emptyMonitor();
    monitor.pageSize = 1;
    monitor.foreignNextLink = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    const azure = await startAzureEmulators({ monitor });
    const sub = azure.arm.subscriptionId;
    const site = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Web/sites/web`;
    for (const name of ['a', 'b']) monitor.metricAlerts.push({ id: `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/${name}`, properties: { enabled: true, scopes: [site], actions: [] } });
    try {
      const r = await runMonitoringCheck({ name: 'm', type: 'monitoring', resources: [site], require: ['metricAlert'] }, ctx(), azure.access);
      assert.equal(r.status, 'unknown');
      assert.match(r.detail, /nextLink on another host .* does not send its token there/);
      assert.equal(foreignRequests, 0);
      assert.equal(sawAuthorization, false);
    } finally {
      await azure.stop();
      foreign.close();
    }
  });

  it('attack: cancelling during a 60 s watch -> the run stops at once with verdict error, never passed', async () => {
    const world = await startWorld();
    try {
      const file = world.file((d) => (d.checks = [{ name: 'w', type: 'watch', window: '60s', interval: '200ms', health: { url: world.healthUrl } }]), 'cancel.yaml');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 500);
      const started = Date.now();
      const evidence = await runEnvironmentChecks({ configFile: file, run: {}, signal: controller.signal });
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      assert.equal(evidence.verdict, 'error');
      assert.equal(evidence.metrics.cancelled, true);
      assert.equal(evidence.metrics.checks[0].status, 'unknown');
    } finally {
      await world.stop();
    }
  });
});
