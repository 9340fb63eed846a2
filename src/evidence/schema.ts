/**
 * The JSON Schema (draft 2020-12 subset that Ajv 8 reads) of the evidence document, for all four kinds.
 *
 * It is built from typed helpers so the TypeScript compiler keeps it in step with `types.ts`: `object<T>()` needs
 * a schema for every property of T and the exact list of T's optional properties. Adding a field to a type without
 * adding it here (or the other way round) is a compile error, not a silent drift.
 */
import {
  EVIDENCE_SCHEMA_VERSION,
  type CapacityMetrics,
  type CapacitySignal,
  type CapacityStep,
  type CheckOutcome,
  type CriterionResult,
  type DocFinding,
  type DocsMetrics,
  type DrillCost,
  type DrillMetrics,
  type DrillStep,
  type EnvironmentCheckResult,
  type EnvironmentMetrics,
  type EvidenceBase,
  type EvidenceKind,
  type GateMetrics,
  type ApprovalTrailEntry,
  type LatencySummary,
  type LoadTestMetrics,
  type Comparable,
  type RegressionReport,
  type RegressionRow,
  type Link,
  type ProbeResult,
  type RequestStats,
  type RunInfo,
  type TimelinePoint,
} from './types';
import { WEB_URL_PATTERN } from './links';

export type Schema = Record<string, unknown>;
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/** A closed object: every property of T described, T's optional ones listed, nothing else allowed. */
function object<T>(properties: { [K in keyof T]-?: Schema }, optional: { [K in OptionalKeys<T>]: true }): Schema {
  const optionalNames = Object.keys(optional);
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optionalNames.includes(name)),
    additionalProperties: false,
  };
}

const text: Schema = { type: 'string' };
const nonEmptyText: Schema = { type: 'string', minLength: 1 };
const dateTime: Schema = { type: 'string', format: 'date-time' };
/** Only http(s): a `javascript:` or `data:` link is a valid URI but must never reach a rendered page. */
const url: Schema = { type: 'string', format: 'uri', pattern: WEB_URL_PATTERN };
const count: Schema = { type: 'integer', minimum: 0 };
const nonNegative: Schema = { type: 'number', minimum: 0 };
const percentage: Schema = { type: 'number', minimum: 0, maximum: 100 };
const nullableNonNegative: Schema = { type: ['number', 'null'], minimum: 0 };
const flag: Schema = { type: 'boolean' };
const oneOfText = (...values: string[]): Schema => ({ type: 'string', enum: values });
const listOf = (items: Schema): Schema => ({ type: 'array', items });
const EVIDENCE_KINDS: EvidenceKind[] = ['loadtest', 'drill', 'docs', 'gate', 'environment', 'capacity'];

const runInfo = object<RunInfo>(
  { project: text, pipeline: text, runId: text, stage: text, job: text, attempt: { type: 'integer', minimum: 1 }, url, task: text, commit: { type: 'string', pattern: '^[0-9a-fA-F]{7,64}$' } },
  { project: true, pipeline: true, runId: true, stage: true, job: true, attempt: true, url: true, task: true, commit: true },
);

const criterionResult = object<CriterionResult>(
  { expression: nonEmptyText, actual: { type: ['number', 'null'] }, threshold: { type: 'number' }, failed: flag, explanation: text, request: text },
  { request: true },
);

const link = object<Link>({ name: nonEmptyText, url }, {});

function evidence<K extends EvidenceKind, M>(kind: K, metrics: Schema): Schema {
  return object<EvidenceBase<K, M>>(
    {
      schemaVersion: { const: EVIDENCE_SCHEMA_VERSION },
      id: { type: 'string', format: 'uuid' },
      kind: { const: kind },
      service: nonEmptyText,
      environment: nonEmptyText,
      run: runInfo,
      startedAt: dateTime,
      finishedAt: dateTime,
      verdict: oneOfText('passed', 'failed', 'error'),
      summary: text,
      criteria: listOf(criterionResult),
      metrics,
      links: listOf(link),
    },
    {},
  );
}

// ---------------------------------------------------------------- load test

const latencySummary = object<LatencySummary>(
  {
    min: nonNegative,
    avg: nonNegative,
    p50: nonNegative,
    p75: nonNegative,
    p90: nonNegative,
    p95: nonNegative,
    p99: nonNegative,
    p999: nonNegative,
    max: nonNegative,
    p96: nonNegative,
    p97: nonNegative,
    p98: nonNegative,
    p9999: nonNegative,
  },
  { p96: true, p97: true, p98: true, p9999: true },
);

