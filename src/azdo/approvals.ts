import { InfrastructureError } from '../errors';
import { listOf } from './builds';
import { type AzdoHttp, describeUrl } from './http';
import { isAuthRefusal, refusal } from './refusals';
import { readTimeline, stageOf } from './timeline';

/**
 * Azure Pipelines approvals, as the server records them: who was asked (a user or a group), who acted, when and
 * with what comment. Shapes from the Approvals and Checks REST API 7.1
 * (learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals, "Definitions": Approval, ApprovalStep,
 * ApprovalStepHistory, ApprovalStatus) and shared/reference/platform-facts.md "Environment approvals":
 * - `GET {project}/_apis/build/builds/{buildId}/timeline`: records of type `Checkpoint.Approval`, whose ids are the
 *   approval ids of the run;
 * - `GET {project}/_apis/pipelines/approvals/{id}?$expand=steps` (api-version 7.1-preview.1), scope vso.build.
 * Classic releases record approvals too: `GET vsrm.../{project}/_apis/release/approvals?releaseIdsFilter=...`
 * (Release REST 7.1, ReleaseApproval: `approver`, `approvedBy`, `status`, `comments`, `history`).
 *
 * Every field here is set by the server; nothing a pipeline step or an extension-data writer controls.
 */
export type ApprovalStatus =
  | 'undefined'
  | 'uninitiated'
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'skipped'
  | 'canceled'
  | 'timedOut'
  | 'failed'
  | 'completed';

/** IdentityRef, trimmed to what the gate reads. `isContainer` marks a group. */
export interface IdentityRef {
  id: string;
  displayName: string;
  uniqueName?: string;
  descriptor?: string;
  isContainer?: boolean;
}

export interface ApprovalStepHistory {
  assignedTo?: IdentityRef;
  comment?: string;
  createdBy?: IdentityRef;
  createdOn?: string;
}

export interface ApprovalStep {
  assignedApprover: IdentityRef;
  actualApprover?: IdentityRef;
  status: ApprovalStatus;
  comment?: string;
  lastModifiedBy?: IdentityRef;
  lastModifiedOn?: string;
  initiatedOn?: string;
  history?: ApprovalStepHistory[];
}

/** The run an approval belongs to: `pipeline.owner.id` is the run (build) id, `pipeline.id` the definition. */
export interface ApprovalPipeline {
  id: string;
  name?: string;
  owner: { id: number; name?: string };
}

export interface Approval {
  id: string;
  status: ApprovalStatus;
  createdOn?: string;
  lastModifiedOn?: string;
  minRequiredApprovers?: number;
  /** Set when the Approvals check says the requester may not approve (requesterCannotBeApprover). */
  blockedApprovers?: IdentityRef[];
  instructions?: string;
  pipeline?: ApprovalPipeline;
  steps: ApprovalStep[];
}

/** A classic release approval (Release REST 7.1 ReleaseApproval), trimmed. */
export interface ReleaseApproval {
  id: number;
  status: 'approved' | 'canceled' | 'pending' | 'reassigned' | 'rejected' | 'skipped' | 'undefined';
  approvalType: 'preDeploy' | 'postDeploy' | 'all' | 'undefined';
  approver?: IdentityRef;
  approvedBy?: IdentityRef;
  comments?: string;
  modifiedOn?: string;
  isAutomated?: boolean;
  release?: { id: number; name?: string };
  releaseEnvironment?: { id: number; name?: string };
  history?: Array<{ approver?: IdentityRef; changedBy?: IdentityRef; comments?: string; modifiedOn?: string }>;
}

/** Record type of an approval in a run's timeline (platform-facts.md "Finding a run's approvals"). */
export const APPROVAL_RECORD_TYPE = 'Checkpoint.Approval';
export const APPROVALS_API_VERSION = '7.1-preview.1';

const APPROVALS_READ =
  'the project build service identity needs "View builds" on this pipeline (scope vso.build) to read its approvals and timeline';

export class ApprovalsApi {
  constructor(
    private readonly http: AzdoHttp,
    private readonly collectionUri: string,
    private readonly project: string,
    private readonly releaseUri?: string,
  ) {}

