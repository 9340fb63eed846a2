import { currentDecisions as gateDecisions, type RoleDecision } from '../../src/gate/decisions';
import type { Person, SignOff, SignOffDocument, SignOffEvent, Waiver, WaiverDocument } from '../../src/gate/records';
import type { HubUser, PolicyDocument, PolicyRole } from '../client/ReadinessClient';

/**
 * Sign-off rules the panel shows. The history is append-only; what counts now is decided by the gate's
 * own `currentDecisions` (src/gate/decisions.ts), so the hub and the gate can never disagree: each
 * person's latest sign-off for the version counts, a revoke cancels it, one rejection rejects the role.
 */
export type { RoleDecision };

export function roleDecisions(doc: SignOffDocument | undefined, version?: string, now = new Date()): Record<string, RoleDecision> {
  return gateDecisions(doc?.history ?? [], now, version);
}

export function decisionOf(decisions: Record<string, RoleDecision>, role: string): RoleDecision {
  return decisions[role] ?? { role, state: 'none', current: [], voided: [], revoked: [] };
}

/** The roles the panel asks to sign: those marked required (a document without the flag means all). */
export function requiredRoles(policy: PolicyDocument | undefined): PolicyRole[] {
  return (policy?.roles ?? []).filter((r) => r.required !== false);
}

/** A user holds a role when the policy lists their id or unique name, or one of their groups (without case). */
export function holdsRole(role: PolicyRole | undefined, user: HubUser): boolean {
  if (!role) return false;
  const ids = new Set([user.id, user.uniqueName].filter((n): n is string => !!n).map((n) => n.toLowerCase()));
  const groups = new Set(user.groups.map((g) => g.toLowerCase()));
  return (role.users ?? []).some((u) => ids.has(u.toLowerCase())) || (role.groups ?? []).some((g) => groups.has(g.toLowerCase()));
}

/** Who may sign, for the sentence under a role the user does not hold. */
export function describeSigners(role: PolicyRole): string {
  const parts = [
    role.users?.length ? role.users.join(', ') : '',
    role.groups?.length ? `members of ${role.groups.map((g) => `"${g}"`).join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' and ') : 'nobody';
}

export function rolesHeldBy(policy: PolicyDocument | undefined, user: HubUser): string[] {
  return (policy?.roles ?? []).filter((r) => holdsRole(r, user)).map((r) => r.role);
}

/** The person who signed, or anyone holding the role, may revoke a sign-off (src/gate/signoffs.ts). */
export function mayRevoke(policy: PolicyDocument | undefined, user: HubUser, signOff: SignOff): boolean {
  return signOff.by.id === user.id || holdsRole(policy?.roles.find((r) => r.role === signOff.role), user);
}

/** Only holders of a check's owner role may waive it; without owners listed, any role holder may. */
export function mayWaive(policy: PolicyDocument | undefined, user: HubUser, check: string): boolean {
  const owner = policy?.checkOwners?.[check];
  if (owner) return holdsRole(policy?.roles.find((r) => r.role === owner), user);
  return rolesHeldBy(policy, user).length > 0;
}

/** Required roles without a standing approval. */
export function pendingRoles(policy: PolicyDocument | undefined, doc: SignOffDocument | undefined, version?: string): string[] {
  const decisions = roleDecisions(doc, version);
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

/** The change applied by updateWithRetry: append to whatever the history is now, never replace it. */
export function appendEvent(service: string, environment: string, event: SignOffEvent) {
  return (current: SignOffDocument | undefined): SignOffDocument => ({
    ...(current ?? { id: '', service, environment, history: [] }),
    service,
    environment,
    history: [...(current?.history ?? []), event],
  });
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

export function isExpired(waiver: Waiver, now: number): boolean {
  return Date.parse(waiver.until) <= now;
}

function csvField(value: string): string {
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
