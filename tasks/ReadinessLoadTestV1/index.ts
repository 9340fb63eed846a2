import * as tl from 'azure-pipelines-task-lib/task';
import { runCloudLoadTest, type CloudRunOptions } from '../../src/azure/runCloudTest';
import { describeFailures } from '../../src/criteria';
import { ConfigError } from '../../src/errors';
import { runInfoFromEnv } from '../../src/evidence/files';
import type { LoadTestEvidence } from '../../src/evidence/types';
import { runLoadTest, type LoadTestOptions } from '../../src/load/runLoadTest';
import { loadAltConfig } from '../../src/load/altConfig';
import { pipelineContextFrom } from '../../src/azdo/pipelineContext';
import { readEarlierEvidence } from '../../src/azdo/runEvidence';
import { parseBaselineCriteria } from '../../src/criteria';
import { judgeAgainstBaseline } from '../../src/regression/apply';
import { formatComparison } from '../../src/regression/table';
import { agentEnv, azureDevOpsClient } from '../common/azureDevOps';
import { azureConnectionFromInput } from '../common/azureConnection';
import { existingFileInput, nameValueListInput, optionalInput, requiredInput, resultsDirectoryInput, wholeNumberInput } from '../common/inputs';
import { publishEvidence, setOutputs } from '../common/publish';
import { runCapacityMode } from './capacityMode';
import { runTask, type TaskOutcome } from '../common/taskRunner';
import { azureTargetFromInputs, CLOUD_RUN_DONE, CLOUD_RUN_ID } from './cloudRunState';

/** The main step. The post-job step, which stops a cloud run this step left behind, is post.ts. */
void runTask(async ({ signal }) => {
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
  const run = runInfoFromEnv(process.env, 'ReadinessLoadTest');
  const mode = optionalInput('mode') ?? 'test';
  if (mode !== 'test' && mode !== 'capacity') throw new ConfigError(`The input "mode" must be "test" or "capacity"; got "${mode}".`);
  if (mode === 'capacity') {
    return runCapacityMode({ configFile, engine, env, secrets, resultsDirectory, outputVariableName, ...evidenceFields, run, signal,
      cloud: () => cloudOptions(configFile, env, secrets, resultsDirectory), onCloudDone: () => tl.setTaskVariable(CLOUD_RUN_DONE, 'true') });
  }
  const baseline = await earlierEvidence(configFile, evidenceFields.service);
  const comparable = {
    platform: [tl.getVariable('Agent.OS'), tl.getVariable('Agent.OSArchitecture')].filter(Boolean).join('/') || undefined,
    pool: optionalInput('agentPool'),
  };

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
      baseline,
      ...comparable,
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
    if (baseline) {
      // Azure's runs are compared here, with the YAML's baseline criteria, once the service has judged the run; their
      // pool is the Load Testing resource, whose engines ran the load (not this agent).
      const config = loadAltConfig(configFile);
      const criteria = parseBaselineCriteria(config.failureCriteria, { file: configFile });
      evidence = judgeAgainstBaseline(evidence, baseline.evidence, criteria, baseline);
    }
  }
  if (evidence.metrics.regression) console.log(formatComparison(evidence.metrics.regression));

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

/**
 * This test's evidence from earlier runs of this pipeline and branch (`baselineRuns`), read as the gate reads
 * earlier evidence (src/azdo/runEvidence.ts); undefined when no comparison was asked for.
 */
async function earlierEvidence(configFile: string, service: string | undefined): Promise<LoadTestOptions['baseline']> {
  const runs = wholeNumberInput('baselineRuns', 0);
  const pin = optionalInput('baselinePin');
  if (runs === 0) {
    if (pin) throw new ConfigError('The input "baselinePin" needs "baselineRuns": set how many earlier runs to search, e.g. 20.');
    return undefined;
  }
  const client = azureDevOpsClient();
  if (!client) {
    throw new ConfigError('The input "baselineRuns" reads earlier runs with the job\'s access token, and this job has none. Allow scripts to access the OAuth token (classic) or keep the default job authorization (YAML).');
  }
  const context = pipelineContextFrom(agentEnv());
  const earlier = await readEarlierEvidence(client, {
    definitionId: context.definitionId,
    service: service ?? loadAltConfig(configFile).testId,
    runs,
    excludeBuildId: context.buildId,
    branch: tl.getVariable('Build.SourceBranch') || undefined,
  });
  for (const bad of earlier.invalid) tl.warning(`Ignored invalid evidence ${bad.file}: ${bad.errors.join('; ')}`);
  console.log(`Baseline: ${earlier.valid.filter((e) => e.kind === 'loadtest').length} load-test document(s) found in the last ${runs} runs.`);
  return { evidence: earlier.valid, ...(pin ? { pin } : {}) };
}

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

function cloudOptions(
  configFile: string,
  env: Array<{ name: string; value: string }>,
  secrets: Array<{ name: string; value: string }>,
  resultsDirectory: string,
): CloudRunOptions {
  const { resource, armEndpoint, credential } = azureTargetFromInputs();
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
    // The unmasked downloads wait in a private folder here, which the agent empties after the job.
    scratchDirectory: tl.getVariable('Agent.TempDirectory'),
    onRunCreated: (runId) => tl.setTaskVariable(CLOUD_RUN_ID, runId),
    onProgress: (message, percent) => {
      tl.setProgress(percent ?? -1, message);
      console.log(message);
    },
    onWarning: (message) => tl.warning(message),
  };
}

