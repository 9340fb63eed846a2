import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runDriftCheck } from '../../src/environment/checks/drift';
import type { DriftSpec } from '../../src/environment/config';

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });

/**
 * Real terraform (1.11 on this image's PATH) on a configuration of built-in terraform_data resources. Without
 * terraform these tests fail loudly in `before`: drift cannot be shown without the tool that defines it.
 */
describe('environment drift check (real terraform plan on terraform_data)', function () {
  this.timeout(120_000);
  let dir: string;
  const tfEnv = () => ({ ...process.env, TF_IN_AUTOMATION: '1', TF_DATA_DIR: join(dir, '..', 'setup-data') });

  before(() => {
    try {
      execFileSync('terraform', ['version'], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`terraform is required for the drift tests and could not be run (${(error as Error).message}); install terraform 1.x on PATH.`);
    }
    const root = mkdtempSync(join(tmpdir(), 'readiness-drift-test-'));
    dir = join(root, 'infra');
    cpSync(resolve(__dirname, 'data/drift'), dir, { recursive: true });
    writeFileSync(join(dir, 'prod.tfvars'), 'app_sku = "P1v3"\n');
    // The environment as deployed: apply once, leaving terraform.tfstate beside the configuration.
    execFileSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env: tfEnv(), stdio: 'pipe' });
    execFileSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color', '-var-file=prod.tfvars'], { cwd: dir, env: tfEnv(), stdio: 'pipe' });
  });
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  const spec = (varFile: string): DriftSpec => ({ name: 'drift', type: 'drift', directory: dir, varFiles: [join(dir, varFile)], timeoutMs: 60_000, init: true });

  it('drift: configuration and state agree -> passed, plan exit code 0, folder left as it was', async () => {
    const before = readdirSync(dir).sort();
    const r = await runDriftCheck(spec('prod.tfvars'), ctx());
    assert.equal(r.status, 'passed', r.detail);
    assert.equal(r.drift!.planExitCode, 0);
    assert.match(r.drift!.terraformVersion, /^1\./);
    assert.deepEqual(readdirSync(dir).sort(), before, 'the check writes nothing into the configuration folder');
  });

  it('drift: the SKU changed in the code but not in the environment -> failed, naming the resource, the action and the attribute', async () => {
    writeFileSync(join(dir, 'changed.tfvars'), 'app_sku = "P2v3"\nmin_tls_version = "1.0"\n');
    const r = await runDriftCheck(spec('changed.tfvars'), ctx());
    assert.equal(r.status, 'failed');
    assert.equal(r.drift!.planExitCode, 2);
    assert.deepEqual(r.drift!.changes, [{ address: 'terraform_data.app_service', actions: ['update'], attributes: ['input', 'output'] }]);
    assert.match(r.detail, /terraform_data\.app_service \(update: input, output\); apply the configuration, or bring the code in line/);
  });

  it('drift: whoever queues the run sets TF_CLI_ARGS_plan=-target=... to hide the drift -> still failed, the variable is not passed on', async () => {
    writeFileSync(join(dir, 'changed.tfvars'), 'app_sku = "P2v3"\nmin_tls_version = "1.0"\n');
    process.env.TF_CLI_ARGS_plan = '-target=terraform_data.nothing_here';
    try {
      const r = await runDriftCheck(spec('changed.tfvars'), ctx());
      assert.equal(r.status, 'failed', r.detail);
      assert.equal(r.drift!.planExitCode, 2);
    } finally {
      delete process.env.TF_CLI_ARGS_plan;
    }
  });

  it('drift: a configuration terraform cannot plan -> unknown with terraform\'s error', async () => {
    writeFileSync(join(dir, 'broken.tfvars'), 'no_such_variable = 1\n');
    const r = await runDriftCheck({ ...spec('broken.tfvars'), varFiles: [] }, ctx());
    assert.equal(r.status, 'unknown');
    assert.match(r.detail, /terraform plan could not run .*exit 1: Error: No value for required variable/);
  });

  it('drift: terraform missing from PATH -> unknown naming the installer, never passed', async () => {
    const r = await runDriftCheck(spec('prod.tfvars'), ctx(), 'terraform-not-installed-here');
    assert.equal(r.status, 'unknown');
    assert.match(r.detail, /terraform is not on the agent's PATH/);
  });
});
