import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { explain, repoRoot, runBundledTask, type TaskRun } from '../support/agentRunner';
import { startTarget, type Target } from '../support/httpTarget';

/**
 * Attack: a secret reaches an output. A unique secret is seeded through every input path (CLI `--secret` and
 * `--secret-file`, the load test task's `secrets` input, secret pipeline variables mapped into a step's environment
 * under a name that does not look secret, URL query tokens and URL userinfo written into a drill file), the CLI and
 * the bundled tasks run as users and the agent run them, and then every file they wrote and every log line they
 * printed is scanned for every secret. Scripts echo the secrets and probes fail naming them, so the outputs are
 * given every chance to leak.
 */
const seed = (label: string) => `s3cr3t-${label}-${randomBytes(6).toString('hex')}`;

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(full));
    else if (statSync(full).isFile()) found.push(full);
  }
  return found;
}

/** Every place a secret was found: `file: <path>` or `log line: <line>`. */
function leaks(secrets: string[], outputDirs: string[], log: string): string[] {
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s)]);
  const found: string[] = [];
  for (const file of outputDirs.flatMap(filesUnder)) {
    const text = readFileSync(file, 'utf8');
    for (const form of forms) if (text.includes(form)) found.push(`file ${file} holds ${form}`);
  }
  for (const line of log.split('\n')) {
    // The agent consumes ##vso[task.setsecret] (that is how it learns what to mask) and never shows it.
    if (line.startsWith('##vso[task.setsecret]')) continue;
    for (const form of forms) if (line.includes(form)) found.push(`log line holds ${form}: ${line.slice(0, 300)}`);
  }
  return found;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'readiness.js'), ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? 99 : 0, stdout, stderr }));
  });
}

