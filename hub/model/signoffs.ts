import { currentDecisions as gateDecisions, type RoleDecision } from '../../src/gate/decisions';
import type { Person, SignOff, SignOffDocument, SignOffEvent, Waiver, WaiverDocument } from '../../src/gate/records';
import type { HubUser, PolicyDocument, PolicyRole } from '../client/ReadinessClient';

/**
 * Sign-off rules the panel shows. The history is append-only; what counts now is decided by the gate's
 * own `currentDecisions` (src/gate/decisions.ts) over the events the gate would trust: extension data
 * accepts writes from anyone, so src/gate/signoffCheck.ts `authorised()` counts a sign-off only when the
 * stored signer id is listed under the role's users (or is a known member of a listed group). The hub
 * cannot list a group's members, so it counts only signers listed by id; a revoke counts when made by the
 * original signer or by someone listed for the role. Where the gate is given group members it may count
 * more than the hub shows, never less.
 */
export type { RoleDecision };

function sameId(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

function listedById(role: PolicyRole | undefined, id: string | undefined): boolean {
  return !!role && (role.users ?? []).some((u) => sameId(u, id));
}

/** The events the gate would count, split from those it ignores, by the same rule as `authorised()`. */
export function countedEvents(doc: SignOffDocument | undefined, policy: PolicyDocument | undefined): { counted: SignOffEvent[]; notCounted: SignOffEvent[] } {
  const history = doc?.history ?? [];
  const roleOf = (name: string) => policy?.roles.find((r) => r.role === name);
  const targets = new Map(history.filter((e) => e.type === 'signoff').map((e) => [e.id, e]));
  const counted: SignOffEvent[] = [];
  const notCounted: SignOffEvent[] = [];
  for (const e of history) {
    // A revoke counts by the role of the sign-off it revokes (src/gate/signoffCheck.ts authorised()).
    const target = e.type === 'revoke' ? targets.get(e.revokes) : undefined;
    const ok =
      e.type !== 'revoke'
        ? listedById(roleOf(e.role), e.by?.id)
        : !!target && target.role === e.role && (sameId(target.by?.id, e.by?.id) || listedById(roleOf(target.role), e.by?.id));
    (ok ? counted : notCounted).push(e);
  }
  return { counted, notCounted };
}

export function roleDecisions(doc: SignOffDocument | undefined, policy: PolicyDocument | undefined, version?: string, now = new Date()): Record<string, RoleDecision> {
  return gateDecisions(countedEvents(doc, policy).counted, now, version);
}

export function decisionOf(decisions: Record<string, RoleDecision>, role: string): RoleDecision {
  return decisions[role] ?? { role, state: 'none', current: [], voided: [], revoked: [] };
}

/** The roles the panel asks to sign: those marked required (a document without the flag means all). */
export function requiredRoles(policy: PolicyDocument | undefined): PolicyRole[] {
  return (policy?.roles ?? []).filter((r) => r.required !== false);
}

/**
 * A user holds a role when the policy lists their user id, or one of their groups (without case). Only the
 * id: the sign-off stores `{ id, name }` and the gate compares that id with `users`, so a role granted to an
 * e-mail address would let the hub sign while the gate ignored the sign-off.
 */
export function holdsRole(role: PolicyRole | undefined, user: HubUser): boolean {
  if (!role) return false;
  const groups = new Set(user.groups.map((g) => g.toLowerCase()));
  return listedById(role, user.id) || (role.groups ?? []).some((g) => groups.has(g.toLowerCase()));
}

/** The policy lists the user's unique name (e-mail) but not their id: they must ask for their id to be listed. */
export function listedByUniqueNameOnly(role: PolicyRole | undefined, user: HubUser): boolean {
  return !!role && !!user.uniqueName && !listedById(role, user.id) && (role.users ?? []).some((u) => sameId(u, user.uniqueName));
}

/** Who may sign, for the sentence under a role the user does not hold. */
export function describeSigners(role: PolicyRole): string {
  const parts = [
    role.users?.length ? role.users.join(', ') : '',
    role.groups?.length ? `members of ${role.groups.map((g) => `"${g}"`).join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' and ') : 'nobody';
}

/** The person who signed, or anyone holding the role, may revoke a sign-off (src/gate/signoffs.ts). */
export function mayRevoke(policy: PolicyDocument | undefined, user: HubUser, signOff: SignOff): boolean {
  return signOff.by.id === user.id || holdsRole(policy?.roles.find((r) => r.role === signOff.role), user);
}

/** Only holders of a check's owner role may waive it; without owners listed, any role holder may. */
export function mayWaive(policy: PolicyDocument | undefined, user: HubUser, check: string): boolean {
  // Same rule as the gate: only a holder of the check's owner role may waive it; a check without one cannot be.
  const owner = policy?.checkOwners?.[check];
  return owner ? holdsRole(policy?.roles.find((r) => r.role === owner), user) : false;
}

/** Required roles without a standing approval. */
export function pendingRoles(policy: PolicyDocument | undefined, doc: SignOffDocument | undefined, version?: string): string[] {
  const decisions = roleDecisions(doc, policy, version);
  return requiredRoles(policy).filter((r) => decisionOf(decisions, r.role).state !== 'approved').map((r) => r.role);
}

function newId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function person(user: HubUser): Person {
  return { id: user.id, name: user.name };
}

/**
 * The change applied by updateWithRetry: append to whatever the history is now, never replace it. An event
 * whose id is already there is not added again: a Retry after a write that landed but whose answer was lost
 * re-sends the same event, and it must not count twice.
 */
export function appendEvent(service: string, environment: string, event: SignOffEvent) {
  return (current: SignOffDocument | undefined): SignOffDocument => {
    const history = current?.history ?? [];
    return {
      ...(current ?? { id: '', service, environment, history: [] }),
      service,
      environment,
      history: history.some((e) => e.id === event.id) ? history : [...history, event],
    };
  };
}

export function signOffEvent(
  user: HubUser,
  input: { service: string; environment: string; role: string; decision: 'approve' | 'reject'; comment: string; version?: string },
): SignOffEvent {
  return {
    type: 'signoff',
    id: newId(),
    role: input.role,
    decision: input.decision,
    by: person(user),
    at: new Date().toISOString(),
    comment: input.comment,
    for: { service: input.service, environment: input.environment, ...(input.version ? { version: input.version } : {}) },
  };
}

export function revokeEvent(user: HubUser, revoked: SignOff, comment: string): SignOffEvent {
  return { type: 'revoke', id: newId(), revokes: revoked.id, role: revoked.role, by: person(user), at: new Date().toISOString(), comment };
}

export function appendWaiver(service: string, environment: string, waiver: Waiver) {
  return (current: WaiverDocument | undefined): WaiverDocument => ({
    ...(current ?? { id: '', service, environment, waivers: [] }),
    service,
    environment,
    waivers: [...(current?.waivers ?? []), waiver],
  });
}

export function newWaiver(user: HubUser, input: { check: string; reason: string; until: string }): Waiver {
  return { id: newId(), check: input.check, reason: input.reason, by: person(user), at: new Date().toISOString(), until: input.until };
}

/**
 * A waiver is in force when `at <= now < until`, the gate's rule (src/gate/evaluate.ts). An `until` that is
 * not a date (or an `at` that is not one) counts as expired: it can never be in force; an `at` in the future is not active yet.
 */
export type WaiverState = 'active' | 'expired' | 'not-yet-active';

export function waiverState(waiver: Waiver, now: number): WaiverState {
  const until = Date.parse(waiver.until);
  if (!Number.isFinite(until) || until <= now) return 'expired';
  const at = Date.parse(waiver.at);
  if (!Number.isFinite(at)) return 'expired';
  if (at > now) return 'not-yet-active';
  return 'active';
}

export function isExpired(waiver: Waiver, now: number): boolean {
  return waiverState(waiver, now) === 'expired';
}

/** The end of the chosen local day (23:59:59.999 local time) as ISO, so a waiver runs to the end of that day. */
export function endOfLocalDay(date: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const end = new Date(y, m - 1, d, 23, 59, 59, 999);
  if (end.getFullYear() !== y || end.getMonth() !== m - 1 || end.getDate() !== d) return undefined;
  return end.toISOString();
}

export function csvField(value: string): string {
  // Quote per RFC 4180; a leading = + - @ is prefixed so a spreadsheet never runs a comment as a formula.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The audit trail as CSV, oldest first, one row per event. */
export function historyCsv(doc: SignOffDocument | undefined): string {
  const header = ['at', 'event', 'role', 'decision', 'by_id', 'by_name', 'comment', 'version', 'revokes'];
  const rows = (doc?.history ?? []).map((e) => [
    e.at,
    e.type,
    e.role,
    e.type === 'signoff' ? e.decision : '',
    e.by.id,
    e.by.name,
    e.comment,
    e.type === 'signoff' ? (e.for?.version ?? '') : '',
    e.type === 'revoke' ? e.revokes : '',
  ]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
