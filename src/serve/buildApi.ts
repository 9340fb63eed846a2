import type { ServerResponse } from 'node:http';
import { EVIDENCE_ATTACHMENT_TYPE } from '../evidence/types';
import { Collections } from '../gate/records';
import type { DocumentStore, StoredDocument } from '../store/documentStore';
import { FileDocumentStore } from '../store/fileStore';
import { decodePathPart, HttpError, sendJson } from './http';
import { getRun, pipelinesOf } from './localPipelines';

/**
 * Build attachments as the Build REST client sees them, made from the local evidence collection: a
 * run's attachments are the evidence documents whose `run.runId` is that build id.
 *   GET {project}/_apis/build/builds/{buildId}/attachments/{type}                       -> list
 *   GET {project}/_apis/build/builds/{buildId}/{timeline}/{record}/attachments/{type}/{name} -> content
 * (routes from azure-devops-extension-api Build/BuildClient, api-version 7.2-preview.2)
 */
const LIST = /^\/([^/]+)\/_apis\/build\/builds\/(\d+)\/attachments\/([^/]+)\/?$/i;
const CONTENT = /^\/([^/]+)\/_apis\/build\/builds\/(\d+)\/([^/]+)\/([^/]+)\/attachments\/([^/]+)\/([^/]+)$/i;

export function matchesBuildApi(pathname: string): boolean {
  return LIST.test(pathname) || CONTENT.test(pathname);
}

/** A run's attachments: evidence recorded with its run id, and the evidence a local run was made from. */
async function runEvidence(store: DocumentStore, buildId: string): Promise<StoredDocument[]> {
  const all = await store.getDocuments(Collections.evidence);
  const local = store instanceof FileDocumentStore ? await getRun(pipelinesOf(store)!, Number(buildId)) : undefined;
  const ids = new Set(local?.evidenceIds ?? []);
  return all.filter((d) => ids.has(d.id) || String((d as { run?: { runId?: unknown } }).run?.runId ?? '') === buildId);
}

export async function handleBuildApi(pathname: string, origin: string, store: DocumentStore, res: ServerResponse): Promise<void> {
  const list = LIST.exec(pathname);
  if (list) {
    const [, project, buildId, type] = list;
    if (decodePathPart(type, 'attachment type') !== EVIDENCE_ATTACHMENT_TYPE) return sendJson(res, 200, []);
    const docs = await runEvidence(store, buildId);
    return sendJson(
      res,
      200,
      docs.map((d) => {
        const name = `${d.id}.json`;
        const href = `${origin}/${project}/_apis/build/builds/${buildId}/local/local/attachments/${encodeURIComponent(EVIDENCE_ATTACHMENT_TYPE)}/${encodeURIComponent(name)}`;
        return { name, _links: { self: { href } } };
      }),
    );
  }
  const content = CONTENT.exec(pathname);
  if (!content) throw new HttpError(404, 'Not found.');
  const [, , buildId, , , , rawName] = content;
  const name = decodePathPart(rawName, 'attachment name');
  const doc = (await runEvidence(store, buildId)).find((d) => `${d.id}.json` === name);
  if (!doc) throw new HttpError(404, `Run ${buildId} has no attachment named ${name}.`);
  const { __etag: _etag, ...evidence } = doc;
  sendJson(res, 200, evidence);
}
