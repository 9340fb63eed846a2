/**
 * The evidence document: the one shape every check writes and every consumer reads
 * (task attachment, markdown summary, JUnit, gate evaluation, hub views). See DESIGN.md "Evidence".
 * A stored document is never rewritten in place; a new run makes a new document.
 *
 * The JSON Schema in `schema.ts` must stay in step with these types.
 */
export const EVIDENCE_SCHEMA_VERSION = 1;
/** Build attachment type used by every task for its evidence document. */
export const EVIDENCE_ATTACHMENT_TYPE = 'readiness.evidence';

export type EvidenceKind = 'loadtest' | 'drill' | 'docs' | 'gate' | 'environment' | 'capacity';
export type Verdict = 'passed' | 'failed' | 'error';

/** Where the evidence came from; filled from pipeline variables when present, empty locally. */
export interface RunInfo {
  project?: string;
  pipeline?: string;
  runId?: string;
  stage?: string;
  job?: string;
  attempt?: number;
  url?: string;
  /** The task that made the document (ReadinessLoadTest, ReadinessDrDrill, ReadinessGate). */
  task?: string;
  /** The commit the run built (Build.SourceVersion). */
  commit?: string;
}

/** One evaluated pass/fail rule. `failed` is true when the rule's failure condition held. */
export interface CriterionResult {
  /** The criterion as the user wrote it, e.g. `GetUser: p95(response_time_ms) > 300`. */
  expression: string;
  /** Measured value; null when the metric could not be measured (counts as failed). */
  actual: number | null;
  threshold: number;
  failed: boolean;
  /** One sentence a person can read: what was measured against what, and the outcome. */
  explanation: string;
  /** Request name when the criterion applies to one request only. */
  request?: string;
}

export interface Link {
  name: string;
  url: string;
}

export interface EvidenceBase<K extends EvidenceKind, M> {
  schemaVersion: typeof EVIDENCE_SCHEMA_VERSION;
  /** Unique id of this document (uuid). */
  id: string;
  kind: K;
  service: string;
  environment: string;
  run: RunInfo;
  startedAt: string; // ISO 8601
  finishedAt: string; // ISO 8601
  verdict: Verdict;
  /** One line saying why the verdict is what it is. */
  summary: string;
  criteria: CriterionResult[];
  metrics: M;
  links: Link[];
}

// ---------------------------------------------------------------- load test

export interface LatencySummary {
  min: number;
  avg: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  /** Optional finer percentiles, so criteria such as p97(response_time_ms) can be judged (Azure accepts them). */
  p96?: number;
  p97?: number;
  p98?: number;
  p9999?: number;
}

export interface RequestStats {
  /** Request name; `Total` for the aggregate. */
  name: string;
  requests: number;
  /** All failed requests: httpErrors + networkErrors. */
  errors: number;
  /** Responses with status >= 400. */
  httpErrors: number;
  /** Connection refused, reset, timeouts, TLS errors: no HTTP response at all. */
  networkErrors: number;
  errorPercentage: number;
  rps: number;
  latencyMs: LatencySummary;
  /** Time to the first response byte (JMeter's "latency", Azure's `latency` metric), when the engine records it. */
  timeToFirstByteMs?: LatencySummary;
  /**
   * The whole response-time distribution, lossless: an HdrHistogram (microseconds, 3 significant digits) in its
   * standard compressed base64 encoding (`encodeIntoCompressedBase64`). A run-to-run comparison reads any percentile
   * and its sampling error from it (src/regression). Azure Load Testing runs: read from the run's sample log
   * (results.zip, src/azure/sampleLog.ts); absent when that could not be read.
   */
  latencyHistogram?: string;
}

export interface TimelinePoint {
  /** Seconds since the start of the run (0-based, the second this point covers). */
  second: number;
  requests: number;
  errors: number;
  activeUsers: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
}

