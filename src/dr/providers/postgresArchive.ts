import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckFailedError, InfrastructureError } from '../../errors';
import { runTool } from '../exec';
import type { Checkpoint } from '../sqlProbes';
import { assertInputSize } from '../../config/inputSize';

/**
 * Facts about a pg_dump archive, read with `pg_restore --list`, which parses the archive header and table of
 * contents without touching a database. A file that is not an archive, or whose header is cut short, fails here.
 * (A custom-format archive truncated in its data section still lists; pg_restore --exit-on-error catches that.)
 */
export async function inspectArchive(pgRestore: string, archive: string, signal: AbortSignal): Promise<{ takenAt?: Date; sizeBytes: number }> {
  if (!existsSync(archive)) {
    throw new CheckFailedError(`The backup ${archive} does not exist. Check backup.archive, or that the backup job ran.`);
  }
  const stat = statSync(archive);
  const sizeBytes = stat.isDirectory() ? directorySize(archive) : stat.size;
  const listed = await runTool(pgRestore, ['--list', archive], { signal, env: utcToolEnv() });
  if (listed.code !== 0) {
    throw new CheckFailedError(`The backup ${archive} is not a readable pg_dump archive: ${firstLines(listed.stderr)}`);
  }
  return { takenAt: archiveCreatedAt(listed.stdout), sizeBytes };
}

/**
 * pg_dump and pg_restore print times in the process's local zone (TZ), and pg_restore --list names the zone by
 * abbreviation (`CET`, `EST`) that no parser maps reliably. Running them with TZ=UTC (PGTZ too, for the session
 * pg_dump opens) makes the header read `... UTC`, which is unambiguous. `base` is the tool's environment.
 */
export function utcToolEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, TZ: 'UTC', PGTZ: 'UTC' };
}

/**
 * pg_restore --list prints `;     Archive created at 2026-11-26 22:44:46 UTC`. A zone we cannot read (an
 * abbreviation such as CET, from a tool run outside utcToolEnv) gives no time rather than a wrong one.
 */
export function archiveCreatedAt(listing: string): Date | undefined {
  const match = /Archive created at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s*(\S+)?/.exec(listing);
  if (!match) return undefined;
  const name = match[2];
  const zone = !name || name === 'UTC' || name === 'GMT' || name === 'Z' ? 'Z' : /^[+-]\d{2}(:?\d{2})?$/.test(name) ? offsetOf(name) : undefined;
  if (!zone) return undefined;
  const date = new Date(`${match[1].replace(' ', 'T')}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `+01` -> `+01:00`, `+0530` -> `+05:30`: the forms Date accepts. */
function offsetOf(text: string): string {
  const digits = text.slice(1).replace(':', '');
  return `${text[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** `pg_verifybackup` checks a base backup against its manifest (file list, sizes, checksums, WAL). */
export async function verifyBaseBackup(pgVerifybackup: string, dir: string, signal: AbortSignal): Promise<string> {
  if (!existsSync(join(dir, 'backup_manifest'))) {
    throw new CheckFailedError(`The base backup ${dir} has no backup_manifest; take it with pg_basebackup (PostgreSQL 13 or newer).`);
  }
  const result = await runTool(pgVerifybackup, ['--no-parse-wal', dir], { signal });
  if (result.code !== 0) throw new CheckFailedError(`pg_verifybackup found problems in ${dir}: ${firstLines(result.stderr)}`);
  return 'pg_verifybackup: manifest, files and checksums ok';
}

export function readCheckpoint(file: string): Checkpoint {
  assertInputSize(file, 'json', `backup.checkpoint ${file}`);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    if (typeof parsed.takenAt !== 'string' || typeof parsed.tables !== 'object') throw new Error('needs takenAt and tables');
    return parsed;
  } catch (error) {
    throw new CheckFailedError(`The checkpoint ${file} is not usable: ${(error as Error).message}`);
  }
}

export interface NewestFile {
  location: string;
  takenAt: Date;
  sizeBytes: number;
  /** Set when the time is a modification time (base backups, files pg_restore cannot read), not an archive header. */
  takenAtFrom?: 'file-time';
}

/**
 * The newest backup in a folder, for freshness without a restore. Archives are dated by their own header, base
 * backups (folders with backup_manifest) by the manifest's modification time, other files by modification time.
 */
export async function newestInDirectory(
  pgRestore: string | undefined,
  dir: string,
  signal: AbortSignal,
): Promise<NewestFile> {
  if (!existsSync(dir)) throw new InfrastructureError(`The backup folder ${dir} does not exist; check backup.directory.`);
  let newest: NewestFile | undefined;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry.endsWith('.checkpoint.json')) continue;
    const stat = statSync(path);
    let takenAt = stat.mtime;
    let sizeBytes = stat.size;
    if (stat.isDirectory()) {
      const manifest = join(path, 'backup_manifest');
      if (existsSync(manifest)) takenAt = statSync(manifest).mtime;
      else if (!existsSync(join(path, 'toc.dat'))) continue;
      sizeBytes = directorySize(path);
    }
    let fromHeader: Date | undefined;
    if (pgRestore && !existsSync(join(path, 'backup_manifest'))) {
      const listed = await runTool(pgRestore, ['--list', path], { signal, env: utcToolEnv() });
      if (listed.code === 0) fromHeader = archiveCreatedAt(listed.stdout);
    }
    if (fromHeader) takenAt = fromHeader;
    if (!newest || takenAt > newest.takenAt) {
      newest = { location: path, takenAt, sizeBytes, ...(fromHeader ? {} : { takenAtFrom: 'file-time' as const }) };
    }
  }
  if (!newest) throw new CheckFailedError(`No backup found in ${dir}.`);
  return newest;
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : statSync(path).size;
  }
  return total;
}

export function firstLines(text: string, count = 3): string {
  const lines = text.split('\n').filter((l) => l.trim());
  return lines.slice(0, count).join(' | ') || 'no error output';
}
