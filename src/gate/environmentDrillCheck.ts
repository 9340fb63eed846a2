import type { DocPath } from '../config/yamlSource';
import type { DrillEvidence } from '../evidence/types';
import { formatDuration, parseDuration } from './bounds';
import { ago, ageDays, envFilter, missing, newest, ref, staleness, verdictFailure, type EvidenceContext, type RuleOutcome } from './evidenceChecks';
import type { DrillRule } from './policy';

/** Limits each drill mode takes, by policy key; any other limit on that mode is a policy error. */
const LIMITS = {
  restore: ['rto', 'rpo'],
  recreation: ['environmentRto'],
  rollback: ['timeToRollback', 'timeToRecover'],
} as const;
const FIELD = { environmentRto: 'environmentRtoSeconds', timeToRollback: 'timeToRollbackSeconds', timeToRecover: 'timeToRecoverSeconds' } as const;

/** Reads `mode` and the environment-drill limits of a drill rule; a limit the mode does not measure is an error at its line. */
export function environmentDrillRule(rule: Record<string, unknown>, r: DrillRule, at: DocPath, fail: (p: DocPath, message: string) => void): void {
  const mode = (rule.mode as DrillRule['mode']) ?? 'restore';
  if (rule.mode !== undefined) r.mode = mode;
  for (const [m, keys] of Object.entries(LIMITS)) {
    for (const key of keys) {
      if (rule[key] === undefined || m === mode) continue;
      fail([...at, key], `${key} is measured by ${m} drills, and this check counts ${mode} drills; set mode: ${m}, or use ${LIMITS[mode].join(' / ')}`);
    }
  }
  for (const key of ['environmentRto', 'timeToRollback', 'timeToRecover'] as const) {
    if (rule[key] === undefined) continue;
    const seconds = parseDuration(rule[key]);
    if (seconds === undefined) fail([...at, key], `"${String(rule[key])}" is not a duration; write e.g. 15m, 90s or 1h30m`);
    else r[FIELD[key]] = seconds;
  }
}

const WHAT = { recreation: 'recreation drill', rollback: 'rollback drill' } as const;
const LABEL = { environmentRtoSeconds: 'environment RTO', timeToRollbackSeconds: 'time to rollback', timeToRecoverSeconds: 'time to recover' } as const;

/**
 * A recreation or rollback drill rule: the newest drill of that mode (with the rule's environment and provider
 * filters) must have passed within the window, and each limit the rule sets must hold for what it measured. An
 * unmeasured time never passes.
 */
export function evaluateEnvironmentDrill(rule: DrillRule, ctx: EvidenceContext): RuleOutcome {
  const mode = rule.mode as 'recreation' | 'rollback';
  const what = WHAT[mode];
  const e = newest<DrillEvidence>(
    ctx,
    'drill',
    (x) => x.metrics.mode === mode && (!rule.environments || rule.environments.includes(x.environment)) && (!rule.provider || x.metrics.provider === rule.provider),
  );
  if (!e) {
    const outcome = missing(ctx, 'drill', `${envFilter(rule.environments)}${rule.provider ? ` with provider ${rule.provider}` : ''}`);
    return { ...outcome, reason: outcome.reason.replace('No drill evidence', `No ${what} evidence`) };
  }
  const early = staleness(ctx, e, rule.passedWithinDays, what) ?? verdictFailure(e, what);
  if (early) return early;
  const measured: string[] = [];
  for (const field of ['environmentRtoSeconds', 'timeToRollbackSeconds', 'timeToRecoverSeconds'] as const) {
    const limit = rule[field];
    if (limit === undefined) continue;
    const actual = e.metrics[field];
    if (actual === undefined || actual === null) {
      return { state: 'failed', reason: `The newest ${what} did not measure its ${LABEL[field]}, so it cannot be shown to be within ${formatDuration(limit)}.`, evidence: [ref(e)] };
    }
    if (actual > limit) return { state: 'failed', reason: `The newest ${what} measured ${LABEL[field]} ${formatDuration(actual)}, over the ${formatDuration(limit)} limit.`, evidence: [ref(e)] };
    measured.push(`${LABEL[field]} ${formatDuration(actual)} <= ${formatDuration(limit)}`);
  }
  return {
    state: 'passed',
    reason: `A ${what} passed ${ago(ageDays(ctx, e))} (limit ${rule.passedWithinDays} days)${measured.length ? ` with ${measured.join(', ')}` : ''}.`,
    evidence: [ref(e)],
  };
}
