import { ConfigError, InfrastructureError } from '../errors';
import { type AzdoHttp, describeUrl } from './http';
import { isAuthRefusal, refusal } from './refusals';

/**
 * Build REST: the attachments our tasks publish (`##vso[task.addattachment type=readiness.evidence ...]`) and the
 * earlier runs of a pipeline, so the gate can read this run's evidence and the latest from earlier runs.
 * Routes: `{project}/_apis/build/builds/{buildId}/attachments/{type}` (api 7.1-preview.2) lists names and
 * `_links.self.href`; the href serves the content (ado-extensions.md §1.6, §4.3).
 */
export interface BuildAttachment {
  name: string;
  /** `_links.self.href`: where the content is read from (getAttachmentContent). */
  href: string;
}

export interface BuildSummary {
  id: number;
  buildNumber: string;
  status: string;
  /** succeeded | partiallySucceeded | failed | canceled, when completed. */
  result?: string;
  finishTime?: string;
  definitionId?: number;
  definitionName?: string;
  sourceBranch?: string;
  sourceVersion?: string;
  /** Why the run was queued: manual, individualCI, schedule, pullRequest, ... */
  reason?: string;
  /** The run's page in the web UI, when the service gives it. */
  webUrl?: string;
}

export interface ListBuildsQuery {
  definitionId?: number;
  /** How many runs, newest first. */
  top: number;
  statusFilter?: 'completed';
  /** Only runs of this branch, e.g. refs/heads/main. */
  branchName?: string;
}

const BUILD_READ = 'the project build service identity lacks the "View builds" permission on this project (scope vso.build); grant it in Project settings > Pipelines > Security';

export class BuildsApi {
  constructor(
    private readonly http: AzdoHttp,
    private readonly collectionUri: string,
    private readonly project: string,
  ) {}

  async listBuildAttachments(buildId: number, type: string): Promise<BuildAttachment[]> {
    requirePositiveInteger(buildId, 'buildId');
    const url =
      `${this.projectUri()}_apis/build/builds/${buildId}/attachments/${encodeURIComponent(type)}` +
      '?api-version=7.1-preview.2';
    const action = `read the "${type}" attachments of run ${buildId} in project ${this.project}`;
    const response = await this.http.send('GET', url);
    if (response.status === 404) {
      throw new InfrastructureError(
        `Could not ${action}: run ${buildId} was not found (404 at ${describeUrl(url)}). Check the project name and run id.`,
      );
    }
    if (response.status !== 200 || isAuthRefusal(response)) {
      throw refusal(this.http, response, { method: 'GET', url, action, permission: BUILD_READ });
    }
    return listOf(response.body).map((item) => {
      const entry = item as { name?: unknown; _links?: { self?: { href?: unknown } } };
      return { name: String(entry.name ?? ''), href: String(entry._links?.self?.href ?? '') };
    });
  }

  /**
   * Reads an attachment's bytes. The job token goes only to the collection's own host: an href pointing anywhere
   * else is refused rather than followed, so a crafted attachment list can never collect the token.
   */
  async getAttachmentContent(href: string): Promise<Buffer> {
    let target: URL;
    try {
      target = new URL(href);
    } catch {
      throw new InfrastructureError(`An attachment link "${href.slice(0, 200)}" is not a URL; the attachment cannot be read.`);
    }
    if (target.origin !== new URL(this.collectionUri).origin) {
      throw new InfrastructureError(
        `Refusing to send the job's token to ${target.host}: attachment links must be on ${new URL(this.collectionUri).host}.`,
      );
    }
    // Links in `_links` carry no api-version; the route is versioned like the list (7.1-preview.2).
    if (!target.searchParams.has('api-version')) target.searchParams.set('api-version', '7.1-preview.2');
    const action = `read the attachment at ${describeUrl(href)}`;
    const response = await this.http.send('GET', target.toString(), { accept: 'application/octet-stream' });
    if (response.status === 404) {
      throw new InfrastructureError(`Could not ${action}: it no longer exists (404); the run may have been deleted.`);
    }
    if (response.status !== 200 || isAuthRefusal(response, false)) {
      throw refusal(this.http, response, { method: 'GET', url: href, action, permission: BUILD_READ });
    }
    return response.bytes;
  }

  async getBuild(buildId: number): Promise<BuildSummary> {
    requirePositiveInteger(buildId, 'buildId');
    const url = `${this.projectUri()}_apis/build/builds/${buildId}?api-version=7.1`;
    const action = `read run ${buildId}`;
    const response = await this.http.send('GET', url);
    if (response.status === 404) throw new InfrastructureError(`Could not ${action}: it was not found (404 at ${describeUrl(url)}). Check the run id.`);
    if (response.status !== 200 || isAuthRefusal(response)) throw refusal(this.http, response, { method: 'GET', url, action, permission: BUILD_READ });
    return toBuildSummary(response.body);
  }

  async listBuilds(query: ListBuildsQuery): Promise<BuildSummary[]> {
    requirePositiveInteger(query.top, 'top');
    if (query.definitionId !== undefined) requirePositiveInteger(query.definitionId, 'definitionId');
    const parameters = new URLSearchParams();
    if (query.definitionId !== undefined) parameters.set('definitions', String(query.definitionId));
    parameters.set('$top', String(query.top));
    parameters.set('statusFilter', query.statusFilter ?? 'completed');
    if (query.branchName) parameters.set('branchName', query.branchName);
    parameters.set('queryOrder', 'finishTimeDescending');
    parameters.set('api-version', '7.1');
    const url = `${this.projectUri()}_apis/build/builds?${parameters.toString()}`;
    const action = `list the runs of ${query.definitionId === undefined ? 'the project' : `pipeline ${query.definitionId}`}`;
    const response = await this.http.send('GET', url);
    if (response.status !== 200 || isAuthRefusal(response)) {
      throw refusal(this.http, response, { method: 'GET', url, action, permission: BUILD_READ });
    }
    return listOf(response.body).map(toBuildSummary);
  }

  private projectUri(): string {
    return `${this.collectionUri}${encodeURIComponent(this.project)}/`;
  }
}

function toBuildSummary(item: unknown): BuildSummary {
  const build = item as Record<string, any>;
  return {
    id: Number(build.id),
    buildNumber: String(build.buildNumber ?? build.id),
    status: String(build.status ?? ''),
    result: build.result === undefined ? undefined : String(build.result),
    finishTime: build.finishTime === undefined ? undefined : String(build.finishTime),
    definitionId: build.definition?.id === undefined ? undefined : Number(build.definition.id),
    definitionName: build.definition?.name === undefined ? undefined : String(build.definition.name),
    sourceBranch: build.sourceBranch === undefined ? undefined : String(build.sourceBranch),
    sourceVersion: build.sourceVersion === undefined ? undefined : String(build.sourceVersion),
    reason: build.reason === undefined ? undefined : String(build.reason),
    webUrl: build._links?.web?.href === undefined ? undefined : String(build._links.web.href),
  };
}

/** Azure DevOps wraps lists as `{ count, value: [...] }`. */
export function listOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? value : [];
}

function requirePositiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${field}: expected a positive whole number, got ${JSON.stringify(value)}.`);
  }
}
