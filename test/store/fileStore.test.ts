import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentExistsError, EtagConflictError, updateWithRetry } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';

describe('FileDocumentStore', () => {
  const store = () => new FileDocumentStore(mkdtempSync(path.join(os.tmpdir(), 'readiness-store-')));

  it('create: a taken id -> DocumentExistsError, the stored document unchanged', async () => {
    const s = store();
    await s.createDocument('things', { id: 'a', value: 1 });
    await assert.rejects(s.createDocument('things', { id: 'a', value: 2 }), DocumentExistsError);
    assert.equal((await s.getDocument<{ id: string; value: number }>('things', 'a'))?.value, 1);
  });

  it('update: a stale __etag -> EtagConflictError; the current one -> etag incremented', async () => {
    const s = store();
    const first = await s.createDocument<{ id: string; value: number; __etag?: number }>('things', { id: 'a', value: 1 });
    assert.equal(first.__etag, 1);
    const second = await s.updateDocument('things', { ...first, value: 2 });
    assert.equal(second.__etag, 2);
    await assert.rejects(s.updateDocument('things', { ...first, value: 3 }), EtagConflictError);
  });

  it('collections: a missing one -> empty list; "." or ".." -> refused, nothing outside the store touched', async () => {
    const s = store();
    assert.deepEqual(await s.getDocuments('nothing-here'), []);
    for (const name of ['..', '.', '../x', 'a/b']) await assert.rejects(s.createDocument(name, { id: 'x' }), /Invalid collection name/);
  });

  it('updateWithRetry: 25 writers appending at once across two store instances -> every entry lands', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'readiness-store-'));
    const stores = [new FileDocumentStore(root), new FileDocumentStore(root)];
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        updateWithRetry<{ id: string; entries: number[] }>(stores[i % 2], 'log', 'one', (current) => ({ id: 'one', entries: [...(current?.entries ?? []), i] })),
      ),
    );
    const doc = await stores[0].getDocument<{ id: string; entries: number[] }>('log', 'one');
    assert.deepEqual([...(doc?.entries ?? [])].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
  });
});

describe('FileDocumentStore locks', () => {
  it('lock: left behind by a writer that died (old) -> taken over, the write lands', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'readiness-store-'));
    const s = new FileDocumentStore(root);
    await s.createDocument('things', { id: 'a', value: 1 });
    const lock = path.join(root, 'things', 'a.json.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const updated = await s.setDocument<{ id: string; value: number; __etag?: number }>('things', { id: 'a', value: 2 });
    assert.equal(updated.__etag, 2);
    assert.equal(existsSync(lock), false);
  });

  it('lock: held by a live writer (fresh) -> never stolen; the waiter gives up with a message naming the lock', async function () {
    this.timeout(20_000);
    const root = mkdtempSync(path.join(os.tmpdir(), 'readiness-store-'));
    const s = new FileDocumentStore(root);
    await s.createDocument('things', { id: 'a', value: 1 });
    const lock = path.join(root, 'things', 'a.json.lock');
    writeFileSync(lock, '');
    await assert.rejects(s.setDocument('things', { id: 'a', value: 2 }), /stayed locked .* delete .*a\.json\.lock/);
    assert.equal(existsSync(lock), true, 'a fresh lock is not removed');
    assert.equal((await s.getDocument<{ id: string; value: number }>('things', 'a'))?.value, 1);
  });
});
