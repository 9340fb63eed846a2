import type { IncomingMessage, ServerResponse } from 'node:http';
import { APPROVAL_RECORD_TYPE } from '../azdo/approvals';
import { HttpError, readJson, sendJson } from './http';
import type { FileDocumentStore } from '../store/fileStore';
import { decide, getRun, listApprovals, served, type StoredApproval } from './localPipelines';
import type { ServeUser } from './signOffRules';

/**
 * The Approvals API and the run routes the gate and the hub call, played by `readiness serve` over the local runs
 * (src/serve/localPipelines.ts). Routes and shapes as documented for Azure DevOps 7.1
 * (learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/approvals: Query, Get, Update;
 * learn.microsoft.com/rest/api/azure/devops/build/timeline/get; .../build/builds/get):
 *
 *   GET   {project}/_apis/pipelines/approvals?state=pending&$expand=steps&approvalIds=&top=   -> { count, value }
 *   GET   {project}/_apis/pipelines/approvals/{id}?$expand=steps                              -> Approval
 *   PATCH {project}/_apis/pipelines/approvals   [{ approvalId, status, comment }]              -> { count, value }
 *   GET   {project}/_apis/build/builds/{id}/timeline  -> { records: [{ id, type: "Checkpoint.Approval", ... }] }
 *   GET   {project}/_apis/build/builds/{id}           -> the run: sourceVersion, sourceBranch, reason
 *
 * The approver of a PATCH is the signed-in user of this server (the one the host page hands its token to), never
 * anything in the body: the body names only the approval, the decision and a comment, as in Azure DevOps.
 */
const APPROVALS = /^\/([^/]+)\/_apis\/pipelines\/approvals(?:\/([^/]+))?\/?$/i;
const TIMELINE = /^\/([^/]+)\/_apis\/build\/builds\/(\d+)\/timeline\/?$/i;
const BUILD = /^\/([^/]+)\/_apis\/build\/builds\/(\d+)\/?$/i;

export function matchesApprovalsApi(pathname: string): boolean {
  return APPROVALS.test(pathname) || TIMELINE.test(pathname) || BUILD.test(pathname);
}

export interface ApprovalsContext {
  pipelines: FileDocumentStore;
  user: ServeUser;
  origin: string;
  onChange?: (service: string, environment: string) => Promise<void>;
  log: (line: string) => void;
}

const STATES = new Set(['pending', 'approved', 'rejected', 'skipped', 'canceled', 'timedOut', 'failed', 'completed', 'all', 'undefined', 'uninitiated']);

export async function handleApprovalsApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ApprovalsContext): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const pathname = url.pathname;
  const approvals = APPROVALS.exec(pathname);
  if (approvals) {
    const [, , id] = approvals;
    const expand = (url.searchParams.get('$expand') ?? '').toLowerCase().split(',').includes('steps');
    if (method === 'GET' && id !== undefined) {
      const found = (await listApprovals(ctx.pipelines)).find((a) => a.id === decodeURIComponent(id));
      if (!found) throw new HttpError(404, `Approval ${id} does not exist.`, 'ApprovalNotFoundException');
      return sendJson(res, 200, served(found, expand));
    }
    if (method === 'GET') {
      const state = url.searchParams.get('state');
      if (state && !STATES.has(state)) throw new HttpError(400, `state "${state}" is not an approval state.`, 'InvalidRequestException');
      const ids = url.searchParams.get('approvalIds')?.split(',').filter(Boolean);
      const top = Number(url.searchParams.get('top') ?? '0');
      let value = (await listApprovals(ctx.pipelines))
        .filter((a) => !state || state === 'all' || a.status === state || (state === 'completed' && a.status !== 'pending'))
        .filter((a) => !ids || ids.includes(a.id))
        .sort((a, b) => String(b.createdOn).localeCompare(String(a.createdOn)));
      if (Number.isInteger(top) && top > 0) value = value.slice(0, top);
      return sendJson(res, 200, { count: value.length, value: value.map((a) => served(a, expand)) });
    }
    if (method === 'PATCH' && id === undefined) {
      const body = await readJson(req);
      if (!Array.isArray(body) || !body.length) {
        throw new HttpError(400, 'Send a list of decisions: [{ "approvalId": "...", "status": "approved" | "rejected", "comment": "..." }].', 'InvalidRequestException');
      }
      const updated: StoredApproval[] = [];
      for (const item of body as Array<Record<string, unknown>>) {
        if (!item || typeof item.approvalId !== 'string') throw new HttpError(400, 'Each decision needs an approvalId.', 'InvalidRequestException');
        if (item.comment !== undefined && typeof item.comment !== 'string') throw new HttpError(400, 'comment must be text.', 'InvalidRequestException');
        updated.push(await decide(ctx.pipelines, ctx.user, { approvalId: item.approvalId, status: item.status as 'approved', comment: item.comment as string | undefined }));
      }
      sendJson(res, 200, { count: updated.length, value: updated.map((a) => served(a)) });
      for (const a of updated) {
        ctx.log(`readiness serve: ${ctx.user.name} (${ctx.user.id}) ${a.steps.some((s) => s.status === 'rejected') ? 'rejected' : 'approved'} ${a.subject.service} for ${a.subject.environment} in run ${a.pipeline?.owner.id}; approval is ${a.status}.`);
        ctx.onChange?.(a.subject.service, a.subject.environment).catch((error: unknown) =>
          ctx.log(`readiness serve: re-evaluating ${a.subject.service} in ${a.subject.environment} failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
      return;
    }
    throw new HttpError(405, `${method} is not supported on ${pathname}.`);
  }
  if (method !== 'GET') throw new HttpError(405, `${method} is not supported on ${pathname}.`);
  const timeline = TIMELINE.exec(pathname);
  const runId = Number((timeline ?? BUILD.exec(pathname))![2]);
  const run = await getRun(ctx.pipelines, runId);
  if (!run) throw new HttpError(404, `Run ${runId} was not found.`, 'BuildNotFoundException');
  if (timeline) {
    const own = (await listApprovals(ctx.pipelines)).filter((a) => a.pipeline?.owner.id === runId);
    const records = own.map((a) => ({
      id: a.id,
      parentId: null,
      type: APPROVAL_RECORD_TYPE,
      name: 'Approval',
      state: a.status === 'pending' ? 'inProgress' : 'completed',
      result: a.status === 'pending' ? null : a.status === 'approved' ? 'succeeded' : 'failed',
      startTime: a.createdOn,
      finishTime: a.status === 'pending' ? null : a.lastModifiedOn,
    }));
    return sendJson(res, 200, { id: run.id, changeId: 1, records });
  }
  return sendJson(res, 200, {
    id: run.runId,
    buildNumber: `${run.service}#${run.runId}`,
    status: 'inProgress',
    sourceVersion: run.sourceVersion,
    sourceBranch: run.sourceBranch,
    reason: run.reason,
    queueTime: run.queueTime,
    definition: { id: 1, name: `${run.service} (local)` },
    _links: { web: { href: `${ctx.origin}/host/build-tab?buildId=${run.runId}` } },
  });
}
