import * as tl from 'azure-pipelines-task-lib/task';
import { runCloudLoadTest, stopCloudRun, type CloudRunOptions } from '../../src/azure/runCloudTest';
import { describeFailures } from '../../src/criteria';
import { ConfigError } from '../../src/errors';
import { runInfoFromEnv } from '../../src/evidence/files';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { runLoadTest } from '../../src/load/runLoadTest';
import { azureConnectionFromInput } from '../common/azureConnection';
import { existingFileInput, nameValueListInput, optionalInput, requiredInput, resultsDirectoryInput } from '../common/inputs';
import { publishEvidence, setOutputs } from '../common/publish';
import { runCapacityMode } from './capacityMode';
import { runTask, type TaskOutcome } from '../common/taskRunner';

/** Task variables carried to the post-job step, which stops a cloud run the job left behind. */
const CLOUD_RUN_ID = 'READINESS_CLOUD_RUN_ID';
const CLOUD_RUN_DONE = 'READINESS_CLOUD_RUN_DONE';

void runTask(async ({ signal }) => {
  if (process.argv[2] === 'post') return stopLeftoverCloudRun();

  const configFile = existingFileInput('loadTestConfigFile');
  if (!/\.ya?ml$/i.test(configFile)) {
    throw new ConfigError(`The input "loadTestConfigFile" must be a .yaml or .yml file; got ${configFile}.`);
  }
  const engine = chooseEngine();
  const outputVariableName = optionalInput('outputVariableName') ?? 'ALTOutputVar';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(outputVariableName)) {
    throw new ConfigError(`The input "outputVariableName" must start with a letter or "_" and hold only letters, digits and "_"; got "${outputVariableName}".`);
  }
  const env = nameValueListInput('env');
  const secrets = nameValueListInput('secrets', { secret: true });
  for (const secret of secrets) tl.setSecret(secret.value);
  const resultsDirectory = resultsDirectoryInput();
  const evidenceFields = {
    service: optionalInput('service'),
    environment: optionalInput('environment') ?? 'default',
  };
  const run = runInfoFromEnv(process.env);
  const mode = optionalInput('mode') ?? 'test';
  if (mode !== 'test' && mode !== 'capacity') throw new ConfigError(`The input "mode" must be "test" or "capacity"; got "${mode}".`);
  if (mode === 'capacity') {
    return runCapacityMode({ configFile, engine, env, secrets, resultsDirectory, outputVariableName, ...evidenceFields, run, signal });
  }

  let evidence: LoadTestEvidence;
  if (engine === 'local') {
    if (optionalInput('overrideParameters')) {
      tl.warning('The input "overrideParameters" applies to engine azure only; the local engine ignored it.');
    }
    console.log(`Running ${configFile} on the embedded engine of this agent.`);
    evidence = await runLoadTest({
      configFile,
      env: Object.fromEntries(env.map((e) => [e.name, e.value])),
      secrets: Object.fromEntries(secrets.map((s) => [s.name, s.value])),
      ...evidenceFields,
      run,
      signal,
      onProgress: (p) => {
        const line = `${p.elapsedSeconds}s: ${p.requests} requests, ${p.rps} rps, p95 ${p.p95Ms} ms, ${p.errors} errors, ${p.activeUsers} users`;
        tl.setProgress(-1, line);
        console.log(line);
      },
    });
  } else {
    const outcome = await runCloudLoadTest({ ...cloudOptions(configFile, env, secrets, resultsDirectory), ...evidenceFields, runInfo: run, signal });
    tl.setTaskVariable(CLOUD_RUN_DONE, 'true');
    setOutputs(outputVariableName, { testRunId: outcome.runId });
    if (!outcome.evidence) {
      return {
        result: 'Succeeded',
        message: `Started Azure Load Testing run ${outcome.runId} without waiting for it (waitForCompletion is false); no verdict was reached. ${outcome.portalUrl ?? ''}`.trim(),
      };
    }
    evidence = outcome.evidence;
  }

  const files = await publishEvidence(evidence, resultsDirectory, `Load test ${evidence.metrics.testId}`);
  const totals = evidence.metrics.totals;
  setOutputs(outputVariableName, {
    passed: evidence.verdict === 'passed',
    p95: totals.latencyMs.p95,
    errorPercentage: totals.errorPercentage,
    rps: totals.rps,
    resultsFile: files.evidenceFile,
  });
  return verdictOutcome(evidence);
});

