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
import { evaluateSignOff } from './signoffCheck';
import { approvalTrail, judgeApprovals, type RunApprovals } from './approvals';
import { isAttestation, waiverProblem } from './waivers';

export interface EvaluateInput {
  policy: Policy;
  environment: string;
  /** Evidence documents; malformed ones are set aside and count as missing. */
  evidence: unknown[];
  /**
   * Attestation history from extension data (append-only); events for other services or environments are ignored.
   * Extension data records no writer, so these are warn-only: they never decide the level or the status.
   */
  signoffs: SignOffEvent[];
  /** Waivers from the repository (src/gate/waivers.ts), each naming its owner role. */
  waivers: Waiver[];
  /**
   * The run's Azure Pipelines approvals: the only source of release sign-offs. Without them every release
   * sign-off check is missing.
   */
  approvals?: RunApprovals;
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
    const key = (['loadtest', 'drill', 'docs', 'gate', 'environment', 'capacity'] as string[]).includes(kind ?? '') ? (kind as EvidenceKind) : 'unknown';
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
    const outcome: RuleOutcome = signOffOutcome(check, input, history) ?? evaluateEvidenceCheck(check, ctx)!;
    // An attestation comes from extension data, which anyone may write: shown, warned about, never deciding.
    if (!isAttestation(check)) rejected ||= outcome.rejected === true;
    const base = { id: check.id, title: check.title, owner: check.owner, type: check.type };
    // Waivers come from the repository; each must name the check's owner role and stay within the policy's limits.
    const inForce = outcome.state === 'passed' ? [] : input.waivers.filter((w) => isInForce(w, check.id, now));
    const allowed = inForce.filter((w) => waiverProblem(policy, check, w) === undefined);
    const ignored = inForce.filter((w) => !allowed.includes(w));
    const waiver = activeWaiver(allowed, check.id, now);
    const ignoredNote = ignored.length ? ` Ignored waiver(s): ${ignored.map((w) => waiverProblem(policy, check, w)).join('; ')}.` : '';
    checks.push(
      waiver
        ? { ...base, state: 'waived', evidence: outcome.evidence, reason: `Waived until ${waiver.until} by ${waiver.by.name}: ${waiver.reason} (without the waiver: ${outcome.state}; ${outcome.reason})` }
        : { ...base, state: outcome.state, evidence: outcome.evidence, reason: `${outcome.reason}${ignoredNote}` },
    );
  }

  // Attestations are warn-only: whatever their state, they neither hold a level back nor help reach one.
  const advisory = new Set(policy.checks.filter(isAttestation).map((c) => c.id));
  const ok = new Set(checks.filter((c) => c.state === 'passed' || c.state === 'waived' || advisory.has(c.id)).map((c) => c.id));
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
  const warnings = checks.filter((c) => advisory.has(c.id) && c.state !== 'passed').map((c) => `${c.id} (${c.state}, warn-only)`);

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
    summary: summarise(policy.service, environment, level, settings, status, short, rejected, input.invalidEvidence ?? []) +
      (warnings.length ? ` Attestations not passed (warn-only): ${warnings.join(', ')}.` : ''),
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
      ...(input.approvals ? { runId: input.approvals.runId } : {}),
      ...(input.approvals?.commit ? { commit: input.approvals.commit } : {}),
      checks,
      ...(input.approvals ? { approvals: approvalTrail(policy.roles, input.approvals.approvals) } : {}),
    },
    links: [],
  };
}

/**
 * Release sign-offs come from the run's approvals only; attestations from the extension-data history (warn-only).
 * Undefined for checks that are not sign-offs.
 */
function signOffOutcome(check: Policy['checks'][number], input: EvaluateInput, history: SignOffEvent[]): RuleOutcome | undefined {
  if (check.type !== 'signoff') return undefined;
  if (isAttestation(check)) return evaluateSignOff(check.rule, { roles: input.policy.roles, history, now: input.now, members: input.members });
  if (!input.approvals) {
    return {
      state: 'missing',
      evidence: [],
      reason:
        `No ${check.rule.roles.join(' or ')} sign-off: sign-offs are the Azure Pipelines approvals of the run being released, and no run ` +
        'approvals were given to the gate (run ReadinessGate@1 in the deployment job of the approved stage; docs/migration.md).',
    };
  }
  return judgeApprovals(check.rule, { roles: input.policy.roles, run: input.approvals, members: input.members });
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
