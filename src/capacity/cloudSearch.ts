import * as path from 'node:path';
import { LoadTestingClient } from '../azure/loadTestingClient';
import type { AltTestRun } from '../azure/model';
import { runCloudLoadTest, type CloudRunOptions } from '../azure/runCloudTest';
import { isRecord, nearestKey } from '../config/yamlSource';
import { formatNumber } from '../criteria';
import { CancelledError, ConfigError } from '../errors';
import type { CapacityEvidence, CapacityStep } from '../evidence/types';
import { loadAltConfig } from '../load/altConfig';
import { readRunSeries } from './cloudMetrics';
import { cloudCurve } from './cloudSteps';
import { kneeWatch, type KneeStop } from './kneeWatch';
import { capacityEvidence } from './runCapacity';
import { concludeSearch, type SearchFindings, type SearchProgress } from './search';
import { parseCapacitySettings, type CapacitySettings } from './settings';
import { steppedProfile } from './steppedProfile';

/**
 * The capacity search on Azure Load Testing (`engine: azure`): ONE run of the URL test with a stepped profile
 * (src/capacity/steppedProfile.ts) on a test of its own (`<testId>-capacity`, so the team's load test and its
 * baseline stay as they are), then the run's time series from the metrics API, sliced into steps and judged with
 * the local search's signals (src/capacity/cloudSteps.ts), concluded and reported by the same code as the local
 * search. The engines scale the load past what one agent can send.
 *
 * No confirming hold: every step is already a hold of holdSeconds at one load, and a second run would cost another
 * provisioning of the engines (minutes). The time budget stops the cloud run (POST :stop) and judges the steps
 * that ran; so does a cancel; and, unless capacity.azure.stopAtKnee is false, so does the first complete step that
 * breaks while the run goes on (src/capacity/kneeWatch.ts): the rest of the profile would only cost engine time.
 */
export interface CloudCapacityOptions extends Pick<CloudRunOptions, 'configFile' | 'resource' | 'credential' | 'armEndpoint' | 'runName' |
  'runDescription' | 'env' | 'secrets' | 'overrideParameters' | 'signal' | 'onProgress' | 'onRunCreated' | 'resultsDirectory' | 'caCertificate' |
  'retryDelayMs' | 'pollIntervals' | 'service' | 'environment' | 'runInfo'> {
  onStep?: (progress: SearchProgress) => void;
  /** Real milliseconds between reads of the series while the run executes (stop at the knee). Default: kneeWatch.ts. */
  kneeCheckMs?: number;
  /**
   * Milliseconds now, on the clock the time budget is counted on. Default Date.now. The emulator's tests pass the
   * emulator's compressed clock (its runs play a profile of minutes in seconds), so a budget that fits the profile
   * can still pass while its run goes on.
   */
  now?: () => number;
}

/**
 * Seconds of the time budget left for what comes before and after the load: the service provisions and configures
 * the engines before EXECUTING (typically a few minutes, reference §1.5), and the budget counts from the start.
 * A profile longer than the budget less this could never finish in it, so it is refused before anything is paid for.
 */
export const PROVISIONING_ALLOWANCE_SECONDS = 180;

/** The ResponseTime aggregations the metrics API offers (ListTestRunMetricsDefinitions.json) and the criteria they serve. */
const CLOUD_AGGREGATES = ['avg', 'p90', 'p95', 'p99'];

