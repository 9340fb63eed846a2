import type { Approval, ApprovalStep, IdentityRef } from '../azdo/approvals';
import type { ApprovalTrailEntry } from '../evidence/types';
import type { RuleOutcome } from './evidenceChecks';
import type { Signers, SignOffRule } from './policy';

/**
 * Role sign-offs from a run's Azure Pipelines approvals. The server records who was asked (`assignedApprover`,
 * one group per role in the Approvals check), who acted (`actualApprover`), when and why; this module only maps
 * those records onto the policy's roles, and fails closed on anything it cannot verify:
 *
 * - An approval counts only for the run being gated (`pipeline.owner.id`); one from another run is a replay.
 * - A role is signed when a step assigned to one of its groups (or users) is `approved` by a verified person: for a
 *   group, a member the gate read from the Identities API; for a user step, that user.
 * - A role with no step is missing: the Approvals check does not ask it, so nothing can sign for it.
 * - Any rejected step or approval rejects the release.
 * - A step or approval in any state but `approved` is not a sign-off. An approval marked approved whose role step
 *   is not, or an approved step with no recorded approver, was bypassed, and does not count.
 * - With `distinctPeople`, each role needs its own person: one person may not sign two roles.
 */
export interface RunApprovals {
  /** The run being gated (Build.BuildId); approvals of other runs are ignored and named. */
  runId: number;
  /** The commit of the run (Build.SourceVersion), which the verdict carries. */
  commit?: string;
  approvals: Approval[];
}

export interface ApprovalContext {
  roles: Record<string, Signers>;
  run: RunApprovals;
  /** Members (identity ids) of the policy's groups, read from Azure DevOps (or declared locally). */
  members?: Record<string, string[]>;
}

export type { ApprovalTrailEntry };

const same = (a: string | undefined, b: string | undefined) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

/** The role a step was assigned to: its group is one of the role's groups, or its user one of the role's users. */
export function roleOfStep(roles: Record<string, Signers>, step: ApprovalStep): string | null {
  const assigned = step.assignedApprover;
  if (!assigned) return null;
  for (const [role, signers] of Object.entries(roles)) {
    if (isGroup(assigned) ? signers.groups.some((g) => same(g, assigned.displayName)) : signers.users.some((u) => same(u, assigned.id))) return role;
  }
  return null;
}

function isGroup(identity: IdentityRef): boolean {
  return identity.isContainer === true || /^\[[^\]]+\]\\/.test(identity.displayName ?? '');
}

function ownRun(approval: Approval, runId: number): boolean {
  return Number(approval.pipeline?.owner?.id) === runId;
}

/** Whether the person who acted on a step is verified as someone who may act for it. */
function verifiedActor(step: ApprovalStep, ctx: ApprovalContext): 'yes' | 'no' | 'unverified' {
  const actor = step.actualApprover;
  if (!actor?.id) return 'no';
  const assigned = step.assignedApprover;
  if (!isGroup(assigned)) return same(actor.id, assigned.id) ? 'yes' : 'no';
  const group = Object.keys(ctx.members ?? {}).find((g) => same(g, assigned.displayName));
  if (!group) return 'unverified';
  return ctx.members![group].some((m) => same(m, actor.id)) ? 'yes' : 'no';
}

function who(identity: IdentityRef | undefined): string {
  return identity ? `${identity.displayName ?? identity.id} (${identity.id})` : 'nobody';
}

