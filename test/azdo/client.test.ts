import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { createAzureDevOpsClient, type AzureDevOpsClient } from '../../src/azdo/client';
import { defaultExtensionDataUri } from '../../src/azdo/urls';
import { ConfigError, InfrastructureError } from '../../src/errors';
import { EVIDENCE_ATTACHMENT_TYPE } from '../../src/evidence/types';
import { DocumentExistsError, EtagConflictError, type StoredDocument, updateWithRetry } from '../../src/store/documentStore';
import { type AzdoEmulator, startAzdoEmulator } from '../support/azdoEmulator';

const TOKEN = 'job-token-8f2c61d0-secret';

describe('azdo client', () => {
  let emulator: AzdoEmulator;
  let client: AzureDevOpsClient;

  const clientFor = (overrides: Partial<Parameters<typeof createAzureDevOpsClient>[0]> = {}) =>
    createAzureDevOpsClient({
      collectionUri: emulator.collectionUri,
      project: emulator.project,
      accessToken: TOKEN,
      publisher: emulator.publisher,
      extensionId: emulator.extensionId,
      retryDelayMs: 10,
      timeoutMs: 2000,
      ...overrides,
    });

  beforeEach(async () => {
    emulator = await startAzdoEmulator({ accessToken: TOKEN });
    client = clientFor();
  });
  afterEach(() => emulator.close());

  describe('extension data host', () => {
    const cases = [
      { name: 'dev.azure.com -> extmgmt.dev.azure.com', from: 'https://dev.azure.com/contoso/', to: 'https://extmgmt.dev.azure.com/contoso/' },
      { name: 'dev.azure.com without trailing slash -> same host', from: 'https://dev.azure.com/contoso', to: 'https://extmgmt.dev.azure.com/contoso/' },
      { name: 'legacy visualstudio.com -> {org}.extmgmt.visualstudio.com', from: 'https://contoso.visualstudio.com/', to: 'https://contoso.extmgmt.visualstudio.com/' },
      { name: 'Azure DevOps Server -> the collection URI itself', from: 'https://tfs.example.org/tfs/DefaultCollection', to: 'https://tfs.example.org/tfs/DefaultCollection/' },
    ];
    for (const c of cases) it(`extension data URI: ${c.name}`, () => assert.equal(defaultExtensionDataUri(c.from), c.to));

    it('options: empty token and project -> one ConfigError naming both', () => {
      assert.throws(
        () => createAzureDevOpsClient({ collectionUri: 'https://dev.azure.com/contoso/', project: '', accessToken: '', publisher: 'p', extensionId: 'e' }),
        (error: unknown) => error instanceof ConfigError && error.problems.length === 2 && /project/.test(error.message) && /accessToken/.test(error.message),
      );
    });
  });

  describe('build attachments and runs', () => {
    it('attachments: listed by type for the run -> names and links, content read back byte for byte', async () => {
      emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'loadtest.json', '{"kind":"loadtest"}');
      emulator.addAttachment(42, EVIDENCE_ATTACHMENT_TYPE, 'drill.json', '{"kind":"drill"}');
      emulator.addAttachment(42, 'other.type', 'ignored.txt', 'x');
      emulator.addAttachment(43, EVIDENCE_ATTACHMENT_TYPE, 'other-run.json', '{}');

      const attachments = await client.listBuildAttachments(42, EVIDENCE_ATTACHMENT_TYPE);
      assert.deepEqual(attachments.map((a) => a.name).sort(), ['drill.json', 'loadtest.json']);
      const drill = attachments.find((a) => a.name === 'drill.json')!;
      assert.equal((await client.getAttachmentContent(drill.href)).toString('utf8'), '{"kind":"drill"}');
      assert.ok(emulator.requests.every((r) => r.authorization === `Bearer ${TOKEN}`));
    });

    it('attachments: a run with none -> empty list', async () => {
      emulator.addBuild({ id: 7 });
      assert.deepEqual(await client.listBuildAttachments(7, EVIDENCE_ATTACHMENT_TYPE), []);
    });

    it('attachments: unknown run -> InfrastructureError naming the run and project', async () => {
      await assert.rejects(client.listBuildAttachments(999, EVIDENCE_ATTACHMENT_TYPE), (error: unknown) =>
        error instanceof InfrastructureError && /run 999/.test(error.message) && /Orders/.test(error.message));
    });

    it('attachments: a link to another host -> refused, the token is never sent there', async () => {
      let called = false;
      const other: Server = createServer((_req, res) => { called = true; res.end('x'); });
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      try {
        const href = `http://127.0.0.1:${(other.address() as AddressInfo).port}/steal`;
        await assert.rejects(client.getAttachmentContent(href), /Refusing to send the job's token/);
        assert.equal(called, false);
      } finally {
        await new Promise<void>((resolve) => other.close(() => resolve()));
      }
    });

    it('runs: earlier completed runs of one pipeline -> newest first, limited to top', async () => {
      emulator.addBuild({ id: 1, definitionId: 5, finishTime: '2026-11-01T10:00:00Z' });
      emulator.addBuild({ id: 2, definitionId: 5, finishTime: '2026-11-03T10:00:00Z', result: 'failed' });
      emulator.addBuild({ id: 3, definitionId: 5, finishTime: '2026-11-02T10:00:00Z' });
      emulator.addBuild({ id: 4, definitionId: 6, finishTime: '2026-11-04T10:00:00Z' });
      emulator.addBuild({ id: 5, definitionId: 5, status: 'inProgress' });

      const runs = await client.listBuilds({ definitionId: 5, top: 2, statusFilter: 'completed' });
      assert.deepEqual(runs.map((r) => r.id), [2, 3]);
      assert.equal(runs[0].result, 'failed');
      assert.equal(runs[0].definitionId, 5);
      const query = emulator.requests.at(-1)!.query;
      assert.equal(query.get('definitions'), '5');
      assert.equal(query.get('$top'), '2');
      assert.equal(query.get('api-version'), '7.1');
    });
  });

  describe('extension data', () => {
    it('documents: create, get, list, update, set, delete -> etags increment and reads follow writes', async () => {
      const store = client.extensionData;
      assert.deepEqual(await store.getDocuments('status'), [], 'a collection that never held a document is empty');
      assert.equal(await store.getDocument('status', 'orders-api.production'), undefined);

      const created: StoredDocument = await store.createDocument<StoredDocument>('status', { id: 'orders-api.production', status: 'not-ready' });
      assert.equal(created.__etag, 1);
      const updated = await store.updateDocument('status', { ...created, status: 'ready' });
      assert.equal(updated.__etag, 2);
      assert.equal((await store.getDocument('status', 'orders-api.production'))?.status, 'ready');
      const forced = await store.setDocument<StoredDocument>('status', { id: 'orders-api.production', __etag: -1, status: 'warn' });
      assert.equal(forced.__etag, 3);
      assert.deepEqual((await store.getDocuments('status')).map((d) => d.status), ['warn']);
      assert.deepEqual(emulator.documents('status').map((d) => d.__etag), [3]);

      await store.deleteDocument('status', 'orders-api.production');
      await store.deleteDocument('status', 'orders-api.production');
      assert.deepEqual(await store.getDocuments('status'), []);
    });

    it('documents: update with a stale etag -> EtagConflictError, the stored document unchanged', async () => {
      const store = client.extensionData;
      const first = await store.createDocument('signoffs', { id: 's1', history: [] as unknown[] });
      await store.updateDocument('signoffs', { ...first, history: ['a'] });
      await assert.rejects(store.updateDocument('signoffs', { ...first, history: ['b'] }), EtagConflictError);
      await assert.rejects(store.setDocument('signoffs', { ...first, history: ['c'] }), EtagConflictError);
      assert.deepEqual(emulator.documents('signoffs')[0].history, ['a']);
    });

    it('documents: create an existing id -> DocumentExistsError', async () => {
      await client.extensionData.createDocument('waivers', { id: 'w' });
      await assert.rejects(client.extensionData.createDocument('waivers', { id: 'w' }), DocumentExistsError);
    });

    it('updateWithRetry: two concurrent writers appending to one sign-off history -> both land', async () => {
      const append = (entry: string) => updateWithRetry<{ id: string; history: string[] }>(
        client.extensionData, 'signoffs', 'orders-api.production',
        (current) => ({ id: 'orders-api.production', history: [...(current?.history ?? []), entry] }),
      );
      const other = clientFor();
      const appendOther = (entry: string) => updateWithRetry<{ id: string; history: string[] }>(
        other.extensionData, 'signoffs', 'orders-api.production',
        (current) => ({ id: 'orders-api.production', history: [...(current?.history ?? []), entry] }),
      );
      await Promise.all([append('operations'), appendOther('security'), append('business'), appendOther('ops-2')]);
      const [stored] = emulator.documents('signoffs');
      assert.deepEqual([...(stored.history as string[])].sort(), ['business', 'operations', 'ops-2', 'security']);
      assert.equal(stored.__etag, 4);
    });

    it('documents: a wrong extension-data URI (unknown host or route) -> InfrastructureError, never an empty store', async () => {
      for (const extensionDataUri of [`${emulator.url}/fabrikam/`, `${emulator.collectionUri}nested/`]) {
        const misplaced = clientFor({ extensionDataUri });
        await assert.rejects(misplaced.extensionData.getDocuments('signoffs'), InfrastructureError, extensionDataUri);
        await assert.rejects(misplaced.extensionData.getDocument('signoffs', 'x'), InfrastructureError, extensionDataUri);
      }
    });

    it('documents: wrong extension id -> InfrastructureError asking to check the installation and ids', async () => {
      const dev = clientFor({ extensionId: 'production-readiness-dev' });
      await assert.rejects(dev.extensionData.getDocument('status', 'x'), (error: unknown) =>
        error instanceof InfrastructureError && /InstalledExtensionNotFoundException/.test(error.message)
          && /extension is installed/.test(error.message) && /production-readiness-dev/.test(error.message));
    });
  });

  describe('https', () => {
    it('https emulator: the client trusts a CA only through the fetch it is given -> reads work; without it -> refused', async () => {
      const secure = await startAzdoEmulator({ accessToken: TOKEN, tls: true });
      try {
        secure.addAttachment(5, EVIDENCE_ATTACHMENT_TYPE, 'e.json', '{}');
        const dispatcher = new Agent({ connect: { ca: secure.caCertificate } });
        const trusting = createAzureDevOpsClient({
          collectionUri: secure.collectionUri, project: secure.project, accessToken: TOKEN,
          publisher: secure.publisher, extensionId: secure.extensionId,
          fetch: (input, init) => undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
        });
        const [attachment] = await trusting.listBuildAttachments(5, EVIDENCE_ATTACHMENT_TYPE);
        assert.equal((await trusting.getAttachmentContent(attachment.href)).toString(), '{}');
        const untrusting = createAzureDevOpsClient({
          collectionUri: secure.collectionUri, project: secure.project, accessToken: TOKEN,
          publisher: secure.publisher, extensionId: secure.extensionId, maxRetries: 0,
        });
        await assert.rejects(untrusting.listBuildAttachments(5, EVIDENCE_ATTACHMENT_TYPE), (error: unknown) =>
          error instanceof InfrastructureError && /certificate of 127\.0\.0\.1:\d+.* is not trusted/.test(error.message) && /NODE_EXTRA_CA_CERTS/.test(error.message) && !error.message.includes(TOKEN));
        await dispatcher.close();
      } finally {
        await secure.close();
      }
    });
  });

  describe('faults', () => {
    const noToken = (error: unknown) => {
      const text = `${(error as Error).message} ${(error as { detail?: string }).detail ?? ''}`;
      assert.ok(!text.includes(TOKEN), `the token leaked into: ${text}`);
      return true;
    };

    it('401: a refused token -> InfrastructureError naming the OAuth token remedy, without the token', async () => {
      const wrong = clientFor({ accessToken: 'not-the-job-token' });
      await assert.rejects(wrong.extensionData.getDocument('status', 'x'), (error: unknown) =>
        error instanceof InfrastructureError && /access token was refused \(401\)/.test(error.message)
          && /OAuth token/.test(error.message) && /build service identity is not disabled/.test(error.message)
          && !error.message.includes('not-the-job-token'));
    });

    it('403 on extension data -> the missing permission named, without the token', async () => {
      emulator.fail({ status: 403, path: /Documents/ });
      await assert.rejects(client.extensionData.setDocument('status', { id: 'x', __etag: -1 }), (error: unknown) =>
        error instanceof InfrastructureError && /lacks permission to write extension data of production-readiness\.production-readiness/.test(error.message)
          && /TF400813/.test(error.message) && noToken(error));
    });

    it('403 on build attachments -> the View builds permission named', async () => {
      emulator.addBuild({ id: 3 });
      emulator.fail({ status: 403, path: /attachments/ });
      await assert.rejects(client.listBuildAttachments(3, EVIDENCE_ATTACHMENT_TYPE), /"View builds" permission/);
    });

    it('500 once, then healthy -> retried and succeeds', async () => {
      emulator.fail({ status: 500, path: /Documents/ });
      assert.deepEqual(await client.extensionData.getDocuments('status'), []);
      assert.equal(emulator.requests.length, 2);
    });

    it('429 with Retry-After -> waits as asked (bounded) and succeeds', async () => {
      emulator.fail({ status: 429, retryAfterSeconds: 1, path: /Documents/ });
      const doc = await client.extensionData.createDocument<StoredDocument>('status', { id: 'a' });
      assert.equal(doc.__etag, 1);
      assert.equal(emulator.requests.filter((r) => r.method === 'POST').length, 2);
    });

    it('500 on every attempt -> InfrastructureError with the status, after a bounded number of tries', async () => {
      emulator.fail({ status: 503, times: 10 });
      await assert.rejects(client.extensionData.getDocuments('status'), (error: unknown) =>
        error instanceof InfrastructureError && /503/.test(error.message) && noToken(error));
      assert.equal(emulator.requests.length, 3);
    });

    it('network drop on a read -> retried and succeeds', async () => {
      emulator.fail({ drop: true, path: /Documents/ });
      assert.equal(await client.extensionData.getDocument('status', 'x'), undefined);
    });

    it('a host that never answers -> InfrastructureError after the bounded timeout', async () => {
      const silent: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
        const stuck = createAzureDevOpsClient({
          collectionUri: `http://${host}/contoso/`, project: 'Orders', accessToken: TOKEN, publisher: 'p', extensionId: 'e',
          timeoutMs: 200, maxRetries: 0,
        });
        await assert.rejects(stuck.listBuilds({ top: 1 }), (error: unknown) =>
          error instanceof InfrastructureError && /did not answer/.test(error.message) && error.message.includes(host) && noToken(error));
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('network down -> InfrastructureError naming the host, without the token', async () => {
      const url = emulator.collectionUri;
      await emulator.close();
      const offline = createAzureDevOpsClient({
        collectionUri: url, project: 'Orders', accessToken: TOKEN, publisher: 'p', extensionId: 'e', retryDelayMs: 10, maxRetries: 1,
      });
      await assert.rejects(offline.listBuildAttachments(1, EVIDENCE_ATTACHMENT_TYPE), (error: unknown) =>
        error instanceof InfrastructureError && error.message.includes(new URL(url).host) && noToken(error));
      emulator = await startAzdoEmulator({ accessToken: TOKEN });
    });
  });
});
