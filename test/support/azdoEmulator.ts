import { devTaskId } from '../../src/azdo/devTaskIds';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type ChecksState, type EmulatedCheck, handleChecksRoute, newChecksState } from './azdoChecksRoutes';
import { testCertificates } from './tls';

/**
 * A loopback emulator of the Azure DevOps REST calls our client makes, all in memory, following the documented
 * contract (shared/reference/ado-extensions.md §1.5, §1.6, §4.1):
 * - Build REST: `/{org}/{project}/_apis/build/builds` (list, newest first), `.../builds/{id}/attachments/{type}`
 *   (names + `_links.self.href`) and the href itself (content);
 * - extension data: `/{org}/_apis/ExtensionManagement/InstalledExtensions/{publisher}/{extension}/Data/Scopes/
 *   {scopeType}/{scopeValue}/Collections/{collection}/Documents[/{id}]` with the `__etag` rules: create refuses an
 *   existing id, update/set with a stale etag are refused (409, InvalidDocumentVersionException), `__etag: -1` writes
 *   unconditionally, every write increments the etag, and a collection exists only once it holds a document;
 * - the token check: anything without `Authorization: Bearer <token>` (or Basic with the token as password) gets 401;
 * - identities: `/{org}/_apis/identities` by General search (exact display name) or by `identityIds`, with
 *   `memberIds` when `queryMembership=Direct`, as the Identities REST API answers;
 * - environments and check configurations (test/support/azdoChecksRoutes.ts, each route citing its page);
 * - a run's timeline: `/{org}/{project}/_apis/build/builds/{id}/timeline` (Build REST 7.1 Timeline - Get,
 *   learn.microsoft.com/rest/api/azure/devops/build/timeline/get): a `Stage` record per stage, a `Checkpoint` under it
 *   and a `Checkpoint.Approval` record per approval (its id is the approval id, platform-facts.md "Finding a run's
 *   approvals"), and a `Task` record per step that published an attachment, naming the task's GUID (the attachment
 *   href carries `{timelineId}/{recordId}` of that record);
 * - one run: `/{org}/{project}/_apis/build/builds/{id}` (Builds - Get);
 * - approvals: `/{org}/{project}/_apis/pipelines/approvals/{id}?$expand=steps` (Approvals and Checks 7.1 Approvals -
 *   Get, learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals/get): steps only with $expand=steps;
 * - classic release approvals: `/{org}/{project}/_apis/release/approvals?releaseIdsFilter=` (Release 7.1
 *   Approvals - List), served on this host as Azure DevOps Server does under its collection URI;
 * - fault injection: a status (401, 403, 429, 5xx) or a dropped connection, for the next N matching requests.
 * Extension data is served on the same host, as Azure DevOps Server does under its collection URI.
 */
export interface AzdoEmulatorOptions {
  accessToken: string;
  organization?: string;
  project?: string;
  /** The installed extension whose data is served; others answer 404 like an uninstalled extension. */
  publisher?: string;
  extensionId?: string;
  /** Serve HTTPS with a throwaway certificate (test/support/tls.ts), as the real service does. Default HTTP. */
  tls?: boolean;
}

export interface AzdoFault {
  /** Answer with this status instead of serving the request. */
  status?: 401 | 403 | 404 | 429 | 500 | 502 | 503;
  /** Destroy the connection without answering (a network drop). */
  drop?: boolean;
  retryAfterSeconds?: number;
  method?: string;
  /** Matches the request path (no query). Default: every path. */
  path?: RegExp;
  /** How many matching requests are affected. Default 1. */
  times?: number;
}

export interface EmulatedBuild {
  id: number;
  buildNumber?: string;
  definitionId?: number;
  definitionName?: string;
  status?: 'completed' | 'inProgress' | 'notStarted';
  result?: 'succeeded' | 'partiallySucceeded' | 'failed' | 'canceled';
  finishTime?: string;
  sourceVersion?: string;
  /** refs/heads/main by default. */
  sourceBranch?: string;
  /** manual, individualCI, schedule, pullRequest, ... (BuildReason); individualCI by default. */
  reason?: string;
  /** Identity id of whoever queued the run (`requestedFor.id`). */
  requestedFor?: string;
}

