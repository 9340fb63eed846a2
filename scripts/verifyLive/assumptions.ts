/**
 * The assumptions `npm run verify:live` checks: the list at the end of shared/reference/platform-facts.md ("Unknown
 * until tried on a live organisation") and the "only assumes" table of docs/emulators.md, by the same ids. A test
 * keeps this list and that table equal.
 */
export type Outcome = 'confirmed' | 'refuted' | 'not checked';

export interface CheckResult {
  id: string;
  outcome: Outcome;
  /** What was seen, or why it was not checked. Never a credential. */
  detail: string;
}

export interface Assumption {
  id: string;
  area: 'Azure Load Testing' | 'Azure DevOps';
  statement: string;
  /** What running the check needs, beyond the area's credentials. */
  needs?: string;
}

export const ASSUMPTIONS: readonly Assumption[] = [
  { id: 'alt-nonscript-status-empty', area: 'Azure Load Testing', statement: 'a CSV uploaded as ADDITIONAL_ARTIFACTS is listed with validationStatus ""' },
  { id: 'alt-zip-in-additional-files', area: 'Azure Load Testing', statement: 'a file uploaded as ZIPPED_ARTIFACTS is listed in additionalFileInfo' },
  { id: 'alt-delete-file-204', area: 'Azure Load Testing', statement: 'deleting a test file answers 204' },
  { id: 'alt-dataplane-uri-no-scheme', area: 'Azure Load Testing', statement: 'Resource Manager gives dataPlaneURI without https://' },
  { id: 'alt-sas-refuses-bearer', area: 'Azure Load Testing', statement: 'a file SAS URL answers without a token and refuses a bearer token' },
  { id: 'alt-p999-accepted', area: 'Azure Load Testing', statement: 'passFailMetrics accepts aggregate "p999"' },
  { id: 'alt-default-metrics', area: 'Azure Load Testing', statement: 'a new app component brings default server metrics',
    needs: 'READINESS_LIVE_APP_COMPONENT_ID (an Azure resource to add as a component)' },
  { id: 'alt-readonly-run-fields-refused', area: 'Azure Load Testing', statement: 'a test-run request with createdByUri is refused with 400',
    needs: 'READINESS_LIVE_ALLOW_RUNS=true (the request starts a paid run if the service accepts it; it is stopped at once)' },
  { id: 'alt-results-csv-shape', area: 'Azure Load Testing', statement: "a finished run's results.zip holds JMeter CSV files with the documented header, read as a sample log",
    needs: 'READINESS_LIVE_TEST_RUN_ID (a finished test run on the resource; reading it costs nothing)' },
  { id: 'alt-metrics-unfiltered-one-series', area: 'Azure Load Testing', statement: 'a metrics query without filters answers one series without dimensionValues',
    needs: 'READINESS_LIVE_METRICS_RUN_ID (a finished run, best of readiness capacity --engine azure; reading its metrics costs nothing)' },
  { id: 'alt-metrics-nextlink-get', area: 'Azure Load Testing', statement: 'a metrics nextLink is read with GET', needs: 'READINESS_LIVE_METRICS_RUN_ID (a finished run, best of readiness capacity --engine azure; reading its metrics costs nothing)' },
  { id: 'alt-virtualusers-level', area: 'Azure Load Testing', statement: "VirtualUsers per bucket is the users then running; its highest value is the run's virtualUsers", needs: 'READINESS_LIVE_METRICS_RUN_ID (a finished run, best of readiness capacity --engine azure; reading its metrics costs nothing)' },
  { id: 'alt-totalrequests-include-errors', area: 'Azure Load Testing', statement: "TotalRequests counts failed requests: its sum is the run's sampleCount", needs: 'READINESS_LIVE_METRICS_RUN_ID (a finished run, best of readiness capacity --engine azure; reading its metrics costs nothing)' },
  { id: 'alt-step-levels', area: 'Azure Load Testing', statement: 'loadType step runs floor(virtualUsersPerEngine x i / N) users per engine at step i of N', needs: 'READINESS_LIVE_METRICS_RUN_ID (a finished run, best of readiness capacity --engine azure; reading its metrics costs nothing)' },
  { id: 'alt-metrics-live-partial', area: 'Azure Load Testing', statement: "a running run's metrics answer the buckets so far, only the newest one still changing" },
  { id: 'alt-instant-run', area: 'Azure Load Testing', statement: 'a run has finished when its creation is answered (emulator time compression)' },
  { id: 'ado-job-token-extension-data', area: 'Azure DevOps', statement: 'the job token may read and write extension data' },
  { id: 'ado-job-token-approvals', area: 'Azure DevOps', statement: "the job token may read a run's approvals and timeline",
    needs: 'READINESS_LIVE_ADO_BUILD_ID (a run of the pipeline the token belongs to)' },
  { id: 'ado-identities-org-scope', area: 'Azure DevOps', statement: 'a project-scoped job token may read organisation-level identities' },
  { id: 'ado-one-click-two-roles', area: 'Azure DevOps', statement: 'one person in two role groups satisfies two approval steps with one click' },
];

/** Checks no program can run: they say why. */
export const NEVER_CHECKED: Record<string, string> = {
  'alt-metrics-live-partial': 'needs a paid run in progress; compare the Step lines a capacity search logs on a real resource with the curve read after the run (docs/emulators.md)',
  'alt-instant-run': 'not a property of the service: the emulator compresses time for tests only',
  'ado-one-click-two-roles': 'needs a person to approve a real run; try it by hand and record the result in docs/emulators.md',
};
