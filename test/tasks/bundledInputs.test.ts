import * as assert from 'node:assert/strict';
import { explain, repoRoot as repoRootForTests, runBundledTask } from '../support/agentRunner';

/** Every agent task, run from the packaged layout as the agent runs it, with its required inputs missing. */
const cases = [
  { task: 'ReadinessLoadTestV1', input: 'loadTestConfigFile' },
  { task: 'ReadinessDrDrillV1', input: 'drillFile' },
  { task: 'ReadinessGateV1', input: 'policyFile' },
];

describe('bundled tasks: required inputs', () => {
  for (const c of cases) {
    it(`${c.task}: missing ${c.input} -> Failed, names the input, no stack trace`, async () => {
      const run = await runBundledTask(c.task, { inputs: {} });
      assert.equal(run.result, 'Failed', explain(run));
      assert.match(run.resultMessage ?? '', new RegExp(`"${c.input}" is required`), explain(run));
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+:\d+:\d+/, 'a stack trace reached the log');
      assert.equal(run.commands.filter((command) => command.command === 'task.complete').length, 1, 'setResult must be called exactly once');
    });
  }

  it('ReadinessGateV1: policy file given but environment missing -> Failed naming "environment"', async () => {
    const run = await runBundledTask('ReadinessGateV1', { inputs: { policyFile: __filename } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /"environment" is required/);
  });
});

describe('bundled tasks: inputs that are wrong, not missing', () => {
  it('ReadinessDrDrillV1: drillFile is a folder -> Failed naming the input, not a file-system error', async () => {
    const run = await runBundledTask('ReadinessDrDrillV1', { inputs: { drillFile: __dirname } });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /"drillFile" points to .* which is a folder/);
  });

  it('ReadinessLoadTestV1: malformed secrets JSON -> Failed naming the input, the secret text never echoed', async () => {
    const run = await runBundledTask('ReadinessLoadTestV1', {
      inputs: { loadTestConfigFile: `${repoRootForTests}/examples/loadtest/basic/loadtest.yaml`, secrets: '[{"name":"apiKey","value":SuperSecret123}]' },
    });
    assert.equal(run.result, 'Failed', explain(run));
    assert.match(run.resultMessage ?? '', /"secrets" is not valid JSON/);
    const leaks = run.stdout.split('\n').filter((line) => line.includes('SuperSecre') && !line.startsWith('##vso[task.setsecret]') && !line.startsWith('##vso[task.debug]'));
    assert.deepEqual(leaks, [], 'no log line may quote the secret');
  });
});
