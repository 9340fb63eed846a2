import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { CheckFailedError, ConfigError } from '../../errors';
import type { DrillConfig, ProbeSpec } from '../config';
import type { BackupFacts, DrillProvider, DrillSession, NewestData, ProbeOutcome, StepContext } from '../provider';
import { compareSchemas } from '../schemaDiff';
import { newestDataBySql, runSqlProbe, tableFigures, type Checkpoint, type SqlClient } from '../sqlProbes';
import { readCheckpoint } from './postgresArchive';
import { openTarball } from './tarball';

/**
 * PGlite (PostgreSQL compiled to WASM, from npm): a real PostgreSQL engine in this process, for the local demo and
 * for teams with no database to point at. A backup is a `dumpDataDir()` tarball; a restore loads it into a new
 * instance (`new PGlite({ loadDataDir })`). Every instance is closed in cleanup, or the process never exits
 * (DESIGN.md). PGlite runs queries on this thread, so a probe timeout is reported but cannot interrupt a query.
 */
export const embeddedProvider: DrillProvider = {
  name: 'embedded',
  open: (config) => new EmbeddedDrill(config),
  async newestBackup(config) {
    const file = config.backup.file;
    if (!file || !existsSync(file)) throw new CheckFailedError(`The backup ${file ?? '(backup.file not set)'} does not exist.`);
    const stat = statSync(file);
    // A checkpoint written with the backup records when it was taken; without one, only the file's mtime is known.
    const checkpointFile = config.backup.checkpoint ?? `${file}.checkpoint.json`;
    if (config.backup.checkpoint || existsSync(checkpointFile)) {
      return { location: file, takenAt: new Date(readCheckpoint(checkpointFile).takenAt), sizeBytes: stat.size };
    }
    return { location: file, takenAt: stat.mtime, sizeBytes: stat.size, takenAtFrom: 'file-time' };
  },
};

/** The schema as the catalog describes it: pg_dump is not available for PGlite here. */
const SCHEMA_SQL = `
select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') as line
  from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema')
union all
select 'index ' || schemaname || '.' || indexname || ' ' || indexdef from pg_indexes where schemaname not in ('pg_catalog', 'information_schema')
union all
select 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
  from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname not in ('pg_catalog', 'information_schema')
order by 1`;

class EmbeddedDrill implements DrillSession {
  private source: PGlite | undefined;
  private restored: PGlite | undefined;
  private readonly open = new Set<PGlite>();
  private tarball: Blob | undefined;
  private facts: BackupFacts;
  private checkpoint: Checkpoint | undefined;
  private sourceSchema: string | undefined;

  constructor(private readonly config: DrillConfig) {
    this.facts = { location: config.backup.file ?? `fresh dumpDataDir of ${config.source.seed ?? 'the source'}` };
  }

  backupFacts(): BackupFacts {
    return this.facts;
  }

  async preflight(): Promise<string> {
    const notes: string[] = [];
    const file = this.config.backup.file;
    if (file) {
      if (!existsSync(file)) throw new CheckFailedError(`The backup ${file} does not exist. Check backup.file, or that the backup job ran.`);
      const stat = statSync(file);
      this.facts = { ...this.facts, takenAt: stat.mtime, sizeBytes: stat.size, takenAtFrom: 'file-time' };
      notes.push(`backup ${file} (${stat.size} bytes)`);
      const checkpointFile = this.config.backup.checkpoint ?? `${file}.checkpoint.json`;
      if (this.config.backup.checkpoint || existsSync(checkpointFile)) {
        this.checkpoint = readCheckpoint(checkpointFile);
        this.facts = { ...this.facts, takenAt: new Date(this.checkpoint.takenAt), takenAtFrom: undefined };
      }
    }
    if (this.config.source.seed) {
      if (!existsSync(this.config.source.seed)) throw new CheckFailedError(`The seed file ${this.config.source.seed} does not exist.`);
      this.source = await this.instance();
      await this.source.exec(readFileSync(this.config.source.seed, 'utf8'));
      notes.push(`source seeded from ${this.config.source.seed}`);
    }
    if (this.source && this.config.probes.some((p) => p.type === 'schema')) this.sourceSchema = await this.schemaOf(this.source);
    return notes.join('; ') || 'nothing to check';
  }

  get backup(): DrillSession['backup'] {
    return this.config.backup.fresh ? (step) => this.freshBackup(step) : undefined;
  }

