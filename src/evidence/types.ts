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

export type EvidenceKind = 'loadtest' | 'drill' | 'docs' | 'gate';
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
   * and its sampling error from it (src/regression). Absent when the engine exposes no distribution (Azure).
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
  /** Azure Load Testing only. */
  azure?: { testRunId: string; portalUrl?: string; serviceTestResult?: string; disagreement?: string };
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

export interface DrillMetrics {
  provider: string;
  disruption?: string;
  targets: { rtoSeconds: number; rpoSeconds: number };
  rtoSeconds: number | null;
  rpoSeconds: number | null;
  /**
   * How RPO was found. Measured: `query` or `heartbeat` (newest data in the restored copy), `backup-age` (the
   * backup's recorded time). Not measured: `declared-interval` (a point-in-time restore to "latest", whose RPO is
   * the log-backup interval the drill file declares) and `file-time` (a file's modification time, which a copy
   * or download resets). The gate does not accept the unmeasured ones against an RPO limit.
   */
  rpoMethod: 'query' | 'heartbeat' | 'backup-age' | 'latest-restorable-time' | 'declared-interval' | 'file-time' | 'none';
  /** `freshness`: only the backup's age was checked, nothing was restored; not evidence of a drill. Default `restore`. */
  mode?: 'restore' | 'freshness';
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
  checks: CheckOutcome[];
}

export type GateEvidence = EvidenceBase<'gate', GateMetrics>;

export type Evidence = LoadTestEvidence | DrillEvidence | DocsEvidence | GateEvidence;
