import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { CheckFailedError, InfrastructureError } from '../../errors';
import type { DrillConfig, ProbeSpec } from '../config';
import { runTool } from '../exec';
import { connect, describe, findTool, parseConnection, pgSql, toolEnv, type PgEndpoint } from '../pgConnection';
import type { BackupFacts, DrillProvider, DrillSession, NewestData, ProbeOutcome, StepContext } from '../provider';
import { newestDataBySql, runSqlProbe, tableFigures, type Checkpoint } from '../sqlProbes';
import { compareSchemas } from '../schemaDiff';
import { firstLines, inspectArchive, newestInDirectory, readCheckpoint, verifyBaseBackup } from './postgresArchive';

/**
 * A real PostgreSQL server: restore a pg_dump archive (existing, or dumped at drill time) into a new scratch
 * database with pg_restore, then probe it over SQL. Source sessions are read-only unless the file opts in.
 */
export const postgresProvider: DrillProvider = {
  name: 'postgres',
  open: (config) => new PostgresDrill(config),
  async newestBackup(config, step) {
    const pgRestore = findTool('pg_restore', config.tools.binDir);
    if (config.backup.directory) return newestInDirectory(pgRestore, config.backup.directory, step.signal);
    if (!config.backup.archive) throw new CheckFailedError('Backup freshness needs backup.directory or backup.archive.');
    if (!pgRestore) throw missingTool('pg_restore');
    const facts = await inspectArchive(pgRestore, config.backup.archive, step.signal);
    return { location: config.backup.archive, ...facts };
  },
};

class PostgresDrill implements DrillSession {
  private readonly source: PgEndpoint;
  private readonly server: PgEndpoint;
  private readonly scratch: string;
  private tools: { pgDump?: string; pgRestore: string } = { pgRestore: '' };
  private archive: string | undefined;
  private facts: BackupFacts;
  private checkpoint: Checkpoint | undefined;
  private sourceSchema: string | undefined;
  private created = false;
  private creating: Promise<void> | undefined;
  private readonly openClients = new Set<Client>();

  constructor(private readonly config: DrillConfig) {
    this.source = parseConnection(config.source.connection!, 'source.connection');
    // The scratch database goes on target.connection's server, by default the source's server.
    this.server = config.target.connection ? parseConnection(config.target.connection, 'target.connection') : this.source;
    this.scratch = config.target.database!;
    this.archive = config.backup.archive;
    this.facts = { location: config.backup.archive ?? `fresh pg_dump of ${describe(this.source)}` };
  }

  backupFacts(): BackupFacts {
    return this.facts;
  }

