import { ConfigError } from '../errors';
import { BuildsApi, type BuildAttachment, type BuildSummary, type ListBuildsQuery } from './builds';
import { ExtensionDataStore } from './extensionData';
import { type Approval, ApprovalsApi, releaseBaseUrl } from './approvals';
import { readTimeline, type TimelineRecord } from './timeline';
import { GroupsApi, identityBaseUrl } from './groups';
import { AzdoHttp, type FetchLike } from './http';
import { defaultExtensionDataUri, normaliseCollectionUri } from './urls';

/**
 * The one Azure DevOps REST client of the pipeline tasks and the `readiness` tooling: Build REST (attachments,
 * earlier runs) and extension data, over plain fetch with the job's token. The engine never imports Azure DevOps
 * libraries (DESIGN.md); this module is the whole surface, so the emulator in test/support/azdoEmulator.ts can
 * cover every call.
 */
export interface AzureDevOpsClientOptions {
  /** System.CollectionUri, e.g. `https://dev.azure.com/contoso/`. */
  collectionUri: string;
  /** Project name or id (System.TeamProject). */
  project: string;
  /** The job's token (System.AccessToken). Never logged, never part of an error message. */
  accessToken: string;
  /** Where extension data is served; derived from collectionUri when omitted (see urls.ts). */
  extensionDataUri?: string;
  /** Marketplace publisher and extension id of the installed extension that owns the data. */
  publisher: string;
  extensionId: string;
  fetch?: FetchLike;
  /** Per-attempt timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Retries on 5xx / 429 (and network faults for reads). Default 2. */
  maxRetries?: number;
  /** First back-off in milliseconds when no Retry-After is given. Default 500. */
  retryDelayMs?: number;
  /** Cap on the service's Retry-After, in seconds. Default 30. */
  maxRetryAfterSeconds?: number;
  /** Where identities are served; derived from collectionUri when omitted (groups.ts identityBaseUrl). */
  identityUri?: string;
}

export interface AzureDevOpsClient {
  readonly collectionUri: string;
  readonly project: string;
  readonly extensionDataUri: string;
  listBuildAttachments(buildId: number, type: string): Promise<BuildAttachment[]>;
  getAttachmentContent(href: string): Promise<Buffer>;
  listBuilds(query: ListBuildsQuery): Promise<BuildSummary[]>;
  /** Extension data in the `Default/Current` scope, as a DocumentStore. */
  readonly extensionData: ExtensionDataStore;
  /** Identity ids of the users in an Azure DevOps group, nested groups included (groups.ts). */
  listGroupMembers(group: string): Promise<string[]>;
  /** The run's timeline records (timeline.ts). */
  runTimeline(buildId: number): Promise<TimelineRecord[]>;
  /** The run's approvals with their steps, of one stage when given (approvals.ts). */
  runApprovals(buildId: number, stage?: string): Promise<Approval[]>;
  /** A classic release's approvals, as approvals of the release (approvals.ts). */
  releaseApprovals(releaseId: number): Promise<Approval[]>;
  /** One run (Build REST get build). */
  getBuild(buildId: number): Promise<BuildSummary>;
}

export function createAzureDevOpsClient(options: AzureDevOpsClientOptions): AzureDevOpsClient {
  const problems: string[] = [];
  for (const field of ['collectionUri', 'project', 'accessToken', 'publisher', 'extensionId'] as const) {
    if (typeof options[field] !== 'string' || options[field].trim() === '') problems.push(`${field}: required, but empty.`);
  }
  if (problems.length) throw new ConfigError(problems);
  const collectionUri = normaliseCollectionUri(options.collectionUri);
  const extensionDataUri = options.extensionDataUri
    ? normaliseCollectionUri(options.extensionDataUri, 'extensionDataUri')
    : defaultExtensionDataUri(collectionUri);
  const http = new AzdoHttp({
    accessToken: options.accessToken,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    retryDelayMs: options.retryDelayMs,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds,
  });
  const builds = new BuildsApi(http, collectionUri, options.project);
  const extensionData = new ExtensionDataStore(http, {
    extensionDataUri,
    publisher: options.publisher,
    extensionId: options.extensionId,
  });
  const approvals = new ApprovalsApi(http, collectionUri, options.project, releaseBaseUrl(collectionUri));
  const groups = new GroupsApi(
    http,
    options.identityUri ? normaliseCollectionUri(options.identityUri, 'identityUri') : identityBaseUrl(collectionUri),
  );
  return {
    collectionUri,
    project: options.project,
    extensionDataUri,
    listBuildAttachments: (buildId, type) => builds.listBuildAttachments(buildId, type),
    getAttachmentContent: (href) => builds.getAttachmentContent(href),
    listBuilds: (query) => builds.listBuilds(query),
    extensionData,
    listGroupMembers: (group) => groups.listGroupMembers(group),
    runTimeline: (buildId) => readTimeline(http, `${collectionUri}${encodeURIComponent(options.project)}/`, buildId),
    runApprovals: (buildId, stage) => approvals.runApprovals(buildId, stage),
    releaseApprovals: (releaseId) => approvals.releaseApprovalsAsRun(releaseId),
    getBuild: (buildId) => builds.getBuild(buildId),
  };
}

export type { BuildAttachment, BuildSummary, ListBuildsQuery } from './builds';
export { ExtensionDataStore } from './extensionData';
export { identityBaseUrl } from './groups';
export type { FetchLike } from './http';