export interface LoadTestMetrics {
  engine: 'local' | 'azure';
  /** closed = virtual users; open = constant arrival rate (requests per second). */
  model: 'closed' | 'open';
  testId: string;
  virtualUsers: number;
  targetRps?: number;
  durationSeconds: number;
  cancelled: boolean;
  /** Set when autoStop or a `stop` criterion ended the run early. */
  stoppedEarly?: { reason: string; atSecond: number };
  totals: RequestStats;
  requests: RequestStats[];
  timeline: TimelinePoint[];
  /** What makes two runs comparable (like with like); see src/regression/baseline.ts. */
  comparable?: Comparable;
  /** The comparison with a baseline of earlier passing runs, when one was made (src/regression). */
  regression?: RegressionReport;
  /**
   * The local engine watching itself over the run (src/load/generatorWatch.ts): its CPU in percent of one core, and
   * how late its event loop ran. A stall delays every request in flight, so a run whose generator stalled has tails
   * that partly measure the agent; the comparison with a baseline says so.
   */
  generator?: { cpuPercent: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuPressurePercent?: number };
  /** Azure Load Testing only. */
  azure?: {
    testRunId: string;
    portalUrl?: string;
    serviceTestResult?: string;
    disagreement?: string;
    /** Whether the run's sample log (results.zip) gave the latency histograms, and what was read or why not. */
    sampleLog?: { read: boolean; detail: string };
  };
}

export type LoadTestEvidence = EvidenceBase<'loadtest', LoadTestMetrics>;

/**
 * Runs compare only when they ran the same test with the same load shape on the same kind of engine and agent.
 * `planHash` is a SHA-256 over the requests and the load shape (durations left out: a longer run of the same test
 * is the remedy an inconclusive comparison asks for), never over secret values.
 */
export interface Comparable {
  planHash: string;
  engine: 'local' | 'azure';
  /** Agent.OS / Agent.OSArchitecture, or the platform of the machine locally. */
  platform?: string;
  /** The agent pool (Azure Pipelines runs) or the Azure Load Testing resource; runs on other hardware do not compare. */
  pool?: string;
}

export type RegressionVerdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive';

/** One compared figure of one request (or Total). Deltas are candidate minus baseline, in the metric's unit. */
export interface RegressionRow {
  request: string;
  /** p50, p95, p99 (any percentile the criteria name), error, rps. */
  metric: string;
  unit: 'ms' | '%' | 'rps';
  baseline: { mean: number; min: number; max: number; runs: number };
  candidate: number;
  delta: number;
  /** Delta over the baseline mean, in percent; null when the baseline mean is 0. */
  deltaPercent: number | null;
  /** 90% interval of the delta, counting between-run variance of the baseline window; null when not estimable. */
  interval: { low: number; high: number } | null;
  /** The smallest change that matters, in the metric's unit, and where it came from. */
  threshold: { value: number; source: string };
  verdict: RegressionVerdict;
  /** Why; for inconclusive rows, what would settle it (a longer run, more baseline runs). */
  note: string;
}

export interface RegressionReport {
  verdict: RegressionVerdict;
  summary: string;
  /** The baseline window, oldest first. */
  baselineRuns: Array<{ id: string; finishedAt: string; runId?: string; url?: string }>;
  /** Earlier runs left out, with the reason (unlike plan, engine, pool, not passed...). */
  refused: Array<{ id: string; reason: string }>;
  /** Set when a run was pinned as the baseline. */
  pinned?: string;
  rows: RegressionRow[];
}

// ---------------------------------------------------------------- capacity

/** Why a probe of the capacity search broke (src/capacity/signals.ts). */
export interface CapacitySignal {
  kind: 'slo' | 'plateau' | 'users' | 'generator';
  /** For `slo`: whether the breached criterion bounds errors or latency. */
  bound?: 'errors' | 'latency';
  /** For `slo`: the criterion as written. */
  expression?: string;
  detail: string;
}

