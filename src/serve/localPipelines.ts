import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { Approval, ApprovalStatus, ApprovalStep, IdentityRef } from '../azdo/approvals';
import type { RunApprovals } from '../gate/approvals';
import { isAttestation } from '../gate/waivers';
import type { Policy } from '../gate/policy';
import { updateWithRetry, type DocumentStore } from '../store/documentStore';
import { FileDocumentStore } from '../store/fileStore';
import { HttpError } from './http';
import type { ServeUser } from './signOffRules';

/**
 * The pipeline side of local mode: runs and their environment approvals, kept by the server only. They live in
 * `<store>/.pipelines/`, a folder the extension-data routes cannot name (a collection name never starts with a
 * dot), so nothing the hub's token writes can create or change an approval: decisions go through the Approvals
 * API (src/serve/approvalsApi.ts), which records the signed-in user as the approver, as Azure DevOps does.
 *
 * One local run is made per set of evidence (`prepareLocalGate`), with one approval per environment holding one
 * step per sign-off role, assigned to the role's first group (or first user when it lists no group): the shape an
 * Approvals check listing one group per role gives (platform-facts.md "Groups").
 */
export interface LocalRun {
  id: string;
  runId: number;
  service: string;
  sourceVersion: string;
  sourceBranch: string;
  reason: string;
  queueTime: string;
  /** Evidence documents (ids in the `evidence` collection) this run produced: its attachments. */
  evidenceIds: string[];
  fingerprint: string;
  [key: string]: unknown;
}

/** Stored approval: the REST shape plus the subject it gates (never served). */
export interface StoredApproval extends Approval {
  [key: string]: unknown;
  subject: { service: string; environment: string };
}

export const PIPELINES_DIR = '.pipelines';
const RUNS = 'runs';
const APPROVALS = 'approvals';

export function pipelinesStore(storeDir: string): FileDocumentStore {
  return new FileDocumentStore(path.join(storeDir, PIPELINES_DIR));
}

/** The store dir of a FileDocumentStore, so the local gate and the server find the same runs. */
export function pipelinesOf(store: DocumentStore): FileDocumentStore | undefined {
  return store instanceof FileDocumentStore ? pipelinesStore(store.root) : undefined;
}

/** A stable identity id for a group name, so the same group is the same id across restarts. */
export function localGroupId(name: string): string {
  const h = createHash('sha256').update(name.toLowerCase()).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function assigneeOf(policy: Policy, role: string): IdentityRef | undefined {
  const signers = policy.roles[role];
  if (signers?.groups[0]) return { id: localGroupId(signers.groups[0]), displayName: signers.groups[0], isContainer: true };
  if (signers?.users[0]) return { id: signers.users[0], displayName: signers.users[0] };
  return undefined;
}

/** The commit of the folder the policy is in, or a digest of the evidence when it is not a Git checkout. */
function commitOf(policyFile: string, fingerprint: string): string {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: path.dirname(policyFile), stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
    if (/^[0-9a-f]{40}$/.test(out)) return out;
  } catch {
    // not a Git checkout, or no git: fall through
  }
  return createHash('sha1').update(fingerprint).digest('hex');
}

/**
 * The run for this evidence: the existing one when the same evidence was already registered (a restart of
 * `readiness serve`), else a new run with a pending approval per environment.
 */
export async function ensureLocalRun(store: FileDocumentStore, policy: Policy, policyFile: string, evidenceIds: string[], now = new Date()): Promise<LocalRun> {
  const fingerprint = createHash('sha256').update(`${policy.service}|${[...evidenceIds].sort().join(',')}`).digest('hex');
  const runs = await store.getDocuments<LocalRun>(RUNS);
  const existing = runs.find((r) => r.fingerprint === fingerprint);
  if (existing) return existing;
  const runId = runs.reduce((max, r) => Math.max(max, r.runId), 0) + 1;
  const run: LocalRun = {
    id: String(runId),
    runId,
    service: policy.service,
    sourceVersion: commitOf(policyFile, fingerprint),
    sourceBranch: 'refs/heads/main',
    reason: 'manual',
    queueTime: now.toISOString(),
    evidenceIds,
    fingerprint,
  };
  await store.createDocument(RUNS, run);
  const roles = [...new Set(policy.checks.flatMap((c) => (c.type === 'signoff' && !isAttestation(c) ? c.rule.roles : [])))];
  for (const environment of Object.keys(policy.environments)) {
    const steps: ApprovalStep[] = roles
      .map((role) => assigneeOf(policy, role))
      .filter((a): a is IdentityRef => a !== undefined)
      .map((assignedApprover) => ({ assignedApprover, status: 'pending', initiatedOn: now.toISOString(), history: [] }));
    if (!steps.length) continue;
    const approval: StoredApproval = {
      id: approvalId(runId, environment),
      status: 'pending',
      createdOn: now.toISOString(),
      lastModifiedOn: now.toISOString(),
      minRequiredApprovers: steps.length,
      instructions: `Sign off ${policy.service} for ${environment}: review run ${runId}'s scorecard (commit ${run.sourceVersion.slice(0, 12)}).`,
      pipeline: { id: '1', name: `${policy.service} (local)`, owner: { id: runId, name: `${policy.service} #${runId}` } },
      steps,
      subject: { service: policy.service, environment },
    };
    await store.createDocument(APPROVALS, approval);
  }
  return run;
}

