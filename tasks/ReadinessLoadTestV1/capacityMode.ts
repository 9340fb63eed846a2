import * as tl from 'azure-pipelines-task-lib/task';
import { runCapacitySearch } from '../../src/capacity/runCapacity';
import { formatNumber } from '../../src/criteria';
import { ConfigError } from '../../src/errors';
import type { RunInfo } from '../../src/evidence/types';
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
}

/**
 * `mode: capacity`: the capacity search on this agent's embedded engine, with the settings of the YAML's `capacity:`
 * block. The stepped search on Azure Load Testing is not built, so `engine: azure` is refused before anything runs.
 */
export async function runCapacityMode(i: CapacityModeInputs): Promise<TaskOutcome> {
  if (i.engine === 'azure') {
    throw new ConfigError(`The input "mode" is capacity, which runs on this agent's embedded engine only; set engine: local (the search on Azure Load Testing is not available yet, see docs/capacity.md).`);
  }
  console.log(`Searching the capacity of ${i.configFile} on the embedded engine of this agent.`);
  const evidence = await runCapacitySearch({
    configFile: i.configFile,
    env: Object.fromEntries(i.env.map((e) => [e.name, e.value])),
    secrets: Object.fromEntries(i.secrets.map((s) => [s.name, s.value])),
    service: i.service,
    environment: i.environment,
    run: i.run,
    signal: i.signal,
    onStep: ({ step: s, elapsedSeconds }) => {
      const line = `${Math.round(elapsedSeconds)}s ${s.phase} ${formatNumber(s.offeredRps)} rps: achieved ${formatNumber(s.achievedRps)}, p95 ${formatNumber(s.latencyMs.p95)} ms, ` +
        `${formatNumber(s.errorPercentage)}% errors: ${s.good ? 'held' : `broke (${s.signals.map((g) => g.kind).join(', ')})`}`;
      tl.setProgress(-1, line);
      console.log(line);
    },
  });
  const files = await publishEvidence(evidence, i.resultsDirectory, `Capacity ${evidence.metrics.testId}`);
  const m = evidence.metrics;
  setOutputs(i.outputVariableName, {
    passed: evidence.verdict === 'passed',
    outcome: m.outcome,
    sustainableRps: m.sustainableRps,
    provenRps: m.provenRps,
    resultsFile: files.evidenceFile,
  });
  if (evidence.verdict === 'passed') return { result: 'Succeeded', message: evidence.summary };
  return { result: 'Failed', message: evidence.summary };
}