/** One probe: an offered rate held steady, and what came of it. */
export interface CapacityStep {
  phase: 'ramp' | 'bisect' | 'confirm';
  offeredRps: number;
  /** Responses per second while the rate was held. */
  achievedRps: number;
  holdSeconds: number;
  requests: number;
  errors: number;
  errorPercentage: number;
  latencyMs: { p50: number; p95: number; p99: number };
  good: boolean;
  signals: CapacitySignal[];
  /**
   * Closed-model steps (a search on Azure Load Testing): the virtual users the stepped profile planned and the ones
   * the service's VirtualUsers metric reports. `offeredRps` is then what these users would send at the per-user rate
   * of the first step, and the p50 of `latencyMs` is the mean (the metrics API has no median).
   */
  virtualUsers?: { planned: number; measured: number };
  /** The local generator's self-watch: CPU (percent of one core), event-loop delay and scheduler lag (p90, ms), users. Absent on Azure. */
  generator?: {
    cpuPercent: number; eventLoopDelayP90Ms: number; schedulerLagP90Ms: number;
    /** Share of the probe some task on the machine waited for a core (Linux CPU pressure), when the kernel tells. */
    cpuPressurePercent?: number;
    /** Mean time from writing a request to its response: the service's own time, without waits for a free user. */
    meanSendToResponseMs: number;
    peakUsers: number; maxVirtualUsers: number; arrivals: number; arrivalsWithoutFreeUser: number;
  };
}

/** A probe of the local search: it always carries the generator's self-watch. */
export type LocalCapacityStep = CapacityStep & { generator: NonNullable<CapacityStep['generator']> };

export interface CapacityMetrics {
  /** local: probes on this machine (open model); azure: one stepped run on Azure Load Testing (closed model). */
  engine: 'local' | 'azure';
  testId: string;
  /**
   * found: the knee was bracketed and the rate below it held a confirming hold.
   * generator-bound: the generator saturated first; `provenRps` is the highest rate it reached, not a capacity.
   * not-reached: every rate up to maxRps held the service level.
   * no-sustainable-rate: even the first rate broke the service level.
   * incomplete: a budget, a cancel or a failed confirmation ended the search before it found the knee.
   */
  outcome: 'found' | 'generator-bound' | 'not-reached' | 'no-sustainable-rate' | 'incomplete';
  /** What limits the service: the first signal at the lowest rate that broke. Null when nothing broke. */
  bound: 'errors' | 'latency' | 'throughput' | 'concurrency' | 'generator' | null;
  /** The sustainable request rate: only when `outcome` is found. */
  sustainableRps: number | null;
  /** The knee lies between the highest good and the lowest bad rate. */
  interval: { lowRps: number; highRps: number } | null;
  /** The highest rate held within the service level (0 when none): a lower bound whatever the outcome. */
  provenRps: number;
  firstBreak: (CapacitySignal & { offeredRps: number }) | null;
  stoppedBy?: { reason: 'time-budget' | 'request-budget' | 'cancelled' | 'max-rate' | 'confirm-failed' | 'knee' | 'run-ended' | 'unsettled-step'; detail: string };
  /** For a generator-bound search: how to go further. */
  advice?: string;
  /** engine azure: the Azure Load Testing run and the test it ran, the metric interval the steps were sliced at. */
  cloud?: { testRunId: string; cloudTestId: string; interval: string; portalUrl?: string };
  serviceLevel: string[];
  expectedPeakRps?: number;
  headroom?: number;
  minimumRps?: number;
  durationSeconds: number;
  requests: number;
  cancelled: boolean;
  steps: CapacityStep[];
}

export type CapacityEvidence = EvidenceBase<'capacity', CapacityMetrics>;

// ---------------------------------------------------------------- drill

export type StepStatus = 'passed' | 'failed' | 'skipped' | 'cancelled';
export type ProbeStatus = 'passed' | 'failed' | 'unknown';

export interface DrillStep {
  name: 'preflight' | 'backup' | 'restore' | 'start' | 'probes' | 'cleanup' | string;
  startedAt: string;
  durationMs: number;
  status: StepStatus;
  detail: string;
}

export interface ProbeResult {
  name: string;
  type: string;
  status: ProbeStatus;
  /** Why: expected against found. Secrets are redacted. */
  detail: string;
  durationMs: number;
}

/** What a recreation drill cost, from the per-resource-type prices its drill file gives (per resource-hour). */
export interface DrillCost {
  currency: string;
  total: number;
  /** From the apply's start until the destroy finished. */
  hours: number;
  lines: Array<{ type: string; count: number; pricePerHour: number; amount: number }>;
  /** Resource types created for which no price was given. */
  unpriced: string[];
}

