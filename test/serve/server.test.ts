import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Collections, SignOffDocument, SignOffEvent, subjectKey } from '../../src/gate/records';
import { DocumentExistsError, DocumentStore, EtagConflictError, StoredDocument, updateWithRetry } from '../../src/store/documentStore';
import { RunningServer, startServer } from '../../src/serve/server';
import { ensureHubBuilt, sessionToken } from '../support/browser';
import { seedStore, uuidFor } from '../hub/fixtures';

const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';

/**
 * A DocumentStore over the local REST API, the way the hub's ExtensionDataStore maps HTTP answers:
 * 409 on a stale etag or a taken id. Lets the tests use the shared updateWithRetry over real HTTP.
 */
class RestStore implements DocumentStore {
  conflicts = 0;
  constructor(private readonly base: string, private readonly token: string) {}
  private async call(method: string, collection: string, id?: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base}${DATA}/${collection}/Documents${id ? `/${encodeURIComponent(id)}` : ''}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
  private async write<T>(method: string, collection: string, doc: StoredDocument, conflict: () => Error): Promise<T> {
    const res = await this.call(method, collection, undefined, doc);
    if (res.status === 409) {
      this.conflicts++;
      throw conflict();
    }
    if (!res.ok) throw Object.assign(new Error(`${res.status}: ${await res.text()}`), { status: res.status });
    return (await res.json()) as T;
  }
  async getDocument<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    const res = await this.call('GET', collection, id);
    if (res.status === 404) return undefined;
    return (await res.json()) as T;
  }
  async getDocuments<T extends StoredDocument>(collection: string): Promise<T[]> {
    return (await (await this.call('GET', collection)).json()) as T[];
  }
  createDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    return this.write('POST', collection, doc, () => new DocumentExistsError(collection, doc.id));
  }
  updateDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    return this.write('PATCH', collection, doc, () => new EtagConflictError(collection, doc.id));
  }
  setDocument<T extends StoredDocument>(collection: string, doc: T): Promise<T> {
    return this.write('PUT', collection, doc, () => new EtagConflictError(collection, doc.id));
  }
  async deleteDocument(collection: string, id: string): Promise<void> {
    await this.call('DELETE', collection, id);
  }
}

function approval(by: { id: string; name: string }, role: string, n: number): SignOffEvent {
  return { type: 'signoff', id: `${by.id}-${n}`, role, decision: 'approve', by, at: new Date().toISOString(), comment: `round ${n}`, for: { service: 'checkout', environment: 'prod' } };
}

const append = (event: SignOffEvent) => (current: SignOffDocument | undefined): SignOffDocument => ({
  id: subjectKey('checkout', 'prod'),
  service: 'checkout',
  environment: 'prod',
  ...current,
  history: [...(current?.history ?? []), event],
});

