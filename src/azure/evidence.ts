import { randomUUID } from 'node:crypto';
import { evaluateCriteria, formatNumber, type Criterion, type ServerMetricCriterion } from '../criteria';
import type { Comparable, CriterionResult, LoadTestEvidence, RequestStats, RunInfo, Verdict } from '../evidence/types';
import { EVIDENCE_SCHEMA_VERSION } from '../evidence/types';
import type { SampleLogOutcome } from './sampleLog';
import { sampleLogDisagreement, sampleLogNote, withSampleLog } from './sampleLogStats';
import type { SampleLog } from './sampleLog';
import type { AltStatistics, AltTestRun, PassFailMetric, PassFailServerMetric } from './model';

/**
 * A finished Azure Load Testing run as the same evidence document a local run writes. The verdict is checked twice:
 * against the service's own `testResult` and per-criterion results, and by evaluating our parsed criteria against
 * the run's `testRunStatistics` with the same code the local engine uses. When the two disagree, the stricter
 * outcome wins and the disagreement is written into `metrics.azure.disagreement` and the summary.
 */
export interface CloudRunFacts {
  run: AltTestRun;
  testId: string;
  criteria: Criterion[];
  serverCriteria: ServerMetricCriterion[];
  startedAt: string;
  finishedAt: string;
  service: string;
  environment: string;
  runInfo: RunInfo;
  links: Array<{ name: string; url: string }>;
  /** What makes this run comparable with earlier ones (src/regression/baseline.ts). */
  comparable?: Comparable;
  /** The run's sample log read from results.zip, or why it could not be. */
  sampleLog?: SampleLogOutcome;
}

/** TestRunStatistics -> our RequestStats. pct1/2/3 are p90/p95/p99 (reference §3.3). */
export function toRequestStats(name: string, s: AltStatistics): RequestStats {
  const n = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const optional = (key: 'p96' | 'p97' | 'p98' | 'p9999', v: number | undefined) => (typeof v === 'number' ? { [key]: v } : {});
  return {
    name,
    requests: n(s.sampleCount),
    errors: n(s.errorCount),
    // The service does not split HTTP errors from network errors; all are counted as HTTP errors.
    httpErrors: n(s.errorCount),
    networkErrors: 0,
    errorPercentage: n(s.errorPct),
    rps: n(s.throughput),
    latencyMs: {
      min: n(s.minResTime), avg: n(s.meanResTime), p50: n(s.medianResTime), p75: n(s.pct75ResTime), p90: n(s.pct1ResTime),
      p95: n(s.pct2ResTime), p99: n(s.pct3ResTime), p999: n(s.pct999ResTime), max: n(s.maxResTime),
      ...optional('p96', s.pct96ResTime), ...optional('p97', s.pct97ResTime), ...optional('p98', s.pct98ResTime),
      ...optional('p9999', s.pct9999ResTime),
    },
  };
}

/** Scopes (the Total and each sampler) whose sample log is not what the service measured, each with why. */
export function sampleLogDisagreements(run: AltTestRun, log: SampleLog): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(run.testRunStatistics ?? {})) {
    const samples = name.toLowerCase() === 'total' ? log.total : log.labels.get(name);
    const why = samples && samples.requests > 0 ? sampleLogDisagreement(toRequestStats(name, s), samples) : undefined;
    if (why) out.push(why);
  }
  return out;
}

