import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { nearestKey } from '../config/yamlSource';
import { ConfigError } from '../errors';
import { formatNumber } from '../criteria';
import { EVIDENCE_SCHEMA_VERSION, type CapacityEvidence, type CapacityMetrics, type CriterionResult, type Verdict } from '../evidence/types';
import { checkReachable } from '../load/engine/preflight';
import { prepareLoadTest, type LoadTestOptions } from '../load/runLoadTest';
import { runProbe } from './probe';
import { searchCapacity, type SearchProgress, type SearchResult } from './search';
import { parseCapacitySettings, type CapacitySettings } from './settings';

/** As a load test's options; the configuration YAML's `capacity:` block holds the search's settings. */
export interface CapacityOptions extends Pick<LoadTestOptions, 'configFile' | 'env' | 'secrets' | 'service' | 'environment' | 'run' | 'signal'> {
  onStep?: (progress: SearchProgress) => void;
}

/**
 * Runs a capacity search on the local engine and returns its evidence document. Bad input throws ConfigError (2)
 * before any traffic, an unreachable target InfrastructureError (3). A cancel returns what was learned so far.
 */
export async function runCapacitySearch(options: CapacityOptions): Promise<CapacityEvidence> {
  const { config, plan } = prepareLoadTest(options);
  const settings = parseCapacitySettings(config);
  const names = plan.setups.flatMap((s) => s.scenario.requests.map((r) => r.name));
  const unknown = settings.serviceLevel.filter((c) => c.request !== undefined && !names.includes(c.request));
  if (unknown.length) {
    throw new ConfigError(unknown.map((c) => {
      const near = nearestKey(c.request!, names);
      return `${path.basename(config.file)}:${c.line ?? '?'} capacity.serviceLevel: "${c.expression}": no request is named "${c.request}"${near ? `; did you mean "${near}"?` : `; requests: ${names.join(', ')}`}`;
    }));
  }
  const origins = [...new Set(plan.setups.flatMap((s) => s.scenario.requests.flatMap((r) => (r.origin ? [r.origin] : []))))];
  await checkReachable(origins, config.localEngine.connectTimeoutSeconds * 1000, options.signal);
  const startedAt = new Date();
  const ctx = {
    plan, settings, signal: options.signal,
    requestTimeoutMs: config.localEngine.requestTimeoutSeconds * 1000,
    connectTimeoutMs: config.localEngine.connectTimeoutSeconds * 1000,
  };
  const result = await searchCapacity(settings, (phase, rps, hold, healthyServiceMs) => runProbe({ ...ctx, healthyServiceMs }, phase, rps, hold), {
    signal: options.signal, onStep: options.onStep,
  });
  return capacityEvidence({ engine: 'local', testId: config.testId, result, settings, options, startedAt });
}

/** The evidence document of a search, local or on Azure Load Testing: requirement, verdict and summary are judged alike. */
export function capacityEvidence(input: {
  engine: CapacityMetrics['engine']; testId: string; result: SearchResult; settings: CapacitySettings; startedAt: Date;
  options: Pick<CapacityOptions, 'service' | 'environment' | 'run'>; cloud?: CapacityMetrics['cloud']; links?: CapacityEvidence['links'];
}): CapacityEvidence {
  const { settings, options } = input;
  const metrics: CapacityMetrics = {
    engine: input.engine,
    testId: input.testId,
    ...input.result,
    ...(input.cloud ? { cloud: input.cloud } : {}),
    serviceLevel: settings.serviceLevel.map((c) => c.expression),
    ...(settings.expectedPeakRps !== undefined ? { expectedPeakRps: settings.expectedPeakRps, headroom: settings.headroom } : {}),
    ...(settings.minimumRps !== undefined ? { minimumRps: settings.minimumRps } : {}),
  };
  const criteria = requirementResults(metrics, settings);
  const verdict = verdictOf(metrics, criteria);
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: randomUUID(),
    kind: 'capacity',
    service: options.service ?? input.testId,
    environment: options.environment ?? (input.engine === 'local' ? 'local' : 'default'),
    run: options.run ?? {},
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    verdict,
    summary: summarize(metrics, criteria),
    criteria,
    metrics,
    links: input.links ?? [],
  };
}

