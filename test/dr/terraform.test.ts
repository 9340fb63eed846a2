import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { checkBackupFreshness } from '../../src/dr/freshness';
import { runDrill } from '../../src/dr/runner';
import { validateEvidence } from '../../src/evidence/validate';
import { ConfigError } from '../../src/errors';
import { EXAMPLES } from './drillFiles';
import { freePort } from '../support/postgres';

/**
 * Recreation drills with the real terraform (1.11 on this image's PATH) on configurations made only of the built-in
 * terraform_data resource, whose local-exec provisioners start and stop real things: a PostgreSQL cluster and an
 * HTTP service (examples/drill/terraform/local-environment/scripts).
 */
const FIXTURES = resolve(__dirname, 'fixtures/terraform');
const SCRIPTS = join(EXAMPLES, 'terraform/local-environment/scripts');

describe('terraform drills (environment recreation with real terraform)', function () {
  this.timeout(120_000);
  let runDir: string;
  let pids: Set<number>;
  let watcher: NodeJS.Timeout;

  before(() => {
    try {
      execFileSync('terraform', ['version'], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`terraform is not on PATH (${(error as Error).message}); these tests need the real terraform 1.11, install it rather than skipping them`);
    }
  });

  beforeEach(() => {
    runDir = mkdtempSync(join(tmpdir(), 'tf-drill-run-'));
    chmodSync(runDir, 0o755); // the PostgreSQL cluster under it belongs to the postgres user
    pids = new Set();
    // Every process the configuration starts writes a pid file under runDir; remember them all, to prove later
    // that none outlived the drill.
    watcher = setInterval(() => {
      for (const entry of existsSync(runDir) ? readdirSync(runDir) : []) {
        for (const file of [join(runDir, entry, 'service.pid'), join(runDir, entry, 'data', 'postmaster.pid')]) {
          try {
            const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
            if (pid > 0) pids.add(pid);
          } catch {
            // not written yet, or gone
          }
        }
      }
    }, 50);
  });
  afterEach(() => {
    clearInterval(watcher);
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  });

  function drillFile(drill: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), 'tf-drill-file-'));
    const file = join(dir, 'drill.yaml');
    writeFileSync(file, stringify({ service: 'orders-api', environment: 'drill', provider: 'terraform', ...drill }));
    return file;
  }

  function fixture(name: string, port: number, extra: Record<string, unknown> = {}, variables: Record<string, string> = {}): string {
    return drillFile({
      targets: { rto: '2m' },
      terraform: { configuration: join(FIXTURES, name), variables: { scripts: SCRIPTS, run_dir: runDir, http_port: port, ...variables }, ...extra },
      probes: [{ type: 'http', url: '${output.health_url}', timeout: '10s' }],
    });
  }

  it('acceptance: rebuilds PostgreSQL and an HTTP service, passes with its environment RTO, leaves no process, folder or state entry, and never touches the live state', async () => {
    // A copy of the example configuration with a live state and a .terraform folder beside it, as a team's checkout has.
    const configuration = join(mkdtempSync(join(tmpdir(), 'tf-live-')), 'local-environment');
    cpSync(join(EXAMPLES, 'terraform/local-environment'), configuration, { recursive: true });
    const liveState = JSON.stringify({ version: 4, serial: 41, lineage: 'live', resources: [{ mode: 'managed', type: 'terraform_data', name: 'database' }] });
    writeFileSync(join(configuration, 'terraform.tfstate'), liveState);
    mkdirSync(join(configuration, '.terraform'));
    const before = readdirSync(configuration).sort();
    const [pgPort, httpPort] = [await freePort(), await freePort()];
    const file = drillFile({
      targets: { rto: '2m' },
      terraform: {
        configuration,
        variables: { pg_port: pgPort, http_port: httpPort, run_dir: runDir },
        leakProbe: { url: '${output.health_url}' },
        prices: { terraform_data: 0.5 },
      },
      target: { connection: '${output.database_url}' },
      probes: [
        { type: 'http', url: '${output.health_url}', bodyContains: '"status":"ok"', timeout: '30s' },
        { type: 'select1', timeout: '30s' },
        { type: 'sql', sql: 'select count(*) = 0 from pg_stat_activity where datname = \'nonexistent\'' },
        { type: 'command', name: 'pid file', argv: ['test', '-s', '${output.service_pid_file}'] },
      ],
    });
    const scratchBefore = scratchFolders();
    const evidence = await runDrill({ configFile: file });
    assert.equal(evidence.verdict, 'passed', evidence.summary);
    assert.equal(validateEvidence(evidence).ok, true, JSON.stringify(validateEvidence(evidence)));
    const m = evidence.metrics;
    assert.equal(m.mode, 'recreation');
    assert.deepEqual(m.steps.map((s) => [s.name, s.status]), [
      ['preflight', 'passed'], ['init', 'passed'], ['plan', 'passed'], ['apply', 'passed'], ['probes', 'passed'], ['converge', 'passed'], ['destroy', 'passed'], ['leak-probe', 'passed'],
    ]);
    assert.ok(typeof m.environmentRtoSeconds === 'number' && m.environmentRtoSeconds > 0 && m.environmentRtoSeconds < 120, `environment RTO ${m.environmentRtoSeconds}`);
    const apply = m.steps.find((s) => s.name === 'apply')!;
    assert.ok(m.environmentRtoSeconds! * 1000 >= apply.durationMs, 'the RTO clock starts at the apply, so it covers it');
    assert.equal(m.rtoSeconds, m.environmentRtoSeconds);
    assert.deepEqual(m.probes.map((p) => p.status), ['passed', 'passed', 'passed', 'passed']);
    assert.deepEqual(m.leaks, []);
    assert.deepEqual(m.drift, []);
    assert.equal(m.cost?.lines[0].type, 'terraform_data');
    assert.equal(m.cost?.lines[0].count, 2);
    assert.ok(evidence.criteria.some((c) => c.expression === 'environmentRtoSeconds > 120' && !c.failed));
    // Nothing left: the processes it started are gone, their folders too, and the ports are closed.
    assert.ok(pids.size >= 2, `saw the service and the postmaster start (pids ${[...pids]})`);
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} outlived the drill`);
    assert.deepEqual(readdirSync(runDir), [], 'no folder left behind');
    assert.equal(await answers(httpPort), false);
    assert.equal(await answers(pgPort), false);
    assert.deepEqual(scratchFolders(), scratchBefore, 'the scratch copy and its state are removed');
    // The live state is byte-identical, and the drill wrote nothing into the configuration folder.
    assert.equal(readFileSync(join(configuration, 'terraform.tfstate'), 'utf8'), liveState);
    assert.deepEqual(readdirSync(configuration).sort(), before);
    assert.deepEqual(readdirSync(join(configuration, '.terraform')), []);
  });

  it('apply fails halfway -> drill fails naming the error, destroy still stops what was started', async () => {
    const port = await freePort();
    const evidence = await runDrill({ configFile: fixture('service-then', port, {}, { then_command: "echo 'migration failed: relation orders does not exist' >&2; exit 1" }) });
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    const status = Object.fromEntries(evidence.metrics.steps.map((s) => [s.name, s.status]));
    assert.equal(status.apply, 'failed');
    assert.equal(status.probes, 'skipped');
    assert.equal(status.destroy, 'passed');
    assert.match(evidence.summary, /terraform apply failed: .*migration failed: relation orders does not exist/);
    assert.equal(evidence.metrics.environmentRtoSeconds, null);
    assert.ok(pids.size >= 1, 'the service had started before the failure');
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} outlived the drill`);
    assert.deepEqual(evidence.metrics.leaks, []);
    assert.deepEqual(readdirSync(runDir), []);
  });

  it('leak outside the state: a process started without a destroy step -> the leak probe finds it and the drill fails naming it', async () => {
    const port = await freePort();
    const evidence = await runDrill({ configFile: fixture('leak-process', port, { leakProbe: { name: 'service port', url: '${output.health_url}' } }) });
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    assert.deepEqual(evidence.metrics.leaks, [`service port: http://127.0.0.1:${port}/health still answers 200`]);
    assert.match(evidence.summary, /service port: http:\/\/127\.0\.0\.1:\d+\/health still answers 200/);
    assert.ok(evidence.criteria.find((c) => c.expression === 'leaks > 0')!.failed);
    assert.equal(await answers(port), true, 'the leak is real: the service still runs (afterEach stops it)');
  });

  it('leak in the state: an entry destroy cannot remove -> named, the drill fails, the scratch state is kept for a person', async () => {
    const evidence = await runDrill({ configFile: drillFile({ terraform: { configuration: join(FIXTURES, 'leak-state') }, probes: [{ type: 'command', argv: ['true'] }] }) });
    try {
      assert.equal(evidence.verdict, 'failed', evidence.summary);
      // prevent_destroy stops the whole destroy, so both entries stay, and both are named.
      assert.deepEqual(evidence.metrics.leaks, ['state: terraform_data.app', 'state: terraform_data.keep']);
      assert.equal(evidence.metrics.steps.find((s) => s.name === 'destroy')!.status, 'failed');
      assert.match(evidence.metrics.cleanup.detail, /prevent_destroy|cannot be destroyed/i);
      const kept = /scratch state kept in (\S+)/.exec(evidence.metrics.cleanup.detail)?.[1];
      assert.ok(kept && existsSync(join(kept, 'scratch.tfstate')), 'the scratch state stays, so the leak can be destroyed by hand');
    } finally {
      for (const d of readdirSync(tmpdir()).filter((x) => x.startsWith('readiness-recreation-'))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
    }
  });

  it('non-converging configuration (triggers_replace = timestamp()) -> fails naming the resource, and still destroys', async () => {
    const evidence = await runDrill({ configFile: drillFile({ terraform: { configuration: join(FIXTURES, 'drift') }, probes: [{ type: 'command', argv: ['test', '-n', '${output.name}'] }] }) });
    assert.equal(evidence.verdict, 'failed', evidence.summary);
    assert.deepEqual(evidence.metrics.drift, ['terraform_data.clock (replace)']);
    assert.match(evidence.summary, /does not converge.*terraform_data\.clock \(replace\)/);
    assert.equal(evidence.metrics.steps.find((s) => s.name === 'destroy')!.status, 'passed');
    assert.deepEqual(evidence.metrics.leaks, []);
    assert.ok(typeof evidence.metrics.environmentRtoSeconds === 'number', 'the probes passed, so the RTO was measured');
  });

  it('cancel mid-apply -> terraform is interrupted and waited for, then destroy stops what was started', async () => {
    const port = await freePort();
    const controller = new AbortController();
    // Cancel once the service answers and terraform has moved on to the slow resource (a cancel while the
    // service's own provisioner runs would leave a process terraform never recorded: the leak probe's case).
    const cancelWhenUp = setInterval(async () => {
      if (pids.size > 0 && (await answers(port)) && !controller.signal.aborted) {
        clearInterval(cancelWhenUp);
        setTimeout(() => controller.abort(), 500);
      }
    }, 100);
    const t0 = Date.now();
    const evidence = await runDrill({ configFile: fixture('service-then', port, { leakProbe: { url: '${output.health_url}' } }, { then_command: 'sleep 60' }), signal: controller.signal }).finally(() => clearInterval(cancelWhenUp));
    assert.ok(Date.now() - t0 < 50_000, 'the 60s sleep was interrupted, not waited out');
    assert.equal(evidence.verdict, 'error');
    assert.equal(evidence.metrics.cancelled, true);
    const status = Object.fromEntries(evidence.metrics.steps.map((s) => [s.name, s.status]));
    assert.equal(status.apply, 'cancelled');
    assert.equal(status.destroy, 'passed');
    assert.ok(pids.size >= 1);
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} outlived the cancelled drill`);
    assert.deepEqual(evidence.metrics.leaks, []);
    assert.equal(await answers(port), false);
  });

  it('secrets: a ${VAR} password and a sensitive output never reach the evidence, even when a probe prints them', async () => {
    const password = 'pw-Hunter2-tf';
    const file = drillFile({
      terraform: { configuration: join(FIXTURES, 'secrets'), variables: { db_password: '${DB_PASSWORD}' } },
      probes: [
        { type: 'command', name: 'prints the token', argv: ['echo', '${output.api_token}'] },
        { type: 'command', name: 'prints the password', argv: ['sh', '-c', 'echo "login failed for $0" >&2; exit 1', password], timeout: '1s' },
      ],
    });
    const evidence = await runDrill({ configFile: file, env: { DB_PASSWORD: password } });
    const text = JSON.stringify(evidence);
    assert.equal(evidence.metrics.probes[0].status, 'passed');
    assert.match(evidence.metrics.probes[0].detail, /\*\*\*/);
    assert.doesNotMatch(text, /s3cr3t/, 'the sensitive output is masked');
    assert.doesNotMatch(text, /Hunter2/, 'the password is masked');
    assert.match(evidence.metrics.probes[1].detail, /login failed for \*\*\*/);
  });

  it('attack: agent variables that would steer terraform (TF_CLI_ARGS, TF_WORKSPACE, TF_DATA_DIR) are not passed on', async () => {
    const steering = { TF_CLI_ARGS: '-state=/tmp/live.tfstate', TF_CLI_ARGS_apply: '-no-such-flag', TF_WORKSPACE: 'live', TF_DATA_DIR: '/nonexistent/live' };
    Object.assign(process.env, steering);
    try {
      const file = drillFile({ terraform: { configuration: join(FIXTURES, 'secrets'), variables: { db_password: 'x' } }, probes: [{ type: 'command', argv: ['true'] }] });
      const evidence = await runDrill({ configFile: file });
      assert.equal(evidence.verdict, 'passed', evidence.summary);
    } finally {
      for (const name of Object.keys(steering)) delete process.env[name];
    }
  });

  it('freshness-only on a terraform drill -> bad input: there is no backup to judge', async () => {
    const file = drillFile({ terraform: { configuration: join(FIXTURES, 'drift') }, probes: [{ type: 'command', argv: ['true'] }] });
    await assert.rejects(checkBackupFreshness({ configFile: file }), (error: unknown) => error instanceof ConfigError && /a terraform drill has no backup/.test(error.message));
  });

  it('bad input: the configuration does not declare the suffix variable -> bad input naming it, nothing applied', async () => {
    const configuration = mkdtempSync(join(tmpdir(), 'tf-nosuffix-'));
    writeFileSync(join(configuration, 'main.tf'), 'resource "terraform_data" "x" {}\n');
    await assert.rejects(
      runDrill({ configFile: drillFile({ terraform: { configuration }, probes: [{ type: 'command', argv: ['true'] }] }) }),
      (error: unknown) => error instanceof ConfigError && /declares no variable "name_suffix"/.test(error.message),
    );
  });

  it('terraform missing -> the drill could not run (error), naming how to install it', async () => {
    const evidence = await runDrill({
      configFile: drillFile({ terraform: { configuration: join(FIXTURES, 'drift'), binary: '/nonexistent/terraform' }, probes: [{ type: 'command', argv: ['true'] }] }),
    });
    assert.equal(evidence.verdict, 'error');
    assert.match(evidence.summary, /\/nonexistent\/terraform was not found; install Terraform/);
  });
});

function scratchFolders(): string[] {
  return readdirSync(tmpdir()).filter((d) => d.startsWith('readiness-recreation-')).sort();
}

/** A zombie (exited, not yet reaped by whoever adopted it) is not alive. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}


function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

