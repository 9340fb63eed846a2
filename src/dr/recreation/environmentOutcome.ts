import type { CriterionResult, DrillMetrics, Verdict } from '../../evidence/types';
import { formatSeconds } from '../duration';
import type { Failure } from '../outcome';

/**
 * Criteria of the environment drills, written as failure conditions like every other criterion:
 * recreation `environmentRtoSeconds > target`, `leaks > 0`, `drift > 0`; rollback `timeToRollbackSeconds > target`,
 * `timeToRecoverSeconds > target`. An unmeasured time counts as failed.
 */
export function environmentCriteria(metrics: DrillMetrics): CriterionResult[] {
  const time = (name: string, actual: number | null | undefined, threshold: number, what: string): CriterionResult => {
    const value = actual ?? null;
    const failed = value === null || value > threshold;
    return {
      expression: `${name} > ${threshold}`,
      actual: value,
      threshold,
      failed,
      explanation: `${what} ${value === null ? 'could not be measured' : `was ${formatSeconds(value)}`} against a target of ${formatSeconds(threshold)}: ${failed ? (value === null ? 'unknown counts as failed' : 'over target') : 'within target'}.`,
    };
  };
  const none = (name: string, found: string[], what: string): CriterionResult => ({
    expression: `${name} > 0`,
    actual: found.length,
    threshold: 0,
    failed: found.length > 0,
    explanation: found.length ? `${what}: ${found.join(', ')}.` : `No ${name}.`,
  });
  if (metrics.mode === 'rollback') {
    return [
      time('timeToRollbackSeconds', metrics.timeToRollbackSeconds, metrics.targets.timeToRollbackSeconds!, 'Time to rollback (previous version deploy start until every probe passed)'),
      time('timeToRecoverSeconds', metrics.timeToRecoverSeconds, metrics.targets.timeToRecoverSeconds!, 'Time to recover (return to the current version until every probe passed again)'),
    ];
  }
  return [
    time('environmentRtoSeconds', metrics.environmentRtoSeconds, metrics.targets.rtoSeconds, 'Environment RTO (apply start until every probe passed)'),
    none('leaks', metrics.leaks ?? [], 'Left behind after destroy'),
    none('drift', metrics.drift ?? [], 'A second plan would change'),
  ];
}

export function environmentVerdict(failure: Failure | undefined, metrics: DrillMetrics, criteria: CriterionResult[]): { verdict: Verdict; summary: string } {
  const leaks = metrics.leaks?.length ? ` Leaks: ${metrics.leaks.join(', ')}.` : '';
  if (failure?.kind === 'cancelled') return { verdict: 'error', summary: `Drill cancelled: ${failure.message}.${leaks}` };
  if (failure) return { verdict: failure.kind, summary: `Drill ${failure.kind === 'failed' ? 'failed' : 'could not run'}: ${failure.message}${leaks}` };
  const missed = criteria.filter((c) => c.failed);
  if (missed.length) return { verdict: 'failed', summary: `Drill failed: ${missed.map((c) => c.explanation).join(' ')}` };
  if (metrics.mode === 'rollback') {
    return {
      verdict: 'passed',
      summary: `Rollback drill passed: time to rollback ${formatSeconds(metrics.timeToRollbackSeconds!)} (target ${formatSeconds(metrics.targets.timeToRollbackSeconds!)}), time to recover ${formatSeconds(metrics.timeToRecoverSeconds!)} (target ${formatSeconds(metrics.targets.timeToRecoverSeconds!)}).`,
    };
  }
  const cost = metrics.cost ? ` Cost about ${metrics.cost.total} ${metrics.cost.currency}.` : '';
  return {
    verdict: 'passed',
    summary: `Recreation drill passed: environment RTO ${formatSeconds(metrics.environmentRtoSeconds!)} (target ${formatSeconds(metrics.targets.rtoSeconds)}), nothing left behind, a second plan found no changes.${cost}`,
  };
}
