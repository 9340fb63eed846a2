import * as assert from 'node:assert/strict';
import { explain, runBundledTask } from '../support/agentRunner';

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
