import type { CheckConfiguration, ChecksApi, PipelineEnvironment } from './checks';

/**
 * What `readiness setup` wants on an environment, and how to get there from what is there. Three checks make the
 * readiness gate one nobody can skip (DESIGN.md "Trust"):
 * - **Approvals**: one approver group per role, all of them required, the requester barred. Type id
 *   8C6F20A7-A545-4486-9777-F762FAFE0D4D (shared/reference/platform-facts.md; settings shape `approvers[{id}]`,
 *   `minRequiredApprovers`, `requesterCannotBeApprover`, `executionOrder`, `instructions` as in the Check
 *   Configurations - Add sample and microsoft/terraform-provider-azuredevops resource_check_approval.go).
 * - **Required template**: the pipeline must extend the readiness template. Type id
 *   4020E66E-B0F3-47E1-BC88-48F3CC59B5F3 ("ExtendsCheck"), settings `extendsChecks[{repositoryType, repositoryName,
 *   repositoryRef, templatePath}]` with repositoryType `git` for Azure Repos (terraform-provider-azuredevops
 *   resource_check_required_template.go and approvalsandchecks/commons.go).
 * - **Branch control**: only the release branches, and only when protected. A "Task Check"
 *   (fe1de3ee-a436-41b4-bb20-f6eb4cb879a7) running the evaluatebranchProtection definition
 *   (86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b, version 0.0.1), inputs `allowedBranches` (comma-separated),
 *   `ensureProtectionOfBranch` and `allowUnknownStatusBranch` as strings (terraform-provider-azuredevops
 *   resource_check_branch_control.go).
 *
 * Our Approvals and Branch control checks are recognised by a marker (the instructions, the display name), so a
 * team's own approval checks are left alone. An environment has one Required template check, so that one is ours.
 */
export const CHECK_TYPES = Object.freeze({
  approval: { id: '8C6F20A7-A545-4486-9777-F762FAFE0D4D', name: 'Approval' },
  requiredTemplate: { id: '4020E66E-B0F3-47E1-BC88-48F3CC59B5F3', name: 'ExtendsCheck' },
  taskCheck: { id: 'fe1de3ee-a436-41b4-bb20-f6eb4cb879a7', name: 'Task Check' },
});
export const BRANCH_CONTROL_DEFINITION = Object.freeze({ id: '86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b', name: 'evaluatebranchProtection', version: '0.0.1' });
export const APPROVAL_MARKER = 'Production readiness sign-off';
export const BRANCH_CONTROL_NAME = 'Production readiness: release branches only';
/** The longest an approval may wait (30 days, in minutes): the documented maximum. */
const APPROVAL_TIMEOUT_MINUTES = 43_200;
const BRANCH_CONTROL_TIMEOUT_MINUTES = 1_440;

export interface RoleApprover {
  role: string;
  group: string;
  /** Identity id of the group (Identities API), which the check lists as the approver. */
  groupId: string;
}

export interface RequiredTemplate {
  repositoryType: 'git' | 'github' | 'bitbucket';
  repositoryName: string;
  repositoryRef: string;
  templatePath: string;
}

export interface SetupSpec {
  service: string;
  /** The policy environment whose roles approve; named in the instructions, where the hub finds it. */
  policyEnvironment: string;
  environment: PipelineEnvironment;
  approvers: RoleApprover[];
  template: RequiredTemplate;
  /** Full ref names or patterns: refs/heads/main, refs/heads/release/*. */
  releaseBranches: string[];
}

export type CheckKind = 'approvals' | 'required-template' | 'branch-control';
export const KIND_TITLE: Record<CheckKind, string> = {
  approvals: 'Approvals check',
  'required-template': 'Required template check',
  'branch-control': 'Branch control check',
};

export interface PlannedCheck {
  kind: CheckKind;
  action: 'create' | 'update' | 'unchanged';
  /** The configuration to send (create, update) or the one found (unchanged). */
  desired: CheckConfiguration;
  existing?: CheckConfiguration;
  /** What differs, in words, for an update. */
  differences: string[];
  summary: string;
}