function approvalId(runId: number, environment: string): string {
  return localGroupId(`approval|${runId}|${environment}`);
}

export async function listRuns(store: FileDocumentStore): Promise<LocalRun[]> {
  return (await store.getDocuments<LocalRun>(RUNS)).sort((a, b) => a.runId - b.runId);
}

export async function getRun(store: FileDocumentStore, runId: number): Promise<LocalRun | undefined> {
  return store.getDocument<LocalRun>(RUNS, String(runId));
}

export async function listApprovals(store: FileDocumentStore): Promise<StoredApproval[]> {
  return store.getDocuments<StoredApproval>(APPROVALS);
}

/** The approvals of the newest run of a service, for one environment, as the gate of that run reads them. */
export async function latestRunApprovals(store: FileDocumentStore, service: string, environment: string): Promise<RunApprovals | undefined> {
  const runs = (await listRuns(store)).filter((r) => r.service === service);
  const run = runs[runs.length - 1];
  if (!run) return undefined;
  const approvals = (await listApprovals(store)).filter((a) => a.pipeline?.owner.id === run.runId && a.subject.environment === environment);
  return { runId: run.runId, commit: run.sourceVersion, approvals: approvals.map((a) => served(a)) };
}

/** What the REST API shows: the stored approval without its local bookkeeping. */
export function served(approval: StoredApproval, expandSteps = true): Approval {
  const { subject: _subject, __etag: _etag, ...rest } = approval as StoredApproval & { __etag?: number };
  return expandSteps ? (rest as Approval) : ({ ...rest, steps: [] } as Approval);
}

/** Whether a user may act on a step: a member of its group (as declared with --group) or the user assigned. */
function mayAct(step: ApprovalStep, user: ServeUser): boolean {
  const assigned = step.assignedApprover;
  if (assigned.isContainer) return user.groups.some((g) => g.toLowerCase() === assigned.displayName.toLowerCase());
  return assigned.id.toLowerCase() === user.id.toLowerCase();
}

export interface ApprovalDecision {
  approvalId: string;
  status: 'approved' | 'rejected';
  comment?: string;
}

/**
 * Records a decision as the server does: the approver is the signed-in user, never a field of the request; only a
 * pending approval can be decided; the user acts on every pending step assigned to a group they belong to (or to
 * them). Returns the subject to re-evaluate.
 */
export async function decide(store: FileDocumentStore, user: ServeUser, decision: ApprovalDecision, now = new Date()): Promise<StoredApproval> {
  if (decision.status !== 'approved' && decision.status !== 'rejected') {
    throw new HttpError(400, `status must be "approved" or "rejected", not ${JSON.stringify(decision.status)}.`, 'InvalidRequestException');
  }
  const current = await store.getDocument<StoredApproval>(APPROVALS, String(decision.approvalId));
  if (!current) throw new HttpError(404, `Approval ${String(decision.approvalId)} does not exist.`, 'ApprovalNotFoundException');
  let result: StoredApproval | undefined;
  await updateWithRetry<StoredApproval>(store, APPROVALS, current.id, (stored) => {
    const approval = structuredClone(stored ?? current);
    if (approval.status !== 'pending') {
      throw new HttpError(409, `Approval ${approval.id} is already ${approval.status}; a completed approval cannot be changed.`, 'ApprovalAlreadyCompletedException');
    }
    const mine = approval.steps.filter((s) => s.status === 'pending' && mayAct(s, user));
    if (!mine.length) {
      throw new HttpError(403, `${user.name} (${user.id}) is not an approver of approval ${approval.id}: it waits for ${approval.steps.filter((s) => s.status === 'pending').map((s) => s.assignedApprover.displayName).join(', ')}.`, 'ApprovalUnauthorizedException');
    }
    const me: IdentityRef = { id: user.id, displayName: user.name };
    for (const step of mine) {
      step.status = decision.status as ApprovalStatus;
      step.actualApprover = me;
      step.comment = decision.comment ?? '';
      step.lastModifiedBy = me;
      step.lastModifiedOn = now.toISOString();
      step.history = [...(step.history ?? []), { assignedTo: step.assignedApprover, comment: decision.comment ?? '', createdBy: me, createdOn: now.toISOString() }];
    }
    approval.status = approval.steps.some((s) => s.status === 'rejected') ? 'rejected' : approval.steps.every((s) => s.status === 'approved') ? 'approved' : 'pending';
    approval.lastModifiedOn = now.toISOString();
    result = approval;
    return approval;
  });
  return result!;
}
