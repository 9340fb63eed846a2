import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadPolicy, type Policy } from '../../src/gate/policy';
import { Collections, subjectKey, type SignOffDocument, type WaiverDocument } from '../../src/gate/records';
import { addWaiver, recordSignOff } from '../../src/gate/signoffs';
import { type PolicyRolesDocument, policyRolesDocuments, publishPolicyRoles } from '../../src/serve/policyDocument';
import { type RunningServer, startServer } from '../../src/serve/server';
import { FileDocumentStore } from '../../src/store/fileStore';
import { startAzdoEmulator } from '../support/azdoEmulator';
import { ensureHubBuilt, sessionToken } from '../support/browser';

const ROOT = path.join(__dirname, '..', '..');
const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';
const run = promisify(execFile);

/** The bash block under `<!-- script: NAME -->` in docs/operations.md, exactly as a reader copies it. */
function scriptFromDocs(name: string): string {
  const lines = readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8').split('\n');
  const marker = lines.findIndex((l) => l.trim() === `<!-- script: ${name} -->`);
  assert.ok(marker >= 0, `docs/operations.md has no ${name}`);
  const fence = lines[marker + 1];
  assert.equal(fence.trim(), '```bash', `the ${name} marker must be followed by a bash block`);
  const indent = fence.length - fence.trimStart().length;
  const end = lines.findIndex((l, i) => i > marker + 1 && l.trim() === '```');
  return `${lines.slice(marker + 2, end).map((l) => l.slice(indent)).join('\n')}\n`;
}

const olivia = { id: 'olivia.ops@contoso.com', name: 'Olivia Ops', groups: [] };
const SUBJECT = subjectKey('orders-api', 'production');

