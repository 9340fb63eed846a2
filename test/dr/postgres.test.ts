import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBackupFreshness } from '../../src/dr/freshness';
import { runDrill } from '../../src/dr/runner';
import { validateEvidence } from '../../src/evidence/validate';
import { tableFiguresSql } from '../../src/dr/sqlProbes';
import type { DrillEvidence } from '../../src/evidence/types';
import { archiveCreatedAt } from '../../src/dr/providers/postgresArchive';
import { PG_BIN, startPostgres, type TestPostgres } from '../support/postgres';
import { EXAMPLES, variant } from './drillFiles';

const PASSWORD = 's3cret-drill-pw';
/** Source rows are dated this far back, so a backup of them has a known, large RPO. */
const SEED_AGE_MINUTES = 20;

describe('postgres drills against a real PostgreSQL', function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  let work: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    pg = await startPostgres();
    work = mkdtempSync(join(tmpdir(), 'drill-pg-test-'));
    env = { PGPORT: String(pg.port), PGPASSWORD: PASSWORD };
    await pg.createDatabase('orders');
    await pg.query(
      `create table customers (id int primary key, name text not null);
       create table orders (id int primary key, customer_id int not null references customers(id),
                            total_cents int not null, updated_at timestamptz not null);
       insert into customers select g, 'c' || g from generate_series(1, 50) g;
       insert into orders select g, 1 + g % 50, g * 10, now() - interval '${SEED_AGE_MINUTES} minutes'
         from generate_series(1, 2000) g;`,
      [],
      'orders',
    );
  });
  after(async () => {
    await pg?.stop();
  });

  /** What a backup job would do: pg_dump -Fc plus a checkpoint of row counts at the same moment. */
  async function takeBackup(name: string): Promise<string> {
    const archive = join(work, name);
    const [figures] = await pg.query<{ rows: string }>(tableFiguresSql('orders', false), [], 'orders');
    writeFileSync(`${archive}.checkpoint.json`, JSON.stringify({ takenAt: new Date().toISOString(), tables: { orders: { rows: Number(figures.rows) } } }));
    execFileSync(join(PG_BIN, 'pg_dump'), ['-Fc', '-f', archive, pg.url('orders')]);
    return archive;
  }

  async function sourceFigures(): Promise<string> {
    const figures = [];
    for (const table of ['customers', 'orders']) figures.push(...(await pg.query(tableFiguresSql(table, true), [], 'orders')));
    return JSON.stringify(figures);
  }

  function drill(configFile: string, extra: Partial<Parameters<typeof runDrill>[0]> = {}): Promise<DrillEvidence> {
    return runDrill({ configFile, ...extra, env: { ...env, ...extra.env } });
  }

  it('fresh backup: every probe passes, RPO is small, the scratch database is dropped, the source is untouched', async () => {
    // A write just now: the fresh dump includes it, so the newest restored data is seconds old.
    await pg.query(`insert into orders values (90001, 1, 5, now())`, [], 'orders');
    const before = await sourceFigures();
    const evidence = await drill(join(EXAMPLES, 'postgres-fresh.yaml'));
    const after = await sourceFigures();
    await pg.query('delete from orders where id = 90001', [], 'orders');
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.deepEqual(evidence.metrics.probes.map((p) => p.status), ['passed', 'passed', 'passed', 'passed', 'passed']);
    assert.deepEqual(evidence.metrics.steps.map((s) => s.name), ['preflight', 'backup', 'restore', 'start', 'probes', 'rpo', 'cleanup']);
    assert.equal(evidence.metrics.rpoMethod, 'query');
    assert.ok(evidence.metrics.rpoSeconds! < 60, `rpo ${evidence.metrics.rpoSeconds}`);
    assert.ok(evidence.metrics.rtoSeconds! > 0);
    assert.equal(await pg.databaseExists('orders_drill'), false);
    assert.equal(after, before);
    assert.ok(!JSON.stringify(evidence).includes(PASSWORD), 'the password must not reach the evidence');
    const check = validateEvidence(evidence);
    assert.ok(check.ok, JSON.stringify(check));
  });

  it('existing archive: writes made after the backup are lost and the measured RPO says so', async () => {
    const archive = await takeBackup('before-writes.dump');
    // Writes after the backup: they are in the source but cannot be in the restored copy.
    await pg.query(`insert into orders select g, 1, 5, now() from generate_series(100001, 100010) g`, [], 'orders');
    const evidence = await drill(join(EXAMPLES, 'postgres-archive.yaml'), { env: { BACKUP_ARCHIVE: archive } });
    // The newest data in the backup is SEED_AGE_MINUTES old; the ten rows written since are what a real restore loses.
    const rpo = evidence.metrics.rpoSeconds!;
    assert.ok(rpo >= SEED_AGE_MINUTES * 60 - 5 && rpo < SEED_AGE_MINUTES * 60 + 60, `rpo ${rpo}`);
    assert.equal(evidence.metrics.rpoMethod, 'query');
    assert.equal(evidence.metrics.disruption, 'region');
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /RPO .* over target/);
    // Row counts match the checkpoint written with the backup, not the source that moved on.
    assert.deepEqual(evidence.metrics.probes.map((p) => p.status), ['passed', 'passed', 'passed']);
    assert.equal(await pg.databaseExists('orders_restore_drill'), false);
  });

  it('truncated archive: the drill fails naming pg_restore, and leaves nothing behind', async () => {
    const archive = await takeBackup('truncated.dump');
    truncateSync(archive, Math.floor(statSync(archive).size * 0.6));
    const evidence = await drill(join(EXAMPLES, 'postgres-archive.yaml'), { env: { BACKUP_ARCHIVE: archive } });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /pg_restore could not restore the backup/);
    assert.equal(evidence.metrics.steps.find((s) => s.name === 'restore')?.status, 'failed');
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(await pg.databaseExists('orders_restore_drill'), false);
  });

  it('corrupted archive: a file that is not a dump fails preflight with the reason', async () => {
    const archive = join(work, 'garbage.dump');
    writeFileSync(archive, Buffer.from('PGDMP but not really, just some bytes'.repeat(50)));
    const evidence = await drill(join(EXAMPLES, 'postgres-archive.yaml'), { env: { BACKUP_ARCHIVE: archive } });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /not a readable pg_dump archive/);
    assert.equal(evidence.metrics.rtoSeconds, null);
  });

  it('missing backup: the drill fails in preflight and creates nothing', async () => {
    const evidence = await drill(join(EXAMPLES, 'postgres-archive.yaml'), { env: { BACKUP_ARCHIVE: join(work, 'nope.dump') } });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /nope\.dump does not exist/);
    assert.deepEqual(evidence.metrics.steps.map((s) => s.status), ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'passed']);
    assert.equal(evidence.metrics.cleanup.detail, 'nothing was created');
  });

  it('target name already exists: the drill refuses and the existing database survives', async () => {
    await pg.createDatabase('somebody_elses');
    await pg.query('create table keep_me (id int); insert into keep_me values (42)', [], 'somebody_elses');
    const file = variant('postgres-fresh.yaml', (d) => (d.target.database = 'somebody_elses'));
    const evidence = await drill(file);
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /"somebody_elses" already exists .* never overwrites a database it did not create/);
    assert.deepEqual(await pg.query('select id from keep_me', [], 'somebody_elses'), [{ id: 42 }]);
  });

  it('probe timeout: a slow probe is unknown and fails the drill', async () => {
    const file = variant('postgres-fresh.yaml', (d) => {
      d.probes = ['select1', { type: 'sql', name: 'slow', sql: 'select pg_sleep(5) is not null', timeout: '1s' }];
    });
    const evidence = await drill(file);
    assert.equal(evidence.verdict, 'failed');
    const slow = evidence.metrics.probes.find((p) => p.name === 'slow')!;
    assert.equal(slow.status, 'unknown');
    assert.match(slow.detail, /timed out after 1s/);
    assert.equal(evidence.metrics.rtoSeconds, null, 'RTO is not measured when a probe did not pass');
    assert.equal(await pg.databaseExists('orders_drill'), false);
  });

  it('cancellation during probes: cleanup still drops the scratch database and the evidence says cancelled', async () => {
    const file = variant('postgres-fresh.yaml', (d) => {
      d.probes = [{ type: 'sql', name: 'long', sql: 'select pg_sleep(30) is not null' }];
    });
    const controller = new AbortController();
    const evidence = await drill(file, {
      signal: controller.signal,
      onProgress: (message) => message === 'probe long' && setTimeout(() => controller.abort(), 300),
    });
    assert.equal(evidence.verdict, 'error');
    assert.equal(evidence.metrics.cancelled, true);
    assert.equal(evidence.metrics.steps.find((s) => s.name === 'probes')?.status, 'cancelled');
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(await pg.databaseExists('orders_drill'), false);
  });

  it('heartbeat with the write opt-in: the drill writes one heartbeat before a fresh dump and measures RPO from it', async () => {
    await pg.query('create table heartbeat (beat_at timestamptz not null)', [], 'orders');
    const file = variant('postgres-fresh.yaml', (d) => {
      d.source.allowWrites = true;
      d.rpo = { heartbeat: { table: 'heartbeat', column: 'beat_at', write: true } };
    });
    const evidence = await drill(file);
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.rpoMethod, 'heartbeat');
    assert.ok(evidence.metrics.rpoSeconds! < 30);
    assert.equal((await pg.query('select count(*)::int as n from heartbeat', [], 'orders'))[0].n, 1);
  });

  it('base backup: pg_verifybackup passes an intact one and fails a tampered one', async () => {
    const base = join(work, 'base');
    execFileSync(join(PG_BIN, 'pg_basebackup'), ['-D', base, '-d', pg.url(), '--no-sync', '-X', 'fetch']);
    const intact = await drill(variant('postgres-fresh.yaml', (d) => (d.backup.baseBackup = base)));
    assert.equal(intact.verdict, 'passed', intact.summary);
    assert.match(intact.metrics.backup.verified!, /pg_verifybackup/);
    const pgVersion = join(base, 'PG_VERSION');
    writeFileSync(pgVersion, readFileSync(pgVersion, 'utf8') + '\n');
    const tampered = await drill(variant('postgres-fresh.yaml', (d) => (d.backup.baseBackup = base)));
    assert.equal(tampered.verdict, 'failed');
    assert.match(tampered.summary, /pg_verifybackup found problems/);
  });

  it('backup freshness: the newest archive in backup.directory is dated by its own header', async () => {
    const dir = mkdtempSync(join(work, 'nightly-'));
    const archive = join(dir, 'orders.dump');
    execFileSync(join(PG_BIN, 'pg_dump'), ['-Fc', '-f', archive, pg.url('orders')]);
    const file = variant('postgres-archive.yaml', (d) => (d.backup = { directory: dir }));
    const fresh = await checkBackupFreshness({ configFile: file, env });
    assert.equal(fresh.verdict, 'passed', fresh.summary);
    assert.equal(fresh.metrics.backup.location, archive);
    assert.ok(fresh.metrics.rpoSeconds! < 60);
    const later = await checkBackupFreshness({ configFile: file, env, now: () => new Date(Date.now() + 3 * 3600_000) });
    assert.equal(later.verdict, 'failed');
    assert.match(later.summary, /Newest backup is 3h.* old, over the RPO target of 15m/);
    // The same file as a full drill restores that newest archive.
    const restored = await drill(variant('postgres-archive.yaml', (d) => {
      d.backup = { directory: dir };
      d.probes = ['select1'];
      delete d.rpo;
    }));
    assert.equal(restored.verdict, 'passed', restored.summary);
    assert.equal(restored.metrics.backup.location, archive);
    assert.equal(restored.metrics.rpoMethod, 'backup-age');
  });

  it('agent in Europe/Berlin: archive headers are read in UTC -> the backup age is right, not an hour off', async () => {
    const dir = mkdtempSync(join(work, 'berlin-'));
    const archive = join(dir, 'orders.dump');
    // The backup job runs in UTC, as docs/drills.md asks: the archive header records wall-clock time without a zone.
    execFileSync(join(PG_BIN, 'pg_dump'), ['-Fc', '-f', archive, pg.url('orders')], { env: { ...process.env, TZ: 'UTC' } });
    const saved = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      const fresh = await checkBackupFreshness({ configFile: variant('postgres-archive.yaml', (d) => (d.backup = { directory: dir })), env });
      assert.equal(fresh.verdict, 'passed', fresh.summary);
      assert.equal(fresh.metrics.rpoMethod, 'backup-age');
      assert.ok(Math.abs(Date.parse(fresh.metrics.backup.takenAt!) - Date.now()) < 60_000, `takenAt ${fresh.metrics.backup.takenAt}`);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('archive header in a zone given by name (CET) -> no time rather than a wrong one', () => {
    assert.equal(archiveCreatedAt(';     Archive created at 2026-11-27 00:59:53 CET'), undefined);
    assert.equal(archiveCreatedAt(';     Archive created at 2026-11-26 23:59:53 UTC')!.toISOString(), '2026-11-26T23:59:53.000Z');
    assert.equal(archiveCreatedAt(';     Archive created at 2026-11-27 00:59:53 +01')!.toISOString(), '2026-11-26T23:59:53.000Z');
  });

  it('backup freshness: a backup pg_restore cannot date -> its mtime, and rpoMethod says file-time', async () => {
    const dir = mkdtempSync(join(work, 'plain-'));
    writeFileSync(join(dir, 'orders.sql'), 'select 1;\n');
    const fresh = await checkBackupFreshness({ configFile: variant('postgres-archive.yaml', (d) => (d.backup = { directory: dir })), env });
    assert.equal(fresh.metrics.rpoMethod, 'file-time');
    assert.match(fresh.summary, /file-time: a file's modification time/);
  });

  it('cancellation during restore: pg_restore is stopped and the half-restored scratch database is dropped', async () => {
    await pg.createDatabase('bulky');
    await pg.query(
      `create table lines (id int primary key, body text not null);
       insert into lines select g, repeat(md5(g::text), 4) from generate_series(1, 300000) g;`,
      [],
      'bulky',
    );
    const archive = join(work, 'bulky.dump');
    execFileSync(join(PG_BIN, 'pg_dump'), ['-Fc', '-Z0', '-f', archive, pg.url('bulky')]);
    const file = variant('postgres-archive.yaml', (d) => {
      d.source.connection = d.source.connection.replace('/orders', '/bulky');
      d.target.database = 'bulky_drill';
      d.probes = ['select1'];
      delete d.restore;
    });
    const controller = new AbortController();
    const evidence = await drill(file, {
      env: { BACKUP_ARCHIVE: archive },
      signal: controller.signal,
      onProgress: (message) => message.startsWith('pg_restore into') && setTimeout(() => controller.abort(), 150),
    });
    assert.equal(evidence.metrics.cancelled, true, evidence.summary);
    assert.equal(evidence.metrics.steps.find((s) => s.name === 'restore')?.status, 'cancelled');
    assert.match(evidence.metrics.cleanup.detail, /dropped database .*bulky_drill/);
    assert.equal(await pg.databaseExists('bulky_drill'), false);
  });

  it('cleanup that does not finish in time: reported loudly with what may be left, and the drill fails', async () => {
    const progress: string[] = [];
    const file = variant('postgres-fresh.yaml', (d) => {
      d.target.database = 'slow_cleanup_drill';
      d.probes = ['select1'];
      d.timeouts.cleanup = '1ms';
    });
    const evidence = await drill(file, { onProgress: (m) => progress.push(m) });
    assert.equal(evidence.verdict, 'failed');
    assert.equal(evidence.metrics.cleanup.status, 'failed');
    assert.deepEqual(evidence.metrics.cleanup.leftBehind, ['slow_cleanup_drill']);
    assert.match(evidence.summary, /Cleanup left behind: slow_cleanup_drill/);
    assert.ok(progress.some((m) => /^CLEANUP FAILED: cleanup did not finish: timed out/.test(m)), progress.join('\n'));
    await pg.query('drop database if exists slow_cleanup_drill with (force)');
  });
});
