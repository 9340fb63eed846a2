import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DocumentExistsError, DocumentStore, EtagConflictError, StoredDocument } from './documentStore';

/**
 * The local store behind the CLI and `readiness serve`: one JSON file per document under
 * `<root>/<collection>/<id>.json`. Writes go to a temporary file and are renamed into place, so a
 * crash never leaves half a document. A per-document lock file (O_EXCL) makes the etag check and
 * the write one step, across processes as well as within one.
 */
/** How long a writer waits for another; a lock older than LOCK_STALE_MS belongs to a writer that died. */
const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;

async function isAbandoned(lock: string): Promise<boolean> {
  try {
    return Date.now() - (await fs.stat(lock)).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false; // released meanwhile: try again
  }
}

export class FileDocumentStore implements DocumentStore {
  constructor(readonly root: string) {}

  async getDocument<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.file(collection, id), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async getDocuments<T extends StoredDocument>(collection: string): Promise<T[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir(collection));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const docs: T[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const doc = await this.getDocument<T>(collection, decodeURIComponent(name.slice(0, -5)));
      if (doc) docs.push(doc);
    }
    return docs;
  }

  createDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    return this.write(collection, doc, (current) => {
      if (current) throw new DocumentExistsError(collection, doc.id);
    });
  }

  updateDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    return this.write(collection, doc, (current) => {
      if (!current || current.__etag !== doc.__etag) throw new EtagConflictError(collection, doc.id);
    });
  }

  setDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    return this.write(collection, doc, (current) => {
      if (doc.__etag === undefined || doc.__etag === -1) return;
      if ((current?.__etag ?? 0) !== doc.__etag) throw new EtagConflictError(collection, doc.id);
    });
  }

  async deleteDocument(collection: string, id: string): Promise<void> {
    await this.withLock(collection, id, async () => {
      await fs.rm(this.file(collection, id), { force: true });
    });
  }

  private async write<T extends StoredDocument>(
    collection: string,
    doc: T,
    check: (current: StoredDocument | undefined) => void,
  ): Promise<T> {
    if (!doc.id || typeof doc.id !== 'string') throw new Error(`A document in ${collection} needs a string id.`);
    await fs.mkdir(this.dir(collection), { recursive: true });
    return this.withLock(collection, doc.id, async () => {
      const current = await this.getDocument(collection, doc.id);
      check(current);
      const stored = { ...doc, __etag: (current?.__etag ?? 0) + 1 } as T;
      const target = this.file(collection, doc.id);
      const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temp, JSON.stringify(stored, null, 2));
      await fs.rename(temp, target);
      return stored;
    });
  }

  private async withLock<R>(collection: string, id: string, work: () => Promise<R>): Promise<R> {
    const lock = `${this.file(collection, id)}.lock`;
    await fs.mkdir(path.dirname(lock), { recursive: true });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await fs.open(lock, 'wx');
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await isAbandoned(lock)) {
          // Written by a process that died mid-write: a live writer holds a lock for milliseconds.
          await fs.rm(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new Error(`Document ${collection}/${id} stayed locked for ${LOCK_WAIT_MS / 1000} s; if no other readiness process is running, delete ${lock}.`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    try {
      return await work();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  private dir(collection: string): string {
    // A leading dot would allow "." and "..", which point at or above the store folder.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(collection)) throw new Error(`Invalid collection name "${collection}".`);
    return path.join(this.root, collection);
  }

  private file(collection: string, id: string): string {
    return path.join(this.dir(collection), `${encodeURIComponent(id)}.json`);
  }
}