export interface RecordedAzdoRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

interface Attachment {
  type: string;
  name: string;
  content: Buffer;
  timelineId: string;
  recordId: string;
  /** The task whose step published it (GUID and name), or a script step. */
  task: { id: string; name: string };
}

/** Task GUIDs (tasks/<Task>V1/task.json) and the in-box script task (CmdLine@2), for attachment provenance. */
export const TASK_IDS = Object.freeze({
  ReadinessLoadTest: '16931d32-4bdb-4ba1-948a-5220a77447ed',
  ReadinessDrDrill: 'fcd81579-b524-4423-9422-4cf3ed6ad02b',
  ReadinessGate: 'af57cc57-560a-4d83-9ce9-031d93239207',
  ReadinessEnvironmentCheck: '9eacc05a-bac5-4f55-9e33-f0d06115c905',
  /** The dev build's load-test task (scripts/package.ts --dev gives every task an id of its own). */
  ReadinessLoadTestDev: devTaskId('16931d32-4bdb-4ba1-948a-5220a77447ed'),
  CmdLine: 'd9bafed4-0b18-4f58-968d-86655b4d2ce9',
});
type TaskName = keyof typeof TASK_IDS;

interface EmulatedApproval {
  runId: number;
  stage: string;
  approval: Record<string, unknown> & { id: string; steps: unknown[] };
}

export interface EmulatedReleaseApproval {
  id: number;
  status: string;
  approvalType?: string;
  approver?: { id: string; displayName: string; isContainer?: boolean };
  approvedBy?: { id: string; displayName: string };
  comments?: string;
  modifiedOn?: string;
  isAutomated?: boolean;
  releaseEnvironment?: { id: number; name: string };
}

type Doc = Record<string, unknown> & { id: string; __etag: number };

export interface AzdoEmulator {
  /** `http://127.0.0.1:PORT` (or https:// with the `tls` option) */
  url: string;
  /** PEM of the CA that signed the HTTPS certificate, when `tls` is on. */
  caCertificate?: string;
  /** `http://127.0.0.1:PORT/{organization}/`, as System.CollectionUri. */
  collectionUri: string;
  organization: string;
  project: string;
  projectId: string;
  publisher: string;
  extensionId: string;
  requests: RecordedAzdoRequest[];
  addBuild(build: EmulatedBuild): void;
  /**
   * Registers a build attachment; `content` is the bytes, a string, or `{ file }` to read from disk. `task` is the
   * task whose step published it; by default the one of ours that makes that evidence kind (loadtest, drill, else
   * the gate); `CmdLine` for a script step.
   */
  addAttachment(buildId: number, type: string, name: string, content: string | Buffer | { file: string }, task?: TaskName): void;
  /** Registers an approval of a run's stage (default stage `deploy`); returns its id. `pipeline.owner.id` is set. */
  addApproval(runId: number, approval: Record<string, unknown> & { steps: unknown[]; id?: string }, stage?: string): string;
  /** Registers a classic release approval of a release. */
  addReleaseApproval(releaseId: number, approval: EmulatedReleaseApproval): void;
  /** The documents of a collection of the installed extension, as stored (with `__etag`). */
  documents(collection: string): Doc[];
  /** Seeds a document as if a client had written it (etag 1, or one more than the stored one). */
  putDocument(collection: string, doc: Record<string, unknown> & { id: string }): Doc;
  /**
   * Registers an identity for `_apis/identities`: a user (no `members`) or a group whose `members` are identity
   * ids of users or groups. Returns the identity id (a new GUID unless `id` is given).
   */
  addIdentity(identity: { name: string; id?: string; members?: string[] }): string;
  fail(fault: AzdoFault): void;
  /** Registers an Azure Pipelines environment of the project; returns its id. */
  addEnvironment(name: string): number;
  /** The stored check configurations, by id: read them, or change one to play drift. */
  readonly checkConfigurations: Map<number, EmulatedCheck>;
  close(): Promise<void>;
}

