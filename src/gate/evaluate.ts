import { createHash } from 'node:crypto';
import { ConfigError } from '../errors';
import {
  EVIDENCE_SCHEMA_VERSION,
  type CheckOutcome,
  type Evidence,
  type EvidenceKind,
  type GateEvidence,
  type GateStatus,
  type RunInfo,
} from '../evidence/types';
import { EvidenceContext, evaluateEvidenceCheck, RuleOutcome } from './evidenceChecks';
import { validateEvidence } from '../evidence/validate';
import { checksForLevel, type Policy } from './policy';
import type { SignOffEvent, Waiver } from './records';
import { hint as suggestion } from '../config/suggest';
import { evaluateSignOff, holdsRoleVerified } from './signoffCheck';

export interface EvaluateInput {
  policy: Policy;
  environment: string;
  /** Evidence documents; malformed ones are set aside and count as missing. */
  evidence: unknown[];
  /** Sign-off history (append-only); events for other services or environments are ignored. */
  signoffs: SignOffEvent[];
  /** Waivers of this service and environment. */
  waivers: Waiver[];
  now: Date;
  /** The version being released; sign-offs for another version are void. */
  version?: string;
  /** Members (user ids) of Azure DevOps groups, for attestations every member must give. */
  members?: Record<string, string[]>;
  /** Evidence files that could not be read at all (reported, counted as missing). */
  invalidEvidence?: Array<{ file: string; errors: string[] }>;
  run?: RunInfo;
}

/**
 * The gate's verdict: a pure function of the policy, the evidence, the sign-offs, the waivers and the clock.
 * It never reads files, the network or the system clock, so every edge is a table row in its tests.
 *
 * - Each check gets a state from its rule (see evidenceChecks.ts and signoffCheck.ts); a check that did not
 *   pass becomes `waived` while a waiver for it is active: `at <= now < until`. A waiver whose `until` equals
 *   `now` has expired.
 * - The achieved level is the highest level whose checks, and those of every level below, are all passed or
 *   waived.
 * - The status is `ready` when the achieved level is at least the environment's required level and no role
 *   rejected; otherwise `not-ready` under `block` enforcement and `warn` under `warn` enforcement.
 */
