import { randomUUID } from 'node:crypto';
import { ConfigError, ExitCode, InfrastructureError, ReadinessError } from '../errors';
import { type DocumentStore, updateWithRetry } from '../store/documentStore';
import type { Policy, Signers } from './policy';
import { Collections, subjectKey, type Person, type SignOff, type SignOffDocument, type SignOffEvent, type Waiver, type WaiverDocument } from './records';

export { currentDecisions, type RoleDecision } from './decisions';

/** The person acting, with the Azure DevOps groups they belong to (names as written in the policy). */
export interface Actor extends Person {
  groups: string[];
}

/** The user may not do what they asked (not a signer of the role). Exit code 2, like other bad input. */
export class SignOffRefusedError extends ReadinessError {
  constructor(message: string) {
    super(message, { exitCode: ExitCode.badInput });
  }
}

export interface SignOffInput {
  role: string;
  decision: 'approve' | 'reject';
  comment: string;
  environment: string;
  version?: string;
  run?: string;
  at?: Date;
}

/** Who may sign for a role, for messages: `groups "[Fabrikam]\Ops"; users demo-ops`. */
export function describeSigners(signers: Signers): string {
  const parts = [
    signers.groups.length ? `groups ${signers.groups.map((g) => `"${g}"`).join(', ')}` : '',
    signers.users.length ? `users ${signers.users.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'nobody (no groups or users are listed)';
}

/** Group names and user ids compare without case, as Azure DevOps does (the hub and serve do the same). */
export function holdsRole(policy: Policy, role: string, user: Actor): boolean {
  const signers = policy.roles[role];
  if (!signers) return false;
  const groups = new Set(user.groups.map((g) => g.toLowerCase()));
  return signers.users.some((u) => u.toLowerCase() === user.id.toLowerCase()) || signers.groups.some((g) => groups.has(g.toLowerCase()));
}

function requireRole(policy: Policy, role: string, user: Actor, doing: string): void {
  const signers = policy.roles[role];
  if (!signers) {
    throw new ConfigError(`Role "${role}" is not defined in ${policy.file}; defined roles: ${Object.keys(policy.roles).join(', ') || 'none'}.`);
  }
  if (!holdsRole(policy, role, user)) {
    throw new SignOffRefusedError(`${user.name} (${user.id}) may not ${doing} for role "${role}". Who may: ${describeSigners(signers)} (set under roles.${role} in ${policy.file}).`);
  }
}

function requireEnvironment(policy: Policy, environment: string): void {
  if (!policy.environments[environment]) {
    throw new ConfigError(`Environment "${environment}" is not in ${policy.file}; known: ${Object.keys(policy.environments).join(', ')}.`);
  }
}

async function appendEvent(store: DocumentStore, policy: Policy, environment: string, event: SignOffEvent): Promise<void> {
  const id = subjectKey(policy.service, environment);
  try {
    await updateWithRetry<SignOffDocument>(store, Collections.signoffs, id, (current) => ({
      id,
      service: policy.service,
      environment,
      ...(current ?? {}),
      // Append-only: the event joins the history; nothing earlier is edited or removed.
      history: [...(current?.history ?? []), event],
    }));
  } catch (error) {
    throw new InfrastructureError(`Could not save the sign-off in ${Collections.signoffs}/${id}: ${(error as Error).message}`, { cause: error });
  }
}

/** Records an approval or a rejection. Refuses users who do not hold the role, and blank comments. */
export async function recordSignOff(store: DocumentStore, policy: Policy, user: Actor, input: SignOffInput): Promise<SignOff> {
  requireEnvironment(policy, input.environment);
  requireRole(policy, input.role, user, 'sign');
  if (input.decision !== 'approve' && input.decision !== 'reject') throw new ConfigError(`decision must be approve or reject, not "${String(input.decision)}".`);
  if (!input.comment?.trim()) throw new ConfigError('A sign-off needs a comment saying what was reviewed; the audit trail keeps it.');
  const signoff: SignOff = {
    id: randomUUID(),
    role: input.role,
    decision: input.decision,
    by: { id: user.id, name: user.name },
    at: (input.at ?? new Date()).toISOString(),
    comment: input.comment.trim(),
    for: { service: policy.service, environment: input.environment, ...(input.version ? { version: input.version } : {}), ...(input.run ? { run: input.run } : {}) },
  };
  await appendEvent(store, policy, input.environment, { type: 'signoff', ...signoff });
  return signoff;
}

/**
 * Revokes an earlier sign-off by appending a revoke event (the sign-off stays in the history for the audit).
 * The person who signed, or anyone holding the role, may revoke it.
 */
export async function revokeSignOff(
  store: DocumentStore,
  policy: Policy,
  user: Actor,
  input: { environment: string; signOffId: string; comment: string; at?: Date },
): Promise<SignOffEvent> {
  requireEnvironment(policy, input.environment);
  if (!input.comment?.trim()) throw new ConfigError('Revoking a sign-off needs a comment saying why.');
  const history = await readSignOffHistory(store, policy.service, input.environment);
  const target = history.find((e) => e.type === 'signoff' && e.id === input.signOffId) as ({ type: 'signoff' } & SignOff) | undefined;
  if (!target) throw new ConfigError(`No sign-off ${input.signOffId} for ${policy.service} in ${input.environment}.`);
  if (target.by.id !== user.id) requireRole(policy, target.role, user, 'revoke sign-offs');
  const event: SignOffEvent = {
    type: 'revoke',
    id: randomUUID(),
    revokes: target.id,
    role: target.role,
    by: { id: user.id, name: user.name },
    at: (input.at ?? new Date()).toISOString(),
    comment: input.comment.trim(),
  };
  await appendEvent(store, policy, input.environment, event);
  return event;
}

/**
 * Adds a waiver of one check. It needs a reason and an expiry in the future; only people holding the check's
 * owner role may waive it, so the owner role must be defined under `roles`.
 */
export async function addWaiver(
  store: DocumentStore,
  policy: Policy,
  user: Actor,
  input: { environment: string; check: string; reason: string; until: Date; now?: Date },
): Promise<Waiver> {
  requireEnvironment(policy, input.environment);
  const check = policy.checks.find((c) => c.id === input.check);
  if (!check) throw new ConfigError(`No check "${input.check}" in ${policy.file}; checks: ${policy.checks.map((c) => c.id).join(', ')}.`);
  if (!input.reason?.trim()) throw new ConfigError('A waiver needs a reason; it is shown with the verdict until the waiver expires.');
  const now = input.now ?? new Date();
  if (!(input.until instanceof Date) || !Number.isFinite(input.until.getTime()) || input.until.getTime() <= now.getTime()) {
    throw new ConfigError(`A waiver needs an expiry in the future (after ${now.toISOString()}).`);
  }
  requireRole(policy, check.owner, user, `waive check "${check.id}"`);
  const waiver: Waiver = {
    id: randomUUID(),
    check: check.id,
    reason: input.reason.trim(),
    by: { id: user.id, name: user.name },
    at: now.toISOString(),
    until: input.until.toISOString(),
  };
  const id = subjectKey(policy.service, input.environment);
  try {
    await updateWithRetry<WaiverDocument>(store, Collections.waivers, id, (current) => ({
      id,
      service: policy.service,
      environment: input.environment,
      ...(current ?? {}),
      waivers: [...(current?.waivers ?? []), waiver],
    }));
  } catch (error) {
    throw new InfrastructureError(`Could not save the waiver in ${Collections.waivers}/${id}: ${(error as Error).message}`, { cause: error });
  }
  return waiver;
}

/** The whole sign-off history of a service in an environment; a read failure is an infrastructure error. */
export async function readSignOffHistory(store: DocumentStore, service: string, environment: string): Promise<SignOffEvent[]> {
  const id = subjectKey(service, environment);
  try {
    return (await store.getDocument<SignOffDocument>(Collections.signoffs, id))?.history ?? [];
  } catch (error) {
    throw new InfrastructureError(`Could not read sign-offs ${Collections.signoffs}/${id}: ${(error as Error).message}`, { cause: error });
  }
}

/** Every waiver ever given (expired ones included; evaluation ignores those). */
export async function readWaivers(store: DocumentStore, service: string, environment: string): Promise<Waiver[]> {
  const id = subjectKey(service, environment);
  try {
    return (await store.getDocument<WaiverDocument>(Collections.waivers, id))?.waivers ?? [];
  } catch (error) {
    throw new InfrastructureError(`Could not read waivers ${Collections.waivers}/${id}: ${(error as Error).message}`, { cause: error });
  }
}
