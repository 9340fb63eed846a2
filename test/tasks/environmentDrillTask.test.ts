import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validateEvidence } from '../../src/evidence/validate';
import { explain, repoRoot, runBundledTask } from '../support/agentRunner';
import { freePort } from '../support/postgres';

/** ReadinessDrDrill@1 run as the agent runs it, with the rollback and terraform providers. */
describe('ReadinessDrDrill@1 (bundled, rollback and terraform providers)', function () {
  this.timeout(120_000);
  let serviceDir: string;
  let port: number;
  const examples = path.join(repoRoot, 'examples', 'drill');

  before(async () => {
    serviceDir = mkdtempSync(path.join(tmpdir(), 'task-rollback-'));
    port = await freePort();
    execFileSync(path.join(examples, 'rollback/deploy.sh'), ['1.5.0', serviceDir, String(port)]);
  });
  after(() => {
    try {
      process.kill(Number(readFileSync(path.join(serviceDir, 'service.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(serviceDir, { recursive: true, force: true });
  });
  const env = () => ({ SERVICE_DIR: serviceDir, SERVICE_PORT: String(port) });

  it('rollback: example drill -> Succeeded with timeToRollbackSeconds and timeToRecoverSeconds outputs and evidence', async () => {
    const run = await runBundledTask('ReadinessDrDrillV1', { inputs: { drillFile: path.join(examples, 'rollback.yaml') }, env: env() });
    assert.equal(run.result, 'Succeeded', explain(run));
    assert.ok(Number(run.variables.timeToRollbackSeconds?.value) > 0, explain(run));
    assert.ok(Number(run.variables.timeToRecoverSeconds?.value) > 0);
    assert.equal(run.variables.passed?.value, 'true');
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment && validateEvidence(JSON.parse(readFileSync(attachment.path, 'utf8'))).ok);
    assert.match(readFileSync(run.summaries[0], 'utf8'), /Time to rollback/);
  });

  it('rollback: environment input production, not marked safe -> Failed as bad input naming the safe environments', async () => {
    const run = await runBundledTask('ReadinessDrDrillV1', { inputs: { drillFile: path.join(examples, 'rollback.yaml'), environment: 'production' }, env: env() });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /"production", which the drill file does not list as safe for drills \(staging\)/);
  });

  it('terraform: a configuration that never converges -> Failed naming the resource, environmentRtoSeconds still set', async () => {
    const drillFile = path.join(mkdtempSync(path.join(tmpdir(), 'task-tf-')), 'drill.yaml');
    writeFileSync(
      drillFile,
      `service: orders\nprovider: terraform\nterraform:\n  configuration: ${path.join(repoRoot, 'test/dr/fixtures/terraform/drift')}\nprobes:\n  - type: command\n    argv: [test, -n, "\${output.name}"]\n`,
    );
    const run = await runBundledTask('ReadinessDrDrillV1', { inputs: { drillFile } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /terraform_data\.clock \(replace\)/);
    assert.ok(Number(run.variables.environmentRtoSeconds?.value) > 0, explain(run));
  });
});

