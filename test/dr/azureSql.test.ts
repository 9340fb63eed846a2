import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBackupFreshness } from '../../src/dr/freshness';
import { runDrill } from '../../src/dr/runner';
import type { DrillEvidence } from '../../src/evidence/types';
import { docExample, startAzureEmulators } from '../support/armEmulator';

describe('azure-sql drills against the Resource Manager emulator', function () {
  this.timeout(60_000);
  let emu: Awaited<ReturnType<typeof startAzureEmulators>>;
  let health: Server;
  let healthStatus = 200;
  let healthUrl = '';

  before(async () => {
    // Stands in for an app pointed at the restored database.
    health = createServer((_req, res) => {
      res.writeHead(healthStatus, { 'content-type': 'text/plain' });
      res.end(healthStatus === 200 ? 'ok' : 'database unavailable');
    });
    await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
    healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/healthz`;
  });
  after(() => new Promise<void>((resolve) => health.close(() => resolve())));
  beforeEach(async () => {
    healthStatus = 200;
    emu = await startAzureEmulators({ pollsUntilDone: 2 });
    emu.arm.addSqlDatabase('rg-billing', 'billing-sql', 'billing', { retentionDays: 14 });
  });
  afterEach(() => emu.stop());

  /** The docs example with the health URL on loopback and fast polling. */
  const drillFile = (change: (drill: Record<string, any>) => void = () => undefined) =>
    docExample('azure-sql', (d) => {
      d.probes[0].url = healthUrl;
      d.restore = { pollInterval: '20ms' };
      change(d);
    });
  const scratch = () => emu.arm.sqlDatabaseId('rg-billing', 'billing-sql', 'billing-drill');
  const drill = (file: string): Promise<DrillEvidence> => runDrill({ configFile: file, azure: emu.access });

  it('azure-sql: restore into a new database, http probe, delete -> passed, RPO from the restore point', async () => {
    const evidence = await drill(drillFile());
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    const [put] = emu.arm.requestsTo('PUT', /databases\/billing-drill$/);
    const properties = JSON.parse(put.body).properties;
    assert.equal(put.apiVersion, '2021-11-01');
    assert.equal(properties.createMode, 'PointInTimeRestore');
    assert.equal(properties.sourceDatabaseId, emu.arm.sqlDatabaseId('rg-billing', 'billing-sql', 'billing'));
    // The default log-backup interval for Azure SQL is 10 minutes (the documented worst case).
    assert.equal(Date.parse(evidence.startedAt) - Date.parse(properties.restorePointInTime), 600_000);
    assert.equal(evidence.metrics.rpoSeconds, 600);
    assert.equal(evidence.metrics.rpoMethod, 'declared-interval');
    assert.match(evidence.summary, /RPO was declared/);
    assert.match(evidence.metrics.steps[0].detail, /\(14\.0 days of retention\)/);
    assert.equal(evidence.metrics.probes[0].status, 'passed');
    assert.equal(evidence.metrics.cleanup.status, 'done');
    assert.equal(emu.arm.has(scratch()), false);
    assert.ok(emu.arm.has(emu.arm.sqlDatabaseId('rg-billing', 'billing-sql', 'billing')), 'the source database is still there');
  });

  it('azure-sql: a SQL probe -> unknown ("no SQL Server client here"), the drill fails, the scratch database is deleted', async () => {
    const evidence = await drill(drillFile((d) => d.probes.push('select1')));
    assert.equal(evidence.verdict, 'failed');
    const select1 = evidence.metrics.probes.find((p) => p.type === 'select1')!;
    assert.equal(select1.status, 'unknown');
    assert.match(select1.detail, /no SQL Server client here/);
    assert.equal(evidence.metrics.rtoSeconds, null);
    assert.equal(emu.arm.has(scratch()), false);
  });

  it('azure-sql: the health URL answers 500 -> probe failed, drill failed, scratch deleted', async () => {
    healthStatus = 500;
    const evidence = await drill(drillFile());
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.metrics.probes[0].detail, /answered 500, expected 200/);
    assert.equal(emu.arm.has(scratch()), false);
  });

  it('azure-sql: the scratch database name already exists -> refused, nothing created or deleted', async () => {
    emu.arm.addSqlDatabase('rg-billing', 'billing-sql', 'billing-drill');
    const evidence = await drill(drillFile());
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /"billing-sql\/billing-drill" already exists/);
    assert.equal(emu.arm.requestsTo('PUT', /./).length + emu.arm.requestsTo('DELETE', /./).length, 0);
    assert.ok(emu.arm.has(scratch()));
  });

  it('azure-sql: a restore point before the earliest restore point -> preflight fails naming both times', async () => {
    const evidence = await drill(drillFile((d) => (d.restore.pointInTime = new Date(Date.now() - 30 * 86_400_000).toISOString())));
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /is before the earliest restore point \S+ of "billing-sql\/billing"/);
    assert.equal(emu.arm.requestsTo('PUT', /./).length, 0);
  });

  it('azure-sql: the source database does not exist -> failed drill saying there is no backup to restore', async () => {
    const evidence = await drill(drillFile((d) => (d.source.database = 'billing-old')));
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /"billing-sql\/billing-old" does not exist in resource group "rg-billing"/);
  });

  it('azure-sql freshness: latest restorable time 10 minutes old against a 15m RPO -> passed', async () => {
    const fresh = await checkBackupFreshness({ configFile: drillFile(), azure: emu.access });
    assert.equal(fresh.verdict, 'passed', fresh.summary);
    assert.equal(fresh.metrics.rpoSeconds, 600);
    assert.equal(fresh.metrics.rpoMethod, 'declared-interval');
    assert.equal(fresh.metrics.mode, 'freshness');
    assert.equal(emu.arm.requestsTo('PUT', /./).length, 0, 'freshness creates nothing');
  });
});
