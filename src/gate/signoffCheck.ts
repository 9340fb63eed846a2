import { currentDecisions, RoleDecision } from './decisions';
import type { RuleOutcome } from './evidenceChecks';
import type { Signers, SignOffRule } from './policy';
import type { SignOff, SignOffEvent } from './records';

export interface SignOffContext {
  roles: Record<string, Signers>;
  /** Sign-off history for this service and environment only. */
  history: SignOffEvent[];
  now: Date;
  version?: string;
  /** Members (user ids) of Azure DevOps groups, for `everyMember` attestations. */
  members?: Record<string, string[]>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const RANK = { failed: 3, missing: 2, stale: 1, passed: 0 } as const;
type RoleState = keyof typeof RANK;

/**
 * A sign-off check. Without `expiresAfterDays` it is a release sign-off: bound to the version being evaluated.
 * With it, it is an attestation about people or practice (training done, runbook rehearsed): it is not tied to
 * a version, and it lapses `expiresAfterDays` after it was given (a sign-off exactly that old still counts).
 */
export function evaluateSignOff(rule: SignOffRule, ctx: SignOffContext): RuleOutcome {
  const attestation = rule.expiresAfterDays !== undefined;
  const { trusted, refused, unverified } = authorised(ctx);
  const decisions = currentDecisions(trusted, ctx.now, attestation ? undefined : ctx.version);
  const results = rule.roles.map((role) => {
    const result = judgeRole(role, decisions[role], rule, ctx);
    const ignored = refused.filter((e) => e.role === role);
    if (ignored.length && result.state !== 'passed') {
      result.sentence += ` Ignored ${ignored.map((e) => `${e.by.name} (${e.by.id})`).join(', ')}: not allowed to sign for ${role}.`;
    }
    const unchecked = unverified.filter((e) => e.role === role && e.type === 'signoff');
    if (unchecked.length && result.state !== 'passed') {
      const groups = ctx.roles[role]?.groups.filter((g) => !ctx.members?.[g]) ?? [];
      result.sentence += ` Not counted: ${unchecked.map((e) => `${e.by.name} (${e.by.id})`).join(', ')}, who may belong to ${groups.join(', ')} but the gate was not given that group's members to check; list approvers under users.`;
    }
    return result;
  });
  const worst = results.reduce<RoleState>((w, r) => (RANK[r.state] > RANK[w] ? r.state : w), 'passed');
  const shown = worst === 'passed' ? results : results.filter((r) => r.state !== 'passed');
  return {
    state: worst,
    reason: shown.map((r) => r.sentence).join(' '),
    evidence: [],
    rejected: results.some((r) => r.rejected),
  };
}

/**
 * Extension data in Azure DevOps accepts writes from any user of the extension, so the gate re-checks who
 * signed: a sign-off counts when its signer is listed under the role's users or is a known member of one of
 * its groups. When a group's membership was not provided, a signer not listed under users cannot be checked
 * and does not count (it is reported as unverified). A revocation counts when made by the original signer or
 * by someone allowed to sign for the role.
 */
/**
 * Whether a person holds a role, as far as the gate can tell: listed under the role's users, or a known member of
 * one of its groups (`yes`); possibly a member of a group whose members the gate was not given (`unverified`);
 * or not (`no`). Sign-offs and waivers both go through it, and both count only on `yes`.
 */
export function holdsRoleVerified(signers: Signers | undefined, id: unknown, members?: Record<string, string[]>): 'yes' | 'unverified' | 'no' {
  if (!signers || !Array.isArray(signers.users) || !Array.isArray(signers.groups) || typeof id !== 'string') return 'no';
  const same = (other: string) => other.toLowerCase() === id.toLowerCase();
  if (signers.users.some(same)) return 'yes';
  if (signers.groups.some((g) => members?.[g]?.some(same))) return 'yes';
  return signers.groups.some((g) => !members?.[g]) ? 'unverified' : 'no';
}

function authorised(ctx: SignOffContext): { trusted: SignOffEvent[]; refused: SignOffEvent[]; unverified: SignOffEvent[] } {
  const may = (role: string, id: string) => holdsRoleVerified(ctx.roles[role], id, ctx.members);
  const targets = new Map(ctx.history.filter((e) => e.type === 'signoff').map((e) => [e.id, e]));
  const trusted: SignOffEvent[] = [];
  const refused: SignOffEvent[] = [];
  const unverified: SignOffEvent[] = [];
  for (const e of ctx.history) {
    // A revoke is judged by the role of the sign-off it revokes, never by the role it claims: otherwise a holder of
    // one role could undo another role's rejection by writing that role's name on the revoke.
    const target = e.type === 'revoke' ? targets.get(e.revokes) : undefined;
    const verdict =
      e.type !== 'revoke'
        ? may(e.role, e.by?.id)
        : !target || target.role !== e.role
          ? 'no'
          : target.by?.id === e.by?.id
            ? 'yes'
            : may(target.role, e.by?.id);
    // Fail closed: extension data accepts writes from any user, so a signer we cannot check does not count.
    if (verdict === 'yes') trusted.push(e);
    else if (verdict === 'unverified') unverified.push(e);
    else refused.push(e);
  }
  return { trusted, refused, unverified };
}

interface RoleResult {
  state: RoleState;
  sentence: string;
  rejected?: boolean;
}

function judgeRole(role: string, decision: RoleDecision | undefined, rule: SignOffRule, ctx: SignOffContext): RoleResult {
  const current = decision?.current ?? [];
  const rejects = current.filter((s) => s.decision === 'reject');
  if (rejects.length) {
    const r = rejects[rejects.length - 1];
    return { state: 'failed', rejected: true, sentence: `${r.by.name} rejected for ${role} on ${day(r.at)}: "${r.comment}".` };
  }
  const approvals = current.filter((s) => s.decision === 'approve');
  const fresh = (s: SignOff) => rule.expiresAfterDays === undefined || ctx.now.getTime() - Date.parse(s.at) <= rule.expiresAfterDays * DAY_MS;

  if (rule.everyMember) return judgeEveryMember(role, approvals, fresh, rule, ctx);

  if (!approvals.length) return { state: 'missing', sentence: `No ${role} sign-off${whyNone(decision, ctx.version)}.` };
  const newest = approvals.reduce((a, b) => (Date.parse(b.at) > Date.parse(a.at) ? b : a));
  if (!fresh(newest)) {
    return { state: 'stale', sentence: `The ${role} attestation by ${newest.by.name} on ${day(newest.at)} expired after ${rule.expiresAfterDays} days; it must be renewed.` };
  }
  return { state: 'passed', sentence: `${role} approved by ${approvals.map((s) => `${s.by.name} on ${day(s.at)}`).join(', ')}.` };
}

function judgeEveryMember(
  role: string,
  approvals: SignOff[],
  fresh: (s: SignOff) => boolean,
  rule: SignOffRule,
  ctx: SignOffContext,
): RoleResult {
  const signers = ctx.roles[role] ?? { groups: [], users: [] };
  const unknownGroups = signers.groups.filter((g) => !ctx.members?.[g]);
  if (unknownGroups.length) {
    return { state: 'missing', sentence: `Cannot tell who belongs to ${unknownGroups.map((g) => `"${g}"`).join(', ')}, so the ${role} attestation of every member cannot be checked.` };
  }
  const people = [...new Map([...signers.users, ...signers.groups.flatMap((g) => ctx.members?.[g] ?? [])].map((p) => [p.toLowerCase(), p])).values()];
  if (!people.length) return { state: 'missing', sentence: `Role ${role} has no members, so nobody has attested.` };
  // Ids compare without case: a group lookup and a sign-off may spell the same GUID differently.
  const byPerson = new Map(approvals.map((s) => [s.by.id.toLowerCase(), s]));
  const of = (id: string) => byPerson.get(id.toLowerCase());
  const never = people.filter((p) => !of(p));
  const expired = people.filter((p) => of(p) && !fresh(of(p)!));
  const label = (id: string) => of(id)?.by.name ?? id;
  if (never.length) {
    return { state: 'missing', sentence: `${never.length} of ${people.length} ${role} members have not attested: ${never.map(label).join(', ')}.` };
  }
  if (expired.length) {
    return { state: 'stale', sentence: `${expired.length} of ${people.length} ${role} attestations expired after ${rule.expiresAfterDays} days: ${expired.map(label).join(', ')}.` };
  }
  return { state: 'passed', sentence: `All ${people.length} ${role} members attested${rule.expiresAfterDays ? ` within ${rule.expiresAfterDays} days` : ''}.` };
}

function whyNone(decision: RoleDecision | undefined, version: string | undefined): string {
  const notes: string[] = [];
  for (const s of decision?.voided ?? []) notes.push(`${s.by.name}'s sign-off was for version ${s.for.version ?? '(none)'}, not ${version}, so it is void`);
  for (const s of decision?.revoked ?? []) notes.push(`${s.by.name}'s sign-off of ${day(s.at)} was revoked`);
  return notes.length ? ` (${notes.join('; ')})` : ' yet';
}

function day(iso: string): string {
  return iso.slice(0, 10);
}
