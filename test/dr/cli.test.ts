import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import { validateEvidence } from '../../src/evidence/validate';
import { docExample } from '../support/armEmulator';
import { EXAMPLES, variant } from './drillFiles';

function cli(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: mkdtempSync(join(tmpdir(), 'drill-cli-')), env, signal: new AbortController().signal };
  return { io, out, err, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('readiness drill (CLI)', function () {
  this.timeout(120_000);

  it('drill CLI: the embedded demo drill -> exit 0, valid evidence JSON plus JUnit and markdown', async () => {
    const run = cli();
    const code = await main(['drill', '--config', join(EXAMPLES, 'embedded.yaml'), '--out', 'results'], run.io);
    assert.equal(code, 0, run.stderr());
    const evidenceFile = run.stdout().trim();
    const evidence = JSON.parse(readFileSync(evidenceFile, 'utf8'));
    const check = validateEvidence(evidence);
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(evidence.kind, 'drill');
    assert.match(readFileSync(evidenceFile.replace(/\.json$/, '.junit.xml'), 'utf8'), /<testsuite/);
    assert.ok(existsSync(evidenceFile.replace(/\.json$/, '.md')));
    assert.match(run.stderr(), /\[ 25%\] restore/);
  });

  it('drill CLI: a terraform drill that does not converge -> exit 1, evidence written naming the resource', async () => {
    const run = cli();
    const file = join(mkdtempSync(join(tmpdir(), 'drill-cli-tf-')), 'drill.yaml');
    writeFileSync(file, `service: orders\nprovider: terraform\nterraform:\n  configuration: ${join(__dirname, 'fixtures/terraform/drift')}\nprobes:\n  - type: command\n    argv: [test, -n, "\${output.name}"]\n`);
    const code = await main(['drill', '--config', file, '--out', 'results'], run.io);
    assert.equal(code, 1, run.stderr());
    const evidence = JSON.parse(readFileSync(run.stdout().trim(), 'utf8'));
    assert.deepEqual(evidence.metrics.drift, ['terraform_data.clock (replace)']);
    assert.match(run.stderr(), /\] converge/);
  });

  it('drill CLI: a terraform drill whose terraform is missing -> exit 3', async () => {
    const run = cli();
    const file = join(mkdtempSync(join(tmpdir(), 'drill-cli-tf-')), 'drill.yaml');
    writeFileSync(file, `service: orders\nprovider: terraform\nterraform:\n  configuration: ${join(__dirname, 'fixtures/terraform/drift')}\n  binary: /nonexistent/terraform\nprobes:\n  - type: command\n    argv: ["true"]\n`);
    assert.equal(await main(['drill', '--config', file, '--out', 'results'], run.io), 3, run.stderr());
  });

  it('drill CLI: a drill file with problems -> exit 2 naming file and line for each', async () => {
    const run = cli();
    const file = join(mkdtempSync(join(tmpdir(), 'drill-cli-bad-')), 'drill.yaml');
    writeFileSync(file, 'service: x\nprovider: embedded\nbackup:\n  fresh: true\nprobes: [select1]\ntimeouts:\n  restor: 5m\n');
    const code = await main(['drill', '--config', file], run.io);
    assert.equal(code, 2);
    assert.match(run.stderr(), /drill\.yaml:7 timeouts\.restor: unknown key "restor"; did you mean "restore"\?/);
    assert.match(run.stderr(), /drill\.yaml:4 backup\.fresh: a fresh embedded backup needs a source/);
  });

  it('drill CLI: no --config -> exit 2 with usage hint; unknown flag -> exit 2', async () => {
    const missing = cli();
    assert.equal(await main(['drill'], missing.io), 2);
    assert.match(missing.stderr(), /--config: required/);
    const unknown = cli();
    assert.equal(await main(['drill', '--confg', 'x'], unknown.io), 2);
    assert.match(unknown.stderr(), /Usage: readiness drill/);
  });

  it('drill CLI: a missing backup -> exit 1 and evidence saying why', async () => {
    const run = cli();
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: '/nonexistent/orders.tar.gz' };
    });
    assert.equal(await main(['drill', '--config', file], run.io), 1);
    const evidence = JSON.parse(readFileSync(run.stdout().trim(), 'utf8'));
    assert.equal(evidence.verdict, 'failed');
    assert.match(evidence.summary, /does not exist/);
  });

  it('drill CLI: --freshness-only -> judges the newest backup age against RPO without restoring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-fresh-'));
    const backup = join(dir, 'orders.tar.gz');
    writeFileSync(backup, 'not restored by a freshness check');
    const file = variant('embedded.yaml', (d) => {
      delete d.source;
      d.backup = { file: backup };
    });
    const fresh = cli();
    assert.equal(await main(['drill', '--config', file, '--freshness-only'], fresh.io), 0, fresh.stderr());
    const evidence = JSON.parse(readFileSync(fresh.stdout().trim(), 'utf8'));
    assert.ok(validateEvidence(evidence).ok);
    assert.deepEqual(evidence.metrics.steps.map((s: { name: string }) => s.name), ['freshness']);
    // No checkpoint beside the file: its only time is the modification time, recorded as such.
    assert.equal(evidence.metrics.rpoMethod, 'file-time');
    assert.equal(evidence.metrics.mode, 'freshness');

    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(backup, hourAgo, hourAgo);
    const stale = cli();
    assert.equal(await main(['drill', '--config', file, '--freshness-only'], stale.io), 1);
    assert.match(stale.stderr(), /Newest backup is 1h old, over the RPO target of 5m/);
  });

  it('drill CLI: --freshness-only with the command provider -> uses backup.newestCommand', async () => {
    const run = cli({ HEALTH_PORT: '9' });
    assert.equal(await main(['drill', '--config', join(EXAMPLES, 'command.yaml'), '--freshness-only'], run.io), 0, run.stderr());
    assert.match(run.stderr(), /Newest backup is 10m( \d+s)? old, within the RPO target of 1h/);
  });

  it('drill CLI: source server unreachable -> exit 3 naming the address, without a hang', async () => {
    const run = cli({ PGPORT: '1', PGPASSWORD: 'pw-not-shown' });
    assert.equal(await main(['drill', '--config', join(EXAMPLES, 'postgres-fresh.yaml')], run.io), 3);
    assert.match(run.stderr(), /Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/orders: .*ECONNREFUSED/);
    assert.ok(!run.stderr().includes('pw-not-shown'));
  });

  it('drill CLI: PostgreSQL tools missing -> exit 3 saying how to install them', async () => {
    const run = cli({ PGPORT: '1', PGPASSWORD: 'x' });
    const file = variant('postgres-fresh.yaml', (d) => (d.tools = { binDir: '/nonexistent/bin' }));
    assert.equal(await main(['drill', '--config', file], run.io), 3);
    assert.match(run.stderr(), /pg_restore was not found .* apt-get install postgresql-client/);
  });

  it('drill CLI: a password with a malformed percent-escape -> exit 2 naming the key, the password masked, no "URI malformed"', async () => {
    const run = cli({ PGPORT: '1', PGPASSWORD: 'x' });
    const file = variant('postgres-fresh.yaml', (d) => (d.source.connection = 'postgres://u:p%ZZsecret@127.0.0.1:1/db'));
    assert.equal(await main(['drill', '--config', file], run.io), 2, run.stderr());
    assert.match(run.stderr(), /source\.connection: the password in the connection URL has a "%" not followed by two hex digits/);
    assert.doesNotMatch(run.stderr(), /URI malformed|ZZsecret/);
  });

  it('drill CLI: an Azure provider with no service connection -> exit 2 (bad input), not 3', async () => {
    const run = cli({ PGPASSWORD: 'x' });
    const file = docExample('azure-sql', () => undefined);
    assert.equal(await main(['drill', '--config', file], run.io), 2, run.stderr());
    assert.match(run.stderr(), /azureSubscription input of ReadinessDrDrill@1/);
    const fresh = cli({ PGPASSWORD: 'x' });
    assert.equal(await main(['drill', '--config', file, '--freshness-only'], fresh.io), 2, fresh.stderr());
  });
});
