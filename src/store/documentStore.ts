/**
 * The extension-data document model (Azure DevOps "data storage"): documents live in named
 * collections, carry an `id` and an `__etag`, and a write with a stale `__etag` is refused.
 * The hub's Azure DevOps client, the local file store and the test emulators all follow it,
 * so code above this interface never knows which one it talks to.
 */
export interface StoredDocument {
  id: string;
  /** Incremented by the store on every write. Never send -1 for sign-offs (last writer wins). */
  __etag?: number;
  [key: string]: unknown;
}

export class EtagConflictError extends Error {
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`Document ${collection}/${id} was changed by someone else; re-read, merge and retry.`);
    this.name = 'EtagConflictError';
  }
}

export class DocumentExistsError extends Error {
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`Document ${collection}/${id} already exists.`);
    this.name = 'DocumentExistsError';
  }
}

export interface DocumentStore {
  getDocument<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined>;
  /** All documents of a collection; a missing collection is empty, not an error. */
  getDocuments<T extends StoredDocument>(collection: string): Promise<T[]>;
  /** Fails with DocumentExistsError when the id is taken. */
  createDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T>;
  /** Must exist and `doc.__etag` must equal the stored one, else EtagConflictError. */
  updateDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T>;
  /** Upsert. With `__etag` set it is checked like updateDocument; `__etag: -1` writes unconditionally. */
  setDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T>;
  deleteDocument(collection: string, id: string): Promise<void>;
}

/**
 * Read-modify-write with optimistic concurrency: re-reads and re-applies `change` whenever the
 * store reports that another writer got there first, so two concurrent writers both land.
 */
export async function updateWithRetry<T extends StoredDocument>(
  store: DocumentStore,
  collection: string,
  id: string,
  change: (current: T | undefined) => T,
  attempts = 20,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.getDocument<T>(collection, id);
    const next = change(current ? structuredClone(current) : undefined);
    next.id = id;
    try {
      if (current) return await store.updateDocument(collection, { ...next, __etag: current.__etag });
      const { __etag: _ignored, ...fresh } = next;
      return await store.createDocument(collection, fresh as T);
    } catch (error) {
      if (!(error instanceof EtagConflictError) && !(error instanceof DocumentExistsError)) throw error;
      lastError = error;
      // Spread retries so two writers in lock-step do not collide again and again.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20 * (attempt + 1))));
    }
  }
  throw lastError;
}