  private async freshBackup(step: StepContext): Promise<string> {
    const source = this.source!;
    const tables = [...new Set(this.config.probes.flatMap((p) => p.tables ?? []))];
    const withChecksum = this.config.probes.some((p) => p.type === 'checksums');
    const takenAt = new Date();
    this.checkpoint = { takenAt: takenAt.toISOString(), tables: await tableFigures(sql(source), tables, withChecksum) };
    this.tarball = await source.dumpDataDir('gzip');
    const file = join(step.workDir, 'backup.tar.gz');
    writeFileSync(file, Buffer.from(await this.tarball.arrayBuffer()));
    writeFileSync(`${file}.checkpoint.json`, JSON.stringify(this.checkpoint, null, 2));
    this.facts = { ...this.facts, takenAt, sizeBytes: this.tarball.size, takenAtFrom: undefined };
    return `dumpDataDir: ${this.tarball.size} bytes (gzip tarball)`;
  }

  async restore(): Promise<string> {
    const bytes = this.tarball ? Buffer.from(await this.tarball.arrayBuffer()) : readFileSync(this.config.backup.file!);
    const tarball = openTarball(bytes, this.config.backup.file ?? 'taken by this drill');
    try {
      this.restored = await this.instance({ loadDataDir: tarball });
    } catch (error) {
      throw new CheckFailedError(`PGlite could not load the backup, so it cannot be trusted: ${(error as Error).message}`);
    }
    return `loaded into a new PGlite instance${this.config.target.name ? ` "${this.config.target.name}"` : ''}`;
  }

  async start(): Promise<string> {
    try {
      await this.restored!.query('select 1');
    } catch (error) {
      throw new CheckFailedError(`the restored PGlite instance does not answer queries: ${(error as Error).message}`);
    }
    return 'the restored instance answers queries';
  }

  async probe(probe: ProbeSpec): Promise<ProbeOutcome> {
    if (probe.type === 'schema') {
      if (!this.sourceSchema) return { status: 'unknown', detail: 'no source to compare with; set source.seed' };
      return compareSchemas(this.sourceSchema, await this.schemaOf(this.restored!), 'the source at backup time');
    }
    return runSqlProbe(probe, sql(this.restored!), this.checkpoint);
  }

  async newestData(): Promise<NewestData> {
    const found = await newestDataBySql(sql(this.restored!), this.config.rpo);
    if (found) return found;
    const takenAt = this.facts.takenAt;
    const fromFile = this.facts.takenAtFrom === 'file-time';
    return takenAt
      ? {
          method: fromFile ? 'file-time' : 'backup-age',
          newestAt: takenAt,
          detail: `no rpo.query or heartbeat; used the backup ${fromFile ? "file's modification time" : 'time'} ${takenAt.toISOString()}`,
        }
      : { method: 'backup-age', newestAt: null, detail: 'no rpo.query or heartbeat, and no backup time' };
  }

  async cleanup(): Promise<{ leftBehind: string[]; detail: string }> {
    const failures: string[] = [];
    await Promise.allSettled([...this.starting]);
    for (const db of this.open) {
      await db.close().catch((error: Error) => failures.push(error.message));
    }
    const count = this.open.size;
    this.open.clear();
    return failures.length
      ? { leftBehind: [`${failures.length} PGlite instance(s) in this process`], detail: `closing failed: ${failures.join('; ')}` }
      : { leftBehind: [], detail: `closed ${count} PGlite instance(s); nothing written to disk outside the drill's work folder` };
  }

  /** Instance creations in flight: cleanup waits for them, so one finishing after a cancel is still closed. */
  private readonly starting = new Set<Promise<unknown>>();

  private async instance(options?: { loadDataDir: Blob }): Promise<PGlite> {
    const creation = loadPglite().create(options);
    this.starting.add(creation);
    try {
      const db = await creation;
      this.open.add(db);
      return db;
    } finally {
      this.starting.delete(creation);
    }
  }

  private async schemaOf(db: PGlite): Promise<string> {
    const { rows } = await db.query<{ line: string }>(SCHEMA_SQL);
    return rows.map((r) => r.line).join('\n');
  }
}

function sql(db: PGlite): SqlClient {
  return { query: async (text) => (await db.query<Record<string, unknown>>(text)).rows };
}

/**
 * PGlite is loaded on first use, not at import: the pipeline task bundles leave it out (its WebAssembly and data
 * files are too large for the extension package), so only a drill that asks for the embedded provider needs it.
 */
function loadPglite(): typeof PGlite {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return (require('@electric-sql/pglite') as { PGlite: typeof PGlite }).PGlite;
  } catch (error) {
    throw new ConfigError(
      'provider: embedded needs the @electric-sql/pglite package, which is not installed here. The pipeline task does not ship it; ' +
        'run embedded drills with the readiness CLI (npm install, then npx readiness drill), or use the postgres or command provider in pipelines.',
      { cause: error },
    );
  }
}
