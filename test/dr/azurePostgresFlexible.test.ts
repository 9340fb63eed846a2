import { strict as assert } from 'node:assert';
import { checkBackupFreshness } from '../../src/dr/freshness';
import { runDrill, type DrillOptions } from '../../src/dr/runner';
import { ConfigError, ExitCode } from '../../src/errors';
import { validateEvidence } from '../../src/evidence/validate';
import type { DrillEvidence } from '../../src/evidence/types';
import { docExample, startAzureEmulators } from '../support/armEmulator';
import { startPostgres, type TestPostgres } from '../support/postgres';

const PASSWORD = 'flexible-drill-pw-42';

describe('azure-postgres-flexible drills against the Resource Manager emulator and a real PostgreSQL', function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let emu: Awaited<ReturnType<typeof startAzureEmulators>>;
  const outputs: string[] = [];

  before(async () => {
    pg = await startPostgres();
    await pg.createDatabase('orders');
    await pg.query(`create table orders (id int primary key, updated_at timestamptz not null);
      insert into orders select g, now() - interval '30 minutes' from generate_series(1, 100) g;`, [], 'orders');
  });
  after(async () => {
    await pg?.stop();
  });
  const secrets: string[] = [];
  afterEach(async () => {
    if (!emu) return;
    secrets.push(...emu.marked, ...emu.identity.issuedTokens, emu.identity.options.clientSecret);
    await emu.stop();
  });

  async function emulators(options: Parameters<typeof startAzureEmulators>[0] = {}) {
    emu = await startAzureEmulators({ pollsUntilDone: 2, ...options });
    emu.arm.addFlexibleServer('rg-orders', 'orders-pg', { retentionDays: 7 });
    return emu;
  }

  /** The docs example pointed at the local PostgreSQL (the "restored" server) with fast polling. */
  function drillFile(change: (drill: Record<string, any>) => void = () => undefined): string {
    return docExample('azure-postgres-flexible', (d) => {
      Object.assign(d.target, { port: pg.port, sslmode: 'disable', user: 'postgres' });
      d.restore.pollInterval = '20ms';
      change(d);
    });
  }

  async function drill(configFile: string, extra: Partial<DrillOptions> = {}): Promise<{ evidence: DrillEvidence; progress: string[] }> {
    const progress: string[] = [];
    const evidence = await runDrill({
      configFile,
      azure: emu.access,
      env: { PGPASSWORD: PASSWORD },
      onProgress: (m) => progress.push(m),
      ...extra,
    });
    outputs.push(JSON.stringify(evidence), ...progress);
    return { evidence, progress };
  }

  const scratch = () => emu.arm.flexibleServerId('rg-orders', 'orders-pg-drill');

  it('flexible server: restore, probe, delete -> passed, RPO from the restore point, retention in the evidence', async () => {
    await emulators();
    const { evidence, progress } = await drill(drillFile());
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    const valid = validateEvidence(evidence);
    assert.ok(valid.ok, JSON.stringify(valid));
    const [put] = emu.arm.requestsTo('PUT', /flexibleServers\/orders-pg-drill$/);
    const body = JSON.parse(put.body);
    assert.equal(body.properties.createMode, 'PointInTimeRestore');
    assert.equal(body.properties.sourceServerResourceId, emu.arm.flexibleServerId('rg-orders', 'orders-pg'));
    assert.equal(put.headers['if-none-match'], '*');
    // latest = drill start minus the example's 15m log-backup interval, and RPO is measured against that point.
    const point = Date.parse(body.properties.pointInTimeUTC);
    assert.equal(Date.parse(evidence.startedAt) - point, 15 * 60 * 1000);
    // "latest" is the declared interval, not a measurement, and the summary says so (the gate refuses it).
    assert.equal(evidence.metrics.rpoMethod, 'declared-interval');
    assert.equal(evidence.metrics.mode, 'restore');
    assert.match(evidence.summary, /RPO was declared .*not measured/);
    assert.equal(evidence.metrics.rpoSeconds, 900);
    assert.equal(evidence.metrics.backup.takenAt, new Date(point).toISOString());
    assert.match(evidence.metrics.steps[0].detail, /earliest \S+ \(7\.0 days of retention\)/);
    assert.deepEqual(evidence.metrics.probes.map((p) => [p.name, p.status]), [['select1', 'passed'], ['orders are present', 'passed']]);
    assert.ok(evidence.metrics.rtoSeconds! > 0);
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(emu.arm.has(scratch()), false, 'the scratch server is deleted');
    assert.ok(progress.some((m) => /restore into "orders-pg-drill": (InProgress|Succeeded)/.test(m)), progress.join('\n'));
  });

  it('flexible server: an explicit pointInTime and rpo.query -> RPO from the restored data, restore at that time', async () => {
    await emulators();
    const at = new Date(Date.now() - 3600_000).toISOString();
    const { evidence } = await drill(drillFile((d) => {
      d.restore.pointInTime = at;
      d.rpo = { query: 'select max(updated_at) from orders' };
    }));
    assert.equal(evidence.verdict, 'failed', 'the seeded rows are 30 minutes old, over the 20m target');
    assert.equal(JSON.parse(emu.arm.requestsTo('PUT', /orders-pg-drill$/)[0].body).properties.pointInTimeUTC, at);
    assert.equal(evidence.metrics.rpoMethod, 'query');
    assert.ok(evidence.metrics.rpoSeconds! >= 1800 && evidence.metrics.rpoSeconds! < 1900, String(evidence.metrics.rpoSeconds));
    assert.equal(emu.arm.has(scratch()), false);
  });

  it('flexible server: the scratch name already exists -> refused before any write, the existing server untouched', async () => {
    await emulators();
    emu.arm.addFlexibleServer('rg-orders', 'orders-pg-drill');
    const { evidence } = await drill(drillFile());
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /already exists\. A drill never overwrites/);
    assert.equal(emu.arm.requestsTo('PUT', /./).length, 0);
    assert.equal(emu.arm.requestsTo('DELETE', /./).length, 0);
    assert.ok(emu.arm.has(scratch()));
    assert.equal(evidence.metrics.cleanup.detail, 'nothing was created');
  });

  it('flexible server: Azure answers 409 to the create (name taken meanwhile) -> failed, nothing deleted', async () => {
    await emulators({ faults: [{ method: 'PUT', path: /orders-pg-drill$/, status: 409 }] });
    const { evidence } = await drill(drillFile());
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /already exists \(HTTP 409\)/);
    assert.equal(emu.arm.requestsTo('DELETE', /./).length, 0);
  });

  it('flexible server: the create\'s answer is lost and the retry meets the drill\'s own server -> it carries on and deletes it', async () => {
    await emulators({ loseFirstPutAnswer: true });
    const { evidence } = await drill(drillFile());
    assert.equal(emu.arm.requestsTo('PUT', /orders-pg-drill$/).length, 2, 'the pipeline retried the PUT');
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.match(evidence.metrics.steps.find((s) => s.name === 'restore')!.detail, /already created by this drill/);
    assert.equal(emu.arm.has(scratch()), false);
  });

  it('flexible server: the restore operation fails -> drill failed with Azure\'s reason, the scratch server still deleted', async () => {
    await emulators({ restoreFailure: 'Restore could not complete: storage unavailable.' });
    const { evidence } = await drill(drillFile());
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /ended Failed: RestoreFailed: Restore could not complete/);
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(emu.arm.requestsTo('DELETE', /orders-pg-drill$/).length, 1);
    assert.equal(emu.arm.has(scratch()), false);
  });

  it('flexible server: the delete fails -> reported loudly with the resource id left behind, drill failed', async () => {
    await emulators({ deleteFailure: 'The server is locked.' });
    const { evidence, progress } = await drill(drillFile());
    assert.equal(evidence.verdict, 'failed');
    assert.equal(evidence.metrics.cleanup.status, 'failed');
    assert.deepEqual(evidence.metrics.cleanup.leftBehind, [`Azure Database for PostgreSQL flexible server ${scratch()}`]);
    assert.match(evidence.metrics.cleanup.detail, /ended Failed: DeleteFailed: The server is locked/);
    assert.ok(progress.some((m) => m.startsWith('CLEANUP FAILED, left behind:') && m.includes(scratch())), progress.join('\n'));
    assert.ok(emu.arm.has(scratch()));
  });

  it('flexible server: the identity may not delete (403) -> left behind, with the role to grant', async () => {
    await emulators({ faults: [{ method: 'DELETE', path: /orders-pg-drill$/, status: 403 }] });
    const { evidence } = await drill(drillFile());
    assert.equal(evidence.metrics.cleanup.status, 'failed');
    assert.match(evidence.metrics.cleanup.detail, /Grant it the "Contributor" role on resource group "rg-orders"/);
    assert.ok(emu.arm.has(scratch()));
  });

  it('flexible server: the identity may not read the source (403) -> error naming the Reader role, nothing created', async () => {
    await emulators({ faults: [{ method: 'GET', path: /flexibleServers\/orders-pg$/, status: 403 }] });
    const { evidence } = await drill(drillFile());
    assert.equal(evidence.verdict, 'error');
    assert.match(evidence.summary, /Grant it the "Reader" role/);
    assert.equal(emu.arm.requestsTo('PUT', /./).length, 0);
  });

  it('flexible server: cancelled while the restore runs -> cancelled evidence, the scratch server deleted', async () => {
    await emulators({ holdRestore: true });
    const controller = new AbortController();
    const { evidence } = await drill(drillFile(), {
      signal: controller.signal,
      onProgress: (m) => {
        if (/restore into "orders-pg-drill": InProgress/.test(m)) controller.abort();
      },
    });
    assert.equal(evidence.metrics.cancelled, true);
    assert.equal(evidence.verdict, 'error');
    assert.equal(evidence.metrics.steps.find((s) => s.name === 'restore')!.status, 'cancelled');
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(emu.arm.has(scratch()), false);
  });

  it('flexible server: no Azure credential given -> bad input (ConfigError, exit 2) saying to set azureSubscription', async () => {
    await emulators();
    await assert.rejects(drill(drillFile(), { azure: undefined }), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.match(error.message, /set the azureSubscription input of ReadinessDrDrill@1/);
      return true;
    });
    await assert.rejects(checkBackupFreshness({ configFile: drillFile(), env: { PGPASSWORD: PASSWORD } }), ConfigError);
    assert.equal(emu.arm.requestsTo('PUT', /./).length, 0);
  });

  it('flexible server: explicit restore.pointInTime -> RPO measured from that restored point, not declared', async () => {
    await emulators();
    const point = new Date(Date.now() - 40 * 60_000);
    point.setUTCMilliseconds(0);
    const { evidence } = await drill(drillFile((d) => (d.restore.pointInTime = point.toISOString())));
    assert.equal(evidence.metrics.rpoMethod, 'latest-restorable-time');
    assert.ok(Math.abs(evidence.metrics.rpoSeconds! - (Date.parse(evidence.startedAt) - point.getTime()) / 1000) < 0.01);
    assert.doesNotMatch(evidence.summary, /declared/);
  });

  it('flexible server: Resource Manager answers 404 for a moment after the create -> start asks again and the drill passes', async () => {
    // One 404 for preflight's "is the name free" read, then two for start's reads of the new server.
    await emulators({ faults: [{ method: 'GET', path: /flexibleServers\/orders-pg-drill$/, status: 404 as unknown as 500, times: 3 }] });
    const { evidence, progress } = await drill(drillFile());
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.ok(progress.some((m) => /not visible yet \(HTTP 404, attempt 2 of 5\)/.test(m)), progress.join('\n'));
  });

  it('flexible server: the new server stays 404 -> start gives up after a few reads with an infrastructure error', async () => {
    await emulators({ faults: [{ method: 'GET', path: /flexibleServers\/orders-pg-drill$/, status: 404 as unknown as 500, times: 8 }] });
    const { evidence } = await drill(drillFile());
    assert.equal(evidence.verdict, 'error');
    assert.match(evidence.metrics.steps.find((s) => s.name === 'start')!.detail, /HTTP 404/);
  });

  it('flexible server freshness: the latest restorable time against RPO -> passed; a stopped server -> failed', async () => {
    await emulators();
    const fresh = await checkBackupFreshness({ configFile: drillFile(), azure: emu.access, env: { PGPASSWORD: PASSWORD } });
    assert.equal(fresh.verdict, 'passed', fresh.summary);
    assert.equal(fresh.metrics.rpoMethod, 'declared-interval');
    assert.equal(fresh.metrics.mode, 'freshness');
    assert.equal(fresh.metrics.rpoSeconds, 900);
    assert.match(fresh.metrics.backup.location, /orders-pg \(earliest restore point /);
    emu.arm.resources.get(emu.arm.flexibleServerId('rg-orders', 'orders-pg').toLowerCase())!.properties.state = 'Stopped';
    const stopped = await checkBackupFreshness({ configFile: drillFile(), azure: emu.access, env: { PGPASSWORD: PASSWORD } });
    assert.equal(stopped.verdict, 'failed');
    assert.match(stopped.summary, /Azure takes no backups of a stopped server/);
    outputs.push(JSON.stringify(fresh), JSON.stringify(stopped));
  });

  it('flexible server: tokens, the client secret and the probe password -> never in evidence or progress', () => {
    assert.ok(outputs.length > 10);
    const text = outputs.join('\n');
    assert.ok(secrets.length > 10, 'the credential handed its secrets to the masker');
    for (const secret of [...secrets, PASSWORD]) assert.ok(!text.includes(secret), `a secret leaked: ${secret.slice(0, 6)}...`);
    assert.ok(!/eyJ[A-Za-z0-9_-]{6,}\./.test(text));
  });
});