export async function runCloudCapacitySearch(options: CloudCapacityOptions): Promise<CapacityEvidence> {
  const started = performance.now();
  const startedAt = new Date();
  const config = loadAltConfig(options.configFile);
  const file = path.basename(config.file);
  const settings = parseCapacitySettings(config);
  if (config.testType !== 'URL') {
    throw new ConfigError(`${file}:${config.lineOf(['testType']) ?? 1} testType: the capacity search on Azure Load Testing runs URL tests (testType: URL), whose ` +
      'load profile it sets to stepped; a JMeter or Locust script keeps its own load profile in the script. Convert the plan to a URL test, or search with engine: local.');
  }
  const { overrideParameters, cloudTestId, engineInstances } = capacityOverrides(options.overrideParameters, config.testId);
  const engines = engineInstances ?? config.engineInstances;
  const profile = steppedProfile(config.testPlan, settings, engines);
  checkCloudServiceLevel(settings, file, profile.requestNames, config.lineOf(['capacity', 'holdSeconds']));
  checkBudget(settings, profile.seconds, file, config.lineOf);
  const now = options.now ?? Date.now;

  const client = await LoadTestingClient.forResource(options.resource,
    { credential: options.credential, armEndpoint: options.armEndpoint, caCertificate: options.caCertificate, retryDelayMs: options.retryDelayMs }, options.signal);
  const deadline = now() + settings.budget.seconds * 1000;
  let stoppedBy: SearchFindings['stoppedBy'];
  let runId: string | undefined;
  let cancelled = false;
  let knee: KneeStop | undefined;
  // One series request for the reads while the run goes on and the one after it: the definitions are read once.
  const layout = {};
  const seriesOf = (run: AltTestRun, signal?: AbortSignal) => readRunSeries(client, {
    run: { ...run, testRunId: runId! },
    samplers: [...new Set(settings.serviceLevel.flatMap((c) => (c.request !== undefined ? [c.request] : [])))],
    needP90: settings.serviceLevel.some((c) => c.aggregate === 'p90'),
    fallbackEnd: new Date(Date.parse(run.startDateTime ?? startedAt.toISOString()) + (profile.seconds + 600) * 1000),
    signal,
    layout,
  });
  const watch = settings.azure.stopAtKnee
    ? kneeWatch({ levels: profile.levels, roundingUsers: profile.roundingUsers, settings, read: (run) => seriesOf(run, options.signal), intervalMs: options.kneeCheckMs, signal: options.signal,
      progress: (m) => options.onProgress?.(m) })
    : undefined;
  options.onProgress?.(`Capacity search on Azure Load Testing: ${profile.levels.length} steps of ${settings.holdSeconds} s up to ${profile.levels.at(-1)} virtual users ` +
    `(${engines} engine${engines === 1 ? '' : 's'}), on test "${cloudTestId}"`);
  try {
    await runCloudLoadTest({
      ...options,
      overrideParameters,
      waitForCompletion: true,
      client,
      capacity: { rewritePlan: () => profile.content },
      onRunCreated: (id) => {
        runId = id;
        options.onRunCreated?.(id);
      },
      shouldStop: async (run) => {
        if (now() > deadline) {
          stoppedBy = { reason: 'time-budget', detail: `the time budget of ${settings.budget.seconds} s passed; the cloud run was stopped` };
          return stoppedBy.detail;
        }
        knee = await watch?.(run);
        if (!knee) return undefined;
        stoppedBy = { reason: 'knee', detail: knee.detail };
        return knee.detail;
      },
      pollIntervals: { runMs: 5000, ...options.pollIntervals },
    });
  } catch (error) {
    if (!(error instanceof CancelledError) || !runId) throw error;
    // runCloudLoadTest has asked the service to stop the run; what ran so far is still worth judging.
    cancelled = true;
    stoppedBy = { reason: 'cancelled', detail: `cancelled after ${formatNumber(Math.round((performance.now() - started) / 1000))} s; the cloud run was stopped` };
  }

  // After a cancel the pipeline's signal is aborted: the series is read under a fresh, bounded one.
  const signal = cancelled ? AbortSignal.timeout(120_000) : options.signal;
  const run = await client.getRun(runId!, signal);
  const series = await seriesOf(run, signal);
  // A run stopped at its knee: the step the stop cut short is left out, as the lag rule left it out while the run went on.
  const lastBucket = series.virtualUsers.reduce((t, p) => Math.max(t, p.t), -Infinity);
  const { steps, unsettled } = cloudCurve(series, profile.levels, settings.holdSeconds, settings, knee && Number.isFinite(lastBucket) ? lastBucket : undefined,
    { ended: true, roundingUsers: profile.roundingUsers });
  for (const step of steps) options.onStep?.({ step, elapsedSeconds: (performance.now() - started) / 1000 });

  const firstBad = steps.findIndex((s) => !s.good);
  const generatorStep = firstBad >= 0 && steps[firstBad].signals.some((s) => s.kind === 'generator') ? steps[firstBad] : undefined;
  const bad = firstBad >= 0 && !generatorStep ? steps[firstBad] : undefined;
  const good = (firstBad >= 0 ? steps.slice(0, firstBad) : steps).filter((s) => s.good).at(-1);
  if (knee && !bad && !generatorStep) {
    // The series read after the run no longer shows the break the run was stopped for (a bucket revised late).
    stoppedBy = { reason: 'knee', detail: `${knee.detail}; but in the series read after the run step ${knee.step} held, so the knee was not bracketed` };
  }
  // A run that ended on its own before its profile did (stopped from the portal, engines failed, the service's
  // autoStop) judged only part of the curve: never "every step held", never a verdict on it.
  const ended = stoppedBy || cancelled ? undefined : endedEarly(run, steps, profile.levels, unsettled !== undefined);
  if (ended) stoppedBy = { reason: 'run-ended', detail: ended };
  // A step never judged (its users never held a level) leaves no curve past it: no knee bracketed across it.
  if (unsettled && !bad && !generatorStep && (!stoppedBy || stoppedBy.reason === 'knee')) {
    stoppedBy = { reason: 'unsettled-step', detail: unsettled.detail };
  }
  const ranToEnd = !stoppedBy && !cancelled;
  if (ranToEnd && !bad && !generatorStep && good) {
    stoppedBy = { reason: 'max-rate', detail: `every step up to ${formatNumber(profile.levels.at(-1)!)} virtual users (virtualUsersPerEngine x engineInstances) held the service level` };
  }
  const result = concludeSearch({
    steps, good, bad, generatorStep, stoppedBy, cancelled,
    found: good !== undefined && bad !== undefined && !ended,
    requests: series.requests.reduce((n, p) => n + p.v, 0),
    elapsedSeconds: (performance.now() - started) / 1000,
    // A closed model proves what its users completed, not what they would have sent.
    heldRate: (s: CapacityStep) => s.achievedRps,
    advice: (provenRps) => `Azure Load Testing's engines did not run the planned virtual users${provenRps > 0 ? ` past ${formatNumber(provenRps)} rps` : ''}; ` +
      'raise engineInstances and lower virtualUsersPerEngine (an engine runs at most a few hundred users of a URL test well), or check the engines\' health in the portal.',
  });
  return capacityEvidence({
    engine: 'azure', testId: config.testId, result, settings, startedAt,
    options: { service: options.service, environment: options.environment, run: options.runInfo },
    cloud: { testRunId: runId!, cloudTestId, interval: `PT${series.intervalSeconds}S`, ...(run.portalUrl ? { portalUrl: run.portalUrl } : {}) },
    links: run.portalUrl ? [{ name: 'Azure Load Testing run', url: run.portalUrl }] : [],
  });
}

