// Mock-run script for task-lib's MockTestRunner: runs the task's TypeScript source with task-lib mocked.
require('tsx/cjs');
const path = require('node:path');
const { TaskMockRunner } = require('azure-pipelines-task-lib/mock-run');

const runner = new TaskMockRunner(path.join(__dirname, '..', '..', '..', 'tasks', 'ReadinessLoadTestV1', 'index.ts'));
runner.setInput('engine', 'local');
runner.run();