describe('readiness serve: local REST API', () => {
  const alice = { id: 'alice', name: 'Alice Approver', groups: [] };
  const bob = { id: 'bob', name: 'Bob Builder', groups: [] };
  let storeDir: string;
  let hubDir: string;
  let asAlice: RunningServer;
  let asBob: RunningServer;
  const changes: string[] = [];

  before(async () => {
    hubDir = await ensureHubBuilt();
  });

  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-store-'));
    await seedStore(storeDir);
    changes.length = 0;
    const onChange = async (service: string, environment: string) => void changes.push(`${service}/${environment}`);
    asAlice = await startServer({ storeDir, hubDir, user: alice, onChange });
    asBob = await startServer({ storeDir, hubDir, user: bob });
  });

  afterEach(async () => {
    await asAlice.close();
    await asBob.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('auth: a data request without a session -> 401 naming how to get one', async () => {
    const res = await fetch(`${asAlice.url}${DATA}/status/Documents`);
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { message: string }).message, /sign-in link readiness serve printed/);
  });

  it('documents: list and read in the extension-data shape -> documents carry id and __etag', async () => {
    const store = new RestStore(asAlice.url, await sessionToken(asAlice.signInUrl()));
    const statuses = await store.getDocuments(Collections.status);
    assert.deepEqual(statuses.map((s) => s.id).sort(), ['checkout.prod', 'payments.prod', 'search.staging']);
    const one = await store.getDocument(Collections.status, 'checkout.prod');
    assert.equal(one?.__etag, 1);
    assert.equal(await store.getDocument(Collections.status, 'nope'), undefined);
    assert.deepEqual(await store.getDocuments('never-written'), []);
  });

  it('concurrency: two people signing at the same moment over HTTP -> both sign-offs land, none lost', async () => {
    const aliceStore = new RestStore(asAlice.url, await sessionToken(asAlice.signInUrl()));
    const bobStore = new RestStore(asBob.url, await sessionToken(asBob.signInUrl()));
    const rounds = 4;
    await Promise.all([
      ...Array.from({ length: rounds }, (_, n) => updateWithRetry(aliceStore, Collections.signoffs, 'checkout.prod', append(approval(alice, 'release-manager', n)))),
      ...Array.from({ length: rounds }, (_, n) => updateWithRetry(bobStore, Collections.signoffs, 'checkout.prod', append(approval(bob, 'security', n)))),
    ]);
    const doc = await aliceStore.getDocument<SignOffDocument>(Collections.signoffs, 'checkout.prod');
    const ids = doc!.history.map((e) => e.id);
    // The seeded approval plus every concurrent one, each exactly once.
    assert.equal(ids.length, 1 + 2 * rounds);
    for (let n = 0; n < rounds; n++) {
      assert.ok(ids.includes(`alice-${n}`) && ids.includes(`bob-${n}`), `round ${n} missing from ${ids.join(',')}`);
    }
    assert.ok(aliceStore.conflicts + bobStore.conflicts > 0, 'the writers really collided and retried');
    assert.equal(doc!.__etag, 1 + 2 * rounds); // seeded at 1, one increment per landed write
    assert.ok(changes.includes('checkout/prod'), 'onChange was told about the sign-off');
  });

  it('concurrency: a write with a stale __etag -> 409, the stored document is unchanged', async () => {
    const token = await sessionToken(asAlice.signInUrl());
    const store = new RestStore(asAlice.url, token);
    const current = await store.getDocument<SignOffDocument>(Collections.signoffs, 'checkout.prod');
    await store.updateDocument(Collections.signoffs, { ...current!, history: [...current!.history, approval(alice, 'release-manager', 1)] });
    await assert.rejects(
      store.updateDocument(Collections.signoffs, { ...current!, history: [...current!.history, approval(alice, 'release-manager', 2)] }),
      EtagConflictError,
    );
    const after = await store.getDocument<SignOffDocument>(Collections.signoffs, 'checkout.prod');
    assert.deepEqual(after!.history.map((e) => e.id), ['so-1', 'alice-1']);
  });

  const refused: Array<{ name: string; method: string; change: (doc: SignOffDocument) => unknown; status: number; message: RegExp }> = [
    { name: 'signing for a role the user does not hold', method: 'PATCH', change: (d) => ({ ...d, history: [...d.history, approval(alice, 'security', 9)] }), status: 403, message: /does not hold the role "security"/ },
    { name: 'signing on behalf of someone else', method: 'PATCH', change: (d) => ({ ...d, history: [...d.history, approval(bob, 'release-manager', 9)] }), status: 403, message: /on behalf of "bob"/ },
    { name: 'rewriting the history', method: 'PATCH', change: (d) => ({ ...d, history: [] }), status: 400, message: /append-only/ },
    { name: 'last-writer-wins (__etag -1)', method: 'PUT', change: (d) => ({ ...d, __etag: -1 }), status: 400, message: /never -1/ },
    { name: 'deleting the audit trail', method: 'DELETE', change: () => undefined, status: 403, message: /never deleted/ },
  ];
  for (const c of refused) {
    it(`sign-off rules: ${c.name} -> ${c.status}, nothing stored`, async () => {
      const token = await sessionToken(asAlice.signInUrl());
      const before = await new RestStore(asAlice.url, token).getDocument<SignOffDocument>(Collections.signoffs, 'checkout.prod');
      const body = c.change(before!);
      const res = await fetch(`${asAlice.url}${DATA}/signoffs/Documents${c.method === 'DELETE' ? '/checkout.prod' : ''}`, {
        method: c.method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.equal(res.status, c.status);
      assert.match(((await res.json()) as { message: string }).message, c.message);
      const after = await new RestStore(asAlice.url, token).getDocument<SignOffDocument>(Collections.signoffs, 'checkout.prod');
      assert.deepEqual(after, before);
    });
  }

  const waiverCases: Array<{ name: string; as: 'alice' | 'bob'; waiver: Record<string, unknown>; status: number; message: RegExp }> = [
    { name: 'the check owner role gives a waiver', as: 'alice', waiver: { check: 'load', reason: 'Load env down', until: '2099-01-01T00:00:00Z' }, status: 200, message: /./ },
    { name: 'someone without the owner role waives', as: 'bob', waiver: { check: 'load', reason: 'Load env down', until: '2099-01-01T00:00:00Z' }, status: 403, message: /may not waive "load": only holders of its owner role "release-manager"/ },
    { name: 'an expiry in the past', as: 'alice', waiver: { check: 'load', reason: 'Load env down', until: '2000-01-01T00:00:00Z' }, status: 400, message: /expiry in the future/ },
    { name: 'no reason', as: 'alice', waiver: { check: 'load', reason: ' ', until: '2099-01-01T00:00:00Z' }, status: 400, message: /a reason/ },
  ];
  for (const c of waiverCases) {
    it(`waiver rules: ${c.name} -> ${c.status}`, async () => {
      const server = c.as === 'alice' ? asAlice : asBob;
      const user = c.as === 'alice' ? alice : bob;
      const token = await sessionToken(server.signInUrl());
      const store = new RestStore(server.url, token);
      const before = await store.getDocument<StoredDocument & { waivers: unknown[] }>(Collections.waivers, 'checkout.prod');
      const res = await fetch(`${server.url}${DATA}/waivers/Documents`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...before, waivers: [...before!.waivers, { id: 'w-new', by: { id: user.id, name: user.name }, at: new Date().toISOString(), ...c.waiver }] }),
      });
      assert.equal(res.status, c.status);
      const after = await store.getDocument<StoredDocument & { waivers: unknown[] }>(Collections.waivers, 'checkout.prod');
      if (c.status === 200) assert.equal(after!.waivers.length, before!.waivers.length + 1);
      else {
        assert.match(((await res.json()) as { message: string }).message, c.message);
        assert.deepEqual(after, before);
      }
    });
  }

  it('build attachments: a run id -> its evidence documents, listed and readable by href', async () => {
    const token = await sessionToken(asAlice.signInUrl());
    const headers = { Authorization: `Bearer ${token}` };
    const list = (await (await fetch(`${asAlice.url}/local/_apis/build/builds/101/attachments/readiness.evidence`, { headers })).json()) as Array<{ name: string; _links: { self: { href: string } } }>;
    assert.deepEqual(list.map((a) => a.name).sort(), [`${uuidFor('gate-checkout-prod')}.json`, `${uuidFor('lt-checkout-prod')}.json`].sort());
    const evidence = (await (await fetch(list[0]._links.self.href, { headers })).json()) as { run: { runId: string }; __etag?: number };
    assert.equal(evidence.run.runId, '101');
    assert.equal(evidence.__etag, undefined);
  });

  it('documents: a collection name that is a path step -> 400, nothing outside the store is read', async () => {
    const token = await sessionToken(asAlice.signInUrl());
    for (const name of ['..%2E', '.%2e', 'a..b']) {
      const res = await fetch(`${asAlice.url}${DATA}/${name}/Documents`, { headers: { Authorization: `Bearer ${token}` } });
      assert.ok(res.status === 400 || res.status === 404, `${name}: ${res.status}`);
      if (res.status === 400) assert.match(((await res.json()) as { message: string }).message, /not a valid collection name/);
    }
  });

  it('static files: a path outside the hub folder -> 404', async () => {
    const res = await fetch(`${asAlice.url}/hub/..%2F..%2Fpackage.json`);
    assert.equal(res.status, 404);
  });

  it('start-up: a hub folder without a build -> ConfigError naming the folder and the fix', async () => {
    await assert.rejects(startServer({ storeDir, hubDir: storeDir }), (error: Error) => {
      assert.equal(error.name, 'ConfigError');
      assert.match(error.message, /not built in .*Run "npm run build"/);
      return true;
    });
  });
});
