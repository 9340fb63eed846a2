import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import type { StatusDocument } from '../../src/gate/records';
import { ensureHubBuilt, hostToken } from '../support/browser';

const DATA = '/_apis/ExtensionManagement/InstalledExtensions/local/production-readiness/Data/Scopes/Default/Current/Collections';
const examplePolicy = path.resolve(__dirname, '..', '..', 'examples', 'policy', 'small-service.yml');

function io(cwd: string, signal: AbortSignal) {
  const out = { stdout: '', stderr: '' };
  const cli: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), cwd, env: {}, signal };
  return { cli, out };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('readiness serve (CLI)', () => {
  let dir: string;
  let hubDir: string;
  before(async () => {
    hubDir = await ensureHubBuilt();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'readiness-serve-cli-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('bad arguments -> exit 2 listing every problem at once', async () => {
    const { cli, out } = io(dir, new AbortController().signal);
    const code = await main(['serve', '--port', 'eighty', '--colour', 'blue', '--user'], cli);
    assert.equal(code, 2);
    assert.match(out.stderr, /unknown argument "--colour"/);
    assert.match(out.stderr, /--user needs a value/);
    assert.match(out.stderr, /--port "eighty" is not a port number/);
  });

  it('--policy: start-up publishes the roles and the status; a waiver written to extension data is re-evaluated but never counts', async () => {
    const abort = new AbortController();
    const { cli, out } = io(dir, abort.signal);
    const running = main(
      ['serve', '--port', '0', '--store', 'store', '--hub', hubDir, '--user', 'dana', '--name', 'Dana Owner', '--group', '[Inventory]\\Inventory Team', '--policy', examplePolicy],
      cli,
    );
    try {
      const url = await waitFor('the address on stdout', () => /^(http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(out.stdout)?.[1]);
      const headers = { Authorization: `Bearer ${await hostToken(url)}`, 'Content-Type': 'application/json' };
      const status = (await (await fetch(`${url}${DATA}/status/Documents/inventory-api.production`, { headers })).json()) as StatusDocument;
      assert.equal(status.checks.find((c) => c.id === 'load')?.state, 'missing');
      const roles = (await (await fetch(`${url}${DATA}/policies/Documents/inventory-api.production`, { headers })).json()) as { roles: Array<{ role: string; groups: string[] }> };
      assert.deepEqual(roles.roles.map((r) => [r.role, r.groups]), [['owners', ['[Inventory]\\Inventory Team']]]);

      const waiver = { id: 'w1', check: 'load', reason: 'Load environment rebuilt', by: { id: 'dana', name: 'Dana Owner' }, at: new Date().toISOString(), until: new Date(Date.now() + 86_400_000).toISOString() };
      const res = await fetch(`${url}${DATA}/waivers/Documents`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: 'inventory-api.production', service: 'inventory-api', environment: 'production', waivers: [waiver] }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const reevaluated = await waitFor('the re-evaluated status', async () => {
        const doc = (await (await fetch(`${url}${DATA}/status/Documents/inventory-api.production`, { headers })).json()) as StatusDocument;
        return (doc.__etag ?? 0) > (status.__etag ?? 0) ? doc : undefined;
      });
      // Waivers live in the repository (readiness.waivers.yml); extension data records no writer.
      assert.equal(reevaluated.checks.find((c) => c.id === 'load')?.state, 'missing');
    } finally {
      abort.abort();
      assert.equal(await running, 0, out.stderr);
    }
  });
});
