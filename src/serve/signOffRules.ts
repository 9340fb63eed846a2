import type { SignOffDocument, SignOffEvent, Waiver, WaiverDocument } from '../gate/records';
import type { StoredDocument } from '../store/documentStore';
import { HttpError } from './http';

/**
 * Rules the local server enforces on writes to the `signoffs` collection. Azure DevOps extension data
 * has no such rules (any user with the scope may write any document), so there the gate re-checks roles
 * when it evaluates; locally we can refuse bad writes at the door:
 * - the history is append-only: the stored events must come back unchanged, in order;
 * - every new event is made by the user of this server, for a role they hold under the subject's policy.
 */
export interface ServeUser {
  id: string;
  name: string;
  groups: string[];
}

interface PolicyLike extends StoredDocument {
  roles?: Array<{ role: string; users?: string[]; groups?: string[] }>;
  checkOwners?: Record<string, string>;
}

/** Same rule as the hub and the gate: the user's id is listed, or one of their groups (without case). */
export function holdsRoleLocally(policy: PolicyLike | undefined, role: string, user: ServeUser): boolean {
  const entry = policy?.roles?.find((r) => r.role === role);
  if (!entry) return false;
  const groups = new Set(user.groups.map((g) => g.toLowerCase()));
  return (entry.users ?? []).some((u) => String(u).toLowerCase() === user.id.toLowerCase()) ||
    (entry.groups ?? []).some((g) => groups.has(String(g).toLowerCase()));
}

export function checkSignOffWrite(
  stored: SignOffDocument | undefined,
  incoming: StoredDocument,
  policy: PolicyLike | undefined,
  user: ServeUser,
): void {
  const history = (incoming as Partial<SignOffDocument>).history;
  if (!Array.isArray(history)) throw new HttpError(400, 'A sign-off document needs a "history" list.');
  const before = stored?.history ?? [];
  if (history.length < before.length || before.some((e, i) => JSON.stringify(e) !== JSON.stringify(history[i]))) {
    throw new HttpError(400, 'The sign-off history is append-only: re-read the document and add to it.');
  }
  for (const event of history.slice(before.length) as SignOffEvent[]) {
    if (!event || typeof event !== 'object' || typeof event.role !== 'string') {
      throw new HttpError(400, 'Each sign-off event needs a role.');
    }
    if (event.by?.id !== user.id) {
      throw new HttpError(403, `A sign-off can only be recorded by the signed-in user (${user.id}), not on behalf of "${event.by?.id}".`);
    }
    // A revoke is also allowed to the person who made the sign-off (src/gate/signoffs.ts revokeSignOff).
    const target = event.type === 'revoke' ? before.find((e) => e.type === 'signoff' && e.id === event.revokes) : undefined;
    if (event.type === 'revoke' && (!target || target.role !== event.role)) {
      // Judged by the revoked sign-off's role, never the role the revoke claims (docs/security.md, cross-role revoke).
      throw new HttpError(403, `A revoke must name an existing sign-off and its own role${target ? ` ("${target.role}")` : ''}.`);
    }
    const revokesOwn = target?.by.id === user.id;
    if (!revokesOwn && !holdsRoleLocally(policy, event.role, user)) {
      throw new HttpError(403, `${user.name} does not hold the role "${event.role}" in the policy for ${String(incoming.id)}.`);
    }
  }
}

/**
 * Waivers are append-only too; a new waiver is given by the signed-in user, who must hold the owner role
 * of the check (src/gate/signoffs.ts addWaiver), with a reason and an expiry in the future.
 */
export function checkWaiverWrite(
  stored: WaiverDocument | undefined,
  incoming: StoredDocument,
  policy: PolicyLike | undefined,
  user: ServeUser,
  now = Date.now(),
): void {
  const waivers = (incoming as Partial<WaiverDocument>).waivers;
  if (!Array.isArray(waivers)) throw new HttpError(400, 'A waiver document needs a "waivers" list.');
  const before = stored?.waivers ?? [];
  if (waivers.length < before.length || before.some((w, i) => JSON.stringify(w) !== JSON.stringify(waivers[i]))) {
    throw new HttpError(400, 'Waivers are append-only: re-read the document and add to it.');
  }
  for (const waiver of waivers.slice(before.length) as Waiver[]) {
    if (!waiver || typeof waiver.check !== 'string' || !String(waiver.reason ?? '').trim()) {
      throw new HttpError(400, 'A waiver needs the check it waives and a reason.');
    }
    if (!(Date.parse(waiver.until) > now)) throw new HttpError(400, `The waiver of "${waiver.check}" needs an expiry in the future.`);
    if (waiver.by?.id !== user.id) throw new HttpError(403, `A waiver can only be given by the signed-in user (${user.id}).`);
    const owner = policy?.checkOwners?.[waiver.check];
    const allowed = owner ? holdsRoleLocally(policy, owner, user) : (policy?.roles ?? []).some((r) => holdsRoleLocally(policy, r.role, user));
    if (!allowed) {
      throw new HttpError(403, `${user.name} may not waive "${waiver.check}": only holders of its owner role${owner ? ` "${owner}"` : ''} may.`);
    }
  }
}
