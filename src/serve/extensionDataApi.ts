import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Collections, SignOffDocument, WaiverDocument } from '../gate/records';
import { DocumentExistsError, DocumentStore, EtagConflictError, StoredDocument } from '../store/documentStore';
import { FileDocumentStore } from '../store/fileStore';
import { decodePathPart, HttpError, readJson, sendJson } from './http';
import { checkSignOffWrite, checkWaiverWrite, ServeUser } from './signOffRules';

/**
 * The extension-data REST API in the shape the ExtensionManagement client calls
 * (azure-devops-extension-api ExtensionManagementClient, api-version 7.2-preview.1):
 *
 *   _apis/ExtensionManagement/InstalledExtensions/{publisher}/{extension}/Data/Scopes/{scopeType}/{scopeValue}
 *     /Collections/{collection}/Documents[/{documentId}]
 *
 * GET lists or reads, POST creates (fails if the id exists), PUT upserts, PATCH updates (must exist),
 * DELETE removes. A write whose `__etag` is stale gets 409; the client re-reads, merges and retries.
 */
const ROUTE =
  /^\/_apis\/extensionmanagement\/installedextensions\/([^/]+)\/([^/]+)\/data\/scopes\/([^/]+)\/([^/]+)\/collections\/([^/]+)\/documents(?:\/([^/]+))?\/?$/i;

export const POLICIES_COLLECTION = 'policies';

export interface ExtensionDataContext {
  store: DocumentStore;
  user: ServeUser;
  onChange?: (service: string, environment: string) => Promise<void>;
  log: (line: string) => void;
}

/**
 * Case and trailing dots ignored: on case-insensitive or Windows file systems "Policies" or "policies."
 * would be the same folder as "policies".
 */
function isPoliciesCollection(collection: string): boolean {
  return collection.toLowerCase().replace(/\.+$/, '') === POLICIES_COLLECTION;
}

export function matchesExtensionData(pathname: string): boolean {
  return ROUTE.test(pathname);
}

/** `User/Me` documents are private to the user: kept in a collection of their own. */
function collectionFor(scopeType: string, collection: string, user: ServeUser): string {
  // Collection names become folder names: letters, digits, '-', '_' and '.', never a path step like '..'.
  if (!/^[A-Za-z0-9_$-][A-Za-z0-9._$-]*$/.test(collection) || collection.includes('..')) {
    throw new HttpError(400, `"${collection}" is not a valid collection name.`);
  }
  // "Signoffs" or "signoffs." name the real folder on case-insensitive or Windows file systems, and would skip the
  // rules below that compare names exactly: every spelling other than the canonical one of a known collection is refused.
  const canonical = collection.toLowerCase().replace(/\.+$/, '');
  // (policies has its own, stricter rule below, which already ignores case and trailing dots.)
  if (canonical !== collection && canonical !== POLICIES_COLLECTION && (Object.values(Collections) as string[]).includes(canonical)) {
    throw new HttpError(403, `"${collection}" is refused: the collection is spelled "${canonical}", and its write rules apply only to that name.`, 'UnauthorizedRequestException');
  }
  if (scopeType.toLowerCase() === 'user') return `user.${user.id.replace(/[^A-Za-z0-9_-]+/g, '-')}.${collection}`;
  if (scopeType.toLowerCase() !== 'default') throw new HttpError(400, `Unknown scope type "${scopeType}"; use Default or User.`);
  return collection;
}

function asDocument(body: unknown, id?: string): StoredDocument {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'A document must be a JSON object.');
  const doc = { ...(body as Record<string, unknown>) } as StoredDocument;
  if (id && doc.id === undefined) doc.id = id;
  if (doc.id === undefined || doc.id === '') doc.id = randomUUID();
  if (typeof doc.id !== 'string') throw new HttpError(400, 'A document id must be a string.');
  if (doc.__etag !== undefined && typeof doc.__etag !== 'number') throw new HttpError(400, '"__etag" must be a number.');
  return doc;
}

/**
 * Lists a collection. The file store reads one file after another; the hub's first render waits on the
 * biggest collection (bench/hub-render.ts), so here the files are read several at a time.
 */
