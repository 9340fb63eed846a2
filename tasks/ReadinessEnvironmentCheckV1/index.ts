import * as tl from 'azure-pipelines-task-lib/task';
import { runEnvironmentChecks } from '../../src/environment/run';
import { runInfoFromEnv } from '../../src/evidence/files';
import { azureConnectionFromInput } from '../common/azureConnection';
import { existingFileInput, optionalInput, resultsDirectoryInput } from '../common/inputs';
import { publishEvidence, setOutputs } from '../common/publish';
import { runTask } from '../common/taskRunner';

void runTask(async ({ signal }) => {
  const environmentFile = existingFileInput('environmentFile');
  const resultsDirectory = resultsDirectoryInput();
  const evidence = await runEnvironmentChecks({
    configFile: environmentFile,
    environment: optionalInput('environment'),
    only: optionalInput('checks')?.split(',').map((name) => name.trim()).filter(Boolean),
    // Needed only by monitoring checks and query-based watches.
    azure: optionalInput('connectedServiceNameARM') ? azureConnectionFromInput('connectedServiceNameARM') : undefined,
    run: runInfoFromEnv(process.env, 'ReadinessEnvironmentCheck'),
    signal,
    onProgress: (message) => console.log(message),
  });
  await publishEvidence(evidence, resultsDirectory, `Environment checks ${evidence.service}`);
  const checks = evidence.metrics.checks;
  const bad = checks.filter((c) => c.status !== 'passed');
  const breach = checks.find((c) => c.watch?.breach);
  const days = checks.map((c) => c.tls?.daysToExpiry).filter((d): d is number => typeof d === 'number');
  setOutputs(undefined, {
    passed: evidence.verdict === 'passed',
    failedChecks: bad.map((c) => c.name).join(','),
    breached: Boolean(breach),
    breachReason: breach?.watch?.breach,
    certificateDaysToExpiry: days.length ? Math.min(...days) : undefined,
  });
  if (evidence.verdict === 'passed') return { result: 'Succeeded', message: evidence.summary };
  return { result: 'Failed', message: [evidence.summary, ...bad.map((c) => `- ${c.name} (${c.status}): ${c.detail}`)].join('\n') };
});
