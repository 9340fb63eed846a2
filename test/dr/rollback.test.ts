import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, get as httpGet, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../src/errors';
import { runDrill } from '../../src/dr/runner';
import { validateEvidence } from '../../src/evidence/validate';
import { startAzureEmulators } from '../support/armEmulator';
import { EXAMPLES } from './drillFiles';
import { freePort } from '../support/postgres';

/**
 * Rollback drills against two real local versions of a service (examples/drill/rollback/deploy.sh replaces the
 * running process), and an App Service slot swap against the Resource Manager emulator.
 */
describe('rollback drills (previous version and back, timed)', function () {
  this.timeout(60_000);
  let serviceDir: string;
  let port: number;
  const deploy = (version: string) =>
    execFileSync(join(EXAMPLES, 'rollback/deploy.sh'), [version, serviceDir, String(port)]);
  // A fresh connection per look (agent: false) and a short timeout: deploy.sh replaces the process on the same port,
  // and a pooled keep-alive socket to the process it killed could leave a look waiting for the whole drill.
  const running = () =>
    new Promise<string>((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
          try {
            resolve((JSON.parse(body) as { version: string }).version);
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject);
    });
  const pid = () => Number(readFileSync(join(serviceDir, 'service.pid'), 'utf8'));
  const env = () => ({ SERVICE_DIR: serviceDir, SERVICE_PORT: String(port) });

  beforeEach(async () => {
    serviceDir = mkdtempSync(join(tmpdir(), 'rollback-service-'));
    port = await freePort();
    deploy('1.5.0');
  });
  afterEach(() => {
    try {
      process.kill(pid(), 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(serviceDir, { recursive: true, force: true });
  });

  function variant(change: (drill: Record<string, any>) => void): string {
    const drill = parse(readFileSync(join(EXAMPLES, 'rollback.yaml'), 'utf8'));
    for (const which of ['previous', 'current']) drill.rollback[which].argv[0] = join(EXAMPLES, 'rollback/deploy.sh');
    change(drill);
    const file = join(mkdtempSync(join(tmpdir(), 'rollback-drill-')), 'rollback.yaml');
    writeFileSync(file, stringify(drill));
    return file;
  }

  it('example (examples/drill/rollback.yaml): rolls back to 1.4.2, measures time to rollback and to recover, ends on 1.5.0', async () => {
    // Look at the running version back to back for the whole drill: the previous version may serve for only a
    // moment between its probe passing and the return to the current one, which a timed poll can miss under load.
    const seen: string[] = [];
    let drilling = true;
    const watch = (async () => {
      while (drilling) {
        const version = await running().catch(() => undefined);
        if (version && seen.at(-1) !== version) seen.push(version);
        if (!version) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const evidence = await runDrill({ configFile: join(EXAMPLES, 'rollback.yaml'), env: env() }).finally(() => (drilling = false));
    await watch;
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(validateEvidence(evidence).ok, true, JSON.stringify(validateEvidence(evidence)));
    const m = evidence.metrics;
    assert.equal(m.mode, 'rollback');
    assert.deepEqual(m.versions, { previous: '1.4.2', current: '1.5.0' });
    assert.deepEqual(m.steps.map((s) => [s.name, s.status]), [['baseline', 'passed'], ['rollback', 'passed'], ['recover', 'passed']]);
    assert.ok(typeof m.timeToRollbackSeconds === 'number' && m.timeToRollbackSeconds > 0 && m.timeToRollbackSeconds < 60);
    assert.ok(typeof m.timeToRecoverSeconds === 'number' && m.timeToRecoverSeconds > 0);
    assert.ok(m.timeToRollbackSeconds * 1000 <= m.steps[1].durationMs + 5);
    assert.deepEqual(evidence.criteria.map((c) => [c.expression, c.failed]), [['timeToRollbackSeconds > 120', false], ['timeToRecoverSeconds > 120', false]]);
    assert.match(m.probes[0].name, /^previous 1\.4\.2: /);
    assert.ok(seen.includes('1.4.2'), `the previous version really served (saw ${seen.join(' -> ')})`);
    assert.equal(await running(), '1.5.0');
  });

  it('previous version unhealthy -> drill fails naming it, and the current version is deployed again', async () => {
    const file = variant((d) => {
      d.rollback.previous.argv.push('unhealthy');
      d.probes[0].timeout = '3s';
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    assert.match(evidence.summary, /previous version 1\.4\.2 failed its health check: .*answered 503, expected 200/);
    assert.equal(evidence.metrics.timeToRollbackSeconds, null);
    assert.equal(evidence.criteria[0].failed, true);
    assert.equal(evidence.metrics.steps.find((s) => s.name === 'recover')!.status, 'passed');
    assert.equal(await running(), '1.5.0');
  });

  it('environment not marked safe for drills -> refused as bad input before anything is deployed', async () => {
    const before = pid();
    await assert.rejects(
      runDrill({ configFile: join(EXAMPLES, 'rollback.yaml'), env: env(), environment: 'production' }),
      (error: unknown) => error instanceof ConfigError && /"production", which the drill file does not list as safe for drills \(staging\)/.test(error.message),
    );
    assert.equal(pid(), before, 'the running service was not touched');
  });

  it('current version unhealthy before the drill -> nothing is rolled back', async () => {
    deploy('1.5.0-rc');
    const before = pid();
    const evidence = await runDrill({ configFile: variant((d) => (d.probes[0].timeout = '3s')), env: env() });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /not rolling back: the current version 1\.5\.0 failed its health check/);
    assert.deepEqual(evidence.metrics.steps.map((s) => [s.name, s.status]), [['baseline', 'failed'], ['rollback', 'skipped']]);
    assert.equal(pid(), before);
  });

  it('cancel during the rollback -> the current version is still deployed again', async () => {
    const controller = new AbortController();
    const file = variant((d) => (d.rollback.previous.argv = ['sh', '-c', 'sleep 30']));
    setTimeout(() => controller.abort(), 1500);
    const t0 = Date.now();
    const evidence = await runDrill({ configFile: file, env: env(), signal: controller.signal });
    assert.ok(Date.now() - t0 < 20_000);
    assert.equal(evidence.verdict, 'error');
    assert.equal(evidence.metrics.cancelled, true);
    assert.deepEqual(evidence.metrics.steps.map((s) => [s.name, s.status]), [['baseline', 'passed'], ['rollback', 'cancelled'], ['recover', 'passed']]);
    assert.equal(await running(), '1.5.0');
  });

  describe('App Service slot swap through Resource Manager (emulator)', () => {
    let azure: Awaited<ReturnType<typeof startAzureEmulators>>;
    let site: Server;
    let app: { production: string; slots: Record<string, string> };
    let sitePort: number;
    before(async () => {
      azure = await startAzureEmulators({ pollsUntilDone: 1 });
      // The web app's production URL: serves whatever version the emulator's production slot holds.
      site = createHttpServer((_req, res) => res.writeHead(200).end(JSON.stringify({ status: 'ok', version: app.production })));
      await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
      sitePort = (site.address() as { port: number }).port;
    });
    after(async () => {
      await azure.stop();
      await new Promise((done) => site.close(done));
    });
    beforeEach(() => (app = azure.arm.addWebApp('rg-orders', 'orders-web', '1.5.0', { previous: '1.4.2' })));

    const swapDrill = () =>
      variant((d) => {
        d.rollback = {
          safeEnvironments: ['staging'],
          previous: { version: '1.4.2' },
          current: { version: '1.5.0' },
          slotSwap: { resourceGroup: 'rg-orders', app: 'orders-web', slot: 'previous', pollInterval: '50ms' },
        };
        d.probes[0].url = `http://127.0.0.1:${sitePort}/health`;
      });

    it('swaps production with the slot holding the previous version and back, timing both', async () => {
      const evidence = await runDrill({ configFile: swapDrill(), env: env(), azure: azure.access });
      assert.equal(evidence.verdict, 'passed', evidence.summary);
      assert.equal(azure.arm.requestsTo('POST', /\/sites\/orders-web\/slotsswap$/).length, 2);
      assert.deepEqual(JSON.parse(azure.arm.requestsTo('POST', /slotsswap$/)[0].body), { targetSlot: 'previous', preserveVnet: true });
      assert.ok(typeof evidence.metrics.timeToRollbackSeconds === 'number');
      assert.deepEqual(app, { production: '1.5.0', slots: { previous: '1.4.2' } });
    });

    it('no service connection -> bad input naming azureSubscription, nothing swapped', async () => {
      await assert.rejects(runDrill({ configFile: swapDrill(), env: env() }), (error: unknown) => error instanceof ConfigError && /azureSubscription/.test(error.message));
      assert.equal(azure.arm.requestsTo('POST', /slotsswap$/).length, 2, 'only the earlier test swapped');
    });
  });
});

