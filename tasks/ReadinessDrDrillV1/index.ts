import * as tl from 'azure-pipelines-task-lib/task';
import { runDrill } from '../../src/dr/runner';
import { runInfoFromEnv } from '../../src/evidence/files';
import type { DrillEvidence } from '../../src/evidence/types';
import { azureConnectionFromInput } from '../common/azureConnection';
import { existingFileInput, optionalInput, resultsDirectoryInput } from '../common/inputs';
import { publishEvidence, setOutputs } from '../common/publish';
import { runTask, type TaskOutcome } from '../common/taskRunner';

void runTask(async ({ signal }) => {
  const drillFile = existingFileInput('drillFile');
  const resultsDirectory = resultsDirectoryInput();
  // Cancelling the job aborts the drill; its cleanup (dropping the scratch database) still runs and is reported.
  const evidence = await runDrill({
    configFile: drillFile,
    // Needed only by the azure-postgres-flexible and azure-sql providers, and by rollback drills that swap App Service slots.
    azure: optionalInput('connectedServiceNameARM') ? azureConnectionFromInput('connectedServiceNameARM') : undefined,
    environment: optionalInput('environment'),
    run: runInfoFromEnv(process.env, 'ReadinessDrDrill'),
    signal,
    onProgress: (message, percent) => {
      tl.setProgress(percent ?? -1, message);
      console.log(message);
    },
  });
  await publishEvidence(evidence, resultsDirectory, `DR drill ${evidence.service}`);
  setOutputs(undefined, {
    rtoSeconds: evidence.metrics.rtoSeconds,
    rpoSeconds: evidence.metrics.rpoSeconds,
    passed: evidence.verdict === 'passed',
    environmentRtoSeconds: evidence.metrics.environmentRtoSeconds,
    timeToRollbackSeconds: evidence.metrics.timeToRollbackSeconds,
    timeToRecoverSeconds: evidence.metrics.timeToRecoverSeconds,
  });
  if (evidence.metrics.cleanup.status === 'failed') {
    tl.error(`Cleanup failed; left behind: ${evidence.metrics.cleanup.leftBehind.join(', ') || 'unknown'}. ${evidence.metrics.cleanup.detail}`);
  }
  return outcome(evidence);
});

function outcome(evidence: DrillEvidence): TaskOutcome {
  if (evidence.verdict === 'passed' && evidence.metrics.cleanup.status !== 'failed') return { result: 'Succeeded', message: evidence.summary };
  const reasons = [
    ...evidence.criteria.filter((c) => c.failed).map((c) => `- ${c.explanation}`),
    ...evidence.metrics.probes.filter((p) => p.status !== 'passed').map((p) => `- probe ${p.name}: ${p.status}: ${p.detail}`),
  ];
  return { result: 'Failed', message: [evidence.summary, ...reasons].join('\n') };
}