export function buildCloudEvidence(facts: CloudRunFacts): LoadTestEvidence {
  const { run } = facts;
  const stats = run.testRunStatistics ?? {};
  const totalsEntry = stats.Total ?? stats.total;
  const log = facts.sampleLog?.log;
  const totals = withSampleLog(toRequestStats('Total', totalsEntry ?? {}), log?.total);
  const requests = Object.entries(stats).filter(([name]) => name.toLowerCase() !== 'total')
    .map(([name, s]) => withSampleLog(toRequestStats(name, s), log?.labels.get(name)));
  const sampleLog = sampleLogNote(facts.sampleLog, log ? sampleLogDisagreements(run, log) : []);
  const status = run.status ?? 'unknown';
  // A DONE run without a Total entry has no figures to judge; zeros standing in for them would pass "<" criteria.
  const measured = hasStatistics(run);
  const finished = status === 'DONE' && measured;

  // Criteria the service holds but the YAML does not state (set in the portal) are judged too, both ways.
  const serviceClient = Object.values(run.passFailCriteria?.passFailMetrics ?? {}).filter((m): m is PassFailMetric => !!m);
  const serviceServer = Object.values(run.passFailCriteria?.passFailServerMetrics ?? {}).filter((m): m is PassFailServerMetric => !!m);
  const portalClient = serviceClient.filter((m) => !facts.criteria.some((c) => sameClient(m, c))).map(criterionOf);
  const portalServer = serviceServer.filter((m) => !facts.serverCriteria.some((c) => sameServer(m, c))).map(serverCriterionOf);
  const allClient = [...facts.criteria, ...portalClient];
  const ours = finished ? evaluateCriteria(allClient, { totals, requests }) : [];
  const disagreements: string[] = [];
  for (let i = 0; i < ours.length; i++) {
    const c = allClient[i];
    if (i >= facts.criteria.length) ours[i] = { ...ours[i], explanation: `${ours[i].explanation} (Set on the test in Azure Load Testing, not in the YAML.)` };
    const service = serviceClient.find((m) => sameClient(m, c));
    if (!service?.result) continue;
    const serviceFailed = service.result !== 'passed';
    if (c.metric === 'latency') {
      // TestRunStatistics carries no time-to-first-byte figure, so our reading would be the full response time, a
      // different measure. The service's own figure decides, and no disagreement is claimed.
      const actual = typeof service.actualValue === 'number' ? service.actualValue : null;
      ours[i] = { ...ours[i], actual, failed: serviceFailed || actual === null,
        explanation: `Latency (time to first byte) ${c.aggregate}${c.request ? ` of "${c.request}"` : ''} was ${fmt(actual)} ms against ${formatNumber(c.threshold)} ms, ` +
          `judged by Azure Load Testing (its run statistics carry no latency figure): ${serviceFailed || actual === null ? 'failed' : 'passed'}.` };
      continue;
    }
    if (serviceFailed !== ours[i].failed) {
      disagreements.push(`"${c.expression}": Azure Load Testing says ${service.result} (actual ${fmt(service.actualValue)}), ` +
        `our evaluation of the run statistics says ${ours[i].failed ? 'failed' : 'passed'} (actual ${fmt(ours[i].actual)})`);
      ours[i] = { ...ours[i], failed: true, explanation: `${ours[i].explanation} Azure Load Testing judged it ${service.result}; the stricter outcome is kept.` };
    }
  }
  const serverResults = finished ? [...facts.serverCriteria, ...portalServer].map((c) => serverResult(c, run)) : [];
  const criteria: CriterionResult[] = [...ours, ...serverResults];
  const anyFailed = criteria.some((c) => c.failed);
  const serviceSays = run.testResult;
  if (finished && serviceSays === 'FAILED' && !anyFailed) {
    disagreements.push('Azure Load Testing reports testResult FAILED, but every criterion passed by our evaluation');
  }
  if (finished && serviceSays === 'PASSED' && anyFailed && disagreements.length === 0) {
    disagreements.push('Azure Load Testing reports testResult PASSED, but our evaluation found failed criteria');
  }

  let verdict: Verdict;
  let summary: string;
  const errors = (run.errorDetails ?? []).map((e) => e.message?.trim().replace(/\.$/, '')).filter(Boolean).join('; ');
  if (status === 'VALIDATION_FAILURE') {
    verdict = 'error';
    summary = `Azure Load Testing refused to start the run ${run.testRunId}: its test plan failed validation${errors ? ` (${errors})` : ''}. Fix the test plan and run again.`;
  } else if (status === 'FAILED') {
    verdict = 'error';
    summary = `Azure Load Testing failed the run ${run.testRunId}${errors ? `: ${errors}` : ''}. Open the run in the portal for its logs, fix the cause and run again.`;
  } else if (status === 'CANCELLED') {
    verdict = 'error';
    summary = `The run ${run.testRunId} was cancelled before it finished${errors ? ` (${errors})` : ''}; no verdict.`;
  } else if (status === 'DONE' && !measured) {
    verdict = 'error';
    summary = `Azure Load Testing reported the run ${run.testRunId} as DONE but never returned its statistics (testRunStatistics), ` +
      'so nothing could be judged; no verdict. Open the run in the portal, and run again if its results are missing there too.';
  } else if (!finished) {
    verdict = 'error';
    summary = `The run ${run.testRunId} ended in status ${status}; no verdict.`;
  } else if (totals.requests === 0) {
    // The same rule as the local engine (src/load/runLoadTest.ts): no completed request, no verdict.
    verdict = 'error';
    summary = `No request completed in run ${run.testRunId}; check the target and the test plan.`;
  } else if (anyFailed || serviceSays === 'FAILED' || totals.errors >= totals.requests) {
    verdict = 'failed';
    const failedList = criteria.filter((c) => c.failed).map((c) => c.expression);
    // Like the local engine: a service that answered nothing successfully is not holding its load, criteria or not.
    summary = failedList.length
      ? `Failed: ${failedList.length} of ${criteria.length} criteria failed (${failedList.join('; ')}); ${figures(totals)}.`
      : totals.errors >= totals.requests
        ? `Failed: every request failed (${totals.errors} errors); ${figures(totals)}.`
        : `Failed: Azure Load Testing reports the test as FAILED; ${figures(totals)}.`;
  } else {
    verdict = 'passed';
    summary = `Passed: ${criteria.length ? `all ${criteria.length} criteria passed` : 'no failure criteria set'}; ${figures(totals)}.`;
  }
  const disagreement = disagreements.length ? disagreements.join('. ') : undefined;
  if (disagreement) summary += ` Disagreement between Azure Load Testing and our evaluation: ${disagreement}.`;

  const durationSeconds = run.duration ? run.duration / 1000 : secondsBetween(run.startDateTime, run.endDateTime);
  return {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: randomUUID(),
    kind: 'loadtest',
    service: facts.service,
    environment: facts.environment,
    run: facts.runInfo,
    startedAt: facts.startedAt,
    finishedAt: facts.finishedAt,
    verdict,
    summary,
    criteria,
    metrics: {
      engine: 'azure',
      model: 'closed',
      testId: facts.testId,
      virtualUsers: run.virtualUsers ?? 0,
      durationSeconds,
      cancelled: status === 'CANCELLED',
      ...(/high error rate|auto.?stop/i.test(errors) ? { stoppedEarly: { reason: errors, atSecond: durationSeconds } } : {}),
      totals,
      requests,
      // Azure Load Testing's per-second figures live in Azure Monitor metrics, not in the run; none are copied.
      timeline: [],
      ...(facts.comparable ? { comparable: facts.comparable } : {}),
      azure: {
        testRunId: run.testRunId ?? '',
        ...(run.portalUrl ? { portalUrl: run.portalUrl } : {}),
        ...(serviceSays ? { serviceTestResult: serviceSays } : {}),
        ...(disagreement ? { disagreement } : {}),
        ...(sampleLog ? { sampleLog } : {}),
      },
    },
    links: facts.links,
  };
}

