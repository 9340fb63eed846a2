import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultHubDir } from '../../src/cli/serve';
import { DEMO_ENVIRONMENT, DEMO_SERVICE, DEMO_USER } from '../../src/demo/demo';
import { Collections, subjectKey, type SignOffDocument, type SignOffEvent } from '../../src/gate/records';
import { startServer } from '../../src/serve/server';
import { sessionToken } from '../support/browser';

/**
 * `readiness demo`, the command behind `npm start`, run as a user runs it: the bundled CLI in a fresh folder.
 * Before anyone signs off it exits 1 (not ready); after both roles sign off through the local REST API, 0.
 */
const cli = path.resolve(__dirname, '..', '..', 'bin', 'readiness.js');
const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';

function readiness(args: string[], cwd: string, onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('readiness demo', function () {
  this.timeout(240_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'readiness-demo-'));

  it('demo --no-serve: before any sign-off -> exit 1, not ready, every step and report printed', async () => {
    const run = await readiness(['demo', '--no-serve', '--load-seconds', '2'], work);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Load test: examples\/loadtest\/basic/);
    assert.match(run.stderr, /Drill passed/);
    assert.match(run.stderr, /missing signoffs: No operations sign-off yet/);
    assert.match(run.stderr, /NOT-READY/);
    for (const report of ['loadtest.html', 'drill.html', 'gate.html']) assert.match(run.stderr, new RegExp(report.replace('.', '\\.')));
  });

  it('demo --no-serve: after both roles sign off through the local REST API -> exit 0, ready', async () => {
    const server = await startServer({ storeDir: path.join(work, '.readiness', 'store'), hubDir: defaultHubDir(), port: 0, user: DEMO_USER, log: () => undefined });
    try {
      const token = await sessionToken(server.signInUrl());
      const id = subjectKey(DEMO_SERVICE, DEMO_ENVIRONMENT);
      const url = `${server.url}${DATA}/${Collections.signoffs}/Documents`;
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const existing = await fetch(`${url}/${id}`, { headers });
      const current = existing.status === 404 ? undefined : ((await existing.json()) as SignOffDocument);
      const event = (role: string): SignOffEvent => ({
        type: 'signoff', id: `demo-${role}`, role, decision: 'approve', by: { id: DEMO_USER.id, name: DEMO_USER.name },
        at: new Date().toISOString(), comment: `Reviewed the demo evidence for ${role}.`, for: { service: DEMO_SERVICE, environment: DEMO_ENVIRONMENT },
      });
      const doc = { id, service: DEMO_SERVICE, environment: DEMO_ENVIRONMENT, history: [...(current?.history ?? []), event('operations'), event('business')], __etag: current?.__etag };
      const saved = await fetch(url, { method: current ? 'PATCH' : 'POST', headers, body: JSON.stringify(doc) });
      assert.ok(saved.ok, await saved.text());
    } finally {
      await server.close();
    }
    const run = await readiness(['demo', '--no-serve', '--load-seconds', '2'], work);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /production: READY/);
  });

  it('demo: serving -> prints the hub sign-in link, the hub answers, Ctrl-C stops it cleanly', async () => {
    let url = '';
    let answered = 0;
    const run = await readiness(['demo', '--port', '0', '--load-seconds', '1'], work, (stdout, kill) => {
      // The sign-in link: it sets the session cookie, with which the host page answers.
      const match = /^(http:\/\/127\.0\.0\.1:(\d+)\/session\?signin=\S+)$/m.exec(stdout);
      if (match && !url) {
        url = match[1];
        void (async () => {
          const signIn = await fetch(url, { redirect: 'manual' });
          const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
          const host = await fetch(new URL(signIn.headers.get('location') ?? '/', url), { headers: { Cookie: cookie } });
          answered = host.status;
        })().finally(() => kill('SIGINT'));
      }
    });
    assert.ok(url, run.stderr);
    assert.equal(answered, 200);
    assert.equal(run.code, 0, run.stderr);
  });
});