const requestStats = object<RequestStats>(
  {
    name: nonEmptyText,
    requests: count,
    errors: count,
    httpErrors: count,
    networkErrors: count,
    errorPercentage: percentage,
    rps: nonNegative,
    latencyMs: latencySummary,
    timeToFirstByteMs: latencySummary,
    latencyHistogram: { type: 'string', pattern: '^[A-Za-z0-9+/]+={0,2}$', maxLength: 1_000_000 },
  },
  { timeToFirstByteMs: true, latencyHistogram: true },
);

const comparable = object<Comparable>(
  { planHash: { type: 'string', pattern: '^[0-9a-f]{64}$' }, engine: oneOfText('local', 'azure'), platform: text, pool: text },
  { platform: true, pool: true },
);

const regressionVerdict = oneOfText('regressed', 'improved', 'unchanged', 'inconclusive');
const anyNumber: Schema = { type: 'number' };
const regressionRow = object<RegressionRow>(
  {
    request: nonEmptyText,
    metric: nonEmptyText,
    unit: oneOfText('ms', '%', 'rps'),
    baseline: object<RegressionRow['baseline']>({ mean: anyNumber, min: anyNumber, max: anyNumber, runs: count }, {}),
    candidate: anyNumber,
    delta: anyNumber,
    deltaPercent: { type: ['number', 'null'] },
    interval: { anyOf: [object<NonNullable<RegressionRow['interval']>>({ low: anyNumber, high: anyNumber }, {}), { type: 'null' }] },
    threshold: object<RegressionRow['threshold']>({ value: nonNegative, source: text }, {}),
    verdict: regressionVerdict,
    note: text,
  },
  {},
);

const regressionReport = object<RegressionReport>(
  {
    verdict: regressionVerdict,
    summary: text,
    baselineRuns: listOf(
      object<RegressionReport['baselineRuns'][number]>(
        { id: nonEmptyText, finishedAt: dateTime, runId: text, url },
        { runId: true, url: true },
      ),
    ),
    refused: listOf(object<RegressionReport['refused'][number]>({ id: nonEmptyText, reason: text }, {})),
    pinned: text,
    rows: listOf(regressionRow),
  },
  { pinned: true },
);

const timelinePoint = object<TimelinePoint>(
  {
    second: count,
    requests: count,
    errors: count,
    activeUsers: count,
    latencyMs: object<TimelinePoint['latencyMs']>({ p50: nonNegative, p90: nonNegative, p95: nonNegative, p99: nonNegative, max: nonNegative }, {}),
  },
  {},
);

const loadTestMetrics = object<LoadTestMetrics>(
  {
    engine: oneOfText('local', 'azure'),
    model: oneOfText('closed', 'open'),
    testId: nonEmptyText,
    virtualUsers: count,
    targetRps: nonNegative,
    durationSeconds: nonNegative,
    cancelled: flag,
    stoppedEarly: object<NonNullable<LoadTestMetrics['stoppedEarly']>>({ reason: nonEmptyText, atSecond: nonNegative }, {}),
    totals: requestStats,
    requests: listOf(requestStats),
    timeline: listOf(timelinePoint),
    comparable,
    regression: regressionReport,
    generator: object<NonNullable<LoadTestMetrics['generator']>>(
      { cpuPercent: nonNegative, eventLoopDelayP99Ms: nonNegative, eventLoopDelayMaxMs: nonNegative, cpuPressurePercent: percentage },
      { cpuPressurePercent: true },
    ),
    azure: object<NonNullable<LoadTestMetrics['azure']>>(
      { testRunId: nonEmptyText, portalUrl: url, serviceTestResult: text, disagreement: text,
        sampleLog: object<NonNullable<NonNullable<LoadTestMetrics['azure']>['sampleLog']>>({ read: flag, detail: text }, {}) },
      { portalUrl: true, serviceTestResult: true, disagreement: true, sampleLog: true },
    ),
  },
  { targetRps: true, stoppedEarly: true, comparable: true, regression: true, generator: true, azure: true },
);

// ---------------------------------------------------------------- drill

const drillStep = object<DrillStep>(
  { name: nonEmptyText, startedAt: dateTime, durationMs: nonNegative, status: oneOfText('passed', 'failed', 'skipped', 'cancelled'), detail: text },
  {},
);