function chooseEngine(): 'local' | 'azure' {
  const engine = optionalInput('engine') ?? 'auto';
  if (engine === 'local' || engine === 'azure') return engine;
  if (engine !== 'auto') throw new ConfigError(`The input "engine" must be "auto", "local" or "azure"; got "${engine}".`);
  // AzureLoadTest@1 users rename the task and keep their inputs: a named resource means the cloud.
  return optionalInput('loadTestResource') ? 'azure' : 'local';
}

function verdictOutcome(evidence: LoadTestEvidence): TaskOutcome {
  if (evidence.verdict === 'passed') return { result: 'Succeeded', message: evidence.summary };
  const failed = describeFailures(evidence.criteria);
  return { result: 'Failed', message: failed ? `${evidence.summary}\n${failed}` : evidence.summary };
}

function azureResource(): { resource: CloudRunOptions['resource']; armEndpoint: string; credential: CloudRunOptions['credential'] } {
  const { credential, armEndpoint, subscriptionId } = azureConnectionFromInput('connectedServiceNameARM');
  if (!subscriptionId) {
    throw new ConfigError(`The service connection given in "azureSubscription" has no subscription id; use a subscription-scoped Azure Resource Manager connection.`);
  }
  const resource = { subscriptionId, resourceGroup: requiredInput('resourceGroup'), name: requiredInput('loadTestResource') };
  return { resource, armEndpoint, credential };
}

function cloudOptions(
  configFile: string,
  env: Array<{ name: string; value: string }>,
  secrets: Array<{ name: string; value: string }>,
  resultsDirectory: string,
): CloudRunOptions {
  const { resource, armEndpoint, credential } = azureResource();
  return {
    configFile,
    resource,
    credential,
    armEndpoint,
    runName: optionalInput('loadTestRunName'),
    runDescription: optionalInput('loadTestRunDescription'),
    env,
    secrets,
    overrideParameters: optionalInput('overrideParameters'),
    waitForCompletion: tl.getBoolInput('waitForCompletion', false) || optionalInput('waitForCompletion') === undefined,
    resultsDirectory,
    pipelineRunUrl: runInfoFromEnv(process.env).url,
    onRunCreated: (runId) => tl.setTaskVariable(CLOUD_RUN_ID, runId),
    onProgress: (message, percent) => {
      tl.setProgress(percent ?? -1, message);
      console.log(message);
    },
    pollIntervals: pollIntervalsFromEnv(),
  };
}

/** Test hook: the emulator tests shorten AzureLoadTest@1's poll intervals through this variable. */
function pollIntervalsFromEnv(): CloudRunOptions['pollIntervals'] {
  const ms = Number(process.env.READINESS_ALT_POLL_MS);
  return ms > 0 ? { validationMs: ms, runMs: ms, finishingMs: ms, artifactsMs: ms } : undefined;
}

/** Post-job step: a cancelled job can leave a cloud run going; stop it so it stops costing money. */
async function stopLeftoverCloudRun(): Promise<TaskOutcome> {
  const runId = tl.getTaskVariable(CLOUD_RUN_ID);
  if (!runId || tl.getTaskVariable(CLOUD_RUN_DONE) === 'true') return { result: 'Succeeded', message: 'No cloud run left to stop.' };
  const { resource, armEndpoint, credential } = azureResource();
  const stopped = await stopCloudRun({ resource, credential, armEndpoint, runId });
  console.log(stopped.message);
  return { result: stopped.stopped ? 'Succeeded' : 'SucceededWithIssues', message: stopped.message };
}