  /**
   * The approval ids of a run: its timeline's `Checkpoint.Approval` records. With `stage`, only the approvals that
   * hold that stage (by its identifier or name): one stage's approval never signs for another.
   */
  async runApprovalIds(buildId: number, stage?: string): Promise<string[]> {
    const records = await readTimeline(this.http, this.projectUri(), buildId);
    return records
      .filter((r) => r.type === APPROVAL_RECORD_TYPE)
      .filter((r) => {
        if (!stage) return true;
        const owner = stageOf(records, r);
        return !!owner && [owner.identifier, owner.name].some((n) => typeof n === 'string' && n.toLowerCase() === stage.toLowerCase());
      })
      .map((r) => r.id);
  }

  async getApproval(id: string): Promise<Approval> {
    const url = `${this.projectUri()}_apis/pipelines/approvals/${encodeURIComponent(id)}?$expand=steps&api-version=${APPROVALS_API_VERSION}`;
    return toApproval(await this.read(url, `read approval ${id}`));
  }

  /** Every approval of a run (of one stage when given), with its steps. */
  async runApprovals(buildId: number, stage?: string): Promise<Approval[]> {
    const approvals: Approval[] = [];
    for (const id of await this.runApprovalIds(buildId, stage)) approvals.push(await this.getApproval(id));
    return approvals;
  }

  /**
   * Classic release approvals in the same shape as environment approvals: each release approval is one step
   * assigned to its approver (a user or a group), acted on by `approvedBy`; the "run" is the release.
   */
  async releaseApprovalsAsRun(releaseId: number): Promise<Approval[]> {
    return (await this.releaseApprovals(releaseId))
      .filter((a) => !a.isAutomated)
      .map((a) => {
        const status: ApprovalStatus = a.status === 'approved' || a.status === 'rejected' || a.status === 'pending' || a.status === 'skipped' || a.status === 'canceled' ? a.status : 'undefined';
        return {
          id: `release-${a.id}`,
          status,
          lastModifiedOn: a.modifiedOn,
          pipeline: { id: String(a.releaseEnvironment?.id ?? ''), name: a.releaseEnvironment?.name, owner: { id: Number(a.release?.id), name: a.release?.name } },
          steps: a.approver
            ? [{ assignedApprover: a.approver, actualApprover: a.approvedBy, status, comment: a.comments ?? '', lastModifiedOn: a.modifiedOn, lastModifiedBy: a.approvedBy }]
            : [],
        };
      });
  }

  /** Classic release approvals of one release (vsrm host). */
  async releaseApprovals(releaseId: number): Promise<ReleaseApproval[]> {
    if (!this.releaseUri) throw new InfrastructureError('No release management address is known for this collection.');
    const query = new URLSearchParams({ releaseIdsFilter: String(releaseId), statusFilter: 'undefined', includeMyGroupApprovals: 'true', 'api-version': '7.1' });
    const url = `${this.releaseUri}${encodeURIComponent(this.project)}/_apis/release/approvals?${query.toString()}`;
    return listOf(await this.read(url, `read the approvals of release ${releaseId}`)) as ReleaseApproval[];
  }

  private projectUri(): string {
    return `${this.collectionUri}${encodeURIComponent(this.project)}/`;
  }

  private async read(url: string, action: string): Promise<unknown> {
    const response = await this.http.send('GET', url);
    if (response.status === 200 && !isAuthRefusal(response)) return response.body;
    if (response.status === 404) throw new InfrastructureError(`Could not ${action}: not found (404 at ${describeUrl(url)}).`);
    throw refusal(this.http, response, { method: 'GET', url, action, permission: APPROVALS_READ });
  }
}

/**
 * The approval as served, checked field by field: a shape we do not recognise is an infrastructure error, never
 * something the gate guesses about.
 */
export function toApproval(body: unknown): Approval {
  const raw = (body ?? {}) as Record<string, any>;
  if (typeof raw.id !== 'string' || typeof raw.status !== 'string' || !Array.isArray(raw.steps)) {
    throw new InfrastructureError('An approval came back without id, status or steps; the gate cannot verify it (was $expand=steps sent?).');
  }
  return raw as Approval;
}

/** Where classic release management lives: vsrm.dev.azure.com/{org}/ for dev.azure.com/{org}/. */
export function releaseBaseUrl(collectionUri: string): string {
  const url = new URL(collectionUri);
  if (url.hostname.toLowerCase() === 'dev.azure.com') {
    const organization = url.pathname.split('/').filter(Boolean)[0];
    if (organization) return `https://vsrm.dev.azure.com/${organization}/`;
  }
  const legacy = /^([a-z0-9-]+)\.visualstudio\.com$/i.exec(url.hostname);
  if (legacy) return `https://${legacy[1]}.vsrm.visualstudio.com/`;
  return collectionUri;
}
