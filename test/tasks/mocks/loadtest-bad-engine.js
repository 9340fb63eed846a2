require('tsx/cjs');
const path = require('node:path');
const { TaskMockRunner } = require('azure-pipelines-task-lib/mock-run');

const runner = new TaskMockRunner(path.join(__dirname, '..', '..', '..', 'tasks', 'ReadinessLoadTestV1', 'index.ts'));
runner.setInput('loadTestConfigFile', '/repo/loadtest.yaml');
runner.setInput('engine', 'cloud');
runner.setAnswers({ exist: { '/repo/loadtest.yaml': true }, stats: { '/repo/loadtest.yaml': { isFile: true } } });
runner.run();
