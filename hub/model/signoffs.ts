import type { Person, SignOff, SignOffDocument, SignOffEvent, Waiver, WaiverDocument } from '../../src/gate/records';
import type { HubUser, PolicyDocument, PolicyRole } from '../client/ReadinessClient';

/**
 * Sign-off rules the panel shows. The history is append-only; the current decision of a role is the
 * latest sign-off for it that no later revoke cancelled (src/gate/records.ts).
 */
export function currentDecisions(doc: SignOffDocument | undefined): Map<string, SignOff> {
  const decisions = new Map<string, SignOff>();
  for (const event of doc?.history ?? []) {
    if (event.type === 'signoff') {
      const { type: _type, ...signOff } = event;
      decisions.set(event.role, signOff);
    } else if (decisions.get(event.role)?.id === event.revokes) {
      decisions.delete(event.role);
    }
  }
  return decisions;
}

/** A user holds a role when the policy lists their id or unique name, or one of their groups. */
export function holdsRole(role: PolicyRole, user: HubUser): boolean {
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

/** Roles of the policy without a standing approval. */
export function pendingRoles(policy: PolicyDocument | undefined, doc: SignOffDocument | undefined): string[] {
  const decisions = currentDecisions(doc);
  return (policy?.roles ?? []).filter((r) => decisions.get(r.role)?.decision !== 'approve').map((r) => r.role);
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
    for: { service: input.service, environment: input.environment, version: input.version },
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
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The audit trail as CSV (RFC 4180 quoting), oldest first, one row per event. */
export function historyCsv(doc: SignOffDocument | undefined): string {
  const header = ['at', 'event', 'role', 'decision', 'by_id', 'by_name', 'comment', 'revokes'];
  const rows = (doc?.history ?? []).map((e) =>
    [e.at, e.type, e.role, e.type === 'signoff' ? e.decision : '', e.by.id, e.by.name, e.comment, e.type === 'revoke' ? e.revokes : ''],
  );
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