const probeResult = object<ProbeResult>(
  { name: nonEmptyText, type: nonEmptyText, status: oneOfText('passed', 'failed', 'unknown'), detail: text, durationMs: nonNegative },
  {},
);

const drillMetrics = object<DrillMetrics>(
  {
    provider: nonEmptyText,
    disruption: text,
    targets: object<DrillMetrics['targets']>(
      { rtoSeconds: nonNegative, rpoSeconds: nonNegative, timeToRollbackSeconds: nonNegative, timeToRecoverSeconds: nonNegative },
      { timeToRollbackSeconds: true, timeToRecoverSeconds: true },
    ),
    rtoSeconds: nullableNonNegative,
    rpoSeconds: nullableNonNegative,
    rpoMethod: oneOfText('query', 'heartbeat', 'backup-age', 'latest-restorable-time', 'declared-interval', 'file-time', 'none'),
    mode: oneOfText('restore', 'freshness', 'recreation', 'rollback'),
    environmentRtoSeconds: nullableNonNegative,
    timeToRollbackSeconds: nullableNonNegative,
    timeToRecoverSeconds: nullableNonNegative,
    leaks: listOf(text),
    drift: listOf(text),
    cost: object<DrillCost>(
      {
        currency: nonEmptyText,
        total: nonNegative,
        hours: nonNegative,
        lines: listOf(
          object<DrillCost['lines'][number]>({ type: nonEmptyText, count: count, pricePerHour: nonNegative, amount: nonNegative }, {}),
        ),
        unpriced: listOf(text),
      },
      {},
    ),
    versions: object<NonNullable<DrillMetrics['versions']>>({ previous: text, current: text }, {}),
    backup: object<DrillMetrics['backup']>(
      { location: text, takenAt: dateTime, sizeBytes: count, verified: text },
      { takenAt: true, sizeBytes: true, verified: true },
    ),
    steps: listOf(drillStep),
    probes: listOf(probeResult),
    cleanup: object<DrillMetrics['cleanup']>({ status: oneOfText('done', 'failed', 'skipped'), leftBehind: listOf(text), detail: text }, {}),
    cancelled: flag,
  },
  {
    disruption: true,
    mode: true,
    environmentRtoSeconds: true,
    timeToRollbackSeconds: true,
    timeToRecoverSeconds: true,
    leaks: true,
    drift: true,
    cost: true,
    versions: true,
  },
);

// ---------------------------------------------------------------- docs

const docFinding = object<DocFinding>(
  { file: text, line: { type: 'integer', minimum: 1 }, rule: nonEmptyText, severity: oneOfText('error', 'warning'), message: nonEmptyText },
  { line: true },
);

const docsMetrics = object<DocsMetrics>(
  {
    root: text,
    filesChecked: listOf(text),
    findings: listOf(docFinding),
    reviewed: listOf(
      object<DocsMetrics['reviewed'][number]>({ file: text, lastReviewed: text, ageDays: { type: 'integer' } }, { lastReviewed: true, ageDays: true }),
    ),
  },
  {},
);

// ---------------------------------------------------------------- gate

const checkOutcome = object<CheckOutcome>(
  {
    id: nonEmptyText,
    title: text,
    owner: text,
    type: nonEmptyText,
    state: oneOfText('passed', 'failed', 'waived', 'missing', 'stale'),
    reason: text,
    evidence: listOf(
      object<CheckOutcome['evidence'][number]>(
        { id: nonEmptyText, kind: oneOfText(...EVIDENCE_KINDS), finishedAt: dateTime, runUrl: url },
        { runUrl: true },
      ),
    ),
  },
  { owner: true },
);

const gateMetrics = object<GateMetrics>(
  {
    policyFile: text,
    tier: text,
    level: { type: ['string', 'null'] },
    requiredLevel: { type: ['string', 'null'] },
    enforcement: oneOfText('warn', 'block'),
    status: oneOfText('ready', 'not-ready', 'warn'),
    evaluatedAt: dateTime,
    version: text,
    runId: { type: 'integer', minimum: 1 },
    commit: { type: 'string', pattern: '^[0-9a-fA-F]{7,64}$' },
    checks: listOf(checkOutcome),
    approvals: listOf(
      object<ApprovalTrailEntry>(
        {
          approvalId: nonEmptyText,
          runId: { type: ['integer', 'null'] },
          role: { type: ['string', 'null'] },
          assignedTo: text,
          status: text,
          approver: { anyOf: [{ type: 'null' }, object<{ id: string; name: string }>({ id: text, name: text }, {})] },
          comment: text,
          at: { type: ['string', 'null'] },
        },
        {},
      ),
    ),
  },
  { tier: true, version: true, runId: true, commit: true, approvals: true },
);

