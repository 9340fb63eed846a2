import { CancelledError, CheckFailedError, ReadinessError } from '../errors';
import type { CriterionResult, DrillMetrics, Verdict } from '../evidence/types';
import { StepTimeout } from './abort';
import { formatSeconds } from './duration';

/** How a step ended, in the terms of the verdict. */
export type Failure = { kind: 'failed' | 'error' | 'cancelled'; message: string };

/**
 * A step that timed out or whose check did not hold fails the drill (exit 1): the backup or the restore is what is
 * under test. Anything else (an unreachable server, a missing tool) is an error (exit 3): the drill could not tell.
 */
export function classify(error: unknown): Failure {
  if (error instanceof CancelledError) return { kind: 'cancelled', message: error.message };
  if (error instanceof StepTimeout) return { kind: 'failed', message: error.message };
  if (error instanceof CheckFailedError) return { kind: 'failed', message: error.message };
  if (error instanceof ReadinessError) return { kind: 'error', message: error.message };
  return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Clocks disagree a little (the agent, the database server, a backup host), so newest data up to this much after
 * the drill's start counts as "no loss" (RPO 0). Anything later is not data from before the drill: a wrong clock or
 * a wrong time zone, and an RPO built on it would be a made-up 0.
 */
export const CLOCK_SKEW_SECONDS = 60;

/** RPO in seconds from the drill's start and the newest data found, or null with the reason it cannot be trusted. */
export function rpoFromNewest(drillStartedAt: Date, newestAt: Date | null): { seconds: number | null; problem?: string } {
  if (!newestAt) return { seconds: null };
  const seconds = (drillStartedAt.getTime() - newestAt.getTime()) / 1000;
  if (seconds < -CLOCK_SKEW_SECONDS) {
    return {
      seconds: null,
      problem: `the newest data is dated ${newestAt.toISOString()}, ${formatSeconds(-seconds)} after the drill started (${drillStartedAt.toISOString()}), more than the ${CLOCK_SKEW_SECONDS}s allowed for clock skew; check the clocks and time zones of what reports that time`,
    };
  }
  return { seconds: Math.max(0, seconds) };
}

/** How an RPO was found, for explanations: the unmeasured methods say so, because the gate will not accept them. */
export function rpoBasis(method: DrillMetrics['rpoMethod']): string {
  if (method === 'declared-interval') return 'declared-interval: the log-backup interval the drill file declares, not measured';
  if (method === 'file-time') return 'file-time: a file\'s modification time, not a time recorded in the backup';
  return method;
}

/** Criteria are written as their failure condition, like Azure Load Testing's: `rtoSeconds > 900` failed or not. */
export function targetCriteria(
  metrics: Pick<DrillMetrics, 'rtoSeconds' | 'rpoSeconds' | 'targets' | 'rpoMethod'>,
  notes: { rpoProblem?: string } = {},
): CriterionResult[] {
  const rule = (name: 'rtoSeconds' | 'rpoSeconds', actual: number | null, threshold: number, what: string, problem?: string): CriterionResult => {
    const failed = actual === null || actual > threshold;
    const measured = actual === null ? `could not be measured${problem ? ` (${problem})` : ''}` : `was ${formatSeconds(actual)}`;
    return {
      expression: `${name} > ${threshold}`,
      actual,
      threshold,
      failed,
      explanation: `${what} ${measured} against a target of ${formatSeconds(threshold)}: ${failed ? (actual === null ? 'unknown counts as failed' : 'over target') : 'within target'}.`,
    };
  };
  return [
    rule('rtoSeconds', metrics.rtoSeconds, metrics.targets.rtoSeconds, 'RTO (restore start until every probe passed)'),
    rule('rpoSeconds', metrics.rpoSeconds, metrics.targets.rpoSeconds, `RPO (drill start minus newest restored data, by ${rpoBasis(metrics.rpoMethod)})`, notes.rpoProblem),
  ];
}

export function decide(
  failure: Failure | undefined,
  metrics: DrillMetrics,
  criteria: CriterionResult[],
): { verdict: Verdict; summary: string } {
  const leftBehind = metrics.cleanup.leftBehind.length ? ` Cleanup left behind: ${metrics.cleanup.leftBehind.join(', ')}.` : '';
  if (failure?.kind === 'cancelled') return { verdict: 'error', summary: `Drill cancelled: ${failure.message}${leftBehind}` };
  if (failure) return { verdict: failure.kind, summary: `Drill ${failure.kind === 'failed' ? 'failed' : 'could not run'}: ${failure.message}${leftBehind}` };
  const badProbes = metrics.probes.filter((p) => p.status !== 'passed');
  if (badProbes.length) {
    const list = badProbes.map((p) => `${p.name} ${p.status}`).join(', ');
    return { verdict: 'failed', summary: `Drill failed: probes did not pass (${list}).${leftBehind}` };
  }
  const missed = criteria.filter((c) => c.failed);
  if (missed.length) return { verdict: 'failed', summary: `Drill failed: ${missed.map((c) => c.explanation).join(' ')}${leftBehind}` };
  if (metrics.cleanup.status === 'failed') {
    return { verdict: 'failed', summary: `Drill passed its targets but cleanup did not finish.${leftBehind}` };
  }
  return {
    verdict: 'passed',
    summary: `Drill passed: RTO ${formatSeconds(metrics.rtoSeconds!)} (target ${formatSeconds(metrics.targets.rtoSeconds)}), RPO ${formatSeconds(metrics.rpoSeconds!)} (target ${formatSeconds(metrics.targets.rpoSeconds)}, by ${rpoBasis(metrics.rpoMethod)}).${unmeasured(metrics.rpoMethod)}`,
  };
}

/** A passing drill whose RPO was not measured says so in its summary: a reader must not take it for a measurement. */
function unmeasured(method: DrillMetrics['rpoMethod']): string {
  if (method === 'declared-interval') return ' RPO was declared (the log-backup interval in the drill file), not measured from the restored data.';
  if (method === 'file-time') return ' RPO was read from a file time, not measured: record the backup time in a checkpoint file or measure it with rpo.query.';
  return '';
}