export interface DrillMetrics {
  provider: string;
  disruption?: string;
  /** Recreation: `rtoSeconds` is the environment RTO target. Rollback: the two time targets below. */
  targets: { rtoSeconds: number; rpoSeconds: number; timeToRollbackSeconds?: number; timeToRecoverSeconds?: number };
  rtoSeconds: number | null;
  rpoSeconds: number | null;
  /**
   * How RPO was found. Measured: `query` or `heartbeat` (newest data in the restored copy), `backup-age` (the
   * backup's recorded time). Not measured: `declared-interval` (a point-in-time restore to "latest", whose RPO is
   * the log-backup interval the drill file declares) and `file-time` (a file's modification time, which a copy
   * or download resets). The gate does not accept the unmeasured ones against an RPO limit.
   */
  rpoMethod: 'query' | 'heartbeat' | 'backup-age' | 'latest-restorable-time' | 'declared-interval' | 'file-time' | 'none';
  /**
   * `freshness`: only the backup's age was checked, nothing was restored; not evidence of a drill. `recreation`:
   * the environment was rebuilt from its Terraform configuration. `rollback`: the previous version was deployed and
   * the current one restored. Default `restore`.
   */
  mode?: 'restore' | 'freshness' | 'recreation' | 'rollback';
  /** Recreation: apply start until every probe passed against the new environment. */
  environmentRtoSeconds?: number | null;
  /** Rollback: start of the previous version's deploy until it passed every probe. */
  timeToRollbackSeconds?: number | null;
  /** Rollback: start of the return to the current version until it passed every probe again. */
  timeToRecoverSeconds?: number | null;
  /** Recreation: what outlived the destroy (state entries, and what the leak probe still found). */
  leaks?: string[];
  /** Recreation: resources a second plan right after the apply would change again (the configuration does not converge). */
  drift?: string[];
  cost?: DrillCost;
  /** Rollback: the versions deployed. */
  versions?: { previous: string; current: string };
  backup: { location: string; takenAt?: string; sizeBytes?: number; verified?: string };
  steps: DrillStep[];
  probes: ProbeResult[];
  cleanup: { status: 'done' | 'failed' | 'skipped'; leftBehind: string[]; detail: string };
  cancelled: boolean;
}

export type DrillEvidence = EvidenceBase<'drill', DrillMetrics>;

// ---------------------------------------------------------------- docs

export interface DocFinding {
  file: string;
  line?: number;
  rule: 'missing-file' | 'missing-heading' | 'stale' | 'broken-link' | 'too-short' | 'front-matter' | string;
  severity: 'error' | 'warning';
  message: string;
}

export interface DocsMetrics {
  root: string;
  filesChecked: string[];
  findings: DocFinding[];
  /** Per file: the last_reviewed date found, if any. */
  reviewed: Array<{ file: string; lastReviewed?: string; ageDays?: number }>;
}

export type DocsEvidence = EvidenceBase<'docs', DocsMetrics>;

// ---------------------------------------------------------------- gate

export type CheckState = 'passed' | 'failed' | 'waived' | 'missing' | 'stale';
export type GateStatus = 'ready' | 'not-ready' | 'warn';

export interface CheckOutcome {
  id: string;
  title: string;
  owner?: string;
  type: string;
  state: CheckState;
  /** A sentence saying why. */
  reason: string;
  /** Evidence documents that decided the state. */
  evidence: Array<{ id: string; kind: EvidenceKind; finishedAt: string; runUrl?: string }>;
}

export interface GateMetrics {
  policyFile: string;
  tier?: string;
  level: string | null;
  requiredLevel: string | null;
  enforcement: 'warn' | 'block';
  status: GateStatus;
  evaluatedAt: string;
  version?: string;
  /** The run the verdict was reached in (Build.BuildId) and its commit (Build.SourceVersion). */
  runId?: number;
  commit?: string;
  checks: CheckOutcome[];
  /** The audit trail of the run's approvals (src/gate/approvals.ts), as the server recorded them. */
  approvals?: ApprovalTrailEntry[];
}

export interface ApprovalTrailEntry {
  approvalId: string;
  runId: number | null;
  role: string | null;
  assignedTo: string;
  status: string;
  approver: { id: string; name: string } | null;
  comment: string;
  at: string | null;
}

export type GateEvidence = EvidenceBase<'gate', GateMetrics>;

