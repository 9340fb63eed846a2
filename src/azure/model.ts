/**
 * The parts of the Azure Load Testing data-plane model we read or write (2025-03-01-preview swagger,
 * summarised in shared/reference/azure-load-testing.md §3.3). Optional everywhere: merge-patch bodies carry only
 * the keys the YAML sets, and `null` deletes a map entry.
 */
export type AltFileType =
  | 'JMX_FILE'
  | 'TEST_SCRIPT'
  | 'USER_PROPERTIES'
  | 'ADDITIONAL_ARTIFACTS'
  | 'ZIPPED_ARTIFACTS'
  | 'URL_TEST_CONFIG';

/** The spec's enum, plus "": the spec's examples report "" for files the service does not validate (CSV, properties, zips). */
export type FileValidationStatus =
  | ''
  | 'NOT_VALIDATED'
  | 'VALIDATION_SUCCESS'
  | 'VALIDATION_FAILURE'
  | 'VALIDATION_INITIATED'
  | 'VALIDATION_NOT_REQUIRED';

export interface AltFileInfo {
  fileName: string;
  fileType?: AltFileType;
  url?: string;
  validationStatus?: FileValidationStatus;
  validationFailureDetails?: string;
}

export interface PassFailMetric {
  clientMetric: string;
  aggregate: string;
  condition: '>' | '<';
  value: number;
  requestName?: string;
  action?: 'continue' | 'stop';
  actualValue?: number;
  result?: 'passed' | 'failed' | 'undetermined';
}

export interface PassFailServerMetric {
  resourceId: string;
  metricNamespace: string;
  metricName: string;
  aggregation: string;
  condition: '>' | '<';
  value: number;
  action?: 'continue' | 'stop';
  actualValue?: number;
  result?: 'passed' | 'failed' | 'undetermined';
}

export interface AutoStopCriteria {
  autoStopDisabled?: boolean;
  errorRate?: number;
  errorRateTimeWindowInSeconds?: number;
  maximumVirtualUsersPerEngine?: number;
}

export interface AltTest {
  testId?: string;
  displayName?: string;
  description?: string;
  kind?: 'URL' | 'JMX' | 'Locust';
  passFailCriteria?: {
    passFailMetrics?: Record<string, PassFailMetric | null>;
    passFailServerMetrics?: Record<string, PassFailServerMetric | null>;
  };
  autoStopCriteria?: AutoStopCriteria;
  secrets?: Record<string, { value: string; type: 'AKV_SECRET_URI' | 'SECRET_VALUE' } | null>;
  certificate?: { name: string; value: string; type: 'AKV_CERT_URI' } | null;
  environmentVariables?: Record<string, string | null>;
  loadTestConfiguration?: {
    engineInstances?: number;
    splitAllCSVs?: boolean;
    regionalLoadTestConfig?: Array<{ region: string; engineInstances: number }> | null;
  };
  subnetId?: string;
  publicIPDisabled?: boolean;
  keyvaultReferenceIdentityType?: string;
  keyvaultReferenceIdentityId?: string | null;
  metricsReferenceIdentityType?: string;
  metricsReferenceIdentityId?: string | null;
  engineBuiltInIdentityType?: string;
  engineBuiltInIdentityIds?: string[] | null;
  inputArtifacts?: {
    testScriptFileInfo?: AltFileInfo;
    urlTestConfigFileInfo?: AltFileInfo;
    userPropFileInfo?: AltFileInfo;
    inputArtifactsZipFileInfo?: AltFileInfo;
    configFileInfo?: AltFileInfo;
    additionalFileInfo?: AltFileInfo[];
  };
}

export interface AppComponent {
  resourceId: string;
  resourceName?: string;
  resourceType?: string;
  kind?: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

export interface AppComponentsPatch {
  components: Record<string, AppComponent | null>;
}

export interface ServerMetric {
  resourceId: string;
  metricNamespace: string;
  name: string;
  aggregation: string;
  resourceType?: string;
}

export interface ServerMetricsPatch {
  metrics: Record<string, ServerMetric | null>;
}

/** TestRunStatistics: all figures are doubles; pct1/2/3 are p90/p95/p99 (reference §3.3). */
export interface AltStatistics {
  transaction?: string;
  sampleCount?: number;
  errorCount?: number;
  errorPct?: number;
  meanResTime?: number;
  medianResTime?: number;
  maxResTime?: number;
  minResTime?: number;
  pct1ResTime?: number;
  pct2ResTime?: number;
  pct3ResTime?: number;
  pct75ResTime?: number;
  pct96ResTime?: number;
  pct97ResTime?: number;
  pct98ResTime?: number;
  pct999ResTime?: number;
  pct9999ResTime?: number;
  throughput?: number;
  receivedKBytesPerSec?: number;
  sentKBytesPerSec?: number;
}

/**
 * A run in one of these statuses is over. TestRunStatus also has VALIDATION_SUCCESS, VALIDATION_FAILURE and
 * CANCELLING (azure-rest-api-specs, loadtestservice 2025-03-01-preview); VALIDATION_FAILURE ends the run before it
 * starts, so waiting on it would wait for ever (shared/reference/platform-facts.md).
 */
export const TERMINAL_RUN_STATUSES = Object.freeze(['DONE', 'FAILED', 'CANCELLED', 'VALIDATION_FAILURE']);

export interface AltTestRun {
  testRunId?: string;
  testId?: string;
  displayName?: string;
  description?: string;
  status?: string;
  testResult?: 'PASSED' | 'FAILED' | 'NOT_APPLICABLE';
  passFailCriteria?: AltTest['passFailCriteria'];
  autoStopCriteria?: AutoStopCriteria;
  errorDetails?: Array<{ message?: string }>;
  testRunStatistics?: Record<string, AltStatistics>;
  environmentVariables?: Record<string, string>;
  secrets?: Record<string, { value: string; type: 'AKV_SECRET_URI' | 'SECRET_VALUE' }>;
  testArtifacts?: {
    outputArtifacts?: {
      resultFileInfo?: AltFileInfo;
      reportFileInfo?: AltFileInfo;
      logsFileInfo?: AltFileInfo;
    };
  };
  virtualUsers?: number;
  startDateTime?: string;
  endDateTime?: string;
  executedDateTime?: string;
  /** Milliseconds. */
  duration?: number;
  portalUrl?: string;
  loadTestConfiguration?: AltTest['loadTestConfiguration'];
  /** Read-only, set by the service: never sent (TestRunCreateOrUpdate has no createdByUri). */
  readonly createdByType?: string;
  readonly createdByUri?: string;
}

/** LoadTestRun_ListMetricNamespaces item (ListTestRunMetricsNamespaces.json): the run metrics are `LoadTestRunMetrics`. */
export interface MetricNamespace {
  name: string;
  description?: string;
}

/** LoadTestRun_ListMetricDefinitions item (ListTestRunMetricsDefinitions.json). */
export interface MetricDefinition {
  name: string;
  namespace?: string;
  description?: string;
  unit?: string;
  primaryAggregationType?: string;
  supportedAggregationTypes?: string[];
  dimensions?: Array<{ name: string; description?: string }>;
  metricAvailabilities?: Array<{ timeGrain?: string }>;
}

/** LoadTestRun_ListMetrics item (ListTestRunMetrics.json): one series, per dimension value when filtered. */
export interface MetricSeries {
  data?: Array<{ timestamp: string; value?: number }>;
  dimensionValues?: Array<{ name: string; value: string }>;
}
