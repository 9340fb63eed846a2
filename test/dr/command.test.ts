import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrill } from '../../src/dr/runner';
import { EXAMPLES, variant } from './drillFiles';

describe('command drills (your scripts plus an HTTP health probe)', function () {
  this.timeout(60_000);
  let server: Server;
  let port: number;
  let healthCalls = 0;
  let marker: string;

  before(async () => {
    // A restored service that needs a moment to become healthy: 503 twice, then 200.
    server = createServer((req, res) => {
      if (req.url === '/healthz') {
        healthCalls++;
        res.writeHead(healthCalls > 2 ? 200 : 503).end();
      } else if (req.url === '/orders/1') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1,"total_cents":107}');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    healthCalls = 0;
    // restore.sh creates this file and cleanup.sh removes it, so the test can see cleanup ran.
    marker = join(mkdtempSync(join(tmpdir(), 'drill-command-')), 'scratch-environment');
    process.env.DRILL_MARKER = marker;
  });
  afterEach(() => delete process.env.DRILL_MARKER);

  const env = () => ({ HEALTH_PORT: String(port) });
  const absolute = (d: Record<string, any>) => {
    d.backup.newestCommand = join(EXAMPLES, 'newest-backup.sh');
    d.restore.command = join(EXAMPLES, 'restore.sh');
    d.probes[1].command = join(EXAMPLES, 'smoke.sh');
    d.cleanup.command = join(EXAMPLES, 'cleanup.sh');
  };

  it('example (examples/drill/command.yaml): waits for health, probes pass, cleanup removes the scratch environment', async () => {
    const evidence = await runDrill({ configFile: join(EXAMPLES, 'command.yaml'), env: env() });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.ok(healthCalls >= 3, 'the start step polled the health endpoint until it answered 200');
    assert.deepEqual(evidence.metrics.probes.map((p) => p.status), ['passed', 'passed']);
    assert.equal(evidence.metrics.rpoMethod, 'backup-age');
    // newest-backup.sh reports a backup ten minutes old; the RPO target in the example is 1h.
    assert.ok(Math.abs(evidence.metrics.rpoSeconds! - 600) < 30, `rpo ${evidence.metrics.rpoSeconds}`);
    assert.equal(existsSync(marker), false, 'cleanup.sh removed what restore.sh created');
  });

  it('failing restore script: the drill fails with its exit code and stderr, cleanup still runs', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.restore.command = `${join(EXAMPLES, 'restore.sh')} && echo "terraform: quota exceeded" >&2 && exit 4`;
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /restore\.command exited with code 4: terraform: quota exceeded/);
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(existsSync(marker), false);
  });

  it('failing cleanup script: reported loudly with what was left behind, and the drill fails', async () => {
    const progress: string[] = [];
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.cleanup.command = 'echo "cannot delete resource group" >&2; exit 1';
    });
    const evidence = await runDrill({ configFile: file, env: env(), onProgress: (m) => progress.push(m) });
    assert.equal(evidence.verdict, 'failed');
    assert.deepEqual(evidence.metrics.cleanup.leftBehind, ['orders-scratch']);
    assert.match(evidence.summary, /cleanup did not finish\. Cleanup left behind: orders-scratch/);
    assert.ok(progress.some((m) => /^CLEANUP FAILED, left behind: orders-scratch: .*cannot delete resource group/.test(m)));
  });

  it('health endpoint never healthy: the start step times out and the drill fails', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.start.health.url = `http://127.0.0.1:${port}/nowhere`;
      d.timeouts.start = '1s';
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /start timed out after 1s \(timeouts\.start\)/);
    assert.equal(existsSync(marker), false, 'cleanup ran after the timeout');
  });

  it('http probe with the wrong body: the probe fails naming what was missing', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.probes[0].bodyContains = '"id":2';
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.metrics.probes[0].detail, /body lacks "\\"id\\":2"|body lacks "\"id\":2"/);
  });
});
