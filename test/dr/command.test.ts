import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEventListeners } from 'node:events';
import { loadDrillConfig } from '../../src/dr/config';
import { checkBackupFreshness } from '../../src/dr/freshness';
import { commandProvider } from '../../src/dr/providers/command';
import { runDrill } from '../../src/dr/runner';
import { validateEvidence } from '../../src/evidence/validate';
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

  it('command probe as argv: runs without a shell, so shell syntax in an argument stays literal', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.probes[1] = { type: 'command', name: 'argv probe', argv: ['echo', '$(touch /tmp/readiness-argv-probe-ran); ok'] };
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.probes[1].detail, 'exited 0: $(touch /tmp/readiness-argv-probe-ran); ok');
    assert.equal(existsSync('/tmp/readiness-argv-probe-ran'), false);
  });

  it('rpo.command reports a time far in the future -> RPO unknown with the reason, the RPO target fails', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.rpo = { command: 'echo 2099-01-01T00:00:00Z' };
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    assert.equal(evidence.metrics.rpoSeconds, null);
    const rpo = evidence.criteria.find((c) => c.expression.startsWith('rpoSeconds'))!;
    assert.equal(rpo.failed, true);
    assert.match(rpo.explanation, /2099-01-01T00:00:00\.000Z, .* after the drill started .*more than the 60s allowed for clock skew/);
    assert.match(evidence.metrics.steps.find((s) => s.name === 'rpo')!.detail, /clock skew/);
  });

  it('rpo.command a few seconds ahead of the agent clock (skew) -> RPO 0, the drill passes', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.rpo = { command: `date -u -d '+20 seconds' +%Y-%m-%dT%H:%M:%SZ` };
    });
    const evidence = await runDrill({ configFile: file, env: env() });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.rpoSeconds, 0);
    assert.equal(evidence.metrics.rpoMethod, 'query');
  });

  it('freshness only: the evidence is marked mode freshness (not a drill); a full drill is mode restore', async () => {
    const file = variant('command.yaml', absolute);
    const fresh = await checkBackupFreshness({ configFile: file, env: env() });
    assert.equal(fresh.verdict, 'passed', fresh.summary);
    assert.equal(fresh.metrics.mode, 'freshness');
    assert.equal(fresh.metrics.rpoMethod, 'backup-age');
    assert.match(fresh.summary, /nothing was restored/);
    assert.ok(validateEvidence(fresh).ok);
    const drill = await runDrill({ configFile: file, env: env() });
    assert.equal(drill.metrics.mode, 'restore');
    assert.ok(validateEvidence(drill).ok);
  });

  it('freshness only: backup.newestCommand reports a future time -> age unknown, freshness fails', async () => {
    const file = variant('command.yaml', (d) => {
      absolute(d);
      d.backup.newestCommand = 'echo 2099-01-01T00:00:00Z';
    });
    const fresh = await checkBackupFreshness({ configFile: file, env: env() });
    assert.equal(fresh.verdict, 'failed');
    assert.equal(fresh.metrics.rpoSeconds, null);
    assert.match(fresh.summary, /Backup freshness unknown: .*clock skew/);
  });

  it('health polling: the abort listener of each attempt is removed, none pile up on the step signal', async () => {
    const config = loadDrillConfig(variant('command.yaml', absolute), env());
    const session = commandProvider.open(config);
    const controller = new AbortController();
    const ctx = { signal: controller.signal, workDir: mkdtempSync(join(tmpdir(), 'drill-health-')), drillStartedAt: new Date(), progress: () => undefined };
    healthCalls = -3; // five unhealthy answers before the 200
    assert.match(await session.start(ctx), /answered 200/);
    assert.ok(healthCalls >= 3);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});
