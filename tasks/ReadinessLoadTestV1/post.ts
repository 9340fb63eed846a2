import * as tl from 'azure-pipelines-task-lib/task';
import { stopCloudRun } from '../../src/azure/runCloudTest';
import { runTask } from '../common/taskRunner';
import { azureTargetFromInputs, CLOUD_RUN_DONE, CLOUD_RUN_ID } from './cloudRunState';

/**
 * The post-job step (task.json `postjobexecution`). The agent starts it as `node "post.js"` with no arguments, like
 * the main step (azure-pipelines-agent, src/Agent.Worker/Handlers/NodeHandler.cs), so it needs its own entry file:
 * pointing it at index.js ran the whole load test a second time. Its one job: a cancelled or killed main step can
 * leave an Azure Load Testing run going, and that run costs money until it is stopped. Otherwise it does nothing,
 * and contacts nothing.
 */
void runTask(async () => {
  const runId = tl.getTaskVariable(CLOUD_RUN_ID);
  if (!runId || tl.getTaskVariable(CLOUD_RUN_DONE) === 'true') return { result: 'Succeeded', message: 'No cloud run left to stop.' };
  console.log(`The main step left Azure Load Testing run ${runId} unfinished; stopping it.`);
  const stopped = await stopCloudRun({ ...azureTargetFromInputs(), runId });
  console.log(stopped.message);
  // A run that ended on its own (the main step's cancel handler stopped it) needs nothing more; a failed stop is
  // reported so someone stops the run in the portal.
  return { result: stopped.stopped || stopped.alreadyEnded ? 'Succeeded' : 'SucceededWithIssues', message: stopped.message };
});