export async function startAzdoEmulator(options: AzdoEmulatorOptions): Promise<AzdoEmulator> {
  const organization = options.organization ?? 'contoso';
  const project = options.project ?? 'Orders';
  const projectId = randomUUID();
  const publisher = options.publisher ?? 'production-readiness';
  const extensionId = options.extensionId ?? 'production-readiness';
  const builds = new Map<number, EmulatedBuild>();
  const attachments = new Map<number, Attachment[]>();
  const scopes = new Map<string, Map<string, Map<string, Doc>>>();
  const faults: Array<AzdoFault & { left: number }> = [];
  const identities = new Map<string, { id: string; name: string; members?: string[] }>();
  const approvals = new Map<string, EmulatedApproval>();
  const releaseApprovals = new Map<number, EmulatedReleaseApproval[]>();
  const requests: RecordedAzdoRequest[] = [];
  const checksState: ChecksState = newChecksState();
  const sockets = new Set<Socket>();
  let url = '';

  const collectionsOf = (scopeKey: string) => {
    if (!scopes.has(scopeKey)) scopes.set(scopeKey, new Map());
    return scopes.get(scopeKey)!;
  };
  const defaultScope = `${publisher}/${extensionId}/default/current`.toLowerCase();

  function write(collection: Map<string, Doc>, body: Record<string, unknown> & { id: string }): Doc {
    const current = collection.get(body.id);
    const stored = { ...body, __etag: (current?.__etag ?? 0) + 1 } as Doc;
    collection.set(body.id, stored);
    return stored;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', url);
    const path = parsed.pathname;
    const method = req.method ?? 'GET';
    requests.push({ method, path, query: parsed.searchParams, authorization: req.headers.authorization });
    const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (fault) {
      fault.left--;
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(fault.retryAfterSeconds));
      return fault.status === 403
        ? vssError(res, 403, 'UnauthorizedRequestException', `TF400813: The user 'Build\\${projectId}' is not authorized to access this resource.`)
        : fault.status === 401
          ? unauthorized(res)
          : vssError(res, fault.status ?? 500, 'ServiceUnavailableException', `Injected ${fault.status} from the emulator.`);
    }
    if (!authorized(req.headers.authorization, options.accessToken)) return unauthorized(res);
    if (!parsed.searchParams.get('api-version')) {
      return vssError(res, 400, 'VssVersionNotSpecifiedException', 'No api-version was supplied for the request.');
    }
    const body = await readBody(req);
    let segments: string[];
    try {
      segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return vssError(res, 400, 'ArgumentException', 'The path is not valid URL encoding.');
    }
    if (segments[0]?.toLowerCase() !== organization.toLowerCase()) return vssError(res, 404, 'HostNotFoundException', 'No such organization.');

    // ---- extension data: /{org}/_apis/ExtensionManagement/InstalledExtensions/{pub}/{ext}/Data/Scopes/{t}/{v}/Collections/{c}/Documents[/{id}]
    const lower = segments.map((s) => s.toLowerCase());
    if (lower[1] === '_apis' && lower[2] === 'extensionmanagement' && lower[3] === 'installedextensions' && lower[6] === 'data'
      && lower[7] === 'scopes' && lower[10] === 'collections' && lower[12] === 'documents' && segments.length <= 14) {
      if (`${lower[4]}/${lower[5]}` !== `${publisher}/${extensionId}`.toLowerCase()) {
        return vssError(res, 404, 'InstalledExtensionNotFoundException', `The extension ${segments[4]}.${segments[5]} is not installed.`);
      }
      const collections = collectionsOf(`${lower[4]}/${lower[5]}/${lower[8]}/${lower[9]}`);
      const name = segments[11];
      const id = segments[13];
      const collection = collections.get(name);
      if (method === 'GET') {
        if (!collection) return vssError(res, 404, 'DocumentCollectionDoesNotExistException', `The collection ${name} does not exist.`);
        if (id === undefined) return json(res, 200, { count: collection.size, value: [...collection.values()] });
        const doc = collection.get(id);
        return doc ? json(res, 200, doc) : vssError(res, 404, 'DocumentDoesNotExistException', `The document ${id} does not exist in ${name}.`);
      }
      if (method === 'DELETE') {
        if (!collection?.has(id ?? '')) return vssError(res, 404, 'DocumentDoesNotExistException', `The document ${id} does not exist.`);
        collection.delete(id!);
        if (collection.size === 0) collections.delete(name);
        return json(res, 204, undefined);
      }
      let doc: Record<string, unknown> & { id: string };
      try {
        doc = JSON.parse(body.toString('utf8'));
      } catch {
        return vssError(res, 400, 'ArgumentException', 'The request body is not JSON.');
      }
      if (!doc || typeof doc.id !== 'string' || doc.id === '') return vssError(res, 400, 'ArgumentNullException', 'The document needs an id.');
      const target = collection ?? new Map<string, Doc>();
      const current = target.get(doc.id);
      const sent = doc.__etag;
      const stale = () => vssError(res, 409, 'InvalidDocumentVersionException',
        `The document ${doc.id} in ${name} has version ${current?.__etag ?? 0}; the request sent ${String(sent)}.`);
      if (method === 'POST') {
        if (current) return vssError(res, 409, 'DocumentAlreadyExistsException', `The document ${doc.id} already exists in ${name}.`);
      } else if (method === 'PUT') {
        if (sent !== undefined && sent !== -1 && sent !== (current?.__etag ?? 0)) return stale();
      } else if (method === 'PATCH') {
        if (!current) return vssError(res, 404, 'DocumentDoesNotExistException', `The document ${doc.id} does not exist in ${name}.`);
        if (sent !== -1 && sent !== current.__etag) return stale();
      } else {
        return vssError(res, 405, 'MethodNotAllowed', `${method} is not supported here.`);
      }
      collections.set(name, target);
      return json(res, 200, write(target, doc));
    }

    // ---- Identities: /{org}/_apis/identities?searchFilter=General&filterValue=..|identityIds=..&queryMembership=..
    if (lower[1] === '_apis' && lower[2] === 'identities' && segments.length === 3 && method === 'GET') {
      return json(res, 200, readIdentities(parsed.searchParams));
    }

    const projectMatches = lower[1] === project.toLowerCase() || lower[1] === projectId;
    if (projectMatches && lower[2] === '_apis') {
      const baseUrl = `${url}/${organization}/${projectId}`;
      if (handleChecksRoute(checksState, { method, rest: lower.slice(3), query: parsed.searchParams, body, baseUrl }, res, json, vssError)) return;
    }
    // ---- Approvals: /{org}/{project}/_apis/pipelines/approvals/{id}?$expand=steps
    if (projectMatches && lower[2] === '_apis' && lower[3] === 'pipelines' && lower[4] === 'approvals' && segments.length === 6 && method === 'GET') {
      const found = approvals.get(segments[5].toLowerCase());
      if (!found) return vssError(res, 404, 'ApprovalNotFoundException', `Approval ${segments[5]} was not found.`);
      const expand = (parsed.searchParams.get('$expand') ?? '').toLowerCase().includes('steps');
      const { steps, ...rest } = found.approval;
      return json(res, 200, expand ? { ...rest, steps } : rest);
    }
    // ---- Classic release approvals: /{org}/{project}/_apis/release/approvals?releaseIdsFilter=...
    if (projectMatches && lower[2] === '_apis' && lower[3] === 'release' && lower[4] === 'approvals' && segments.length === 5 && method === 'GET') {
      const ids = (parsed.searchParams.get('releaseIdsFilter') ?? '').split(',').filter(Boolean).map(Number);
      const value = ids.flatMap((id) => (releaseApprovals.get(id) ?? []).map((a) => ({ approvalType: 'preDeploy', ...a, release: { id, name: `Release-${id}` } })));
      return json(res, 200, { count: value.length, value });
    }
    // ---- Build REST: /{org}/{project}/_apis/build/builds...
    if (!projectMatches || lower[2] !== '_apis' || lower[3] !== 'build' || lower[4] !== 'builds' || method !== 'GET') {
      return vssError(res, 404, 'RouteNotFoundException', `No route for ${method} ${path}.`);
    }
    if (segments.length === 5) return json(res, 200, listBuilds(parsed.searchParams));
    const buildId = Number(segments[5]);
    if (!builds.has(buildId)) return vssError(res, 404, 'BuildNotFoundException', `Build ${segments[5]} was not found.`);
    if (segments.length === 6) return json(res, 200, buildShape(builds.get(buildId)!));
    if (lower[6] === 'timeline' && segments.length === 7) return json(res, 200, timeline(buildId));
    if (lower[6] === 'attachments' && segments.length === 8) {
      const value = (attachments.get(buildId) ?? [])
        .filter((a) => a.type === segments[7])
        .map((a) => ({
          name: a.name,
          _links: { self: { href: `${url}/${organization}/${projectId}/_apis/build/builds/${buildId}/${a.timelineId}/${a.recordId}/attachments/${encodeURIComponent(a.type)}/${encodeURIComponent(a.name)}` } },
        }));
      return json(res, 200, { count: value.length, value });
    }
    if (lower[8] === 'attachments' && segments.length === 11) {
      const found = (attachments.get(buildId) ?? []).find((a) =>
        a.timelineId === segments[6] && a.recordId === segments[7] && a.type === segments[9] && a.name === segments[10]);
      if (!found) return vssError(res, 404, 'AttachmentNotFoundException', 'The attachment was not found.');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.content.length });
      res.end(found.content);
      return;
    }
    return vssError(res, 404, 'RouteNotFoundException', `No route for ${method} ${path}.`);
  }

  function readIdentities(query: URLSearchParams) {
    const direct = (query.get('queryMembership') ?? 'None').toLowerCase() === 'direct';
    const shape = (i: { id: string; name: string; members?: string[] }) => ({
      id: i.id,
      descriptor: `${i.members ? 'Microsoft.TeamFoundation.Identity' : 'Microsoft.IdentityModel.Claims.ClaimsIdentity'};${i.id}`,
      providerDisplayName: i.name,
      isActive: true,
      isContainer: Boolean(i.members),
      ...(direct && i.members ? { memberIds: [...i.members] } : {}),
    });
    let value: Array<ReturnType<typeof shape> | null>;
    if (query.has('identityIds')) {
      // Unknown ids answer null in their place, as the service does.
      value = (query.get('identityIds') ?? '').split(',').map((id) => identities.get(id.toLowerCase()) ?? null).map((i) => (i ? shape(i) : null));
    } else {
      const wanted = (query.get('filterValue') ?? '').toLowerCase();
      value = [...identities.values()].filter((i) => i.name.toLowerCase() === wanted).map(shape);
    }
    return { count: value.length, value };
  }

  function timeline(buildId: number) {
    const records: Array<Record<string, unknown>> = [];
    const own = [...approvals.values()].filter((a) => a.runId === buildId);
    for (const stage of new Set(own.map((a) => a.stage))) {
      const stageId = `stage-${buildId}-${stage}`;
      const checkpointId = `checkpoint-${buildId}-${stage}`;
      records.push({ id: stageId, parentId: null, type: 'Stage', name: stage, identifier: stage });
      records.push({ id: checkpointId, parentId: stageId, type: 'Checkpoint', name: 'Checkpoint' });
      for (const a of own.filter((x) => x.stage === stage)) {
        records.push({ id: a.approval.id, parentId: checkpointId, type: 'Checkpoint.Approval', name: 'Checkpoint.Approval', state: a.approval.status === 'pending' ? 'inProgress' : 'completed' });
      }
    }
    for (const a of attachments.get(buildId) ?? []) {
      records.push({ id: a.recordId, parentId: null, type: 'Task', name: a.task.name, task: { id: a.task.id, name: a.task.name, version: '1.0.5' } });
    }
    return { id: randomUUID(), changeId: records.length, records };
  }

  function buildShape(b: EmulatedBuild) {
    return {
      id: b.id,
      buildNumber: b.buildNumber ?? String(b.id),
      status: b.status ?? 'completed',
      result: b.result ?? 'succeeded',
      finishTime: b.finishTime,
      sourceVersion: b.sourceVersion,
      sourceBranch: b.sourceBranch ?? 'refs/heads/main',
      reason: b.reason ?? 'individualCI',
      ...(b.requestedFor ? { requestedFor: { id: b.requestedFor, displayName: b.requestedFor } } : {}),
      definition: { id: b.definitionId ?? 1, name: b.definitionName ?? 'pipeline' },
      project: { id: projectId, name: project },
      _links: { web: { href: `${url}/${organization}/${projectId}/_build/results?buildId=${b.id}` } },
    };
  }

  function listBuilds(query: URLSearchParams) {
    const definitions = query.get('definitions')?.split(',').map(Number);
    const statusFilter = query.get('statusFilter');
    const branchName = query.get('branchName');
    const top = Number(query.get('$top') ?? 1000);
    const value = [...builds.values()]
      .filter((b) => !definitions || definitions.includes(b.definitionId ?? -1))
      .filter((b) => !statusFilter || (b.status ?? 'completed') === statusFilter)
      .filter((b) => !branchName || (b.sourceBranch ?? 'refs/heads/main') === branchName)
      .sort((a, b) => (b.finishTime ?? '').localeCompare(a.finishTime ?? '') || b.id - a.id)
      .slice(0, top)
      .map(buildShape);
    return { count: value.length, value };
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => vssError(res, 500, 'EmulatorException', String(error)));
  };
  const certificates = options.tls ? testCertificates() : undefined;
  const server: Server = certificates
    ? createTlsServer({ cert: certificates.cert, key: certificates.key }, listener)
    : createServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `${certificates ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    caCertificate: certificates?.ca,
    collectionUri: `${url}/${organization}/`,
    organization,
    project,
    projectId,
    publisher,
    extensionId,
    requests,
    addBuild(build) {
      builds.set(build.id, { ...build });
    },
    addAttachment(buildId, type, name, content, task) {
      if (!builds.has(buildId)) builds.set(buildId, { id: buildId });
      const bytes = Buffer.isBuffer(content) ? content : typeof content === 'string' ? Buffer.from(content) : readFileSync(content.file);
      const kind = (() => {
        try {
          return String(JSON.parse(bytes.toString('utf8')).kind);
        } catch {
          return '';
        }
      })();
      const by: TaskName = task ?? (kind === 'loadtest' || kind === 'capacity' ? 'ReadinessLoadTest' : kind === 'drill' ? 'ReadinessDrDrill' : kind === 'environment' ? 'ReadinessEnvironmentCheck' : 'ReadinessGate');
      const list = attachments.get(buildId) ?? [];
      list.push({ type, name, content: bytes, timelineId: randomUUID(), recordId: randomUUID(), task: { id: TASK_IDS[by], name: by } });
      attachments.set(buildId, list);
    },
    addApproval(runId, approval, stage = 'deploy') {
      const id = approval.id ?? randomUUID();
      const pipeline = { id: '7', name: 'pipeline', ...(approval.pipeline as object | undefined), owner: (approval.pipeline as { owner?: unknown } | undefined)?.owner ?? { id: runId, name: String(runId) } };
      approvals.set(id.toLowerCase(), { runId, stage, approval: { ...approval, id, pipeline } });
      return id;
    },
    addReleaseApproval(releaseId, approval) {
      releaseApprovals.set(releaseId, [...(releaseApprovals.get(releaseId) ?? []), approval]);
    },
    documents(collection) {
      return [...(collectionsOf(defaultScope).get(collection)?.values() ?? [])].map((d) => structuredClone(d));
    },
    putDocument(collection, doc) {
      const collections = collectionsOf(defaultScope);
      const target = collections.get(collection) ?? new Map<string, Doc>();
      collections.set(collection, target);
      return structuredClone(write(target, doc));
    },
    addIdentity(identity) {
      const id = identity.id ?? randomUUID();
      identities.set(id.toLowerCase(), { id, name: identity.name, members: identity.members });
      return id;
    },
    fail(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    addEnvironment(name) {
      const id = checksState.environments.size + 1;
      checksState.environments.set(id, { id, name });
      return id;
    },
    checkConfigurations: checksState.checks,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  if (header === `Bearer ${token}`) return true;
  // The hub sends Basic base64(":" + token) for attachment content (ado-extensions.md §1.6).
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  }
  return false;
}

function unauthorized(res: ServerResponse): void {
  res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' });
  res.end('Access denied.');
}

function vssError(res: ServerResponse, status: number, typeKey: string, message: string): void {
  json(res, status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.VisualStudio.Services.WebApi.${typeKey}, Microsoft.VisualStudio.Services.WebApi`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