export function evaluatePolicy(input: EvaluateInput): GateEvidence {
  const { policy, environment, now } = input;
  const settings = policy.environments[input.environment];
  if (!settings) {
    const known = Object.keys(policy.environments);
    throw new ConfigError(`${policy.file}: environment "${environment}" is not in the policy${suggestion(environment, known)}`);
  }

  const evidence: Evidence[] = [];
  const malformed: EvidenceContext['malformed'] = {};
  for (const doc of input.evidence) {
    // The same JSON Schema every reader uses: a half-written or hand-edited document is never read as a pass.
    const check = validateEvidence(doc);
    if (check.ok) {
      evidence.push(check.evidence);
      continue;
    }
    const kind = (doc as { kind?: string } | null)?.kind;
    const key = (['loadtest', 'drill', 'docs', 'gate', 'capacity'] as string[]).includes(kind ?? '') ? (kind as EvidenceKind) : 'unknown';
    malformed[key] = (malformed[key] ?? 0) + 1;
  }
  malformed.unknown = (malformed.unknown ?? 0) + (input.invalidEvidence?.length ?? 0);
  const ctx: EvidenceContext = {
    service: policy.service,
    now,
    evidence,
    malformed,
    docsChecks: policy.checks.filter((c) => c.type === 'docs').length,
  };
  const history = input.signoffs.filter((e) => e.type === 'revoke' || (e.for?.service === policy.service && e.for?.environment === environment));

  const checks: CheckOutcome[] = [];
  let rejected = false;
  for (const check of policy.checks) {
    const outcome: RuleOutcome =
      check.type === 'signoff'
        ? evaluateSignOff(check.rule, { roles: policy.roles, history, now, version: input.version, members: input.members })
        : evaluateEvidenceCheck(check, ctx)!;
    rejected ||= outcome.rejected === true;
    const base = { id: check.id, title: check.title, owner: check.owner, type: check.type };
    // Extension data accepts writes from any user, so a waiver counts only when its author holds the check's
    // owner role, by the same rule as a sign-off; others are named and ignored.
    const inForce = outcome.state === 'passed' ? [] : input.waivers.filter((w) => isInForce(w, check.id, now));
    const ownerSigners = check.owner ? policy.roles[check.owner] : undefined;
    const allowed = inForce.filter((w) => holdsRoleVerified(ownerSigners, w.by?.id, input.members) === 'yes');
    const ignored = inForce.filter((w) => !allowed.includes(w));
    const waiver = activeWaiver(allowed, check.id, now);
    const ignoredNote = ignored.length
      ? ` Ignored waiver(s) by ${ignored.map((w) => `${w.by?.name ?? '?'} (${w.by?.id ?? '?'})`).join(', ')}: ${check.owner ? `not a verified holder of the owner role ${check.owner}` : 'this check has no owner role, so it cannot be waived'}.`
      : '';
    checks.push(
      waiver
        ? { ...base, state: 'waived', evidence: outcome.evidence, reason: `Waived until ${waiver.until} by ${waiver.by.name}: ${waiver.reason} (without the waiver: ${outcome.state}; ${outcome.reason})` }
        : { ...base, state: outcome.state, evidence: outcome.evidence, reason: `${outcome.reason}${ignoredNote}` },
    );
  }

  const ok = new Set(checks.filter((c) => c.state === 'passed' || c.state === 'waived').map((c) => c.id));
  let level: string | null = null;
  for (const l of policy.levels) {
    if (!checksForLevel(policy, l.name).every((id) => ok.has(id))) break;
    level = l.name;
  }
  const rank = (name: string | null) => (name === null ? -1 : policy.levels.findIndex((l) => l.name === name));
  const meets = rank(level) >= rank(settings.requiredLevel) && !rejected;
  const status: GateStatus = meets ? 'ready' : settings.enforcement === 'warn' ? 'warn' : 'not-ready';
  const required = checksForLevel(policy, settings.requiredLevel);
  const short = checks.filter((c) => required.includes(c.id) && !ok.has(c.id));

  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: gateId(policy, environment, now, input.version),
    kind: 'gate',
    service: policy.service,
    environment,
    run: input.run ?? {},
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    verdict: meets ? 'passed' : 'failed',
    summary: summarise(policy.service, environment, level, settings, status, short, rejected, input.invalidEvidence ?? []),
    criteria: checks
      .filter((c) => required.includes(c.id))
      .map((c) => ({
        expression: `${c.id}: ${c.title}`,
        actual: ok.has(c.id) ? 1 : 0,
        threshold: 1,
        failed: !ok.has(c.id),
        explanation: `${c.state}: ${c.reason}`,
      })),
    metrics: {
      policyFile: policy.file,
      tier: policy.tier,
      level,
      requiredLevel: settings.requiredLevel,
      enforcement: settings.enforcement,
      status,
      evaluatedAt: now.toISOString(),
      version: input.version,
      checks,
    },
    links: [],
  };
}

/** A waiver is in force from when it was given until (not including) `until`; an unreadable date never is. */
function isInForce(w: Waiver, checkId: string, now: Date): boolean {
  const t = now.getTime();
  return w.check === checkId && Date.parse(w.at) <= t && t < Date.parse(w.until);
}

/** The waiver in force for a check; the latest-ending one is shown. */
export function activeWaiver(waivers: readonly Waiver[], checkId: string, now: Date): Waiver | undefined {
  return waivers.filter((w) => isInForce(w, checkId, now)).sort((a, b) => Date.parse(b.until) - Date.parse(a.until))[0];
}

function summarise(
  service: string,
  environment: string,
  level: string | null,
  settings: { requiredLevel: string; enforcement: 'warn' | 'block' },
  status: GateStatus,
  short: CheckOutcome[],
  rejected: boolean,
  invalid: Array<{ file: string }>,
): string {
  const reached = level ? `reached ${level}` : 'reached no level';
  const unreadable = invalid.length ? ` ${invalid.length} evidence file(s) could not be read and count as missing.` : '';
  if (status === 'ready') return `${service} ${reached}; ${environment} requires ${settings.requiredLevel}: ready.${unreadable}`;
  const notPassed = short.map((c) => `${c.id} (${c.state})`).join(', ');
  const why = [notPassed && `not passed: ${notPassed}`, rejected && 'a role rejected the release'].filter(Boolean).join('; ');
  const consequence = status === 'warn' ? 'enforcement is warn, so the deployment may continue' : 'enforcement is block';
  return `${service} ${reached}; ${environment} requires ${settings.requiredLevel}: ${why}; ${consequence}.${unreadable}`;
}

/** Deterministic, so evaluating the same inputs twice gives the same document. */
function gateId(policy: Policy, environment: string, now: Date, version?: string): string {
  const h = createHash('sha256').update(`${policy.service}|${environment}|${now.toISOString()}|${version ?? ''}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