async function listDocuments(store: DocumentStore, collection: string): Promise<StoredDocument[]> {
  if (!(store instanceof FileDocumentStore)) return store.getDocuments(collection);
  let names: string[];
  try {
    names = (await fs.readdir(path.join(store.root, collection))).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const docs: StoredDocument[] = [];
  for (let i = 0; i < names.length; i += 32) {
    const batch = await Promise.all(names.slice(i, i + 32).map((n) => store.getDocument(collection, decodeURIComponent(n.slice(0, -5)))));
    for (const doc of batch) if (doc) docs.push(doc);
  }
  return docs;
}

export async function handleExtensionData(req: IncomingMessage, res: ServerResponse, pathname: string, ctx: ExtensionDataContext): Promise<void> {
  const match = ROUTE.exec(pathname);
  if (!match) throw new HttpError(404, 'Not found.');
  const [, , , scopeType, , rawCollection, rawId] = match;
  const collection = collectionFor(scopeType, decodePathPart(rawCollection, 'collection name'), ctx.user);
  const id = rawId === undefined ? undefined : decodePathPart(rawId, 'document id');
  const { store } = ctx;
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && isPoliciesCollection(collection)) {
    // The roles decide who may sign (checkSignOffWrite below reads them). If the hub's token could write
    // them, anyone holding it could grant themselves a role; so they come only from the policy file.
    throw new HttpError(
      403,
      `The ${POLICIES_COLLECTION} collection (roles and who may sign) cannot be changed through the local server; ` +
        'its documents come from the policy file: restart with "readiness serve --policy FILE" after editing the roles.',
      'UnauthorizedRequestException',
    );
  }

  if (method !== 'GET' && (collection === Collections.status || collection === Collections.evidence)) {
    // The verdict and the evidence are written by the local gate only; through the hub's token they could be forged.
    throw new HttpError(403, `The ${collection} collection is written by the gate only, never through the local server.`, 'UnauthorizedRequestException');
  }
  if (method === 'GET') {
    if (id === undefined) return sendJson(res, 200, await listDocuments(store, collection));
    const doc = await store.getDocument(collection, id);
    if (!doc) throw new HttpError(404, `Document ${id} does not exist in collection ${collection}.`, 'DocumentDoesNotExistException');
    return sendJson(res, 200, doc);
  }
  if (method === 'DELETE') {
    if (id === undefined) throw new HttpError(400, 'Name the document to delete.');
    if (collection === Collections.signoffs || collection === Collections.waivers) {
      throw new HttpError(403, `${collection} documents are an audit trail and are never deleted.`);
    }
    await store.deleteDocument(collection, id);
    res.writeHead(204).end();
    return;
  }
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') throw new HttpError(405, `${method} is not supported here.`);

  const doc = asDocument(await readJson(req), id);
  if (collection === Collections.signoffs || collection === Collections.waivers) {
    const stored = await store.getDocument<SignOffDocument | WaiverDocument>(collection, doc.id);
    if (method === 'PUT' && (doc.__etag === undefined || doc.__etag === -1)) {
      // DESIGN.md: never last-writer-wins for sign-offs; it could drop someone else's decision.
      throw new HttpError(400, `${collection} must be written with the __etag that was read (never -1).`, 'InvalidDocumentVersionException');
    }
    // A stale write is a conflict first (409: re-read and retry), before any rule is judged on old data.
    // When the etag matches, the store's own locked etag check guarantees `stored` is what gets replaced.
    if (method === 'POST' && stored) throw new HttpError(409, `Document ${doc.id} already exists.`, 'DocumentExistsException');
    if (method !== 'POST' && (stored?.__etag ?? 0) !== (doc.__etag ?? 0)) {
      throw new HttpError(409, `Document ${collection}/${doc.id} was changed by someone else; re-read, merge and retry.`, 'InvalidDocumentVersionException');
    }
    const policy = await store.getDocument(POLICIES_COLLECTION, doc.id);
    if (collection === Collections.signoffs) checkSignOffWrite(stored as SignOffDocument | undefined, doc, policy, ctx.user);
    else checkWaiverWrite(stored as WaiverDocument | undefined, doc, policy, ctx.user);
  }
  let saved: StoredDocument;
  try {
    if (method === 'POST') saved = await store.createDocument(collection, doc);
    else if (method === 'PATCH') saved = await store.updateDocument(collection, doc);
    else saved = await store.setDocument(collection, doc);
  } catch (error) {
    if (error instanceof EtagConflictError) throw new HttpError(409, error.message, 'InvalidDocumentVersionException');
    if (error instanceof DocumentExistsError) throw new HttpError(409, error.message, 'DocumentExistsException');
    throw error;
  }
  sendJson(res, 200, saved);
  if ((collection === Collections.signoffs || collection === Collections.waivers) && ctx.onChange) {
    const { service, environment } = saved as { service?: unknown; environment?: unknown };
    if (typeof service === 'string' && typeof environment === 'string') {
      ctx.onChange(service, environment).catch((error: unknown) =>
        ctx.log(`readiness serve: re-evaluating ${service} in ${environment} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }
}
