import type { CheckOutcome, CheckState, DocsEvidence, DrillEvidence, Evidence, EvidenceKind, LoadTestEvidence } from '../evidence/types';
import { formatDuration, holds, measure } from './bounds';
import { evaluateEnvironment } from './environmentRule';
import { evaluateEnvironmentDrill } from './environmentDrillCheck';
import { checkNoRegression } from './regressionCheck';
import { evaluateCapacity } from './capacityCheck';
import type { DocsRule, DrillRule, LoadTestRule, PolicyCheck } from './policy';

/** What a check's rule concluded before waivers are applied. */
export interface RuleOutcome {
  state: Exclude<CheckState, 'waived'>;
  reason: string;
  evidence: CheckOutcome['evidence'];
  /** Set by sign-off checks when a role rejected: blocks the verdict whatever the level. */
  rejected?: boolean;
}

export interface EvidenceContext {
  service: string;
  now: Date;
  /** Well-formed evidence only. */
  evidence: Evidence[];
  /** How many malformed documents of each kind were set aside (they count as missing, never as passed). */
  malformed: Partial<Record<EvidenceKind | 'unknown', number>>;
  /** Number of docs checks in the policy: with more than one, docs evidence must match the rule's root. */
  docsChecks: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NAMES: Record<'loadtest' | 'drill' | 'docs', string> = { loadtest: 'load test', drill: 'drill', docs: 'documentation check' };

/**
 * Picks the newest evidence (by finishedAt) of a kind that matches the rule's filters. Evidence that finished
 * after `now` has not happened yet at the time of evaluation and is left out.
 */
export function newest<E extends Evidence>(ctx: EvidenceContext, kind: E['kind'], accept: (e: E) => boolean): E | undefined {
  const nowMs = ctx.now.getTime();
  let best: E | undefined;
  for (const e of ctx.evidence) {
    if (e.kind !== kind || e.service !== ctx.service) continue;
    const t = Date.parse(e.finishedAt);
    if (t > nowMs || !accept(e as E)) continue;
    if (!best || t > Date.parse(best.finishedAt)) best = e as E;
  }
  return best;
}

export function ref(e: Evidence): CheckOutcome['evidence'][number] {
  return e.run?.url ? { id: e.id, kind: e.kind, finishedAt: e.finishedAt, runUrl: e.run.url } : { id: e.id, kind: e.kind, finishedAt: e.finishedAt };
}

export function missing(ctx: EvidenceContext, kind: 'loadtest' | 'drill' | 'docs', filters: string): RuleOutcome {
  const bad = ctx.malformed[kind] ?? 0;
  const unknown = ctx.malformed.unknown ?? 0;
  const notes = [
    bad ? `${bad} malformed ${NAMES[kind]} document${bad === 1 ? ' was' : 's were'} ignored` : '',
    unknown ? `${unknown} unreadable evidence file${unknown === 1 ? ' was' : 's were'} ignored` : '',
  ].filter(Boolean);
  return {
    state: 'missing',
    reason: `No ${NAMES[kind]} evidence for ${ctx.service}${filters}${notes.length ? ` (${notes.join('; ')})` : ''}; run it in the pipeline before the gate.`,
    evidence: [],
  };
}

export function ageDays(ctx: EvidenceContext, e: Evidence): number {
  return (ctx.now.getTime() - Date.parse(e.finishedAt)) / DAY_MS;
}

function days(n: number): string {
  return n < 1 ? `${Math.round(n * 24)} hours` : `${Number.isInteger(n) ? n : n.toFixed(1)} days`;
}

/** "3 hours ago", "2.5 days ago", or "within the last hour". */
export function ago(n: number): string {
  return n < 1 / 24 ? 'within the last hour' : `${days(n)} ago`;
}

/**
 * Freshness: evidence exactly `limit` days old still counts (the window is inclusive), one millisecond more
 * is stale. Staleness is reported before the verdict: an old result says nothing about today either way.
 */
export function staleness(ctx: EvidenceContext, e: Evidence, limit: number, what: string): RuleOutcome | undefined {
  const age = ageDays(ctx, e);
  if (age <= limit) return undefined;
  return {
    state: 'stale',
    reason: `The newest ${what} finished ${days(age)} ago, older than the ${limit}-day limit; run it again.`,
    evidence: [ref(e)],
  };
}

export function envFilter(environments: string[] | undefined): string {
  return environments ? ` from ${environments.join(' or ')}` : '';
}

export function verdictFailure(e: Evidence, what: string): RuleOutcome | undefined {
  if (e.verdict === 'passed') return undefined;
  const how = e.verdict === 'error' ? 'ended in an error' : 'failed';
  return { state: 'failed', reason: `The newest ${what} ${how}: ${e.summary || 'no summary given'}.`.replace(/\.\.$/, '.'), evidence: [ref(e)] };
}

export function evaluateLoadTest(rule: LoadTestRule, ctx: EvidenceContext): RuleOutcome {
  const e = newest<LoadTestEvidence>(
    ctx,
    'loadtest',
    (x) => (!rule.environments || rule.environments.includes(x.environment)) && (!rule.testId || x.metrics.testId === rule.testId),
  );
  if (!e) return missing(ctx, 'loadtest', `${envFilter(rule.environments)}${rule.testId ? ` with test id ${rule.testId}` : ''}`);
  const early = staleness(ctx, e, rule.passedWithinDays, 'load test') ?? verdictFailure(e, 'load test');
  if (early) return early;
  const holding: string[] = [];
  for (const bound of rule.metrics) {
    const actual = measure(e.metrics, bound);
    const label = `${bound.request ? `${bound.request}: ` : ''}${bound.metric}`;
    if (actual === null) return { state: 'failed', reason: `The newest load test did not measure ${label}, so "${bound.text}" cannot be shown to hold.`, evidence: [ref(e)] };
    if (!holds(actual, bound)) return { state: 'failed', reason: `The newest load test measured ${label} = ${actual}, which breaks "${bound.text}".`, evidence: [ref(e)] };
    holding.push(`${label} ${actual}`);
  }
  let compared = '';
  if (rule.noRegression) {
    const earlier = ctx.evidence.filter((x) => Date.parse(x.finishedAt) <= ctx.now.getTime());
    const finding = checkNoRegression(e, earlier, rule.noRegression);
    if (finding.blocked) {
      const why = finding.regressed ? 'regressed against its baseline' : 'could not be shown free of regression (noRegression.inconclusive: block)';
      return { state: 'failed', reason: `The newest load test ${why}: ${finding.text}`, evidence: [ref(e)] };
    }
    compared = ` ${finding.text}`;
  }
  return {
    state: 'passed',
    reason: `A load test passed ${ago(ageDays(ctx, e))} (limit ${rule.passedWithinDays} days)${holding.length ? ` with ${holding.join(', ')} within bounds` : ''}.${compared}`,
    evidence: [ref(e)],
  };
}

/** RPO methods that state a figure without measuring data in the restored copy; they never satisfy an RPO limit. */
const UNMEASURED_RPO: Partial<Record<DrillEvidence['metrics']['rpoMethod'], string>> = {
  'declared-interval': 'its RPO is the log-backup interval the drill file declares',
  'file-time': "its RPO comes from a file's modification time, which a copy or download resets",
};

export function evaluateDrill(rule: DrillRule, ctx: EvidenceContext): RuleOutcome {
  if (rule.mode === 'recreation' || rule.mode === 'rollback') return evaluateEnvironmentDrill(rule, ctx);
  const e = newest<DrillEvidence>(
    ctx,
    'drill',
    // A freshness check restored nothing, so it is not a drill, however recent; a recreation or rollback drill
    // restored no data, so it is not a restore drill.
    (x) =>
      (x.metrics.mode === undefined || x.metrics.mode === 'restore') &&
      (!rule.environments || rule.environments.includes(x.environment)) &&
      (!rule.provider || x.metrics.provider === rule.provider),
  );
  if (!e) return missing(ctx, 'drill', `${envFilter(rule.environments)}${rule.provider ? ` with provider ${rule.provider}` : ''}`);
  const early = staleness(ctx, e, rule.passedWithinDays, 'drill') ?? verdictFailure(e, 'drill');
  if (early) return early;
  const measured: string[] = [];
  for (const [name, limit, actual] of [
    ['RTO', rule.rtoSeconds, e.metrics.rtoSeconds],
    ['RPO', rule.rpoSeconds, e.metrics.rpoSeconds],
  ] as const) {
    if (limit === undefined) continue;
    // An unmeasured RTO or RPO never passes (fail closed, as pgdrill does).
    if (actual === null) return { state: 'failed', reason: `The newest drill did not measure ${name}, so it cannot be shown to be within ${formatDuration(limit)}.`, evidence: [ref(e)] };
    if (name === 'RPO' && UNMEASURED_RPO[e.metrics.rpoMethod]) {
      return {
        state: 'failed',
        reason: `The newest drill did not measure RPO: ${UNMEASURED_RPO[e.metrics.rpoMethod]}, so it cannot be shown to be within ${formatDuration(limit)}. Measure it with rpo.query or a heartbeat table.`,
        evidence: [ref(e)],
      };
    }
    if (actual > limit) return { state: 'failed', reason: `The newest drill measured ${name} ${formatDuration(actual)}, over the ${formatDuration(limit)} limit.`, evidence: [ref(e)] };
    measured.push(`${name} ${formatDuration(actual)} <= ${formatDuration(limit)}`);
  }
  return {
    state: 'passed',
    reason: `A drill passed ${ago(ageDays(ctx, e))} (limit ${rule.passedWithinDays} days)${measured.length ? ` with ${measured.join(', ')}` : ''}.`,
    evidence: [ref(e)],
  };
}

export function evaluateDocs(rule: DocsRule, ctx: EvidenceContext): RuleOutcome {
  const e = newest<DocsEvidence>(ctx, 'docs', (x) => ctx.docsChecks <= 1 || x.metrics.root === rule.root);
  if (!e) return missing(ctx, 'docs', ctx.docsChecks > 1 ? ` for folder ${rule.root}` : '');
  const errors = e.metrics.findings.filter((f) => f.severity === 'error');
  if (e.verdict !== 'passed' || errors.length) {
    const listed = errors.slice(0, 3).map((f) => `${f.file}${f.line ? `:${f.line}` : ''} ${f.message}`);
    const more = errors.length > 3 ? ` and ${errors.length - 3} more` : '';
    return {
      state: 'failed',
      reason: listed.length ? `Documentation problems: ${listed.join('; ')}${more}.` : `The documentation check ${e.verdict}: ${e.summary}`,
      evidence: [ref(e)],
    };
  }
  return { state: 'passed', reason: `Documentation checked ${ago(ageDays(ctx, e))}: ${e.summary}`, evidence: [ref(e)] };
}

export function evaluateEvidenceCheck(check: PolicyCheck, ctx: EvidenceContext): RuleOutcome | undefined {
  if (check.type === 'loadtest') return evaluateLoadTest(check.rule, ctx);
  if (check.type === 'drill') return evaluateDrill(check.rule, ctx);
  if (check.type === 'docs') return evaluateDocs(check.rule, ctx);
  if (check.type === 'environment') return evaluateEnvironment(check.rule, ctx);
  if (check.type === 'capacity') return evaluateCapacity(check.rule, { ...ctx, malformedCount: ctx.malformed.capacity ?? 0 });
  return undefined;
}
