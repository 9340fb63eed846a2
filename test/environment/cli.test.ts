import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import { validateEvidence } from '../../src/evidence/validate';
import type { EnvironmentEvidence } from '../../src/evidence/types';
import { startWorld } from './world';

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: mkdtempSync(join(tmpdir(), 'verify-cli-')), env: { ...process.env }, signal: new AbortController().signal };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('readiness verify (CLI) against a loopback environment', function () {
  this.timeout(120_000);
  let world: Awaited<ReturnType<typeof startWorld>>;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  it('verify: every check passes -> exit 0, valid environment evidence, JUnit, markdown and HTML beside it', async () => {
    const run = cli();
    const code = await main(['verify', '--config', world.file(), '--out', 'results'], run.io);
    assert.equal(code, 0, run.stderr());
    const file = run.stdout().trim();
    const evidence = JSON.parse(readFileSync(file, 'utf8')) as EnvironmentEvidence;
    assert.ok(validateEvidence(evidence).ok, JSON.stringify(validateEvidence(evidence)));
    assert.deepEqual(evidence.metrics.checks.map((c) => `${c.type}:${c.status}`), ['tls:passed', 'headers:passed', 'dns:passed', 'health:passed', 'drift:passed']);
    assert.match(readFileSync(file.replace(/\.json$/, '.md'), 'utf8'), /### Certificates/);
    assert.match(readFileSync(file.replace(/\.json$/, '.junit.xml'), 'utf8'), /name="tls: shop-certificate"/);
    const html = readFileSync(file.replace(/\.json$/, '.html'), 'utf8');
    assert.match(html, /<h2>Certificates<\/h2>.*readiness environment test intermediate/s);
    assert.match(html, /Security headers: grade A\+/);
  });

  it('verify: unhealthy endpoint -> exit 1, the failing check named in the summary and its fix in the markdown', async () => {
    world.setHealthy(false);
    try {
      const run = cli();
      const code = await main(['verify', '--config', world.file(), '--check', 'shop-health'], run.io);
      assert.equal(code, 1);
      assert.match(run.stderr(), /1 of 1 environment checks did not pass: shop-health \(failed\)/);
      const md = readFileSync(run.stdout().trim().replace(/\.json$/, '.md'), 'utf8');
      assert.match(md, /HTTP 503, expected 200/);
    } finally {
      world.setHealthy(true);
    }
  });

  it('verify: a secret header value never reaches the evidence', async () => {
    const run = cli();
    run.io.env.HEALTH_TOKEN = 'token-value-123';
    const file = world.file((d) => {
      d.checks = [{ name: 'h', type: 'health', url: `${world.healthUrl}?token-value-123`, headers: { authorization: 'Bearer ${HEALTH_TOKEN}' }, repeats: 1 }];
    }, 'secret.yaml');
    const code = await main(['verify', '--config', file], run.io);
    assert.equal(code, 0, run.stderr());
    const text = readFileSync(run.stdout().trim(), 'utf8');
    assert.ok(!text.includes('token-value-123'), 'the secret appears in the evidence');
    assert.match(text, /\?\*\*\*/);
  });

  it('verify: an environment file with problems -> exit 2, naming file and line', async () => {
    const run = cli();
    const file = world.file((d) => (d.checks = [{ name: 'x', type: 'tls' }]), 'broken.yaml');
    const code = await main(['verify', '--config', file], run.io);
    assert.equal(code, 2);
    assert.match(run.stderr(), /broken\.yaml:\d+ checks\[0\]: missing required key "host"/);
  });

  it('verify: --check naming no check -> exit 2', async () => {
    const run = cli();
    assert.equal(await main(['verify', '--config', world.file(), '--check', 'shop-helth'], run.io), 2);
    assert.match(run.stderr(), /no check named "shop-helth"; did you mean "shop-health"\?/);
  });
});