// ---------------------------------------------------------------- environment (src/environment/)

export type EnvironmentCheckType = 'tls' | 'headers' | 'dns' | 'health' | 'monitoring' | 'drift' | 'watch';
/** `unknown`: the check could not decide (unreachable, refused, untestable); it fails the verdict like `failed`. */
export type EnvironmentCheckStatus = 'passed' | 'failed' | 'unknown';

export interface TlsFacts {
  host: string;
  port: number;
  /** Whole days until the leaf certificate expires (negative once expired); null when no certificate was seen. */
  daysToExpiry: number | null;
  /** Leaf first, as the server sent it. */
  chain: Array<{ subject: string; issuer: string; validFrom: string; validTo: string; fingerprint256: string }>;
  /** The verification error when the chain is not trusted for the host, e.g. CERT_HAS_EXPIRED. */
  chainError?: string;
  /** For each legacy protocol: the server refused it, accepted it, or this machine could not offer it. */
  legacyProtocols: Array<{ protocol: 'TLSv1' | 'TLSv1.1'; outcome: 'refused' | 'accepted' | 'untestable'; detail: string }>;
  negotiatedProtocol?: string;
  /** max-age of Strict-Transport-Security, null when the header is absent or malformed. */
  hstsMaxAge: number | null;
}

export interface HeaderTestFacts {
  /** The MDN HTTP Observatory test name, e.g. `content-security-policy`. */
  test: string;
  /** The Observatory's result identifier, e.g. `csp-not-implemented`. */
  result: string;
  modifier: number;
  pass: boolean;
  /** For a failing test: the header to set and how. */
  fix?: string;
}

export interface HeadersFacts {
  url: string;
  grade: string;
  score: number;
  tests: HeaderTestFacts[];
}

export interface DnsFacts {
  name: string;
  resolver: string;
  expected: { A?: string[]; AAAA?: string[]; CNAME?: string };
  found: { A: string[]; AAAA: string[]; CNAME: string[] };
}

export interface HealthFacts {
  url: string;
  probes: number;
  successes: number;
  successRatio: number;
  latencyMs: { min: number; p50: number; max: number } | null;
  /** Why each failed probe failed, first few only. */
  failures: string[];
}

export interface MonitoringFacts {
  resources: Array<{
    id: string;
    metricAlerts: number;
    scheduledQueryRules: number;
    activityLogAlerts: number;
    diagnosticSettings: number;
    /** What is required and absent, in words: "an enabled metric alert", "diagnostic settings". */
    missing: string[];
  }>;
  /** Action groups the found alerts use, with their receiver counts. */
  actionGroups: Array<{ id: string; receivers: number; enabled: boolean }>;
  availabilityTests: Array<{ id: string; enabled: boolean }>;
}

export interface DriftFacts {
  directory: string;
  /** terraform plan -detailed-exitcode: 0 no changes, 2 changes present. */
  planExitCode: number;
  terraformVersion: string;
  changes: Array<{ address: string; actions: string[]; attributes: string[] }>;
}

export interface WatchFacts {
  source: 'health' | 'query';
  windowSeconds: number;
  intervalSeconds: number;
  polls: number;
  /** Seconds after the watch began when the breach was seen; null when none was. */
  breachAtSecond: number | null;
  breach?: string;
}

export interface EnvironmentCheckResult {
  name: string;
  type: EnvironmentCheckType;
  status: EnvironmentCheckStatus;
  /** One sentence: what was found; for a failure or unknown, what to fix. */
  detail: string;
  durationMs: number;
  tls?: TlsFacts;
  headers?: HeadersFacts;
  dns?: DnsFacts;
  health?: HealthFacts;
  monitoring?: MonitoringFacts;
  drift?: DriftFacts;
  watch?: WatchFacts;
}

export interface EnvironmentMetrics {
  /** The environment file as the user named it. */
  configFile: string;
  checks: EnvironmentCheckResult[];
  cancelled: boolean;
}

export type EnvironmentEvidence = EvidenceBase<'environment', EnvironmentMetrics>;

export type Evidence = LoadTestEvidence | DrillEvidence | DocsEvidence | GateEvidence | EnvironmentEvidence | CapacityEvidence;
