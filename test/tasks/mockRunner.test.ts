import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';

/**
 * task-lib's own MockTestRunner, kept offline: it would download a Node build for the task.json's
 * handler unless `nodePath` points at the running Node (DESIGN.md "The mock test runner").
 */
const taskJson = path.join(__dirname, '..', '..', 'tasks', 'ReadinessLoadTestV1', 'task.json');

async function runMock(script: string): Promise<MockTestRunner> {
  const runner = new MockTestRunner(path.join(__dirname, 'mocks', script), taskJson);
  runner.nodePath = process.execPath;
  await runner.runAsync();
  return runner;
}

describe('task inputs under the task-lib mock runner', () => {
  it('inputs: missing loadTestConfigFile -> task fails naming the input', async () => {
    const runner = await runMock('loadtest-missing-config.js');
    assert.ok(runner.failed, runner.stdout);
    assert.equal(runner.errorIssues.length, 1, runner.stdout);
    assert.match(runner.errorIssues[0], /"loadTestConfigFile" is required/);
  });

  it('inputs: an engine that does not exist -> task fails naming the input and the choices', async () => {
    const runner = await runMock('loadtest-bad-engine.js');
    assert.ok(runner.failed, runner.stdout);
    assert.match(runner.errorIssues[0], /"engine" must be "auto", "local" or "azure"; got "cloud"/);
  });
});
