import * as tl from 'azure-pipelines-task-lib/task';
import type { CloudRunOptions } from '../../src/azure/runCloudTest';
import { runCloudCapacitySearch } from '../../src/capacity/cloudSearch';
import { runCapacitySearch } from '../../src/capacity/runCapacity';
import type { SearchProgress } from '../../src/capacity/search';
import { formatNumber } from '../../src/criteria';
import type { CapacityEvidence, RunInfo } from '../../src/evidence/types';
import { publishEvidence, setOutputs } from '../common/publish';
import type { TaskOutcome } from '../common/taskRunner';

export interface CapacityModeInputs {
  configFile: string;
  engine: 'local' | 'azure';
  env: Array<{ name: string; value: string }>;
  secrets: Array<{ name: string; value: string }>;
  resultsDirectory: string;
  outputVariableName: string;
  service?: string;
  environment: string;
  run: RunInfo;
  signal: AbortSignal;
  /** engine azure: the cloud run's options from the Azure inputs (index.ts cloudOptions). */
  cloud?: () => CloudRunOptions;
  /** Called once the search has finished with its cloud run (the post-job step then has nothing to stop). */
  onCloudDone?: () => void;
}

/**
 * `mode: capacity`: the capacity search with the settings of the YAML's `capacity:` block, on this agent's embedded
 * engine (`engine: local`) or as one stepped run on Azure Load Testing (`engine: azure`, src/capacity/cloudSearch.ts).
 */
export async function runCapacityMode(i: CapacityModeInputs): Promise<TaskOutcome> {
  const onStep = ({ step: s, elapsedSeconds }: SearchProgress) => {
    const users = s.virtualUsers ? ` (${formatNumber(s.virtualUsers.measured)} users)` : '';
    const line = `${Math.round(elapsedSeconds)}s ${s.phase} ${formatNumber(s.offeredRps)} rps${users}: achieved ${formatNumber(s.achievedRps)}, p95 ${formatNumber(s.latencyMs.p95)} ms, ` +
      `${formatNumber(s.errorPercentage)}% errors: ${s.good ? 'held' : `broke (${s.signals.map((g) => g.kind).join(', ')})`}`;
    tl.setProgress(-1, line);
    console.log(line);
  };
  let evidence: CapacityEvidence;
  if (i.engine === 'azure' && i.cloud) {
    const cloud = i.cloud();
    console.log(`Searching the capacity of ${i.configFile} on Azure Load Testing resource ${cloud.resource.name}.`);
    evidence = await runCloudCapacitySearch({ ...cloud, service: i.service, environment: i.environment, runInfo: i.run, signal: i.signal, onStep });
    i.onCloudDone?.();
  } else {
    console.log(`Searching the capacity of ${i.configFile} on the embedded engine of this agent.`);
    evidence = await runCapacitySearch({
      configFile: i.configFile,
      env: Object.fromEntries(i.env.map((e) => [e.name, e.value])),
      secrets: Object.fromEntries(i.secrets.map((s) => [s.name, s.value])),
      service: i.service,
      environment: i.environment,
      run: i.run,
      signal: i.signal,
      onStep,
    });
  }
  const files = await publishEvidence(evidence, i.resultsDirectory, `Capacity ${evidence.metrics.testId}`);
  const m = evidence.metrics;
  setOutputs(i.outputVariableName, {
    passed: evidence.verdict === 'passed',
    outcome: m.outcome,
    sustainableRps: m.sustainableRps,
    provenRps: m.provenRps,
    ...(m.cloud ? { testRunId: m.cloud.testRunId } : {}),
    resultsFile: files.evidenceFile,
  });
  if (evidence.verdict === 'passed') return { result: 'Succeeded', message: evidence.summary };
  return { result: 'Failed', message: evidence.summary };
}
