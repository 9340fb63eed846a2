import * as SDK from 'azure-devops-extension-sdk';
import { CommonServiceIds, type ILocationService, type IProjectPageService } from 'azure-devops-extension-api';
import type { HubApproval, RunInfo } from '../model/approvals';
import { HubError, toHubError } from './errors';

/**
 * Azure Pipelines approvals as the signed-in user sees and decides them (Approvals and Checks REST 7.1,
 * learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals):
 * - Query: `GET {project}/_apis/pipelines/approvals?state=pending&$expand=steps` (scope vso.build);
 * - Update: `PATCH {project}/_apis/pipelines/approvals` with `[{ approvalId, status, comment }]` (scope
 *   vso.build_execute). The server records the caller as the approver: the body never says who approves.
 * - the run the approval holds: Build REST `GET {project}/_apis/build/builds/{id}` (sourceVersion, buildNumber).
 * The token is the user's own SDK access token. `readiness serve` plays the same routes locally.
 */
export interface ApprovalsClient {
  listApprovals(state: 'pending' | 'completed'): Promise<HubApproval[]>;
  decide(approvalId: string, status: 'approved' | 'rejected', comment: string): Promise<HubApproval>;
  run(runId: number): Promise<RunInfo>;
  /** The project the hub is open in, which the runs belong to. */
  projectName(): Promise<string>;
}

const API_VERSION = '7.1-preview.1';

export class AzureDevOpsApprovalsClient implements ApprovalsClient {
  private location?: Promise<{ collection: string; project: string }>;

  async listApprovals(state: 'pending' | 'completed'): Promise<HubApproval[]> {
    const query = new URLSearchParams({ state, $expand: 'steps', 'api-version': API_VERSION });
    const body = (await this.call('GET', `_apis/pipelines/approvals?${query.toString()}`, `read the ${state} approvals`)) as { value?: unknown };
    return (Array.isArray(body?.value) ? body.value : []).filter(isApproval);
  }

  async decide(approvalId: string, status: 'approved' | 'rejected', comment: string): Promise<HubApproval> {
    const what = `${status === 'approved' ? 'approve' : 'reject'} approval ${approvalId}`;
    const body = (await this.call('PATCH', `_apis/pipelines/approvals?api-version=${API_VERSION}`, what, [{ approvalId, status, comment }], 'build_execute')) as {
      value?: unknown[];
    };
    const updated = (Array.isArray(body?.value) ? body.value : []).find((a) => isApproval(a) && a.id === approvalId);
    if (!updated) throw new HubError(`Azure DevOps did not confirm the decision on approval ${approvalId}; reload to see its state.`, 'server');
    return updated as HubApproval;
  }

  async run(runId: number): Promise<RunInfo> {
    const body = (await this.call('GET', `_apis/build/builds/${runId}?api-version=7.1`, `read run ${runId}`)) as Record<string, any>;
    return {
      runId,
      buildNumber: typeof body?.buildNumber === 'string' ? body.buildNumber : String(runId),
      commit: typeof body?.sourceVersion === 'string' ? body.sourceVersion : '',
      branch: typeof body?.sourceBranch === 'string' ? body.sourceBranch : undefined,
      url: typeof body?._links?.web?.href === 'string' ? body._links.web.href : undefined,
    };
  }

  async projectName(): Promise<string> {
    return (await this.where()).project;
  }

  /** `{collection}{project}/`: the location service gives the collection, the page data service the project. */
  private async projectBase(): Promise<string> {
    const { collection, project } = await this.where();
    return `${collection.replace(/\/*$/, '/')}${encodeURIComponent(project)}/`;
  }

  private where(): Promise<{ collection: string; project: string }> {
    this.location ??= (async () => {
      const [location, projects] = await Promise.all([
        SDK.getService<ILocationService>(CommonServiceIds.LocationService),
        SDK.getService<IProjectPageService>(CommonServiceIds.ProjectPageService),
      ]);
      const [collection, project] = await Promise.all([location.getServiceLocation(), projects.getProject()]);
      if (!project) throw new HubError('No project is selected; open the hub from a project.', 'not-found');
      return { collection, project: project.name };
    })();
    return this.location;
  }

  private async call(method: 'GET' | 'PATCH', route: string, what: string, body?: unknown, scope: 'build' | 'build_execute' = 'build'): Promise<unknown> {
    let response: Response;
    try {
      const [base, token] = await Promise.all([this.projectBase(), SDK.getAccessToken()]);
      response = await fetch(`${base}${route}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw toHubError(error, scope, what);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the message
    }
    if (!response.ok) {
      const message = typeof (parsed as { message?: unknown })?.message === 'string' ? (parsed as { message: string }).message : response.statusText;
      // A 403 on a decision is usually "not an approver of this step", which the server says in its message.
      if (response.status === 403 && method === 'PATCH' && message) throw new HubError(`Azure DevOps refused to ${what}: ${message}`, 'auth', 403);
      throw toHubError({ status: response.status, message }, scope, what);
    }
    return parsed;
  }
}

function isApproval(value: unknown): value is HubApproval {
  const raw = value as Partial<HubApproval>;
  return !!raw && typeof raw.id === 'string' && typeof raw.status === 'string' && Array.isArray(raw.steps);
}