/** The rate the settings ask for, if they ask: at least minimumRps, and at least headroom x expectedPeakRps. */
export function requiredRps(s: Pick<CapacitySettings, 'expectedPeakRps' | 'headroom' | 'minimumRps'>): number | undefined {
  const asks = [s.minimumRps, s.expectedPeakRps !== undefined ? s.expectedPeakRps * s.headroom : undefined].filter((n): n is number => n !== undefined);
  return asks.length ? Math.max(...asks) : undefined;
}

function requirementResults(m: CapacityMetrics, s: CapacitySettings): CriterionResult[] {
  const required = requiredRps(s);
  if (required === undefined) return [];
  const what = s.expectedPeakRps !== undefined && s.expectedPeakRps * s.headroom === required
    ? `capacity >= ${formatNumber(s.headroom)}x expected peak (${formatNumber(s.expectedPeakRps)} rps)`
    : `capacity >= ${formatNumber(required)} rps`;
  const failed = m.provenRps < required;
  return [{
    expression: what,
    actual: m.provenRps,
    threshold: required,
    failed,
    explanation: `The highest rate held within the service level was ${formatNumber(m.provenRps)} rps, ${failed ? 'below' : 'at or above'} the required ${formatNumber(required)} rps: ${failed ? 'failed' : 'passed'}.`,
  }];
}

/**
 * Passed: the requirement (if any) is met by a rate the service held; otherwise a found or not-reached search.
 * Failed: the service could not hold the required rate, or any rate. Error: the search could not tell (cancelled,
 * generator-bound or stopped by a budget without meeting the requirement).
 */
function verdictOf(m: CapacityMetrics, criteria: CriterionResult[]): Verdict {
  if (m.cancelled) return 'error';
  if (criteria.length && !criteria[0].failed) return 'passed';
  if (m.outcome === 'no-sustainable-rate' || m.stoppedBy?.reason === 'confirm-failed') return 'failed';
  if (m.outcome === 'generator-bound' || m.outcome === 'incomplete') return 'error';
  return criteria.length ? 'failed' : 'passed';
}

function summarize(m: CapacityMetrics, criteria: CriterionResult[]): string {
  const rps = (n: number) => `${formatNumber(n)} rps`;
  const broke = m.firstBreak ? ` First to break: ${m.firstBreak.kind}${m.firstBreak.bound ? ` (${m.firstBreak.bound})` : ''} at ${rps(m.firstBreak.offeredRps)}: ${m.firstBreak.detail.replace(/\.$/, '')}.` : '';
  let text: string;
  switch (m.outcome) {
    case 'found':
      text = `Sustainable rate ${rps(m.sustainableRps!)} (knee between ${rps(m.interval!.lowRps)} and ${rps(m.interval!.highRps)}); ${m.bound}-bound.${broke}`;
      break;
    case 'generator-bound':
      text = `Generator-bound: the generator saturated before the service (highest rate reached within the service level: ${rps(m.provenRps)}); this is not the service's capacity. ${m.advice}${broke}`;
      break;
    case 'not-reached':
      text = `No limit found up to ${rps(m.provenRps)}: every rate held the service level.`;
      break;
    case 'no-sustainable-rate':
      text = `The first ${m.engine === 'azure' ? 'step' : 'rate'} (${rps(m.steps[0]?.offeredRps ?? 0)}) already broke the service level; ` +
        `${m.engine === 'azure' ? 'start lower (more capacity.azure.steps, or fewer virtualUsersPerEngine)' : 'lower capacity.startRps'}.${broke}`;
      break;
    default:
      text = `Search incomplete${m.stoppedBy ? ` (${m.stoppedBy.reason}: ${m.stoppedBy.detail})` : ''}; held ${rps(m.provenRps)}${m.interval ? `, knee between ${rps(m.interval.lowRps)} and ${rps(m.interval.highRps)}` : ''}.${broke}`;
  }
  if (m.stoppedBy && m.outcome !== 'incomplete' && m.stoppedBy.reason !== 'max-rate') text += ` Stopped: ${m.stoppedBy.detail}.`;
  if (criteria.length) text += ` ${criteria[0].explanation}`;
  const probes = m.engine === 'azure' ? `${m.steps.length} steps of Azure Load Testing run ${m.cloud?.testRunId ?? ''}`.trimEnd() : `${m.steps.length} probes`;
  return `${text} ${probes}, ${m.requests} requests, ${formatNumber(m.durationSeconds)} s.`;
}