describe('docs: the backup and restore scripts of docs/operations.md', function () {
  this.timeout(30_000);
  let work: string;
  let policy: Policy;
  let hubDir: string;
  const servers: RunningServer[] = [];

  /** A store with the policy's roles published, served by `readiness serve` as Olivia. */
  async function serve(storeDir: string): Promise<{ store: FileDocumentStore; env: NodeJS.ProcessEnv }> {
    const store = new FileDocumentStore(storeDir);
    await publishPolicyRoles(store, policy);
    const server = await startServer({ storeDir, hubDir, port: 0, user: olivia, log: () => undefined });
    servers.push(server);
    const env = { ...process.env, BASE: `${server.url.replace(/\/$/, '')}${DATA}`, AUTH: `Authorization: Bearer ${await sessionToken(server.signInUrl())}` };
    return { store, env };
  }

  async function bash(script: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
    // The `readiness` command of the docs is this repository's CLI (built by `npm run build`).
    const bin = path.join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'readiness'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'readiness.js')}" "$@"\n`, { mode: 0o755 });
    env = { ...env, PATH: `${bin}:${env.PATH ?? ''}` };
    mkdirSync(path.join(work, 'scripts'), { recursive: true });
    const file = path.join(work, 'scripts', script);
    writeFileSync(file, scriptFromDocs(script));
    const child = run('bash', [file, ...args], { cwd: work, env, timeout: 20_000 });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  }

  before(async () => {
    hubDir = await ensureHubBuilt();
    policy = await loadPolicy(path.join(ROOT, 'examples', 'pipelines', 'readiness.yml'));
  });
  beforeEach(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'readiness-ops-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    rmSync(work, { recursive: true, force: true });
  });

  it('backup.sh then restore.sh into an empty store -> the sign-offs and waivers come back as they were', async () => {
    const source = await serve(path.join(work, 'store-a'));
    await recordSignOff(source.store, policy, olivia, { role: 'operations', decision: 'approve', comment: 'Runbook and drill reviewed.', environment: 'production', version: '20261126.3' });
    await addWaiver(source.store, policy, olivia, { environment: 'production', check: 'load', reason: 'Load rig down until Friday.', until: new Date(Date.now() + 3 * 86_400_000) });

    const out = await bash('backup.sh', [], source.env);
    assert.match(out, /signoffs: 1 documents/);
    const folder = path.join('readiness-backup', new Date().toISOString().slice(0, 10));
    const saved = JSON.parse(readFileSync(path.join(work, folder, 'signoffs.json'), 'utf8')) as SignOffDocument[];
    assert.equal(saved[0].history.length, 1);

    const target = await serve(path.join(work, 'store-b'));
    assert.match(await bash('restore.sh', [folder], target.env), new RegExp(`restored waivers/${SUBJECT.replace('.', '\\.')}`));
    const restored = await target.store.getDocument<SignOffDocument>(Collections.signoffs, SUBJECT);
    assert.deepEqual(restored?.history, saved[0].history);
    const waivers = await target.store.getDocument<WaiverDocument>(Collections.waivers, SUBJECT);
    assert.equal(waivers?.waivers[0].reason, 'Load rig down until Friday.');
  });

  it('restore.sh over a document signed again since the backup -> keeps the later decision, history unchanged in order', async () => {
    const live = await serve(path.join(work, 'store'));
    await recordSignOff(live.store, policy, olivia, { role: 'operations', decision: 'approve', comment: 'First review.', environment: 'production' });
    await bash('backup.sh', [], live.env);
    await recordSignOff(live.store, policy, olivia, { role: 'operations', decision: 'reject', comment: 'Drill failed after the backup.', environment: 'production' });
    const before = await live.store.getDocument<SignOffDocument>(Collections.signoffs, SUBJECT);

    await bash('restore.sh', [path.join('readiness-backup', new Date().toISOString().slice(0, 10))], live.env);
    const after = await live.store.getDocument<SignOffDocument>(Collections.signoffs, SUBJECT);
    assert.deepEqual(after?.history, before?.history);
    assert.equal(after?.history.length, 2);
  });

  it('the replay of a gate decision (jq over the backup, then readiness gate --at) -> the verdict as of that moment; backed-up extension-data sign-offs never count', async () => {
    // The repository root of the docs: the orders-api policy with its runbook, and an empty evidence folder.
    for (const file of ['readiness.yml', 'README.md', 'RUNBOOK.md', 'CODEOWNERS']) copyFileSync(path.join(ROOT, 'examples', 'pipelines', file), path.join(work, file));
    mkdirSync(path.join(work, 'evidence'));
    const live = await serve(path.join(work, 'store'));
    await recordSignOff(live.store, policy, olivia, { role: 'operations', decision: 'approve', comment: 'Reviewed.', environment: 'production', version: '20261126.3', at: new Date('2026-11-26T10:00:00Z') });
    await bash('backup.sh', [], live.env);
    // The docs name the backup of 2026-11-26; give today's backup that name.
    const [taken] = readdirSync(path.join(work, 'readiness-backup'));
    if (taken !== '2026-11-26') renameSync(path.join(work, 'readiness-backup', taken), path.join(work, 'readiness-backup', '2026-11-26'));

    await assert.rejects(bash('replay', [], live.env), (error: Error & { code: number }) => {
      assert.equal(error.code, 1, `not ready under block: exit 1; stderr: ${(error as unknown as { stderr: string }).stderr}`);
      return true;
    });
    const gate = JSON.parse(readFileSync(path.join(work, 'replay', 'gate.json'), 'utf8'));
    assert.equal(gate.finishedAt, '2026-11-26T12:00:00.000Z');
    const signoff = gate.metrics.checks.find((c: { id: string }) => c.id === 'release-signoff');
    assert.equal(signoff.state, 'missing');
    // Release sign-offs are the run's approvals (--approvals); the extension-data sign-off in the backup is not one.
    assert.match(signoff.reason, /no run approvals were given to the gate/);
  });

  it('set-up: a pasted token -> BASE is the organisation\'s extension-data collections, AUTH a Basic header of ":token"', async () => {
    writeFileSync(path.join(work, 'show'), 'echo "$BASE"; echo "$AUTH"\n');
    mkdirSync(path.join(work, 'scripts'), { recursive: true });
    const setup = `${scriptFromDocs('setup')}. "${path.join(work, 'show')}"\n`;
    writeFileSync(path.join(work, 'scripts', 'setup-and-show'), setup);
    const child = run('bash', [path.join(work, 'scripts', 'setup-and-show')], { cwd: work, timeout: 10_000 });
    child.child.stdin?.end('s3cret-pat\n');
    const [base, auth] = (await child).stdout.trim().split('\n');
    assert.equal(base, 'https://extmgmt.dev.azure.com/contoso/_apis/ExtensionManagement/InstalledExtensions/production-readiness/production-readiness/Data/Scopes/Default/Current/Collections');
    assert.equal(auth, `Authorization: Basic ${Buffer.from(':s3cret-pat').toString('base64')}`);
  });

  it('roles: readiness serve --policy writes the roles documents, publish-roles puts them into Azure DevOps extension data -> the hub\'s policies documents', async () => {
    copyFileSync(path.join(ROOT, 'examples', 'pipelines', 'readiness.yml'), path.join(work, 'readiness.yml'));
    mkdirSync(path.join(work, 'scripts'), { recursive: true });
    writeFileSync(path.join(work, 'scripts', 'roles'), scriptFromDocs('roles'));
    const bin = path.join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'readiness'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'readiness.js')}" "$@"\n`, { mode: 0o755 });
    // Step 1 serves until stopped: run it in its own process group, wait for the files, then stop that group.
    const serving = spawn('bash', [path.join(work, 'scripts', 'roles')], { cwd: work, detached: true, stdio: 'ignore', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    try {
      const file = path.join(work, 'roles-store', 'policies', `${SUBJECT}.json`);
      for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(existsSync(file), 'readiness serve --policy wrote no roles document');
    } finally {
      process.kill(-serving.pid!, 'SIGTERM');
    }
    // Step 2 writes to Azure DevOps, never to `readiness serve` (which refuses writes to `policies`): here a
    // loopback emulator of the extension-data REST API, with BASE and AUTH in the shape the set-up block makes.
    const azdo = await startAzdoEmulator({ accessToken: 'roles-pat' });
    try {
      const env = {
        ...process.env,
        BASE: `${azdo.collectionUri}_apis/ExtensionManagement/InstalledExtensions/production-readiness/production-readiness/Data/Scopes/Default/Current/Collections`,
        AUTH: `Authorization: Basic ${Buffer.from(':roles-pat').toString('base64')}`,
      };
      assert.match(await bash('publish-roles', [], env), new RegExp(`published ${SUBJECT.replace('.', '\\.')}\\.json`));
      assert.ok(azdo.requests.some((r) => r.method === 'PUT' && /\/Collections\/policies\/Documents$/.test(r.path)), 'the roles were PUT to the policies collection');
      const published = azdo.documents('policies') as unknown as PolicyRolesDocument[];
      // Exactly the documents step 1 generated from the policy, one per environment.
      const generated = readdirSync(path.join(work, 'roles-store', 'policies')).map((n) => JSON.parse(readFileSync(path.join(work, 'roles-store', 'policies', n), 'utf8')) as PolicyRolesDocument);
      const strip = (docs: PolicyRolesDocument[]) => docs.map(({ __etag: _etag, ...doc }) => doc).sort((a, b) => a.id.localeCompare(b.id));
      assert.deepEqual(strip(published), strip(generated));
      assert.deepEqual(published.map((d) => d.id).sort(), policyRolesDocuments(policy).map((d) => d.id).sort());
      const production = published.find((d) => d.id === SUBJECT);
      assert.deepEqual(production?.roles.filter((r) => r.required).map((r) => r.role), ['operations', 'security', 'business']);
    } finally {
      await azdo.close();
    }
  });

  it('roles: publish-roles pointed at readiness serve by mistake -> the local server refuses (403), its roles stay those of --policy', async () => {
    mkdirSync(path.join(work, 'roles-store', 'policies'), { recursive: true });
    const forged = { ...policyRolesDocuments(policy).find((d) => d.id === SUBJECT)!, roles: [{ role: 'operations', users: ['mallory'], groups: [], required: true }] };
    writeFileSync(path.join(work, 'roles-store', 'policies', `${SUBJECT}.json`), JSON.stringify(forged));
    const live = await serve(path.join(work, 'store'));
    const before = await live.store.getDocument<PolicyRolesDocument>('policies', SUBJECT);
    await assert.rejects(bash('publish-roles', [], live.env), (error: Error & { stderr: string }) => {
      assert.match(error.stderr, /error: 403/);
      return true;
    });
    assert.deepEqual(await live.store.getDocument<PolicyRolesDocument>('policies', SUBJECT), before);
  });

  it('status: the monitoring command -> one line per status document with evaluatedAt, id, status and level', async () => {
    const live = await serve(path.join(work, 'store'));
    await live.store.setDocument(Collections.status, { id: SUBJECT, __etag: -1, service: 'orders-api', environment: 'production', status: 'not-ready', level: 'silver', evaluatedAt: '2026-11-26T12:00:00.000Z', checks: [] });
    assert.equal((await bash('status', [], live.env)).trim(), `2026-11-26T12:00:00.000Z ${SUBJECT} not-ready silver`);
  });

  it('the local store: copy it away, lose it, copy it back -> the same documents', async () => {
    const store = new FileDocumentStore(path.join(work, '.readiness', 'store'));
    await recordSignOff(store, policy, olivia, { role: 'operations', decision: 'approve', comment: 'Local review.', environment: 'production' });
    const before = await store.getDocument(Collections.signoffs, SUBJECT);
    await bash('local-backup', [], process.env);
    const [copy] = readdirSync(work).filter((n) => n.startsWith('readiness-store-'));
    if (copy !== 'readiness-store-2026-11-26') renameSync(path.join(work, copy), path.join(work, 'readiness-store-2026-11-26'));
    rmSync(path.join(work, '.readiness', 'store'), { recursive: true });
    mkdirSync(path.join(work, '.readiness', 'store'));
    await bash('local-restore', [], process.env);
    assert.deepEqual(await store.getDocument(Collections.signoffs, SUBJECT), before);
  });

  it('backup.sh with a refused token -> exits non-zero naming the HTTP status', async () => {
    const live = await serve(path.join(work, 'store'));
    await assert.rejects(bash('backup.sh', [], { ...live.env, AUTH: 'Authorization: Bearer wrong' }), (error: Error & { stderr: string }) => {
      assert.match(error.stderr, /backup of signoffs failed: HTTP 401/);
      return true;
    });
  });
});
