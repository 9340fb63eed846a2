import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors';
import { EVIDENCE_SCHEMA_VERSION, type DrillEvidence, type DrillMetrics } from '../evidence/types';
import { stepSignal, untilAborted } from './abort';
import { loadDrillConfig } from './config';
import { formatSeconds } from './duration';
import { classify, rpoBasis, rpoFromNewest } from './outcome';
import { providerFor } from './providers';
import type { DrillOptions } from './runner';

/**
 * Backup freshness without a restore: how old the newest backup is, against the RPO target (check D2 of
 * readiness-and-dr.md 2.7). Cheap enough for every pipeline run; it proves a backup exists and is recent, not
 * that it restores. That is what `runDrill` is for. The evidence is a `drill` document with one step,
 * `freshness`, no probes, and no RTO.
 */
export async function checkBackupFreshness(options: DrillOptions): Promise<DrillEvidence> {
  const config = loadDrillConfig(options.configFile, options.env ?? process.env);
  config.azure = options.azure;
  if (config.provider === 'terraform' || config.provider === 'rollback') {
    throw new ConfigError(`${config.file}: --freshness-only judges a backup's age, and a ${config.provider} drill has no backup; run the drill itself`);
  }
  const provider = providerFor(config.provider);
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const { signal, dispose } = stepSignal(options.signal ?? new AbortController().signal, config.timeouts.preflight);
  const redact = (text: string) => config.redactor.redact(text);
  let metrics: DrillMetrics;
  let verdict: DrillEvidence['verdict'];
  let summary: string;
  let explanation: string | undefined;
  const base = {
    provider: config.provider,
    ...(config.disruption ? { disruption: config.disruption } : {}),
    targets: config.targets,
    rtoSeconds: null,
    // Not a drill: the gate does not count a freshness check as evidence that a restore works.
    mode: 'freshness' as const,
    probes: [],
    cleanup: { status: 'skipped' as const, leftBehind: [], detail: 'nothing is created by a freshness check' },
  };
  try {
    if (!provider.newestBackup) throw new Error(`the ${provider.name} provider cannot list backups`);
    options.onProgress?.('finding the newest backup', 10);
    const newest = await untilAborted(
      provider.newestBackup(config, { signal, workDir: '', drillStartedAt: startedAt, progress: (m) => options.onProgress?.(redact(m)) }),
      signal,
    );
    const { seconds: age, problem } = rpoFromNewest(startedAt, newest.takenAt ?? null);
    const within = age !== null && age <= config.targets.rpoSeconds;
    const detail = newest.takenAt
      ? `newest backup ${newest.location} taken ${newest.takenAt.toISOString()}${problem ? `; ${problem}` : ''}`
      : `newest backup ${newest.location} has no time`;
    // A time read from a file's mtime, or derived from a declared interval, is not a measured backup age.
    const method: DrillMetrics['rpoMethod'] = newest.takenAtFrom ?? 'backup-age';
    metrics = {
      ...base,
      rpoSeconds: age === null ? null : Math.round(age),
      rpoMethod: method,
      backup: { location: redact(newest.location), ...(newest.takenAt ? { takenAt: newest.takenAt.toISOString() } : {}), ...(newest.sizeBytes !== undefined ? { sizeBytes: newest.sizeBytes } : {}) },
      steps: [{ name: 'freshness', startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0), status: within ? 'passed' : 'failed', detail: redact(detail) }],
      cancelled: false,
    };
    verdict = within ? 'passed' : 'failed';
    summary = age === null
      ? `Backup freshness unknown: ${problem ?? 'the newest backup carries no time'}.`
      : `Newest backup is ${formatSeconds(age)} old, ${within ? 'within' : 'over'} the RPO target of ${formatSeconds(config.targets.rpoSeconds)} (by ${rpoBasis(method)}); only its age was checked, nothing was restored.`;
    explanation = problem;
  } catch (error) {
    // Bad input (a missing Azure credential) is reported as such, exit 2, not as a failed check.
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map(redact), { cause: error });
    const failure = classify(error);
    metrics = {
      ...base,
      rpoSeconds: null,
      rpoMethod: 'none',
      backup: { location: redact(config.backup.directory ?? config.backup.archive ?? config.backup.file ?? config.source.server ?? 'unknown') },
      steps: [{ name: 'freshness', startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0), status: failure.kind === 'cancelled' ? 'cancelled' : 'failed', detail: redact(failure.message) }],
      cancelled: failure.kind === 'cancelled',
    };
    verdict = failure.kind === 'failed' ? 'failed' : 'error';
    summary = `Backup freshness ${failure.kind === 'failed' ? 'failed' : 'could not be checked'}: ${failure.message}`;
  } finally {
    dispose();
  }
  const rpo = metrics.rpoSeconds;
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: randomUUID(),
    kind: 'drill',
    service: options.service ?? config.service,
    environment: options.environment ?? config.environment ?? 'local',
    run: options.run ?? {},
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    verdict,
    summary: redact(summary),
    criteria: [
      {
        expression: `backupAgeSeconds > ${config.targets.rpoSeconds}`,
        actual: rpo,
        threshold: config.targets.rpoSeconds,
        failed: rpo === null || rpo > config.targets.rpoSeconds,
        explanation: rpo === null ? `The age of the newest backup could not be measured${explanation ? ` (${explanation})` : ''}: unknown counts as failed.` : `The newest backup was ${formatSeconds(rpo)} old against an RPO target of ${formatSeconds(config.targets.rpoSeconds)}.`,
      },
    ],
    metrics,
    links: [],
  };
}