  async preflight(step: StepContext): Promise<string> {
    const needsDump = this.config.backup.fresh || this.config.probes.some((p) => p.type === 'schema');
    const pgRestore = findTool('pg_restore', this.config.tools.binDir);
    const pgDump = findTool('pg_dump', this.config.tools.binDir);
    if (!pgRestore) throw missingTool('pg_restore');
    if (needsDump && !pgDump) throw missingTool('pg_dump');
    this.tools = { pgRestore, pgDump };
    const notes: string[] = [`pg_restore at ${pgRestore}`];

    if (!this.archive && !this.config.backup.fresh && this.config.backup.directory) {
      // backup.directory alone: restore the newest archive the backup job left there.
      const newest = await newestInDirectory(pgRestore, this.config.backup.directory, step.signal);
      if (existsSync(join(newest.location, 'backup_manifest'))) {
        throw new CheckFailedError(`The newest backup in ${this.config.backup.directory} is a base backup (${newest.location}); this provider restores pg_dump archives. Point backup.baseBackup at it to verify it, and backup.archive at a dump.`);
      }
      this.archive = newest.location;
      this.facts.location = newest.location;
      notes.push(`newest archive in ${this.config.backup.directory}`);
    }
    if (this.archive) {
      const facts = await inspectArchive(pgRestore, this.archive, step.signal);
      this.facts = { ...this.facts, ...facts };
      notes.push(`archive readable${facts.takenAt ? `, created ${facts.takenAt.toISOString()}` : ''}`);
      const checkpointFile = this.config.backup.checkpoint ?? `${this.archive}.checkpoint.json`;
      if (this.config.backup.checkpoint || existsSync(checkpointFile)) {
        this.checkpoint = readCheckpoint(checkpointFile);
        notes.push(`checkpoint ${checkpointFile}`);
      }
    }
    if (this.config.backup.baseBackup) {
      const pgVerifybackup = findTool('pg_verifybackup', this.config.tools.binDir);
      if (!pgVerifybackup) throw missingTool('pg_verifybackup');
      this.facts.verified = await verifyBaseBackup(pgVerifybackup, this.config.backup.baseBackup, step.signal);
      notes.push(this.facts.verified);
    }
    const source = await this.client(this.source, { readOnly: true });
    await source.query('select 1');
    this.release(source);
    notes.push(`source ${describe(this.source)} reachable (read-only session)`);

    const admin = await this.client(this.server, { database: this.maintenanceDatabase() });
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [this.scratch]);
      if (found.rowCount) {
        throw new CheckFailedError(
          `The scratch database "${this.scratch}" already exists on ${describe(this.server, this.scratch)}. A drill never overwrites a database it did not create; choose another target.database, or drop it yourself if it is a leftover.`,
        );
      }
    } finally {
      this.release(admin);
    }
    notes.push(`scratch name "${this.scratch}" is free`);
    return notes.join('; ');
  }

  /**
   * pg_dump at drill time. The checkpoint figures and the schema come from the same exported snapshot as the dump,
   * so "compared with the source at backup time" is exact even while the source keeps taking writes.
   */
  get backup(): DrillSession['backup'] {
    return this.config.backup.fresh ? (step) => this.freshBackup(step) : undefined;
  }

  private async freshBackup(step: StepContext): Promise<string> {
    if (this.config.rpo.heartbeat?.write) {
      // Opt-in only (source.allowWrites, checked when the file was loaded).
      const writer = await this.client(this.source);
      const { table, column } = this.config.rpo.heartbeat;
      await writer.query(`insert into ${quoteIdent(table)} (${quoteIdent(column)}) values (now())`);
      this.release(writer);
    }
    const snapshotHolder = await this.client(this.source, { readOnly: true });
    try {
      await snapshotHolder.query('begin isolation level repeatable read read only');
      const { rows } = await snapshotHolder.query('select pg_export_snapshot() as snapshot, clock_timestamp() as at');
      const snapshot = rows[0].snapshot as string;
      const tables = [...new Set(this.config.probes.flatMap((p) => p.tables ?? []))];
      const withChecksum = this.config.probes.some((p) => p.type === 'checksums');
      this.checkpoint = { takenAt: (rows[0].at as Date).toISOString(), tables: await tableFigures(pgSql(snapshotHolder), tables, withChecksum) };
      this.archive = join(step.workDir, 'backup.dump');
      step.progress(`pg_dump of ${describe(this.source)}`);
      const dumped = await runTool(this.tools.pgDump!, ['-Fc', `--snapshot=${snapshot}`, '-f', this.archive], {
        env: toolEnv(this.source, this.source.database, true),
        signal: step.signal,
      });
      if (dumped.code !== 0) throw new CheckFailedError(`pg_dump failed: ${firstLines(dumped.stderr)}`);
      if (this.config.probes.some((p) => p.type === 'schema')) this.sourceSchema = await this.schemaOf(this.source, this.source.database, step, snapshot);
      await snapshotHolder.query('commit');
      const facts = await inspectArchive(this.tools.pgRestore, this.archive, step.signal);
      this.facts = { location: this.facts.location, takenAt: new Date(this.checkpoint.takenAt), sizeBytes: facts.sizeBytes, verified: this.facts.verified };
      return `pg_dump -Fc of ${describe(this.source)}: ${facts.sizeBytes} bytes at snapshot ${this.checkpoint.takenAt}`;
    } finally {
      this.release(snapshotHolder);
    }
  }

  async restore(step: StepContext): Promise<string> {
    // Kept so cleanup can wait for it: a cancel during CREATE DATABASE must not let cleanup run first and miss it.
    this.creating = (async () => {
      const admin = await this.client(this.server, { database: this.maintenanceDatabase() });
      try {
        await admin.query(`create database ${quoteIdent(this.scratch)} template template0`);
        this.created = true;
      } finally {
        this.release(admin);
      }
    })();
    await this.creating;
    const jobs = this.config.restore.jobs ?? 1;
    const args = ['--exit-on-error', '--no-owner', '--no-privileges', ...(jobs > 1 ? [`--jobs=${jobs}`] : []), '-d', this.scratch, this.archive!];
    step.progress(`pg_restore into ${describe(this.server, this.scratch)}`);
    const restored = await runTool(this.tools.pgRestore, args, { env: toolEnv(this.server, this.scratch), signal: step.signal });
    if (restored.code !== 0) {
      throw new CheckFailedError(`pg_restore could not restore the backup, so it cannot be trusted: ${firstLines(restored.stderr)}`);
    }
    return `pg_restore${jobs > 1 ? ` --jobs=${jobs}` : ''} into new database ${describe(this.server, this.scratch)}`;
  }

  async start(): Promise<string> {
    // A database restored into a running server is up once it accepts a session; a cluster-level provider would
    // run pg_ctl start and wait for recovery here.
    const client = await this.client(this.server, { database: this.scratch });
    await client.query('select 1');
    this.release(client);
    return `${describe(this.server, this.scratch)} accepts connections`;
  }

  async probe(probe: ProbeSpec, step: StepContext): Promise<ProbeOutcome> {
    if (probe.type === 'schema') {
      const expected = this.sourceSchema ?? (await this.schemaOf(this.source, this.source.database, step));
      const found = await this.schemaOf(this.server, this.scratch, step);
      return compareSchemas(expected, found, this.sourceSchema ? 'the source at backup time' : 'the source now');
    }
    const client = await this.client(this.server, { database: this.scratch, statementTimeoutMs: probe.timeoutSeconds * 1000 });
    try {
      return await runSqlProbe(probe, pgSql(client), this.checkpoint);
    } finally {
      this.release(client);
    }
  }

  async newestData(): Promise<NewestData> {
    if (this.config.rpo.query || this.config.rpo.heartbeat) {
      const client = await this.client(this.server, { database: this.scratch });
      try {
        return (await newestDataBySql(pgSql(client), this.config.rpo))!;
      } finally {
        this.release(client);
      }
    }
    const takenAt = this.facts.takenAt;
    return takenAt
      ? { method: 'backup-age', newestAt: takenAt, detail: `no rpo.query or heartbeat; used the backup's creation time ${takenAt.toISOString()}` }
      : { method: 'backup-age', newestAt: null, detail: 'no rpo.query or heartbeat, and the backup carries no creation time' };
  }

  async cleanup(): Promise<{ leftBehind: string[]; detail: string }> {
    await this.creating?.catch(() => undefined);
    for (const client of this.openClients) await client.end().catch(() => undefined);
    this.openClients.clear();
    const where = `database ${describe(this.server, this.scratch)}`;
    if (!this.created) return { leftBehind: [], detail: 'nothing was created' };
    if (this.config.cleanup.keep) return { leftBehind: [where], detail: `kept ${where} (cleanup.keep: true); drop it when done` };
    let admin: Client | undefined;
    try {
      admin = await this.client(this.server, { database: this.maintenanceDatabase() });
      // WITH (FORCE) (PostgreSQL 13+) ends sessions a cancelled probe may have left open.
      await admin.query(`drop database if exists ${quoteIdent(this.scratch)} with (force)`);
      this.created = false;
      return { leftBehind: [], detail: `dropped ${where}` };
    } catch (error) {
      return { leftBehind: [where], detail: `could not drop ${where}: ${(error as Error).message}` };
    } finally {
      if (admin) this.release(admin);
    }
  }

  private async schemaOf(endpoint: PgEndpoint, database: string, step: StepContext, snapshot?: string): Promise<string> {
    const args = ['--schema-only', '--no-owner', '--no-privileges', ...(snapshot ? [`--snapshot=${snapshot}`] : [])];
    const dumped = await runTool(this.tools.pgDump!, args, { env: toolEnv(endpoint, database, true), signal: step.signal });
    if (dumped.code !== 0) throw new InfrastructureError(`pg_dump --schema-only of ${describe(endpoint, database)} failed: ${firstLines(dumped.stderr)}`);
    return dumped.stdout;
  }

  private maintenanceDatabase(): string {
    return this.config.target.connection ? this.server.database : 'postgres';
  }

  private async client(endpoint: PgEndpoint, options: Parameters<typeof connect>[1] = {}): Promise<Client> {
    const client = await connect(endpoint, options);
    this.openClients.add(client);
    return client;
  }

  private release(client: Client): void {
    this.openClients.delete(client);
    client.end().catch(() => undefined);
  }
}

function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

function missingTool(name: string): InfrastructureError {
  return new InfrastructureError(
    `${name} was not found on PATH, in tools.binDir or in /usr/lib/postgresql/*/bin. Install the PostgreSQL client tools (Debian: apt-get install postgresql-client) or set tools.binDir.`,
  );
}
