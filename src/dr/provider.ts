import type { DrillMetrics, ProbeStatus } from '../evidence/types';
import type { DrillConfig, ProbeSpec } from './config';

/**
 * What a drill provider implements. The runner owns the clocks, timeouts, cancellation and the evidence; a
 * provider only knows how to do each step against its kind of system.
 *
 * The shape is chosen so point-in-time-restore providers fit without runner changes: for Azure Database for
 * PostgreSQL flexible server or Azure SQL, `preflight` reads the server and its earliest/latest restore points,
 * `backup` is absent, `restore` creates the scratch server through ARM, `start` waits until it is Ready, probes
 * use SQL, `newestData` answers with method `latest-restorable-time`, and `cleanup` deletes the scratch server.
 */
export interface DrillProvider {
  readonly name: string;
  /** Binds the provider to one drill. Must not touch anything yet; preflight does the first contact. */
  open(config: DrillConfig): DrillSession;
  /** Backup freshness without a restore: when the newest backup was taken. */
  newestBackup?(config: DrillConfig, step: StepContext): Promise<BackupFacts>;
}

export interface StepContext {
  /** Aborted when the drill is cancelled or this step's timeout passes. Long work must stop when it fires. */
  signal: AbortSignal;
  /** A folder private to this drill, removed by the runner at the end. */
  workDir: string;
  /** The drill's start: RPO is measured against it. */
  drillStartedAt: Date;
  progress(message: string): void;
}

export interface BackupFacts {
  /** Where the backup is, as a person would find it (path, server name). Never a connection string. */
  location: string;
  takenAt?: Date;
  sizeBytes?: number;
  /** What verified the backup's integrity, e.g. `pg_verifybackup: ok`. */
  verified?: string;
  /**
   * Where `takenAt` came from when it is not a time recorded in the backup itself: `file-time` (a file's
   * modification time, which a copy resets) or `declared-interval` (now minus a declared log-backup interval).
   * Absent: recorded (an archive header, a checkpoint, a command's answer).
   */
  takenAtFrom?: 'file-time' | 'declared-interval';
}

export interface NewestData {
  method: DrillMetrics['rpoMethod'];
  /** The newest data present in the restored copy; null when the method found none (RPO unknown). */
  newestAt: Date | null;
  detail: string;
}

export interface ProbeOutcome {
  status: ProbeStatus;
  /** Expected against found, in a sentence. The runner redacts it. */
  detail: string;
}

export interface CleanupOutcome {
  /** Resources the drill created and could not remove (or was told to keep). Empty means all gone. */
  leftBehind: string[];
  detail: string;
}

export interface DrillSession {
  /** Tools present, access works, the backup exists, the scratch target is free. Returns a detail line. */
  preflight(step: StepContext): Promise<string>;
  /** Present when this drill takes its own backup (for example `backup.fresh: true`). */
  backup?(step: StepContext): Promise<string>;
  restore(step: StepContext): Promise<string>;
  /** Bring the restored copy up and wait until it accepts work. */
  start(step: StepContext): Promise<string>;
  probe(probe: ProbeSpec, step: StepContext): Promise<ProbeOutcome>;
  newestData(step: StepContext): Promise<NewestData>;
  /** Facts about the backup known so far (filled in by preflight/backup). */
  backupFacts(): BackupFacts;
  /** Removes only what this drill created. Called exactly once, whatever happened before. */
  cleanup(step: StepContext): Promise<CleanupOutcome>;
}