/** True when the run carries a Total entry with a sample count, the figure every verdict starts from. */
export function hasStatistics(run: AltTestRun): boolean {
  const total = run.testRunStatistics?.Total ?? run.testRunStatistics?.total;
  return typeof total?.sampleCount === 'number' && Number.isFinite(total.sampleCount);
}

function serverResult(c: ServerMetricCriterion, run: AltTestRun): CriterionResult {
  const op = c.condition === 'GreaterThan' ? '>' : '<';
  const expression = `${c.aggregation}(${c.metricName}) ${op} ${formatNumber(c.value)} on ${c.resourceId.split('/').pop()}`;
  const held = Object.values(run.passFailCriteria?.passFailServerMetrics ?? {}).find((m): m is PassFailServerMetric => !!m && sameServer(m, c));
  if (!held || typeof held.actualValue !== 'number') {
    return { expression, actual: null, threshold: c.value, failed: true,
      explanation: `Azure Load Testing reported no value for server metric ${c.metricName}: failed (a gate never passes on a figure nobody measured).` };
  }
  const failed = held.result !== 'passed'; // undetermined counts as failed, like an unmeasured client figure
  return { expression, actual: held.actualValue, threshold: c.value, failed,
    explanation: `Server metric ${c.aggregation} ${c.metricName} was ${formatNumber(held.actualValue)}, ${failed ? '' : 'not '}${op === '>' ? 'above' : 'below'} ${formatNumber(c.value)} (judged by Azure Load Testing): ${failed ? 'failed' : 'passed'}.` };
}

function sameClient(m: PassFailMetric, c: Criterion): boolean {
  return m.clientMetric === c.metric && m.aggregate.replace('.', '') === c.aggregate && m.condition === c.operator &&
    m.value === c.threshold && (m.requestName || undefined) === c.request;
}

function sameServer(m: PassFailServerMetric, c: ServerMetricCriterion): boolean {
  return m.resourceId.toLowerCase() === c.resourceId.toLowerCase() && m.metricName === c.metricName && m.aggregation === c.aggregation &&
    m.condition === (c.condition === 'GreaterThan' ? '>' : '<') && m.value === c.value;
}

/** A criterion held by the service, in our grammar's terms, so our evaluation can judge it too. */
function criterionOf(m: PassFailMetric): Criterion {
  return {
    expression: `${m.requestName ? `${m.requestName}: ` : ''}${m.aggregate}(${m.clientMetric}) ${m.condition} ${formatNumber(m.value)}`,
    ...(m.requestName ? { request: m.requestName } : {}),
    aggregate: m.aggregate.replace('.', ''),
    metric: m.clientMetric,
    operator: m.condition,
    threshold: m.value,
    action: m.action ?? 'continue',
  };
}

function serverCriterionOf(m: PassFailServerMetric): ServerMetricCriterion {
  return { resourceId: m.resourceId, metricNamespace: m.metricNamespace, metricName: m.metricName, aggregation: m.aggregation,
    condition: m.condition === '>' ? 'GreaterThan' : 'LessThan', value: m.value };
}

/** The same figures a local run's summary gives. */
function figures(t: RequestStats): string {
  return `${t.requests} requests at ${formatNumber(t.rps)} rps, p95 ${formatNumber(t.latencyMs.p95)} ms, ${formatNumber(t.errorPercentage)}% errors`;
}

function fmt(v: number | null | undefined): string {
  return typeof v === 'number' ? formatNumber(v) : 'not measured';
}

function secondsBetween(a?: string, b?: string): number {
  if (!a || !b) return 0;
  return Math.max(0, (Date.parse(b) - Date.parse(a)) / 1000);
}