/**
 * Why a run we did not stop ended before its profile did, or undefined: a final status other than DONE (CANCELLED
 * from the portal or by the service's autoStop, FAILED engines), or a curve whose last judged step is not the top.
 */
function endedEarly(run: AltTestRun, steps: CapacityStep[], levels: number[], unsettled: boolean): string | undefined {
  const errors = (run.errorDetails ?? []).map((e) => e.message).filter((m): m is string => !!m);
  const why = errors.length ? ` (${errors.join('; ')})` : '';
  if (run.status !== 'DONE') {
    return `the cloud run ended ${run.status ?? 'without a status'}${why} after ${steps.length} of ${levels.length} steps, before its profile did; the rest of the curve was not measured`;
  }
  const top = levels.at(-1);
  // A curve cut at a step that never settled says so itself (unsettled-step).
  if (!unsettled && steps.at(-1)?.virtualUsers?.planned !== top) {
    return `the cloud run ended DONE${why} but its series shows ${steps.length} of ${levels.length} steps, not the top of ${formatNumber(top ?? 0)} virtual users; the rest of the curve was not measured`;
  }
  return undefined;
}

/**
 * What the metrics API can judge: response_time_ms as Average or Percentile90/95/99, and the error percentage.
 * Everything else is refused before anything runs, naming the criterion's line.
 */
