import { randomUUID } from 'node:crypto';
import { registerSecret } from '../redact/secretMask';
import { ConfigError } from '../errors';
import { evaluateCriteria, parseAutoStop, parseFailureCriteriaAll, type AutoStop, type Criterion } from '../criteria';
import { EVIDENCE_SCHEMA_VERSION, type Evidence, type LoadTestEvidence, type RunInfo } from '../evidence/types';
import { judgeAgainstBaseline } from '../regression/apply';
import { checkPinExists } from '../regression/baseline';
import { loadAltConfig, type AltTestConfig } from './altConfig';
import { checkReachable } from './engine/preflight';
import { round } from './engine/recorder';
import { runEngine, type Progress } from './engine/run';
import { loadUrlTest, type UrlTestPlan } from './urlTest';
import { nearestKey } from '../config/yamlSource';
import { planHash } from './planHash';
import { generatorSaturation, watchGenerator } from './generatorWatch';

export type { Progress } from './engine/run';

export interface LoadTestOptions {
  /** The Azure Load Testing test configuration YAML. */
  configFile: string;
  /** `--duration` / `--vus`: replace every testSetup's durationInSeconds / virtualUsersPerEngine. */
  overrides?: { durationSeconds?: number; virtualUsers?: number };
  /** The task's `env` input: overrides the YAML's env values of the same name, adds others. */
  env?: Record<string, string>;
  /** Secret values by name (the task's `secrets` input). They fill `${name}` and never reach logs or evidence. */
  secrets?: Record<string, string>;
  service?: string;
  environment?: string;
  run?: RunInfo;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  progressIntervalSeconds?: number;
  /**
   * Earlier evidence to compare with (src/regression): the window of its passing runs of this test that ran like
   * this one becomes the baseline. The comparison lands in `metrics.regression`; a regression fails the run.
   */
  baseline?: { evidence: readonly Evidence[]; window?: number; pin?: string };
  /** Agent pool and platform, recorded so that only runs on like agents are compared (src/regression). */
  pool?: string;
  platform?: string;
}

/** Everything checked, nothing sent yet. */
export interface PreparedLoadTest {
  config: AltTestConfig;
  plan: UrlTestPlan;
  criteria: Criterion[];
  /** `> baseline + 10%` criteria: judged against earlier runs after the run (src/regression). */
  baselineCriteria: Criterion[];
  autoStop: AutoStop;
}

/**
 * Loads and validates the configuration, the requests JSON and the criteria, all before any traffic. Every
 * problem of every file is reported in one ConfigError (exit code 2).
 */
export function prepareLoadTest(options: Pick<LoadTestOptions, 'configFile' | 'overrides' | 'env' | 'secrets'>): PreparedLoadTest {
  // Registered before anything can fail, so no message or evidence field can carry one unmasked.
  for (const value of Object.values(options.secrets ?? {})) registerSecret(value);
  const config = loadAltConfig(options.configFile);
  if (config.testType !== 'URL') {
    const kind = config.testType === 'JMX' ? 'a JMeter (JMX)' : 'a Locust';
    throw new ConfigError(
      `${options.configFile}:${config.lineOf(['testType']) ?? 1} testType: ${kind} plan runs only on Azure Load Testing. ` +
        'The local engine runs testType: URL plans (a requests JSON). To run this plan, set the task input engine: azure ' +
        '(with azureSubscription, resourceGroup and loadTestResource), or convert the plan to a URL test.',
    );
  }
  const problems: string[] = [];
  const overrides = options.overrides ?? {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0 || (key === 'virtualUsers' && !Number.isInteger(value)))) {
      problems.push(`${key === 'virtualUsers' ? '--vus' : '--duration'}: must be a ${key === 'virtualUsers' ? 'whole number' : 'number'} above 0, found ${value}`);
    }
  }
  const where = (prefix: string) => ({ file: options.configFile, lineOf: (p: (string | number)[]) => config.lineOf([prefix, ...p]) });
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
      return undefined;
    }
  };
  const parsed = collect(() => parseFailureCriteriaAll(config.failureCriteria, where('failureCriteria')));
  const criteria = parsed?.client ?? [];
  const baselineCriteria = parsed?.baseline ?? [];
  const autoStop = collect(() => parseAutoStop(config.autoStop, where('autoStop')));
  const known: Record<string, string> = {};
  for (const { name, value } of config.env) known[name] = value;
  Object.assign(known, options.env ?? {}, options.secrets ?? {});
  const unresolvedSecrets = config.secrets.map((s) => s.name).filter((n) => !(n in known));
  const plan = collect(() => loadUrlTest(config.testPlan, {
    known, unresolvedSecrets, configurationFiles: config.configurationFiles, engineInstances: config.engineInstances,
    overrides: problems.length ? {} : overrides,
  }));
  if (plan) {
    const names = plan.setups.flatMap((s) => s.scenario.requests.map((r) => r.name));
    for (const c of [...criteria, ...baselineCriteria]) {
      if (c.request !== undefined && !names.includes(c.request)) {
        const near = nearestKey(c.request, names);
        problems.push(`${options.configFile}:${c.line ?? '?'} failureCriteria: "${c.expression}": no request is named "${c.request}"${near ? `; did you mean "${near}"?` : `; requests: ${names.join(', ')}`}`);
      }
    }
  }
  if (problems.length || !plan || !autoStop) throw new ConfigError(problems);
  return { config, plan, criteria, baselineCriteria, autoStop };
}

