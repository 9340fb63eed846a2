import type { SignOff, SignOffEvent } from './records';

/**
 * The current decision of each role, derived from the append-only sign-off history (never stored on its own,
 * so the audit trail and the verdict cannot disagree). Rules, in order:
 *
 * 1. Events dated after `now` have not happened yet (this is what makes `--at` replay the past).
 * 2. With a `version`, only sign-offs made for that exact version count; the others are void. Without a
 *    version every sign-off counts.
 * 3. Per role, each person's latest counting sign-off is their decision. A later sign-off replaces an earlier
 *    one; when the latest one was revoked, the person has no decision (an older one does not come back).
 * 4. A role is `rejected` when any of its people currently rejects, `approved` when at least one approves and
 *    nobody rejects, else `none`.
 */
export interface RoleDecision {
  role: string;
  state: 'approved' | 'rejected' | 'none';
  /** Each person's current decision for the role. */
  current: SignOff[];
  /** Latest sign-offs made for another version, from people who have none for this one. */
  voided: SignOff[];
  /** Latest sign-offs that were revoked (so the person has no decision now). */
  revoked: SignOff[];
}

export function currentDecisions(history: readonly SignOffEvent[], now: Date, version?: string): Record<string, RoleDecision> {
  const nowMs = now.getTime();
  const happened = (at: string) => {
    const t = Date.parse(at);
    return Number.isFinite(t) && t <= nowMs;
  };
  const revokedIds = new Set(history.filter((e) => e.type === 'revoke' && happened(e.at)).map((e) => (e as { revokes: string }).revokes));
  // Stable sort by time: equal timestamps keep history order, so the later append wins.
  const signoffs = history
    .filter((e): e is { type: 'signoff' } & SignOff => e.type === 'signoff' && happened(e.at))
    .map((e, index) => ({ e, index, t: Date.parse(e.at) }))
    .sort((a, b) => a.t - b.t || a.index - b.index)
    .map(({ e }) => e);

  const latestMatching = new Map<string, SignOff>();
  const latestOther = new Map<string, SignOff>();
  for (const s of signoffs) {
    const key = `${s.role}\u0000${s.by?.id}`;
    if (version === undefined || s.for?.version === version) latestMatching.set(key, s);
    else latestOther.set(key, s);
  }

  // No prototype: a forged event whose role is "constructor" or "__proto__" must be just another unknown role.
  const decisions: Record<string, RoleDecision> = Object.create(null);
  const forRole = (role: string) => (decisions[role] ??= { role, state: 'none', current: [], voided: [], revoked: [] });
  for (const s of latestMatching.values()) {
    if (revokedIds.has(s.id)) forRole(s.role).revoked.push(s);
    else forRole(s.role).current.push(s);
  }
  for (const [key, s] of latestOther) {
    if (!latestMatching.has(key) && !revokedIds.has(s.id)) forRole(s.role).voided.push(s);
  }
  for (const d of Object.values(decisions)) {
    if (d.current.some((s) => s.decision === 'reject')) d.state = 'rejected';
    else if (d.current.some((s) => s.decision === 'approve')) d.state = 'approved';
  }
  return decisions;
}