function checkCloudServiceLevel(settings: CapacitySettings, file: string, requestNames: string[], holdLine: number | undefined): void {
  const problems: string[] = [];
  for (const c of settings.serviceLevel) {
    const at = `${file}:${c.line ?? '?'} capacity.serviceLevel: "${c.expression}"`;
    if (c.metric === 'latency') problems.push(`${at}: Azure Load Testing's run metrics have no latency (time to first byte); bound response_time_ms instead`);
    else if (c.metric === 'response_time_ms' && !CLOUD_AGGREGATES.includes(c.aggregate)) {
      problems.push(`${at}: the run metrics give the response time only as avg, p90, p95 or p99 (Average, Percentile90/95/99); use one of those, or search with engine: local`);
    }
    if (c.request !== undefined && !requestNames.includes(c.request)) {
      const near = nearestKey(c.request, requestNames);
      problems.push(`${at}: no request is named "${c.request}"${near ? `; did you mean "${near}"?` : `; requests: ${requestNames.join(', ')}`}`);
    }
  }
  // Each step must hold at least two buckets of the finest time grain (PT5S), or nothing is left once a changing bucket is set aside.
  if (settings.holdSeconds < 10) problems.push(`${file}:${holdLine ?? '?'} capacity.holdSeconds: on Azure Load Testing a step must span at least two 5-second metric intervals; use 10 or more`);
  if (problems.length) throw new ConfigError(problems);
}

/** The profile, plus the provisioning allowance, must fit the time budget (see PROVISIONING_ALLOWANCE_SECONDS). */
function checkBudget(settings: CapacitySettings, profileSeconds: number, file: string, lineOf: (path: string[]) => number | undefined): void {
  const budget = settings.budget.seconds;
  if (profileSeconds + PROVISIONING_ALLOWANCE_SECONDS <= budget) return;
  // lineOf answers the nearest written ancestor's line for a key not written: a defaulted budget has none of its own.
  const written = lineOf(['capacity', 'budget', 'seconds']);
  const budgetLine = written !== lineOf(['capacity']) ? written : undefined;
  const holdLine = lineOf(['capacity', 'holdSeconds']);
  const where = budgetLine !== undefined ? `${file}:${budgetLine} capacity.budget.seconds` : `${file}:${holdLine ?? '?'} capacity.holdSeconds`;
  const steps = settings.azure.steps;
  throw new ConfigError(`${where}: the stepped profile runs (${steps} steps + 1) x ${settings.holdSeconds} s = ${profileSeconds} s of load, and the engines take ` +
    `about ${PROVISIONING_ALLOWANCE_SECONDS} s to provision, ${profileSeconds + PROVISIONING_ALLOWANCE_SECONDS} s in all, more than the time budget of ${budget} s` +
    `${budgetLine === undefined ? ' (the default)' : ''}: the run could never finish in it. Raise capacity.budget.seconds to at least ` +
    `${profileSeconds + PROVISIONING_ALLOWANCE_SECONDS}, or lower capacity.holdSeconds or capacity.azure.steps.`);
}

/** The user's overrideParameters with the search's own test: `<testId>-capacity` (at most 50 characters), displayed as such. */
function capacityOverrides(text: string | undefined, testId: string): { overrideParameters: string; cloudTestId: string; engineInstances?: number } {
  let given: unknown;
  try {
    given = text?.trim() ? JSON.parse(text) : {};
  } catch (error) {
    throw new ConfigError(`overrideParameters: not valid JSON (${(error as Error).message}); write for example {"engineInstances": 2}`);
  }
  if (!isRecord(given)) throw new ConfigError('overrideParameters: must be a JSON object such as {"engineInstances": 2}');
  const base = String(given.testId ?? testId).toLowerCase().slice(0, 41);
  const cloudTestId = `${base}-capacity`;
  const engineInstances = Number.isInteger(given.engineInstances) ? (given.engineInstances as number) : undefined;
  return { cloudTestId, engineInstances, overrideParameters: JSON.stringify({ ...given, testId: cloudTestId, displayName: `${String(given.displayName ?? base).slice(0, 40)} capacity` }) };
}