/**
 * Runs a load test on the local engine and returns its evidence document. Throws ConfigError (2) for bad input
 * and InfrastructureError (3) for an unreachable target; a failed criterion is a `failed` verdict, not a throw.
 * Cancelling through `signal` stops the load and returns the partial result marked cancelled.
 */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestEvidence> {
  const prepared = prepareLoadTest(options);
  const { config, plan, criteria, baselineCriteria, autoStop } = prepared;
  if (options.baseline?.pin !== undefined) checkPinExists(options.baseline.pin, options.baseline.evidence, config.testId);
  const origins = [...new Set(plan.setups.flatMap((s) => s.scenario.requests.flatMap((r) => (r.origin ? [r.origin] : []))))];
  await checkReachable(origins, config.localEngine.connectTimeoutSeconds * 1000, options.signal);

  const stopCriteria = criteria.filter((c) => c.action === 'stop' && !(isVolume(c) && (c.operator === '<' || c.operator === '<=')));
  const { result, generator } = await watchGenerator(() => runEngine({
    plan,
    requestTimeoutMs: config.localEngine.requestTimeoutSeconds * 1000,
    connectTimeoutMs: config.localEngine.connectTimeoutSeconds * 1000,
    autoStop: autoStop.disabled ? undefined : { errorPercentage: autoStop.errorPercentage, timeWindowSeconds: autoStop.timeWindowSeconds },
    checkStop: stopCriteria.length
      ? (recorder, elapsedSeconds) => {
          const failed = evaluateCriteria(stopCriteria, recorder.stats(elapsedSeconds)).find((r) => r.failed && r.actual !== null);
          return failed ? `criterion "${failed.expression}" (action stop) failed: ${failed.explanation}` : undefined;
        }
      : undefined,
    progressIntervalSeconds: options.progressIntervalSeconds,
    onProgress: options.onProgress,
    signal: options.signal,
  }));

  const stats = result.recorder.stats(result.loadSeconds, true);
  const criteriaResults = evaluateCriteria(criteria, stats);
  const failedCount = criteriaResults.filter((r) => r.failed).length;
  const t = stats.totals;
  const figures = `${t.requests} requests at ${+t.rps.toFixed(1)} rps, p95 ${+t.latencyMs.p95.toFixed(2)} ms, ${+t.errorPercentage.toFixed(2)}% errors`;
  let verdict: LoadTestEvidence['verdict'];
  let summary: string;
  if (result.cancelled) {
    verdict = 'error';
    summary = `Cancelled after ${round(result.elapsedSeconds)} s; partial results: ${figures}.`;
  } else if (t.requests === 0) {
    verdict = 'error';
    summary = 'No request completed; check the target and the requests file.';
  } else if (t.errors === t.requests || failedCount > 0 || result.stoppedEarly) {
    verdict = 'failed';
    const stopped = result.stoppedEarly ? ` Stopped early at ${result.stoppedEarly.atSecond} s: ${result.stoppedEarly.reason}.` : '';
    // A service that answered nothing successfully is not holding its load, criteria or not.
    const cause = t.errors === t.requests && failedCount === 0
      ? `Every request failed (${t.httpErrors} HTTP errors, ${t.networkErrors} network errors)`
      : `${failedCount} of ${criteriaResults.length} criteria failed`;
    summary = `${cause}; ${figures}.${stopped}`;
  } else {
    verdict = 'passed';
    summary = `${criteriaResults.length ? `All ${criteriaResults.length} criteria passed` : 'No failure criteria set'}; ${figures}.`;
  }
  if (result.networkErrorSamples.length && t.networkErrors > 0) summary += ` Network errors, e.g. ${result.networkErrorSamples[0]}.`;
  const saturated = generatorSaturation(generator);
  if (saturated) summary += ` ${saturated}`;

  const open = plan.setups.filter((s) => s.shape.kind === 'constantArrivalRate');
  const evidence: LoadTestEvidence = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: randomUUID(),
    kind: 'loadtest',
    service: options.service ?? config.testId,
    environment: options.environment ?? 'local',
    run: options.run ?? {},
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    verdict,
    summary,
    criteria: criteriaResults,
    metrics: {
      engine: 'local',
      model: open.length ? 'open' : 'closed',
      testId: config.testId,
      virtualUsers: result.peakUsers,
      ...(open.length ? { targetRps: open.reduce((n, s) => n + (s.shape.kind === 'constantArrivalRate' ? s.shape.requestsPerSecond : 0), 0) } : {}),
      durationSeconds: round(result.elapsedSeconds),
      cancelled: result.cancelled,
      ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
      totals: stats.totals,
      requests: stats.requests,
      timeline: result.recorder.timeline,
      comparable: { planHash: planHash(plan, options.secrets), engine: 'local', ...(options.platform ? { platform: options.platform } : {}), ...(options.pool ? { pool: options.pool } : {}) },
      generator: {
        cpuPercent: generator.cpuPercent, eventLoopDelayP99Ms: generator.eventLoopDelayP99Ms, eventLoopDelayMaxMs: generator.eventLoopDelayMaxMs,
        ...(generator.cpuPressurePercent !== undefined ? { cpuPressurePercent: generator.cpuPressurePercent } : {}),
      },
    },
    links: [],
  };
  return options.baseline && !result.cancelled ? judgeAgainstBaseline(evidence, options.baseline.evidence, baselineCriteria, options.baseline) : evidence;
}

/** Request counts and rates only grow during a run, so a `<` on them cannot be judged before the end. */
function isVolume(c: Criterion): boolean {
  return c.metric === 'requests' || c.metric === 'requests_per_sec';
}