// ---------------------------------------------------------------- environment

type Facts<K extends keyof EnvironmentCheckResult> = NonNullable<EnvironmentCheckResult[K]>;
const texts = listOf(text);
const integer: Schema = { type: 'integer' };

const tlsFacts = object<Facts<'tls'>>(
  {
    host: nonEmptyText,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    daysToExpiry: { type: ['integer', 'null'] },
    chain: listOf(
      object<Facts<'tls'>['chain'][number]>({ subject: text, issuer: text, validFrom: text, validTo: text, fingerprint256: text }, {}),
    ),
    chainError: text,
    legacyProtocols: listOf(
      object<Facts<'tls'>['legacyProtocols'][number]>(
        { protocol: oneOfText('TLSv1', 'TLSv1.1'), outcome: oneOfText('refused', 'accepted', 'untestable'), detail: text },
        {},
      ),
    ),
    negotiatedProtocol: text,
    hstsMaxAge: { type: ['integer', 'null'], minimum: 0 },
  },
  { chainError: true, negotiatedProtocol: true },
);

const headersFacts = object<Facts<'headers'>>(
  {
    url,
    grade: nonEmptyText,
    score: { type: 'integer' },
    tests: listOf(
      object<Facts<'headers'>['tests'][number]>({ test: nonEmptyText, result: nonEmptyText, modifier: integer, pass: flag, fix: text }, { fix: true }),
    ),
  },
  {},
);

const dnsFacts = object<Facts<'dns'>>(
  {
    name: nonEmptyText,
    resolver: text,
    expected: object<Facts<'dns'>['expected']>({ A: texts, AAAA: texts, CNAME: text }, { A: true, AAAA: true, CNAME: true }),
    found: object<Facts<'dns'>['found']>({ A: texts, AAAA: texts, CNAME: texts }, {}),
  },
  {},
);

const healthFacts = object<Facts<'health'>>(
  {
    url,
    probes: count,
    successes: count,
    successRatio: { type: 'number', minimum: 0, maximum: 1 },
    latencyMs: {
      anyOf: [{ type: 'null' }, object<NonNullable<Facts<'health'>['latencyMs']>>({ min: nonNegative, p50: nonNegative, max: nonNegative }, {})],
    },
    failures: texts,
  },
  {},
);

const monitoringFacts = object<Facts<'monitoring'>>(
  {
    resources: listOf(
      object<Facts<'monitoring'>['resources'][number]>(
        { id: nonEmptyText, metricAlerts: count, scheduledQueryRules: count, activityLogAlerts: count, diagnosticSettings: count, missing: texts },
        {},
      ),
    ),
    actionGroups: listOf(object<Facts<'monitoring'>['actionGroups'][number]>({ id: nonEmptyText, receivers: count, enabled: flag }, {})),
    availabilityTests: listOf(object<Facts<'monitoring'>['availabilityTests'][number]>({ id: nonEmptyText, enabled: flag }, {})),
  },
  {},
);

const driftFacts = object<Facts<'drift'>>(
  {
    directory: text,
    planExitCode: integer,
    terraformVersion: text,
    changes: listOf(object<Facts<'drift'>['changes'][number]>({ address: nonEmptyText, actions: texts, attributes: texts }, {})),
  },
  {},
);

const watchFacts = object<Facts<'watch'>>(
  {
    source: oneOfText('health', 'query'),
    windowSeconds: nonNegative,
    intervalSeconds: nonNegative,
    polls: count,
    breachAtSecond: nullableNonNegative,
    breach: text,
  },
  { breach: true },
);

const environmentCheck = object<EnvironmentCheckResult>(
  {
    name: nonEmptyText,
    type: oneOfText('tls', 'headers', 'dns', 'health', 'monitoring', 'drift', 'watch'),
    status: oneOfText('passed', 'failed', 'unknown'),
    detail: text,
    durationMs: nonNegative,
    tls: tlsFacts,
    headers: headersFacts,
    dns: dnsFacts,
    health: healthFacts,
    monitoring: monitoringFacts,
    drift: driftFacts,
    watch: watchFacts,
  },
  { tls: true, headers: true, dns: true, health: true, monitoring: true, drift: true, watch: true },
);

