import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SignOffDocument, SignOffEvent } from '../../src/gate/records';
import { RunningServer, startServer } from '../../src/serve/server';
import { Browser, ensureHubBuilt, hubFrame, launchBrowser, sessionToken } from '../support/browser';
import { seedStore } from '../hub/fixtures';

const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';
const alice = { id: 'alice', name: 'Alice Approver', groups: [] };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

function approval(): SignOffEvent {
  return { type: 'signoff', id: 'attack-1', role: 'release-manager', decision: 'approve', by: { id: 'alice', name: 'Alice Approver' }, at: new Date().toISOString(), comment: 'not me', for: { service: 'checkout', environment: 'prod' } };
}

/**
 * Attacks on `readiness serve`'s credential and page (docs/hub.md, "Who may call it"): another local process must
 * not obtain a usable credential from the server, and another page must neither frame the hub nor write with the
 * browser's session.
 */
describe('attack: readiness serve session and framing', function () {
  this.timeout(90_000);
  let hubDir: string;
  let storeDir: string;
  let server: RunningServer;
  let port: string;

  before(async () => (hubDir = await ensureHubBuilt()));
  beforeEach(async () => {
    storeDir = mkdtempSync(path.join(os.tmpdir(), 'readiness-session-'));
    await seedStore(storeDir);
    server = await startServer({ storeDir, hubDir, user: alice, log: () => undefined });
    port = new URL(server.url).port;
  });
  afterEach(async () => {
    await server.close();
    await fs.rm(storeDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('local process: reading the host page without signing in -> 401, and nothing in it opens the API', async () => {
    const page = await send(`${server.url}/host/readiness-hub`);
    assert.equal(page.status, 401);
    assert.match(page.body, /sign-in link/);
    const hostJs = await send(`${server.url}/host.js`);
    for (const candidate of [...`${page.body}\n${hostJs.body}`.matchAll(/[A-Za-z0-9_-]{20,}/g)].map((m) => m[0])) {
      const probe = await send(`${server.url}${DATA}/signoffs/Documents/checkout.prod`, { headers: { Authorization: `Bearer ${candidate}` } });
      assert.equal(probe.status, 401, `"${candidate}" from a page anyone can read opened the API`);
    }
  });

  it('local process: the host page of a signed-in browser carries no credential (only a placeholder)', async () => {
    const session = await sessionToken(server.signInUrl());
    const page = await send(`${server.url}/host/readiness-hub`, { headers: { Cookie: `readiness_session_${port}=${session}` } });
    assert.equal(page.status, 200);
    assert.ok(!page.body.includes(session));
    const placeholder = /"token":"([^"]*)"/.exec(page.body)?.[1];
    assert.ok(placeholder);
    assert.equal((await send(`${server.url}${DATA}/signoffs/Documents/checkout.prod`, { headers: { Authorization: `Bearer ${placeholder}` } })).status, 401);
  });

  it('sign-in link: works once; a second use (another process that read the terminal) -> 401', async () => {
    const link = server.signInUrl();
    const first = await send(link);
    assert.equal(first.status, 302);
    const cookie = String(first.headers['set-cookie']);
    assert.match(cookie, new RegExp(`^readiness_session_${port}=[A-Za-z0-9_-]{40,}; HttpOnly; SameSite=Strict; Path=/$`));
    const second = await send(link);
    assert.equal(second.status, 401);
    assert.equal(second.headers['set-cookie'], undefined);
    assert.equal((await send(`${server.url}/session?signin=guess`)).status, 401);
  });

  it('sign-in link: next pointing off the server (open redirect) -> the hub instead', async () => {
    for (const next of ['//attacker.example/', 'http://attacker.example/', '/host/readiness-hub/../../x', '/\\attacker.example']) {
      const answer = await send(`${server.signInUrl()}`.replace(/next=[^&]*/, `next=${encodeURIComponent(next)}`));
      assert.equal(answer.status, 302);
      assert.equal(answer.headers.location, '/host/readiness-hub', next);
    }
  });

  it('writes: the session cookie without an Origin header -> 403; with a foreign Origin -> 403; from its own page -> 200', async () => {
    const session = await sessionToken(server.signInUrl());
    const cookie = `readiness_session_${port}=${session}`;
    const current = JSON.parse((await send(`${server.url}${DATA}/signoffs/Documents/checkout.prod`, { headers: { Cookie: cookie } })).body) as SignOffDocument;
    const body = { ...current, history: [...current.history, approval()] };
    const write = (headers: Record<string, string>) => send(`${server.url}${DATA}/signoffs/Documents`, { method: 'PATCH', headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers }, body });
    assert.equal((await write({})).status, 403);
    assert.equal((await write({ Origin: 'http://127.0.0.1:1' })).status, 403);
    assert.equal((await write({ Origin: `http://127.0.0.1:${port}` })).status, 200);
  });

  it('headers: the host page may not be framed at all; hub files only by this origin; everything nosniff', async () => {
    const session = await sessionToken(server.signInUrl());
    const cookie = { Cookie: `readiness_session_${port}=${session}` };
    const host = await send(`${server.url}/host/readiness-hub`, { headers: cookie });
    assert.equal(host.headers['x-frame-options'], 'DENY');
    assert.equal(host.headers['content-security-policy'], "frame-ancestors 'none'");
    const hub = await send(`${server.url}/hub/readiness-hub/readiness-hub.html`);
    assert.equal(hub.status, 200);
    assert.equal(hub.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(hub.headers['content-security-policy'], "frame-ancestors 'self'");
    for (const answer of [host, hub, await send(`${server.url}${DATA}/signoffs/Documents`, { headers: cookie }), await send(`${server.url}/host/readiness-hub`), await send(server.signInUrl())]) {
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    }
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let attacker: Server;
    let attackerUrl: string;
    before(async () => {
      browser = await launchBrowser();
      // Another local web server (another origin: same host, other port) serving a page that frames the hub and
      // tries to sign off with the browser's cookie.
      attacker = createServer((req, res) => {
        const target = decodeURIComponent((req.url ?? '/').slice(1));
        res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!doctype html><body>
<iframe id="victim" src="${target}/host/readiness-hub" width="800" height="600"></iframe>
<script>
  fetch('${target}${DATA}/signoffs/Documents', { method: 'PATCH', credentials: 'include', mode: 'no-cors',
    headers: { 'Content-Type': 'text/plain' }, body: '{}' }).then(() => document.body.dataset.sent = 'yes', () => document.body.dataset.sent = 'error');
</script></body>`);
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;
    });
    after(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    });

    it('the sign-in link opens the hub, whose API calls work with the cookie alone', async () => {
      const page = await browser.context.newPage();
      try {
        await page.goto(server.signInUrl());
        const frame = await hubFrame(page);
        await frame.waitForSelector('[data-subject]', { timeout: 20_000 });
        const cookies = await browser.context.cookies(server.url);
        const session = cookies.find((c) => c.name === `readiness_session_${port}`);
        assert.ok(session?.httpOnly && session.sameSite === 'Strict');
        assert.equal(await page.evaluate(() => document.cookie), '', 'page scripts cannot read the session');
      } finally {
        await page.close();
      }
    });

    it('another origin frames the host page -> the browser refuses to render it; its write with the cookie is refused', async () => {
      const page = await browser.context.newPage();
      try {
        await page.goto(server.signInUrl()); // the victim is signed in
        await hubFrame(page);
        const before = (await send(`${server.url}${DATA}/signoffs/Documents/checkout.prod`, { headers: { Authorization: `Bearer ${await sessionToken(server.signInUrl())}` } })).body;
        await page.goto(`${attackerUrl}/${encodeURIComponent(server.url)}`);
        await page.waitForSelector('body[data-sent]');
        const framed = page.frames().find((f) => f !== page.mainFrame());
        assert.ok(framed);
        // A frame blocked by X-Frame-Options / frame-ancestors is replaced by Chromium's error page.
        assert.ok(!framed.url().startsWith(server.url), `the host page rendered inside ${attackerUrl}: ${framed.url()}`);
        const after = (await send(`${server.url}${DATA}/signoffs/Documents/checkout.prod`, { headers: { Authorization: `Bearer ${await sessionToken(server.signInUrl())}` } })).body;
        assert.equal(after, before, 'the cross-origin write changed the sign-offs');
      } finally {
        await page.close();
      }
    });
  });
});
