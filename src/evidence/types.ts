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

export type EvidenceKind = 'loadtest' | 'drill' | 'docs' | 'gate' | 'capacity';
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
  /** Azure Load Testing only. */
  azure?: { testRunId: string; portalUrl?: string; serviceTestResult?: string; disagreement?: string };
}

export type LoadTestEvidence = EvidenceBase<'loadtest', LoadTestMetrics>;

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
  /** The generator's self-watch: CPU (percent of one core), event-loop delay and scheduler lag (p90, ms), users. */
  generator: {
    cpuPercent: number; eventLoopDelayP90Ms: number; schedulerLagP90Ms: number;
    /** Mean time from writing a request to its response: the service's own time, without waits for a free user. */
    meanSendToResponseMs: number;
    peakUsers: number; maxVirtualUsers: number; arrivals: number; arrivalsWithoutFreeUser: number;
  };
}

export interface CapacityMetrics {
  engine: 'local';
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
  stoppedBy?: { reason: 'time-budget' | 'request-budget' | 'cancelled' | 'max-rate' | 'confirm-failed'; detail: string };
  /** For a generator-bound search: how to go further. */
  advice?: string;
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

export type Evidence = LoadTestEvidence | DrillEvidence | DocsEvidence | GateEvidence | CapacityEvidence;
