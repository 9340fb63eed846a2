import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli';
import type { CliIO } from '../../src/cli/io';
import { approval, COMMIT, DAY, drill, loadtest, NOW, runApprovals, signoff, step } from './fixtures';

const SAMPLE = path.resolve(__dirname, '../../examples/sample-service');

async function gate(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {}, signal: new AbortController().signal };
  const code = await main(['gate', ...args], io);
  return { code, stdout, stderr };
}

describe('gate: readiness gate CLI', () => {
  let dir: string;
  const at = ['--at', NOW.toISOString()];
  const base = ['--policy', 'svc/readiness.yml', '--evidence', 'evidence', '--environment', 'production', ...at];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gate-cli-'));
    await fs.cp(SAMPLE, path.join(dir, 'svc'), { recursive: true });
    await fs.mkdir(path.join(dir, 'evidence'));
    await fs.writeFile(path.join(dir, 'evidence', 'load.json'), JSON.stringify(loadtest({ service: 'sample-service', p95: 180 })));
    await fs.writeFile(path.join(dir, 'evidence', 'drill.json'), JSON.stringify(drill({ service: 'sample-service' })));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('cli: passing evidence, no sign-offs -> exit 1 and a scorecard naming the missing sign-offs', async () => {
    const r = await gate(base, dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /sample-service -> production: NOT READY/);
    assert.match(r.stdout, /MISSING {2}signoffs/);
    assert.match(r.stdout, /No operations or business sign-off: sign-offs are the Azure Pipelines approvals of the run being released/);
    assert.match(r.stdout, /PASSED {3}load/);
    // The default store is .readiness/store under the working folder, and the status document lands there.
    const status = JSON.parse(await fs.readFile(path.join(dir, '.readiness/store/status/sample-service.production.json'), 'utf8'));
    assert.equal(status.status, 'not-ready');
  });

  it('cli: --signoffs in extension-data form, by the right people -> never counts, exit 1', async () => {
    const events = [signoff({ role: 'operations', by: 'demo-ops', service: 'sample-service', version: '' }), signoff({ role: 'business', by: 'demo-business', service: 'sample-service', version: '' })];
    await fs.writeFile(path.join(dir, 'signoffs.json'), JSON.stringify(events));
    const r = await gate([...base, '--signoffs', 'signoffs.json'], dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /MISSING {2}signoffs/);
  });

  it('cli: --approvals with both role steps approved in the run -> exit 0, ready, the commit in the verdict', async () => {
    const run = runApprovals([approval([step({ assigned: 'demo-ops' }), step({ assigned: 'demo-business' })])]);
    await fs.writeFile(path.join(dir, 'approvals.json'), JSON.stringify(run));
    const r = await gate([...base, '--approvals', 'approvals.json', '--out', 'out'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /sample-service -> production: READY/);
    const written = JSON.parse(await fs.readFile(path.join(dir, 'out/gate.json'), 'utf8'));
    assert.equal(written.metrics.status, 'ready');
    assert.equal(written.metrics.level, 'gold');
    assert.equal(written.metrics.commit, COMMIT);
  });

  it('cli: --approvals that is not a run\'s approvals -> exit 2 naming the file and field', async () => {
    await fs.writeFile(path.join(dir, 'approvals.json'), JSON.stringify({ approvals: [{ id: 'x' }] }));
    const r = await gate([...base, '--approvals', 'approvals.json'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--approvals approvals\.json: runId must be/);
    assert.match(r.stderr, /approvals\[0\]: An approval came back without id, status or steps/);
  });

  it('cli: --at 8 days later -> the load test is stale, exit 1', async () => {
    const r = await gate([...base.slice(0, -2), '--at', new Date(NOW.getTime() + 7 * DAY).toISOString()], dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /STALE {4}load/);
  });

  it('cli: a malformed evidence file -> reported on stderr and counted as missing', async () => {
    await fs.writeFile(path.join(dir, 'evidence', 'load.json'), '{"kind": "loadtest", "verdict": "passed"');
    const r = await gate(base, dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /load.json is not counted \(missing\): not valid JSON/);
    assert.match(r.stdout, /MISSING {2}load/);
  });

  it('cli: warn enforcement below the level -> exit 0 with a warning status', async () => {
    await fs.rm(path.join(dir, 'evidence', 'drill.json'));
    const r = await gate(['--policy', 'svc/readiness.yml', '--evidence', 'evidence', '--environment', 'staging', ...at], dir);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /NOT READY \(warning only\)/);
  });

  it('cli: --json -> the gate evidence on stdout', async () => {
    const r = await gate([...base, '--json'], dir);
    assert.equal(JSON.parse(r.stdout).kind, 'gate');
  });

  const bad: Array<[string, string[], number, RegExp]> = [
    ['policy with an unknown check type -> exit 2 naming file and line', ['--policy', 'bad.yml', '--environment', 'production'], 2, /^readiness gate: bad.yml:6 checks\[0\].type: unknown check type "chaos"/],
    ['--at that is not a time -> exit 2', [...base.slice(0, -2), '--at', 'yesterday'], 2, /--at "yesterday" is not an ISO 8601 time/],
    ['no --environment with two environments -> exit 2 listing them', ['--policy', 'svc/readiness.yml', '--evidence', 'evidence'], 2, /--environment is required: the policy defines staging, production/],
    ['unknown environment -> exit 2 with the nearest', [...base.slice(0, 4), '--environment', 'prod', ...at], 2, /environment "prod" is not in the policy; expected one of: staging, production|did you mean/],
    ['evidence folder missing -> exit 2', ['--policy', 'svc/readiness.yml', '--evidence', 'nope', '--environment', 'production'], 2, /--evidence .*nope: folder not found/],
    ['unknown argument -> exit 2', [...base, '--frobnicate'], 2, /unknown argument "--frobnicate"/],
    ['store that cannot be read -> exit 3', [...base, '--store', 'store-file'], 3, /Could not read sign-offs/],
  ];
  for (const [name, args, code, message] of bad) {
    it(`cli: ${name}`, async () => {
      await fs.writeFile(path.join(dir, 'bad.yml'), 'service: x\nchecks:\n  - id: a\n    title: A\n    owner: o\n    type: chaos\n    rule: {}\nlevels: [{ name: l, checks: [a] }]\nenvironments: { production: { requiredLevel: l, enforcement: block } }\n');
      await fs.writeFile(path.join(dir, 'store-file'), 'not a folder');
      const r = await gate(args, dir);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});