export interface SetupPlan {
  environment: PipelineEnvironment;
  checks: PlannedCheck[];
  /** Approval checks on the environment that are not ours: left as they are, but worth knowing about. */
  otherApprovals: number[];
}

/** `main` -> `refs/heads/main`; full refs and patterns are kept. */
export function branchRef(branch: string): string {
  const trimmed = branch.trim();
  return trimmed.startsWith('refs/') ? trimmed : `refs/heads/${trimmed}`;
}

export function desiredChecks(spec: SetupSpec): Record<CheckKind, CheckConfiguration> {
  const resource = { type: 'environment' as const, id: String(spec.environment.id), name: spec.environment.name };
  const roles = spec.approvers.map((a) => a.role).join(', ');
  return {
    approvals: {
      type: { ...CHECK_TYPES.approval },
      resource,
      timeout: APPROVAL_TIMEOUT_MINUTES,
      settings: {
        approvers: spec.approvers.map((a) => ({ id: a.groupId, displayName: a.group })),
        executionOrder: 'anyOrder',
        // A group counts as one approver (platform-facts.md): requiring all of them means one member of each role.
        minRequiredApprovers: spec.approvers.length,
        requesterCannotBeApprover: true,
        blockedApprovers: [],
        instructions: `${APPROVAL_MARKER} for ${spec.service} in ${spec.policyEnvironment}: one member of each role group approves (${roles}). ` +
          'Managed by `readiness setup`; change readiness.yml and run it again instead of editing this check.',
      },
    },
    'required-template': {
      type: { ...CHECK_TYPES.requiredTemplate },
      resource,
      settings: { extendsChecks: [{ ...spec.template }] },
    },
    'branch-control': {
      type: { ...CHECK_TYPES.taskCheck },
      resource,
      timeout: BRANCH_CONTROL_TIMEOUT_MINUTES,
      settings: {
        displayName: BRANCH_CONTROL_NAME,
        definitionRef: { ...BRANCH_CONTROL_DEFINITION },
        inputs: {
          allowedBranches: spec.releaseBranches.map(branchRef).join(','),
          ensureProtectionOfBranch: 'true',
          // A branch whose protection cannot be told is not trusted (fail closed).
          allowUnknownStatusBranch: 'false',
        },
        retryInterval: 5,
      },
    },
  };
}

export function planSetup(spec: SetupSpec, existing: CheckConfiguration[]): SetupPlan {
  const desired = desiredChecks(spec);
  const sameType = (c: CheckConfiguration, id: string) => c.type.id.toLowerCase() === id.toLowerCase();
  const approvals = existing.filter((c) => sameType(c, CHECK_TYPES.approval.id));
  const ours = {
    approvals: approvals.find((c) => String(c.settings?.instructions ?? '').startsWith(APPROVAL_MARKER)),
    'required-template': existing.find((c) => sameType(c, CHECK_TYPES.requiredTemplate.id)),
    'branch-control': existing.find(
      (c) => sameType(c, CHECK_TYPES.taskCheck.id) && isBranchControl(c) && c.settings?.displayName === BRANCH_CONTROL_NAME,
    ),
  };
  const checks = (Object.keys(desired) as CheckKind[]).map((kind): PlannedCheck => {
    const found = ours[kind];
    const summary = describe(kind, spec);
    if (!found) return { kind, action: 'create', desired: desired[kind], differences: [], summary };
    const differences = [...(found.settings ? compare(kind, desired[kind].settings, found.settings) : ['settings missing'])];
    if ((found as { isDisabled?: unknown }).isDisabled === true) differences.push('the check is disabled; enabling it');
    const update = { ...desired[kind], ...(found.version === undefined ? {} : { version: found.version }) };
    return { kind, action: differences.length ? 'update' : 'unchanged', desired: update, existing: found, differences, summary };
  });
  const otherApprovals = approvals.filter((c) => c !== ours.approvals && typeof c.id === 'number').map((c) => c.id as number);
  return { environment: spec.environment, checks, otherApprovals };
}