describe('attack: secrets seeded through every input path never reach a file or a log line', function () {
  this.timeout(180_000);
  let health: Server;
  let healthPort: number;
  let target: Target;

  before(async () => {
    health = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
    healthPort = (health.address() as { port: number }).port;
    target = await startTarget();
  });
  after(async () => {
    await new Promise<void>((resolve) => health.close(() => resolve()));
    await target.close();
  });

  /**
   * A command drill that echoes `${DB_CONN_INFO}` to stdout and stderr, fails a probe naming it, and probes URLs
   * carrying `${FUNC_CODE}` as an Azure Functions `code=`, a literal SAS `sig=` and a literal userinfo password.
   */
  function drillFile(literalSig: string, literalPassword: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-input-'));
    const file = path.join(dir, 'drill.yaml');
    writeFileSync(file, stringify({
      service: 'secret-scan',
      provider: 'command',
      targets: { rto: '10m', rpo: '1h' },
      restore: { command: 'echo "restoring with ${DB_CONN_INFO}"; echo "warning: ${DB_CONN_INFO}" >&2' },
      rpo: { command: 'date -u +%Y-%m-%dT%H:%M:%SZ' },
      probes: [
        { type: 'command', command: 'echo "${DB_CONN_INFO}"' },
        { type: 'command', name: 'fails naming the secret', command: 'echo "cannot log in with ${DB_CONN_INFO}" >&2; exit 3' },
        { type: 'http', url: `http://127.0.0.1:${healthPort}/health?code=\${FUNC_CODE}` },
        { type: 'http', url: `http://127.0.0.1:${healthPort}/blob?sv=2024&sig=${literalSig}` },
        { type: 'http', url: `http://scan-user:${literalPassword}@127.0.0.1:${healthPort}/health` },
      ],
      cleanup: { command: 'echo "cleaned ${DB_CONN_INFO}"' },
    }));
    return file;
  }

  /** The basic example shortened to 2 s, with `${apiKey}` in a header and `${sessionToken}` in a query value. */
  function loadTestFile(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-input-'));
    const source = path.join(repoRoot, 'examples', 'loadtest', 'basic');
    const requests = JSON.parse(readFileSync(path.join(source, 'requests.json'), 'utf8'));
    requests.testSetup[0].durationInSeconds = 2;
    requests.testSetup[0].rampUpTimeInSeconds = 1;
    requests.testSetup[0].virtualUsersPerEngine = 2;
    requests.scenarios.browse.requests[0].headers['x-api-key'] = '${apiKey}';
    requests.scenarios.browse.requests[1].queryParameters.push({ key: 'session', value: '${sessionToken}' });
    writeFileSync(path.join(dir, 'requests.json'), JSON.stringify(requests));
    writeFileSync(path.join(dir, 'loadtest.yaml'), readFileSync(path.join(source, 'loadtest.yaml'), 'utf8') + 'secrets:\n  - name: apiKey\n    value: https://vault.example/secrets/api-key\n');
    return path.join(dir, 'loadtest.yaml');
  }

  it('CLI drill: --secret (a name that does not look secret), --secret-file, a URL sig= and a URL password -> none in the evidence, JUnit, markdown or log', async () => {
    const secrets = { conn: seed('conn'), code: seed('code'), sig: seed('sig'), password: seed('pw') };
    const work = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-cli-drill-'));
    writeFileSync(path.join(work, 'code.txt'), `${secrets.code}\n`);
    const run = await cli(
      ['drill', '--config', drillFile(secrets.sig, secrets.password), '--out', 'results', '--secret', 'DB_CONN_INFO=env:SCAN_CONN', '--secret-file', 'FUNC_CODE=code.txt'],
      work,
      { SCAN_CONN: secrets.conn },
    );
    assert.equal(run.code, 1, `the drill ran and failed its probe: ${run.stderr}`);
    assert.equal(filesUnder(path.join(work, 'results')).length, 3, 'evidence, JUnit and markdown were written');
    assert.match(readFileSync(filesUnder(path.join(work, 'results')).find((f) => f.endsWith('.json'))!, 'utf8'), /cannot log in with \*\*\*/);
    assert.deepEqual(leaks(Object.values(secrets), [path.join(work, 'results')], run.stdout + run.stderr), []);
  });

  it('CLI loadtest: --secret and --secret-file filling a header and a query value -> none in the evidence, JUnit, markdown, HTML or log', async () => {
    const secrets = { apiKey: seed('apikey'), session: seed('session') };
    const work = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-cli-lt-'));
    writeFileSync(path.join(work, 'session.txt'), secrets.session);
    const seen = target.total();
    const run = await cli(
      ['loadtest', '--config', loadTestFile(), '--out', 'results', '--env', `baseUrl=${target.url}`, '--secret', 'apiKey=env:SCAN_API_KEY', '--secret-file', 'sessionToken=session.txt'],
      work,
      { SCAN_API_KEY: secrets.apiKey },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(target.total() > seen, 'the secrets were really sent to the target');
    assert.equal(filesUnder(path.join(work, 'results')).length, 4);
    assert.deepEqual(leaks(Object.values(secrets), [path.join(work, 'results')], run.stdout + run.stderr), []);
  });

  it('CLI: a secret value written on the command line is refused (exit 2) and not echoed', async () => {
    const value = seed('argv');
    const run = await cli(['drill', '--config', 'x.yaml', '--secret', `DB_CONN_INFO=${value}`], os.tmpdir(), {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--secret DB_CONN_INFO: give where the value is, not the value: --secret DB_CONN_INFO=env:VARIABLE/);
    assert.ok(!(run.stdout + run.stderr).includes(value));
  });

  /** The agent's environment for a secret pipeline variable `name` mapped into the step's env as `mappedAs`. */
  const secretVariable = (name: string, mappedAs: string, value: string) => ({ [`SECRET_${name.toUpperCase()}`]: value, [mappedAs]: value });

  function assertNoLeaks(run: TaskRun, work: string, secrets: string[], registered: string[]): void {
    assert.ok(run.attachments.length > 0, explain(run));
    assert.deepEqual(leaks(secrets, [work], run.stdout + run.stderr), [], explain(run));
    for (const secret of registered) assert.ok(run.secrets.includes(secret), `tl.setSecret was not told of ${secret}${explain(run)}`);
  }

  it('ReadinessDrDrill@1: a secret pipeline variable mapped as DB_CONN_INFO, URL code=, sig= and password -> none in any file or log line; the agent is told to mask it', async () => {
    const secrets = { conn: seed('conn'), code: seed('code'), sig: seed('sig'), password: seed('pw') };
    const work = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-task-drill-'));
    mkdirSync(path.join(work, 'results'));
    const run = await runBundledTask('ReadinessDrDrillV1', {
      cwd: work,
      inputs: { drillFile: drillFile(secrets.sig, secrets.password) },
      env: { ...secretVariable('dbConnInfo', 'DB_CONN_INFO', secrets.conn), ...secretVariable('funcCode', 'FUNC_CODE', secrets.code) },
    });
    assert.equal(run.result, 'Failed', explain(run));
    assertNoLeaks(run, work, Object.values(secrets), [secrets.conn, secrets.code]);
  });

  it('ReadinessLoadTest@1: the secrets input and a secret pipeline variable -> none in any file or log line; the agent is told to mask them', async () => {
    const secrets = { apiKey: seed('apikey'), session: seed('session') };
    const work = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-task-lt-'));
    const run = await runBundledTask('ReadinessLoadTestV1', {
      cwd: work,
      inputs: {
        loadTestConfigFile: loadTestFile(),
        env: JSON.stringify([{ name: 'baseUrl', value: target.url }, { name: 'sessionToken', value: secrets.session }]),
        secrets: JSON.stringify([{ name: 'apiKey', value: secrets.apiKey }]),
      },
      // The session token is also a secret pipeline variable; the user passed it through the plain `env` input.
      env: { SECRET_SESSIONTOKEN: secrets.session },
    });
    assert.equal(run.result, 'Succeeded', explain(run));
    assertNoLeaks(run, work, Object.values(secrets), Object.values(secrets));
  });

  it('ReadinessLoadTest@1: a secret pipeline variable whose value is "true" -> logging commands and output variables still work', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', {
      inputs: { loadTestConfigFile: loadTestFile(), env: JSON.stringify([{ name: 'baseUrl', value: target.url }]), secrets: JSON.stringify([{ name: 'apiKey', value: seed('k') }, { name: 'sessionToken', value: seed('s') }]), outputVariableName: 'LT' },
      env: { SECRET_FEATUREFLAG: 'true' },
    });
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.deepEqual(run.variables['LT.passed'], { value: 'true', isOutput: true, isSecret: false });
    // What the agent shows: plain lines and the messages of logging commands (properties are syntax, and the
    // values of task.setvariable are data the agent masks itself once it knows the secret).
    const shown = run.stdout.split('\n')
      .filter((l) => !/^##vso\[task\.set(secret|variable)/.test(l))
      .map((l) => (l.startsWith('##vso[') ? l.slice(l.indexOf(']') + 1) : l))
      .filter((text) => /\btrue\b/.test(text));
    assert.deepEqual(shown, [], 'the secret "true" shows in a log line');
  });
});
