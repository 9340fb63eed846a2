import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import { request } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Collections, SignOffDocument, SignOffEvent } from '../../src/gate/records';
import { RunningServer, startServer } from '../../src/serve/server';
import { ensureHubBuilt, sessionToken } from '../support/browser';
import { seedStore } from '../hub/fixtures';

const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';

interface Answer {
  status: number;
  body: string;
}

/** A raw HTTP request to the server, with the headers a browser (or an attacker's page) would send, Host included. */
function send(server: RunningServer, target: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port), path: target, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

const message = (answer: Answer): string => (JSON.parse(answer.body) as { message: string }).message;

function approval(role: string): SignOffEvent {
  return { type: 'signoff', id: `alice-${role}`, role, decision: 'approve', by: { id: 'alice', name: 'Alice Approver' }, at: new Date().toISOString(), comment: 'ok', for: { service: 'checkout', environment: 'prod' } };
}

describe('readiness serve: who may call it', () => {
  const alice = { id: 'alice', name: 'Alice Approver', groups: [] };
  let storeDir: string;
  let hubDir: string;
  let server: RunningServer;
  let token: string;
  let port: string;
  const logged: string[] = [];

  before(async () => {
    hubDir = await ensureHubBuilt();
  });
  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-guard-'));
    await seedStore(storeDir);
    logged.length = 0;
    server = await startServer({ storeDir, hubDir, user: alice, log: (line) => void logged.push(line) });
    token = await sessionToken(server.signInUrl());
    port = new URL(server.url).port;
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  const json = () => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

  for (const host of ['attacker.example:PORT', 'attacker.example', '127.0.0.1:1', '10.0.0.5:PORT']) {
    it(`host check: the host page requested with Host ${host} (DNS rebinding) -> 421 naming the loopback addresses, no token`, async () => {
      const answer = await send(server, '/host/readiness-hub', { headers: { Host: host.replace('PORT', port) } });
      assert.equal(answer.status, 421);
      assert.match(message(answer), new RegExp(`only requests addressed to http://127\\.0\\.0\\.1:${port}, http://localhost:${port}, http://\\[::1\\]:${port}`));
      assert.ok(!answer.body.includes(token), 'the refusal must not carry the token');
    });
  }

  it('host check: the REST API with a valid token but a foreign Host -> 421, nothing read', async () => {
    const answer = await send(server, `${DATA}/signoffs/Documents/checkout.prod`, { headers: { Host: `attacker.example:${port}`, Authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 421);
    assert.doesNotMatch(answer.body, /Pen test report/);
  });

  for (const host of ['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT']) {
    it(`host check: Host ${host} -> the host page is served (to a signed-in browser, with no credential in it)`, async () => {
      const answer = await send(server, '/host/readiness-hub', { headers: { Host: host.replace('PORT', port), Cookie: `readiness_session_${port}=${token}` } });
      assert.equal(answer.status, 200);
      assert.match(answer.body, /host-config/);
      assert.ok(!answer.body.includes(token), 'the host page must not carry the session');
    });
  }

  it('host check: a build attachment link -> points at the address the request used', async () => {
    const answer = await send(server, '/local/_apis/build/builds/101/attachments/readiness.evidence', { headers: { Host: `localhost:${port}`, Authorization: `Bearer ${token}` } });
    const list = JSON.parse(answer.body) as Array<{ _links: { self: { href: string } } }>;
    assert.ok(list.length > 0);
    for (const a of list) assert.ok(a._links.self.href.startsWith(`http://localhost:${port}/`), a._links.self.href);
  });

  async function signAsAlice(origin: string | undefined): Promise<Answer> {
    const current = JSON.parse((await send(server, `${DATA}/signoffs/Documents/checkout.prod`, { headers: json() })).body) as SignOffDocument;
    const headers: Record<string, string> = origin === undefined ? json() : { ...json(), Origin: origin };
    return send(server, `${DATA}/signoffs/Documents`, { method: 'PATCH', headers, body: { ...current, history: [...current.history, approval('release-manager')] } });
  }

  for (const origin of ['http://attacker.example', 'null', 'http://127.0.0.1:1', 'https://127.0.0.1:PORT']) {
    it(`origin check: a write sent with Origin ${origin} -> 403, nothing stored`, async () => {
      const answer = await signAsAlice(origin.replace('PORT', port));
      assert.equal(answer.status, 403);
      assert.match(message(answer), /refuses writes sent from another web page/);
      const after = JSON.parse((await send(server, `${DATA}/signoffs/Documents/checkout.prod`, { headers: json() })).body) as SignOffDocument;
      assert.deepEqual(after.history.map((e) => e.id), ['so-1']);
    });
  }

  it("origin check: a write from the server's own origin, or with no Origin (curl) -> accepted", async () => {
    assert.equal((await signAsAlice(`http://127.0.0.1:${port}`)).status, 200);
    const current = JSON.parse((await send(server, `${DATA}/waivers/Documents/checkout.prod`, { headers: json() })).body) as { waivers: unknown[] };
    const waiver = { id: 'w-curl', check: 'load', reason: 'Load env down', by: { id: 'alice', name: 'Alice Approver' }, at: new Date().toISOString(), until: '2099-01-01T00:00:00Z' };
    assert.equal((await send(server, `${DATA}/waivers/Documents`, { method: 'PATCH', headers: json(), body: { ...current, waivers: [...current.waivers, waiver] } })).status, 200);
  });

  it('policies: a PUT that adds the user to a role -> 403 naming --policy, the roles unchanged, and the user still cannot sign for it', async () => {
    const before = (await send(server, `${DATA}/policies/Documents/checkout.prod`, { headers: json() })).body;
    const doc = JSON.parse(before) as { roles: Array<{ role: string; users: string[] }> };
    const widened = { ...doc, roles: doc.roles.map((r) => (r.role === 'security' ? { ...r, users: [...r.users, 'alice'] } : r)) };
    const answer = await send(server, `${DATA}/policies/Documents/checkout.prod`, { method: 'PUT', headers: json(), body: { ...widened, __etag: -1 } });
    assert.equal(answer.status, 403);
    assert.match(message(answer), /roles and who may sign.*readiness serve --policy FILE/);
    assert.equal((await send(server, `${DATA}/policies/Documents/checkout.prod`, { headers: json() })).body, before);
    const current = JSON.parse((await send(server, `${DATA}/signoffs/Documents/checkout.prod`, { headers: json() })).body) as SignOffDocument;
    const signing = await send(server, `${DATA}/signoffs/Documents`, { method: 'PATCH', headers: json(), body: { ...current, history: [...current.history, approval('security')] } });
    assert.equal(signing.status, 403);
    assert.match(message(signing), /does not hold the role "security"/);
  });

  for (const [method, collection, id] of [['POST', 'policies', ''], ['PATCH', 'policies', ''], ['DELETE', 'policies', '/checkout.prod'], ['PUT', 'Policies', ''], ['PUT', 'policies.', '']]) {
    it(`policies: ${method} to ${collection} -> 403, the roles documents unchanged`, async () => {
      const before = (await send(server, `${DATA}/policies/Documents`, { headers: json() })).body;
      const body = method === 'DELETE' ? undefined : { id: 'checkout.prod', service: 'checkout', environment: 'prod', roles: [{ role: 'security', users: ['alice'], groups: [], required: true }], checkOwners: {} };
      const answer = await send(server, `${DATA}/${collection}/Documents${id}`, { method, headers: json(), body });
      assert.equal(answer.status, 403);
      assert.match(message(answer), /readiness serve --policy FILE/);
      assert.equal((await send(server, `${DATA}/policies/Documents`, { headers: json() })).body, before);
    });
  }

  const malformed: Array<[string, string, RegExp]> = [
    ['a hub file path', '/hub/%E0%A4%A', /hub file path "%E0%A4%A" is not valid percent-encoding/],
    ['a document id', `${DATA}/signoffs/Documents/%E0%A4%A`, /document id "%E0%A4%A" is not valid percent-encoding/],
    ['a collection name', `${DATA}/%E0%A4%A/Documents`, /collection name "%E0%A4%A" is not valid percent-encoding/],
    ['an attachment name', '/local/_apis/build/builds/101/local/local/attachments/readiness.evidence/%E0%A4%A', /attachment name "%E0%A4%A" is not valid percent-encoding/],
    ['a document id ending in a bare %', `${DATA}/signoffs/Documents/100%`, /document id "100%" is not valid percent-encoding/],
  ];
  for (const [what, target, expected] of malformed) {
    it(`percent-encoding: ${what} with a malformed escape -> 400 saying so, nothing logged as a failure`, async () => {
      const answer = await send(server, target, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(answer.status, 400, answer.body);
      assert.match(message(answer), expected);
      assert.deepEqual(logged, []);
    });
  }
});