export interface AppliedCheck extends PlannedCheck {
  id?: number;
}

/** Applies the plan one check at a time, reporting each as it lands, so a failure part-way shows what changed. */
export async function applySetup(api: ChecksApi, plan: SetupPlan, onApplied: (check: AppliedCheck) => void): Promise<AppliedCheck[]> {
  const applied: AppliedCheck[] = [];
  for (const check of plan.checks) {
    let id = check.existing?.id;
    if (check.action === 'create') id = (await api.addCheck(check.desired)).id;
    else if (check.action === 'update') id = (await api.updateCheck(check.existing!.id!, { ...check.desired, isDisabled: false } as CheckConfiguration)).id ?? id;
    const result = { ...check, id };
    applied.push(result);
    onApplied(result);
  }
  return applied;
}

function isBranchControl(check: CheckConfiguration): boolean {
  const ref = check.settings?.definitionRef as { id?: unknown } | undefined;
  return typeof ref?.id === 'string' && ref.id.toLowerCase() === BRANCH_CONTROL_DEFINITION.id;
}

function describe(kind: CheckKind, spec: SetupSpec): string {
  if (kind === 'approvals') {
    const groups = spec.approvers.map((a) => `${a.role} (${a.group})`).join(', ');
    return `${groups}; ${spec.approvers.length} of ${spec.approvers.length} groups must approve; the requester cannot approve`;
  }
  if (kind === 'required-template') {
    const t = spec.template;
    return `extends ${t.templatePath} in ${t.repositoryType} repository ${t.repositoryName}@${t.repositoryRef}`;
  }
  return `only ${spec.releaseBranches.map(branchRef).join(', ')}, and only when the branch is protected`;
}

/** The settings that decide what the check lets through; anything else (timeouts, wording) a team may tune. */
function compare(kind: CheckKind, want: Record<string, unknown>, have: Record<string, unknown>): string[] {
  const out: string[] = [];
  const differ = (what: string, wanted: unknown, found: unknown) => {
    if (JSON.stringify(wanted) !== JSON.stringify(found)) out.push(`${what}: ${JSON.stringify(found)} -> ${JSON.stringify(wanted)}`);
  };
  if (kind === 'approvals') {
    const ids = (list: unknown) =>
      (Array.isArray(list) ? list : []).map((a) => String((a as { id?: unknown })?.id ?? '').toLowerCase()).sort();
    differ('approvers', ids(want.approvers), ids(have.approvers));
    differ('minRequiredApprovers', want.minRequiredApprovers, have.minRequiredApprovers);
    differ('requesterCannotBeApprover', want.requesterCannotBeApprover, have.requesterCannotBeApprover ?? false);
  } else if (kind === 'required-template') {
    const templates = (list: unknown) =>
      (Array.isArray(list) ? list : [])
        .map((t) => {
          const r = t as Record<string, unknown>;
          return `${r.repositoryType}:${r.repositoryName}@${r.repositoryRef}:${r.templatePath}`;
        })
        .sort();
    differ('extendsChecks', templates(want.extendsChecks), templates(have.extendsChecks));
  } else {
    const inputs = (have.inputs ?? {}) as Record<string, unknown>;
    const wanted = want.inputs as Record<string, unknown>;
    const branches = (text: unknown) => String(text ?? '').split(',').map((b) => b.trim()).filter(Boolean).sort();
    differ('allowedBranches', branches(wanted.allowedBranches), branches(inputs.allowedBranches));
    differ('ensureProtectionOfBranch', wanted.ensureProtectionOfBranch, String(inputs.ensureProtectionOfBranch ?? 'false'));
    differ('allowUnknownStatusBranch', wanted.allowUnknownStatusBranch, String(inputs.allowUnknownStatusBranch ?? 'false'));
  }
  return out;
}
