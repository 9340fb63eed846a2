import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { checkBackupFreshness } from '../../src/dr/freshness';
import { runDrill } from '../../src/dr/runner';
import { EXAMPLES, variant } from './drillFiles';

describe('embedded (PGlite) drills', function () {
  this.timeout(120_000);
  let work: string;
  let tarball: string;

  before(async () => {
    // A backup as a service using PGlite would keep it: dumpDataDir() of its database, plus a checkpoint.
    work = mkdtempSync(join(tmpdir(), 'drill-embedded-test-'));
    const db = await PGlite.create();
    try {
      await db.exec(readFileSync(join(EXAMPLES, 'sample-data.sql'), 'utf8'));
      tarball = join(work, 'orders.tar.gz');
      writeFileSync(tarball, Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer()));
      const { rows } = await db.query<{ n: number }>('select count(*)::int as n from orders');
      writeFileSync(`${tarball}.checkpoint.json`, JSON.stringify({ takenAt: new Date().toISOString(), tables: { orders: { rows: rows[0].n } } }));
    } finally {
      await db.close();
    }
  });

  it('demo drill (examples/drill/embedded.yaml): fresh backup, restore, every probe passes', async () => {
    const evidence = await runDrill({ configFile: join(EXAMPLES, 'embedded.yaml') });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.provider, 'embedded');
    assert.equal(evidence.metrics.probes.length, 5);
    assert.ok(evidence.metrics.probes.every((p) => p.status === 'passed'));
    assert.match(evidence.metrics.probes[2].detail, /customers 200 rows; orders 5000 rows/);
    assert.match(evidence.metrics.cleanup.detail, /closed 2 PGlite instance/);
  });

  it('backup file: restored from a tarball, row counts checked against its checkpoint', async () => {
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: tarball };
      d.probes = ['select1', { type: 'rowcounts', tables: ['orders'] }];
    });
    const evidence = await runDrill({ configFile: file });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(evidence.metrics.probes[1].detail, 'matches the source at backup time: orders 5000 rows');
  });

  it('backup file: a row count different from the checkpoint -> the probe and the drill fail', async () => {
    const lying = join(work, 'lying.tar.gz');
    writeFileSync(lying, readFileSync(tarball));
    writeFileSync(`${lying}.checkpoint.json`, JSON.stringify({ takenAt: new Date().toISOString(), tables: { orders: { rows: 5001 } } }));
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: lying };
      d.probes = [{ type: 'rowcounts', tables: ['orders'] }];
    });
    const evidence = await runDrill({ configFile: file });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.metrics.probes[0].detail, /orders: 5000 rows, expected 5001/);
  });

  for (const [name, damage] of [
    ['truncated gzip', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['not a tarball at all', () => Buffer.from('definitely not a backup\n'.repeat(40))],
  ] as const) {
    it(`backup file: ${name} -> the drill fails with the reason, the process survives`, async () => {
      const broken = join(work, `${name.replace(/ /g, '-')}.tar.gz`);
      writeFileSync(broken, damage(readFileSync(tarball)));
      const file = variant('embedded.yaml', (d) => {
        delete d.source;
        d.backup = { file: broken };
        d.probes = ['select1'];
      });
      const evidence = await runDrill({ configFile: file });
      assert.equal(evidence.verdict, 'failed');
      assert.match(evidence.summary, /damaged gzip|not a complete data-directory tarball/);
      assert.equal(evidence.metrics.steps.find((s) => s.name === 'restore')?.status, 'failed');
    });
  }

  it('backup file: missing -> fails in preflight', async () => {
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: join(work, 'gone.tar.gz') };
    });
    const evidence = await runDrill({ configFile: file });
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /gone\.tar\.gz does not exist/);
  });

  it('backup file without a checkpoint: its time is the file mtime -> rpoMethod file-time, in the drill and in freshness', async () => {
    const bare = join(work, 'bare.tar.gz');
    writeFileSync(bare, readFileSync(tarball));
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: bare };
      d.probes = ['select1'];
      delete d.rpo;
    });
    const evidence = await runDrill({ configFile: file });
    assert.equal(evidence.metrics.rpoMethod, 'file-time');
    assert.match(evidence.metrics.steps.find((s) => s.name === 'rpo')!.detail, /modification time/);
    assert.match(evidence.summary, /read from a file time, not measured/);
    const fresh = await checkBackupFreshness({ configFile: file });
    assert.equal(fresh.metrics.rpoMethod, 'file-time');
    assert.equal(fresh.metrics.mode, 'freshness');
  });

  it('backup file with a checkpoint: freshness dates it by the checkpoint -> rpoMethod backup-age', async () => {
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: tarball };
      d.probes = ['select1'];
    });
    const fresh = await checkBackupFreshness({ configFile: file });
    assert.equal(fresh.metrics.rpoMethod, 'backup-age');
    const checkpoint = JSON.parse(readFileSync(`${tarball}.checkpoint.json`, 'utf8')) as { takenAt: string };
    assert.equal(fresh.metrics.backup.takenAt, new Date(checkpoint.takenAt).toISOString());
  });
});