export function judgeApprovals(rule: SignOffRule, ctx: ApprovalContext): RuleOutcome {
  const all = ctx.run.approvals;
  const foreign = all.filter((a) => !ownRun(a, ctx.run.runId));
  const own = all.filter((a) => ownRun(a, ctx.run.runId));
  const notes: string[] = [];
  if (foreign.length) {
    notes.push(`Ignored approval(s) ${foreign.map((a) => `${a.id} of run ${a.pipeline?.owner?.id ?? 'unknown'}`).join(', ')}: an approval counts only for the run it was given in (${ctx.run.runId}).`);
  }

  const rejections = own.flatMap((a) => a.steps.filter((s) => s.status === 'rejected').map((s) => ({ a, s })));
  if (rejections.length || own.some((a) => a.status === 'rejected')) {
    const r = rejections[0];
    const sentence = r
      ? `${who(r.s.actualApprover)} rejected for ${roleOfStep(ctx.roles, r.s) ?? `"${r.s.assignedApprover?.displayName}"`}${r.s.lastModifiedOn ? ` on ${r.s.lastModifiedOn.slice(0, 10)}` : ''}: "${r.s.comment ?? ''}".`
      : `Approval ${own.find((a) => a.status === 'rejected')!.id} was rejected.`;
    return { state: 'failed', rejected: true, reason: [sentence, ...notes].join(' '), evidence: [] };
  }

  // Per role: the verified people who approved it, and why others did not count.
  const approvers = new Map<string, Array<{ id: string; name: string }>>();
  const problems = new Map<string, string[]>();
  const problem = (role: string, text: string) => problems.set(role, [...(problems.get(role) ?? []), text]);
  for (const approval of own) {
    for (const step of approval.steps) {
      const role = roleOfStep(ctx.roles, step);
      if (!role || !rule.roles.includes(role)) continue;
      if (step.status !== 'approved') {
        if (approval.status === 'approved') problem(role, `approval ${approval.id} is marked approved but its ${role} step is ${step.status}: it was bypassed, which is not a sign-off`);
        else problem(role, `the ${role} step of approval ${approval.id} is ${step.status}`);
        continue;
      }
      if (approval.status !== 'approved') {
        problem(role, `approval ${approval.id} is ${approval.status}, not approved`);
        continue;
      }
      const verified = verifiedActor(step, ctx);
      if (verified === 'yes') {
        const list = approvers.get(role) ?? [];
        if (!list.some((p) => same(p.id, step.actualApprover!.id))) list.push({ id: step.actualApprover!.id, name: step.actualApprover!.displayName ?? step.actualApprover!.id });
        approvers.set(role, list);
      } else if (verified === 'unverified') {
        problem(role, `${who(step.actualApprover)} approved for "${step.assignedApprover.displayName}", whose members the gate could not read, so it does not count`);
      } else {
        problem(role, step.actualApprover ? `${who(step.actualApprover)} approved, but is not a member of "${step.assignedApprover.displayName}"` : `approval ${approval.id} records no approver for ${role}: it was bypassed`);
      }
    }
  }

  const sentences: string[] = [];
  let state: RuleOutcome['state'] = 'passed';
  for (const role of rule.roles) {
    const people = approvers.get(role) ?? [];
    if (people.length) continue;
    state = 'missing';
    const asked = own.some((a) => a.steps.some((s) => roleOfStep(ctx.roles, s) === role));
    const why = problems.get(role);
    sentences.push(
      why?.length
        ? `No ${role} sign-off: ${why.join('; ')}.`
        : asked || own.length
          ? `No ${role} sign-off: the run's approvals have no step for ${role}; add its group to the environment's Approvals check (readiness setup).`
          : `No ${role} sign-off: this run has no approvals; the environment needs an Approvals check with one group per role (readiness setup).`,
    );
  }
  if (state === 'passed' && rule.distinctPeople) {
    const assignment = distinctAssignment(rule.roles, approvers);
    if (!assignment) {
      state = 'failed';
      sentences.push(`The policy needs a different person for each of ${rule.roles.join(', ')}, but ${describe(rule.roles, approvers)}.`);
    }
  }
  if (state === 'passed') sentences.push(`${describe(rule.roles, approvers)} in run ${ctx.run.runId}${ctx.run.commit ? ` (commit ${ctx.run.commit.slice(0, 12)})` : ''}.`);
  return { state, reason: [...sentences, ...notes].join(' '), evidence: [] };
}

function describe(roles: string[], approvers: Map<string, Array<{ id: string; name: string }>>): string {
  return roles.map((r) => `${r} approved by ${(approvers.get(r) ?? []).map((p) => p.name).join(', ') || 'nobody'}`).join('; ');
}

/** One distinct person per role, if there is a way to choose (small search: a policy has a handful of roles). */
export function distinctAssignment(roles: string[], approvers: Map<string, Array<{ id: string }>>): Map<string, string> | undefined {
  const chosen = new Map<string, string>();
  const used = new Set<string>();
  const pick = (i: number): boolean => {
    if (i === roles.length) return true;
    for (const p of approvers.get(roles[i]) ?? []) {
      const id = p.id.toLowerCase();
      if (used.has(id)) continue;
      used.add(id);
      chosen.set(roles[i], p.id);
      if (pick(i + 1)) return true;
      used.delete(id);
    }
    return false;
  };
  return pick(0) ? chosen : undefined;
}

/** The audit trail: every step of every approval considered, with the server's record of who, when and why. */
export function approvalTrail(roles: Record<string, Signers>, approvals: Approval[]): ApprovalTrailEntry[] {
  return approvals.flatMap((a) =>
    a.steps.map((s) => ({
      approvalId: a.id,
      runId: a.pipeline?.owner?.id === undefined ? null : Number(a.pipeline.owner.id),
      role: roleOfStep(roles, s),
      assignedTo: s.assignedApprover?.displayName ?? s.assignedApprover?.id ?? '',
      status: s.status,
      approver: s.actualApprover?.id ? { id: s.actualApprover.id, name: s.actualApprover.displayName ?? s.actualApprover.id } : null,
      comment: s.comment ?? '',
      at: s.lastModifiedOn ?? null,
    })),
  );
}