const environmentMetrics = object<EnvironmentMetrics>({ configFile: text, checks: listOf(environmentCheck), cancelled: flag }, {});

const capacitySignalFields = {
  kind: oneOfText('slo', 'plateau', 'users', 'generator'), bound: oneOfText('errors', 'latency'), expression: nonEmptyText, detail: text,
};
const capacitySignal = object<CapacitySignal>(capacitySignalFields, { bound: true, expression: true });

const capacityStep = object<CapacityStep>(
  {
    phase: oneOfText('ramp', 'bisect', 'confirm'),
    offeredRps: nonNegative,
    achievedRps: nonNegative,
    holdSeconds: nonNegative,
    requests: count,
    errors: count,
    errorPercentage: percentage,
    latencyMs: object<CapacityStep['latencyMs']>({ p50: nonNegative, p95: nonNegative, p99: nonNegative }, {}),
    good: flag,
    signals: listOf(capacitySignal),
    virtualUsers: object<NonNullable<CapacityStep['virtualUsers']>>({ planned: count, measured: nonNegative }, {}),
    generator: object<NonNullable<CapacityStep['generator']>>(
      {
        cpuPercent: nonNegative, eventLoopDelayP90Ms: nonNegative, schedulerLagP90Ms: nonNegative, meanSendToResponseMs: nonNegative,
        peakUsers: count, maxVirtualUsers: count, arrivals: count, arrivalsWithoutFreeUser: count, cpuPressurePercent: percentage,
      },
      { cpuPressurePercent: true },
    ),
  },
  { virtualUsers: true, generator: true },
);

const capacityMetrics = object<CapacityMetrics>(
  {
    engine: oneOfText('local', 'azure'),
    testId: nonEmptyText,
    outcome: oneOfText('found', 'generator-bound', 'not-reached', 'no-sustainable-rate', 'incomplete'),
    bound: { type: ['string', 'null'], enum: ['errors', 'latency', 'throughput', 'concurrency', 'generator', null] },
    sustainableRps: nullableNonNegative,
    interval: { oneOf: [{ type: 'null' }, object<NonNullable<CapacityMetrics['interval']>>({ lowRps: nonNegative, highRps: nonNegative }, {})] },
    provenRps: nonNegative,
    firstBreak: {
      oneOf: [{ type: 'null' }, object<NonNullable<CapacityMetrics['firstBreak']>>({ ...capacitySignalFields, offeredRps: nonNegative }, { bound: true, expression: true })],
    },
    stoppedBy: object<NonNullable<CapacityMetrics['stoppedBy']>>(
      { reason: oneOfText('time-budget', 'request-budget', 'cancelled', 'max-rate', 'confirm-failed', 'knee', 'run-ended', 'unsettled-step'), detail: text },
      {},
    ),
    advice: text,
    cloud: object<NonNullable<CapacityMetrics['cloud']>>({ testRunId: nonEmptyText, cloudTestId: nonEmptyText, interval: nonEmptyText, portalUrl: text },
      { portalUrl: true }),
    serviceLevel: listOf(nonEmptyText),
    expectedPeakRps: nonNegative,
    headroom: nonNegative,
    minimumRps: nonNegative,
    durationSeconds: nonNegative,
    requests: count,
    cancelled: flag,
    steps: listOf(capacityStep),
  },
  { stoppedBy: true, advice: true, cloud: true, expectedPeakRps: true, headroom: true, minimumRps: true },
);

/** One schema per kind: validating against the right one gives errors about that kind only. */
export const evidenceSchemaByKind: Readonly<Record<EvidenceKind, Schema>> = Object.freeze({
  loadtest: evidence('loadtest', loadTestMetrics),
  drill: evidence('drill', drillMetrics),
  docs: evidence('docs', docsMetrics),
  gate: evidence('gate', gateMetrics),
  environment: evidence('environment', environmentMetrics),
  capacity: evidence('capacity', capacityMetrics),
});

/** The whole evidence document: `kind` chooses which of the four shapes applies. */
export const evidenceSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://production-readiness.local/schemas/evidence.json',
  title: 'Readiness evidence document',
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: EVIDENCE_KINDS } },
  allOf: EVIDENCE_KINDS.map((kind) => ({
    if: { properties: { kind: { const: kind } }, required: ['kind'] },
    then: evidenceSchemaByKind[kind],
  })),
};

export { EVIDENCE_KINDS };
