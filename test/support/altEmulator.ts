import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenHttps, testCertificates } from './tls';
import { clientValue, DEFAULT_SAMPLE_LOG, DEFAULT_STATISTICS, mergePatch, send } from './altEmulatorParts';
import { resultsZipOf, statisticsOf, zipOf, type SampleLogModel } from './altSampleLog';
import { managedIdentity, oidc, openIdMetadata, token } from './entraEmulator';
import { listMetrics, metricDefinitions, metricNamespaces, modelTotals, sendMetrics, type MetricsQuery, type ModelledService, type PlayedRun } from './altEmulatorMetrics';

export { DEFAULT_SAMPLE_LOG, DEFAULT_STATISTICS, mergePatch } from './altEmulatorParts';

/**
 * A local HTTPS emulator of the Azure calls the cloud engine makes, keeping everything in memory:
 * - Microsoft Entra ID: OpenID metadata and the v2.0 token endpoint (client secret and client assertion);
 * - the Azure DevOps OIDC request endpoint (System.OidcRequestUri);
 * - Resource Manager: GET of a Microsoft.LoadTestService/loadTests resource, answering its dataPlaneURI;
 * - the Azure Load Testing data plane: tests (merge-patch), files with validation, app components, server metrics,
 *   runs walking ACCEPTED ... DONE (or FAILED / CANCELLED), statistics, per-criterion results, :stop, and SAS
 *   archive downloads.
 * Shapes follow the REST contract in shared/reference/azure-load-testing.md §3. One port serves all of it.
 */
export interface Fault {
  method?: string;
  /** Matches the request path (no query). */
  path: RegExp;
  status: 429 | 500 | 403 | 404;
  retryAfterSeconds?: number;
  /** How many matching requests fail before the fault clears. Default 1. */
  times?: number;
}

export interface EmulatorOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The token endpoint answers AADSTS7000222 (expired client secret). */
  secretExpired?: boolean;
  systemAccessToken?: string;
  serviceConnectionId?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  resourceName?: string;
  /**
   * Milliseconds between run status steps. Default 40. 0 compresses time instead: the run has walked to its end (or
   * to `holdAt`) by the time the service answers its creation, so a client following AzureLoadTest@1's 20 s poll
   * interval needs no poll at all. This is how the task tests run fast without any timing hook in shipped code.
   */
  stepMs?: number;
  /** Milliseconds a file stays VALIDATION_INITIATED. Default 60. 0: validated right after the upload is answered. */
  validationMs?: number;
  /** When set, validation of the test plan fails with this text. */
  validationFailure?: string;
  /** The run ends FAILED with this message instead of DONE. */
  runFailure?: string;
  /** The run ends VALIDATION_FAILURE with this message right after ACCEPTED (the test plan was refused at run time). */
  runValidationFailure?: string;
  /** Statistics by sampler name ("Total" included) reported at EXECUTED. Default: those of `sampleLog` when given. */
  statistics?: Record<string, Record<string, number>>;
  /**
   * The modelled sample log in results.zip (altSampleLog.ts). Default DEFAULT_SAMPLE_LOG, whose counts match
   * DEFAULT_STATISTICS.
   */
  sampleLog?: SampleLogModel;
  /** Served as results.zip instead of the modelled log (a damaged archive, say). */
  resultsArchive?: Buffer;
  /** The run offers no results.zip (the service keeps none past 45 engine instances or 3 hours). */
  noResultsFile?: boolean;
  /** Called as an archive download is answered (a test cancels the pipeline there). */
  onArchiveDownload?: (path: string) => void;
  /** Archives are sent in 8 KiB pieces this many ms apart (a slow link: the client waits on the network mid-body). */
  archiveChunkDelayMs?: number;
  /** Actual value the emulator reports for every server-metric criterion. Default 10. */
  serverMetricValue?: number;
  /** The run stays in this status until it is stopped (deterministic cancel tests on a loaded machine). */
  holdAt?: string;
  /** Name of the default server metric a new app component brings. Default "Requests". */
  defaultMetricName?: string;
  /** Force the service's testResult (to exercise a disagreement with our own evaluation). */
  forceTestResult?: 'PASSED' | 'FAILED';
  faults?: Fault[];
  /**
   * The service the run's load meets, for the test-run metrics (altEmulatorMetrics.ts). With it, the run's clock is
   * the profile's: EXECUTING lasts `executeMs` of real time and plays the whole uploaded profile (durationInSeconds)
   * in it, and startDateTime..endDateTime and the metric timestamps span the profile's seconds, not the wall clock.
   */
  service?: ModelledService;
  /** Real milliseconds EXECUTING lasts. Default stepMs. */
  executeMs?: number;
  /** Points per series on one page of LoadTestRun_ListMetrics (then a nextLink). Default 8, so every search pages. */
  metricsPageSize?: number;
  /** The origin the metrics nextLink points at. Default the emulator's own (a link elsewhere must not be followed). */
  metricsNextLinkOrigin?: string;
  /** While a run executes, its newest this-many metric buckets are incomplete (half their requests), revised later. */
  metricsLateBuckets?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  authorization?: string;
  body: string;
}

type Json = Record<string, unknown>;

const EMULATED_PRINCIPAL = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

const READ_ONLY_RUN_FIELDS = ['status', 'testResult', 'createdByUri', 'createdBy', 'createdDateTime', 'lastModifiedBy', 'lastModifiedDateTime',
  'startDateTime', 'endDateTime', 'executedDateTime', 'duration', 'virtualUsers', 'testRunStatistics', 'testArtifacts', 'errorDetails', 'portalUrl'];

const RUN_STEPS = ['ACCEPTED', 'NOTSTARTED', 'PROVISIONING', 'PROVISIONED', 'CONFIGURING', 'CONFIGURED', 'EXECUTING', 'EXECUTED',
  'DEPROVISIONING', 'DEPROVISIONED', 'DONE'];

export class AltEmulator {
  readonly tests = new Map<string, Json>();
  readonly appComponents = new Map<string, Json>();
  readonly serverMetrics = new Map<string, Json>();
  readonly runs = new Map<string, Json>();
  readonly files = new Map<string, Buffer>();
  readonly requests: RecordedRequest[] = [];
  readonly issuedTokens = new Set<string>();
  readonly tokenRequests: Array<{ grantType: string; assertion?: string; scope: string }> = [];
  readonly oidcTokens: string[] = [];
  readonly managedIdentityRequests: Array<{ resource: string; clientId?: string }> = [];
  readonly stopped: string[] = [];
  /** Archives by blob path, made when a run is DONE. */
  readonly archives = new Map<string, Buffer>();
  /** What each run played: its test's uploaded requests JSON and engines, and when EXECUTING began and ended (real ms). */
  private readonly played = new Map<string, Omit<PlayedRun, 'playedSeconds' | 'startMs'> & { profileSeconds: number; executingAt?: number; endedAt?: number; complete?: boolean }>();
  readonly options: Required<Pick<EmulatorOptions, 'tenantId' | 'clientId' | 'clientSecret' | 'systemAccessToken' | 'serviceConnectionId' |
    'subscriptionId' | 'resourceGroup' | 'resourceName' | 'stepMs' | 'validationMs'>> & EmulatorOptions;
  private server?: Server;
  private closeServer?: () => Promise<void>;
  private timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      tenantId: '11111111-2222-3333-4444-555555555555',
      clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      clientSecret: 'emulated-client-secret-value',
      systemAccessToken: 'emulated-system-access-token',
      serviceConnectionId: 'c0ffee00-0000-0000-0000-000000000001',
      subscriptionId: '00000000-1111-2222-3333-444444444444',
      resourceGroup: 'rg-load',
      resourceName: 'alt-emulated',
      stepMs: 40,
      validationMs: 60,
      ...options,
      faults: (options.faults ?? []).map((f) => ({ ...f })),
    };
  }

  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }
  get ca(): string {
    return testCertificates().ca;
  }
  /** The CA written to a file, for a child process (the bundled task) to trust via NODE_EXTRA_CA_CERTS. */
  caFile(): string {
    const file = join(mkdtempSync(join(tmpdir(), 'alt-ca-')), 'ca.pem');
    writeFileSync(file, this.ca);
    return file;
  }
  get oidcRequestUri(): string {
    return `${this.baseUrl}/org/project/_apis/distributedtask/hubs/build/plans/plan-1/jobs/job-1/oidctoken`;
  }

  async start(): Promise<this> {
    const listening = await listenHttps((req, res, body) => this.route(req, res, body));
    this.server = listening.server;
    this.closeServer = listening.close;
    this.port = listening.port;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await this.closeServer?.();
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private route(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    const body = raw.toString('utf8');
    this.requests.push({ method, path, query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'],
      authorization: req.headers.authorization, body });

    const fault = this.options.faults!.find((f) => (!f.method || f.method === method) && f.path.test(path) && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      const code = { 429: 'TooManyRequests', 500: 'InternalServerError', 403: 'AuthorizationFailed', 404: 'ResourceNotFound' }[fault.status];
      return send(res, fault.status, { error: { code, message: `Emulated ${fault.status}.` } }, headers);
    }

    // Microsoft identity platform v2.0 (learn.microsoft.com, "OpenID Connect on the Microsoft identity platform" and
    // "OAuth 2.0 client credentials flow": client_secret and client_assertion grants).
    if (/\/v2\.0\/\.well-known\/openid-configuration$/.test(path)) return openIdMetadata(this, res, path);
    if (/\/oauth2\/v2\.0\/token$/.test(path)) return token(this, res, body);
    // Azure DevOps OIDC token request for a service connection (POST {System.OidcRequestUri}?api-version=7.1&
    // serviceConnectionId=..., answering { oidcToken }): azure-devops-docs release notes, sprint 240.
    if (path.endsWith('/oidctoken')) return oidc(this, req, res, url);
    // App Service managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, api-version 2019-08-01):
    // learn.microsoft.com, "How to use managed identities for App Service", REST endpoint reference.
    if (path === '/msi/token') return managedIdentity(this, req, res, url);
    // SAS download of results.zip and report.zip (the URLs of outputArtifacts in GetTestRun.json).
    if (path.startsWith('/blob/')) return void this.blob(req, res, path);
    // ARM GET of the resource: azure-rest-api-specs, loadtestservice/resource-manager/Microsoft.LoadTestService/
    // stable/2022-12-01/examples/LoadTests_Get.json.
    if (path.toLowerCase().startsWith('/subscriptions/')) return this.arm(req, res, path, url);

    if (!this.issuedTokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) {
      return send(res, 401, { error: { code: 'Unauthorized', message: 'Missing or unknown bearer token.' } });
    }
    if (url.searchParams.get('api-version') !== '2025-03-01-preview') {
      return send(res, 400, { error: { code: 'UnsupportedApiVersion', message: `api-version ${url.searchParams.get('api-version')}` } });
    }
    // Data plane, azure-rest-api-specs loadtestservice/data-plane/Microsoft.LoadTestService/preview/2025-03-01-preview
    // (SPEC below): each route names its operation and the example it answers like.
    let m: RegExpMatchArray | null;
    // LoadTestAdministration_GetTest / _CreateOrUpdateTest / _DeleteTest (204): SPEC examples/GetTest.json,
    // CreateOrUpdateTest.json; loadtestservice.json.
    if ((m = path.match(/^\/tests\/([^/]+)$/))) return this.test(res, method, m[1], body);
    // LoadTestAdministration_UploadTestFile / _DeleteTestFile: SPEC loadtestservice.json; file fields as in the
    // inputArtifacts of CreateOrUpdateTest.json.
    if ((m = path.match(/^\/tests\/([^/]+)\/files\/([^/]+)$/))) return this.file(res, method, m[1], m[2], raw, url);
    // LoadTestAdministration_CreateOrUpdateAppComponents / _GetAppComponents: SPEC CreateOrUpdateTestAppComponents.json;
    // LoadTestAdministration_CreateOrUpdateServerMetricsConfig / _GetServerMetricsConfig: SPEC loadtestservice.json.
    if ((m = path.match(/^\/tests\/([^/]+)\/(app-components|server-metrics-config)$/))) return this.testMap(res, method, m[1], m[2], body);
    // LoadTestRun_ListMetricNamespaces, _ListMetricDefinitions, _ListMetrics (and its nextLink, read with GET):
    // sources and assumptions in altEmulatorMetrics.ts.
    if ((m = path.match(/^\/test-runs\/([^/:]+)\/(metric-namespaces|metric-definitions|metrics)$/))) return this.metrics(res, method, m[1], m[2], url, body);
    // LoadTestRun_StopTestRun: SPEC loadtestservice.json (POST test-runs/{id}:stop).
    if ((m = path.match(/^\/test-runs\/([^/]+):stop$/)) && method === 'POST') return this.stopRun(res, m[1]);
    // LoadTestRun_CreateOrUpdateTestRun / _GetTestRun: SPEC CreateOrUpdateTestRun.json, GetTestRun.json.
    if ((m = path.match(/^\/test-runs\/([^/:]+)$/))) return this.run(res, method, m[1], body);
    send(res, 404, { error: { code: 'NotFound', message: `No route for ${method} ${path}` } });
  }

  private arm(req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
    if (!this.issuedTokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) {
      return send(res, 401, { error: { code: 'AuthenticationFailed', message: 'No valid token.' } });
    }
    const o = this.options;
    const expected = `/subscriptions/${o.subscriptionId}/resourcegroups/${o.resourceGroup}/providers/microsoft.loadtestservice/loadtests/${o.resourceName}`;
    if (url.searchParams.get('api-version') !== '2022-12-01') return send(res, 400, { error: { code: 'InvalidApiVersion' } });
    if (path.toLowerCase() !== expected.toLowerCase()) {
      return send(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource '${path.split('/').pop()}' was not found.` } });
    }
    // LoadTests_Get.json's fields. dataPlaneURI: the example shows it with https://, but the official client prepends
    // https:// itself (Azure/load-testing, APIService.setBaseURL), so the live value is assumed to carry no scheme.
    send(res, 200, { location: 'eastus', properties: { dataPlaneURI: `127.0.0.1:${this.port}`, provisioningState: 'Succeeded' },
      id: `/subscriptions/${o.subscriptionId}/resourceGroups/${o.resourceGroup}/providers/Microsoft.LoadTestService/loadTests/${o.resourceName}`,
      name: o.resourceName, type: 'Microsoft.LoadTestService/loadTests', tags: {} });
  }

  private test(res: ServerResponse, method: string, testId: string, body: string): void {
    const existing = this.tests.get(testId);
    if (method === 'GET') return existing ? send(res, 200, existing) : send(res, 404, { error: { code: 'TestNotFound', message: `Test ${testId} not found.` } });
    if (method === 'DELETE') {
      this.tests.delete(testId);
      this.appComponents.delete(testId);
      this.serverMetrics.delete(testId);
      return send(res, 204);
    }
    if (method !== 'PATCH') return send(res, 405, {});
    // Audit fields as in CreateOrUpdateTest.json's answer: createdDateTime, createdBy, lastModifiedDateTime, lastModifiedBy.
    const now = new Date().toISOString();
    const merged = mergePatch(existing ?? { testId, inputArtifacts: { additionalFileInfo: [] }, createdDateTime: now, createdBy: EMULATED_PRINCIPAL },
      JSON.parse(body)) as Json;
    Object.assign(merged, { lastModifiedDateTime: now, lastModifiedBy: EMULATED_PRINCIPAL });
    this.tests.set(testId, merged);
    send(res, existing ? 200 : 201, merged);
  }

  private file(res: ServerResponse, method: string, testId: string, fileName: string, raw: Buffer, url: URL): void {
    const test = this.tests.get(testId);
    if (!test) return send(res, 404, { error: { code: 'TestNotFound', message: `Test ${testId} not found.` } });
    const artifacts = (test.inputArtifacts ??= {}) as Json;
    if (method === 'DELETE') {
      this.files.delete(`${testId}/${fileName}`);
      for (const [k, v] of Object.entries(artifacts)) {
        if (Array.isArray(v)) artifacts[k] = v.filter((f: Json) => f.fileName !== fileName);
        else if ((v as Json)?.fileName === fileName) delete artifacts[k];
      }
      return send(res, 204);
    }
    if (method !== 'PUT') return send(res, 405, {});
    // TestFileInfo fields as in the spec's examples (CreateOrUpdateTest.json): url, fileName, fileType, expireDateTime,
    // validationStatus. Only the test script is validated; every other file reports validationStatus "".
    const fileType = url.searchParams.get('fileType') ?? 'ADDITIONAL_ARTIFACTS';
    const validated = ['JMX_FILE', 'TEST_SCRIPT', 'URL_TEST_CONFIG'].includes(fileType);
    const info: Json = { url: `${this.baseUrl}/blob/${testId}/${fileName}?sig=x`, fileName, fileType,
      expireDateTime: new Date(Date.now() + 3_600_000).toISOString(), validationStatus: validated ? 'VALIDATION_INITIATED' : '' };
    this.files.set(`${testId}/${fileName}`, raw);
    // Assumed from the official client (Azure/load-testing getAllFileNamesTobeDeleted): zip artifacts are listed in
    // additionalFileInfo with the configuration files; inputArtifactsZipFileInfo is the service's own bundle.
    const slot = { URL_TEST_CONFIG: 'urlTestConfigFileInfo', TEST_SCRIPT: 'testScriptFileInfo', JMX_FILE: 'testScriptFileInfo',
      USER_PROPERTIES: 'userPropFileInfo' }[fileType];
    if (slot) artifacts[slot] = info;
    else artifacts.additionalFileInfo = [...((artifacts.additionalFileInfo as Json[]) ?? []).filter((f) => f.fileName !== fileName), info];
    const finishValidation = () => {
      if (this.options.validationFailure) {
        info.validationStatus = 'VALIDATION_FAILURE';
        info.validationFailureDetails = this.options.validationFailure;
      } else info.validationStatus = 'VALIDATION_SUCCESS';
    };
    if (validated && this.options.validationMs > 0) this.later(this.options.validationMs, finishValidation);
    send(res, 201, info);
    if (validated && this.options.validationMs === 0) finishValidation();
  }

  private testMap(res: ServerResponse, method: string, testId: string, which: string, body: string): void {
    const store = which === 'app-components' ? this.appComponents : this.serverMetrics;
    const key = which === 'app-components' ? 'components' : 'metrics';
    const current = store.get(testId) ?? { testId, [key]: {} };
    if (method === 'GET') return send(res, 200, current);
    const patch = JSON.parse(body) as Json;
    if (which === 'app-components') {
      // The service answers each component with its key as resourceId, and the resource group and subscription read
      // from it (CreateOrUpdateTestAppComponents.json).
      for (const [key, component] of Object.entries((patch.components ?? {}) as Json)) {
        if (component === null) continue;
        const parts = key.split('/');
        Object.assign(component as Json, { resourceId: key, subscriptionId: parts[2], resourceGroup: parts[4] });
      }
    }
    const merged = mergePatch(current, patch) as Json;
    store.set(testId, merged);
    if (which === 'app-components') this.addDefaultMetrics(testId, (current.components ?? {}) as Json, (patch.components ?? {}) as Json);
    send(res, 200, merged);
  }

  /**
   * A component added to a test brings its resource type's default server metrics (Azure Load Testing docs, "Monitor
   * server-side application metrics": default metrics per resource type). Which metric names: assumed, one per
   * resource, named by EmulatorOptions.defaultMetricName.
   */
  private addDefaultMetrics(testId: string, before: Json, patch: Json): void {
    const metrics = (this.serverMetrics.get(testId) ?? { testId, metrics: {} }) as { metrics: Json };
    for (const [key, component] of Object.entries(patch)) {
      if (component === null || before[key]) continue;
      const c = component as { resourceId: string; resourceType?: string };
      const namespace = c.resourceType ?? '';
      metrics.metrics[`default-${c.resourceId.toLowerCase()}`] = { resourceId: c.resourceId, metricNamespace: namespace,
        name: this.options.defaultMetricName ?? 'Requests', aggregation: 'Total', resourceType: namespace };
    }
    this.serverMetrics.set(testId, metrics as unknown as Json);
  }

  private run(res: ServerResponse, method: string, runId: string, body: string): void {
    const existing = this.runs.get(runId);
    if (method === 'GET') return existing ? send(res, 200, existing) : send(res, 404, { error: { code: 'TestRunNotFound', message: runId } });
    if (method !== 'PATCH') return send(res, 405, {});
    if (existing) return send(res, 200, existing); // the service refuses to restart a run; an idempotent retry sees it unchanged
    const request = JSON.parse(body) as Json;
    // Read-only TestRun fields are set by the service; TestRunCreateOrUpdate carries none of them. Whether the live
    // service refuses them or drops them is not documented; the emulator refuses them (an assumption, docs/emulators.md).
    const readOnly = READ_ONLY_RUN_FIELDS.filter((f) => f in request);
    if (readOnly.length) return send(res, 400, { error: { code: 'InvalidRequest', message: `Read-only field(s) ${readOnly.join(', ')} cannot be set.` } });
    const test = this.tests.get(String(request.testId));
    if (!test) return send(res, 404, { error: { code: 'TestNotFound', message: `Test ${request.testId} not found.` } });
    // The answer's fields as in CreateOrUpdateTestRun.json: the test's kind, criteria, configuration and input
    // artifacts copied onto the run, audit fields, and the portal link.
    const now = new Date().toISOString();
    const run: Json = { ...request, testRunId: runId, status: 'ACCEPTED', startDateTime: now, kind: test.kind,
      passFailCriteria: structuredClone(test.passFailCriteria ?? {}), autoStopCriteria: test.autoStopCriteria, loadTestConfiguration: test.loadTestConfiguration,
      testArtifacts: { inputArtifacts: structuredClone(test.inputArtifacts ?? {}) }, virtualUsers: 10,
      createdDateTime: now, createdBy: EMULATED_PRINCIPAL, lastModifiedDateTime: now, lastModifiedBy: EMULATED_PRINCIPAL,
      portalUrl: `https://portal.azure.com/#emulated/testRun/${runId}` };
    this.runs.set(runId, run);
    this.remember(runId, String(request.testId), test);
    this.advance(runId, 1);
    send(res, 201, run);
  }

  private advance(runId: string, step: number): void {
    // The step after EXECUTING comes when the profile has played (executeMs).
    const wait = RUN_STEPS[step] === 'EXECUTED' ? this.options.executeMs ?? this.options.stepMs : this.options.stepMs;
    const next = (fn: () => void) => (wait === 0 ? fn() : this.later(wait, fn));
    next(() => {
      const run = this.runs.get(runId)!;
      if (['CANCELLING', 'CANCELLED'].includes(String(run.status))) return;
      if (this.options.runValidationFailure) {
        run.status = 'VALIDATION_FAILURE';
        run.errorDetails = [{ message: this.options.runValidationFailure }];
        run.endDateTime = new Date().toISOString();
        return;
      }
      if (this.options.runFailure && RUN_STEPS[step] === 'EXECUTING') {
        run.status = 'FAILED';
        run.errorDetails = [{ message: this.options.runFailure }];
        run.endDateTime = new Date().toISOString();
        return;
      }
      run.status = RUN_STEPS[step];
      const played = this.played.get(runId);
      if (played && run.status === 'EXECUTING') played.executingAt = Date.now();
      if (played && run.status === 'EXECUTED') Object.assign(played, { endedAt: Date.now(), complete: true });
      if (run.status === this.options.holdAt) return;
      if (run.status === 'EXECUTED') this.finishStatistics(run);
      if (run.status === 'DONE') {
        run.endDateTime = this.endOf(runId, run);
        // The archives exist before the run says where they are (made synchronously enough for stepMs 0: the
        // SAS download waits for them below).
        const ready = this.makeArchives(runId);
        this.pendingArchives.set(runId, ready);
        run.testArtifacts = { ...(run.testArtifacts as Json), outputArtifacts: {
          ...(this.options.noResultsFile ? {} : { resultFileInfo: { fileName: 'results.zip', url: `${this.baseUrl}/blob/${runId}/results.zip?sv=2024&sig=secret-signature` } }),
          reportFileInfo: { fileName: 'report.zip', url: `${this.baseUrl}/blob/${runId}/report.zip?sv=2024&sig=secret-signature` } } };
        return;
      }
      this.advance(runId, step + 1);
    });
  }

  private readonly pendingArchives = new Map<string, Promise<void>>();

  private async makeArchives(runId: string): Promise<void> {
    const model = this.options.sampleLog ?? DEFAULT_SAMPLE_LOG;
    this.archives.set(`/blob/${runId}/results.zip`, this.options.resultsArchive ?? await resultsZipOf(model));
    // report.zip: the service's HTML dashboard; the emulator's names each label, as the dashboard's tables do.
    const labels = model.requests.map((r) => r.label).join('</td><td>');
    this.archives.set(`/blob/${runId}/report.zip`, await zipOf([{ name: 'index.html', content: `<html><body><table><tr><td>${labels}</td></tr></table></body></html>\n` }]));
  }

  private finishStatistics(run: Json): void {
    const stats = this.options.statistics ?? (this.options.sampleLog ? statisticsOf(this.options.sampleLog) : DEFAULT_STATISTICS);
    run.testRunStatistics = Object.fromEntries(Object.entries(stats).map(([name, s]) => [name, { transaction: name, ...s }]));
    const played = this.options.service ? this.playedRun(String(run.testRunId), run) : undefined;
    if (played) {
      // A modelled run reports what its series add up to (the assumptions alt-totalrequests-include-errors and
      // alt-virtualusers-level in docs/emulators.md).
      const t = modelTotals(this.options.service!, played);
      Object.assign((run.testRunStatistics as Record<string, Json>).Total, { sampleCount: t.requests, errorCount: t.errors,
        errorPct: t.requests ? Math.round((10000 * t.errors) / t.requests) / 100 : 0 });
      run.virtualUsers = t.topUsers;
    }
    run.executedDateTime = new Date().toISOString();
    run.duration = 60_000;
    let anyFailed = false;
    let any = false;
    const criteria = (run.passFailCriteria ?? {}) as { passFailMetrics?: Record<string, Json>; passFailServerMetrics?: Record<string, Json> };
    for (const c of Object.values(criteria.passFailMetrics ?? {})) {
      const s = stats[String(c.requestName ?? 'Total')];
      const actual = s ? clientValue(s, String(c.clientMetric), String(c.aggregate)) : undefined;
      any = true;
      c.actualValue = actual;
      c.result = actual === undefined ? 'undetermined' : (c.condition === '>' ? actual > Number(c.value) : actual < Number(c.value)) ? 'failed' : 'passed';
      anyFailed ||= c.result !== 'passed';
    }
    for (const c of Object.values(criteria.passFailServerMetrics ?? {})) {
      any = true;
      const actual = this.options.serverMetricValue ?? 10;
      c.actualValue = actual;
      c.result = (c.condition === '>' ? actual > Number(c.value) : actual < Number(c.value)) ? 'failed' : 'passed';
      anyFailed ||= c.result === 'failed';
    }
    run.testResult = this.options.forceTestResult ?? (!any ? 'NOT_APPLICABLE' : anyFailed ? 'FAILED' : 'PASSED');
  }

  private stopRun(res: ServerResponse, runId: string): void {
    const run = this.runs.get(runId);
    if (!run) return send(res, 404, { error: { code: 'TestRunNotFound', message: runId } });
    this.stopped.push(runId);
    const played = this.played.get(runId);
    if (played?.executingAt !== undefined && played.endedAt === undefined) played.endedAt = Date.now();
    run.status = 'CANCELLING';
    this.later(this.options.stepMs, () => {
      run.status = 'CANCELLED';
      run.endDateTime = this.endOf(runId, run);
    });
    send(res, 200, run);
  }

  /** The uploaded requests JSON and the engines of the run's test, as they were when the run started. */
  private remember(runId: string, testId: string, test: Json): void {
    if (!this.options.service) return;
    const fileName = ((test.inputArtifacts as Json | undefined)?.urlTestConfigFileInfo as Json | undefined)?.fileName;
    const content = fileName ? this.files.get(`${testId}/${String(fileName)}`) : undefined;
    const plan = content ? (JSON.parse(content.toString('utf8')) as Json) : {};
    const testSetup = Array.isArray(plan.testSetup) ? (plan.testSetup as Json[]) : [];
    const requestNames = Object.values((plan.scenarios ?? {}) as Record<string, Json>).flatMap((sc) => ((sc.requests ?? []) as Json[]).map((r) => String(r.requestName)));
    const engines = Number((test.loadTestConfiguration as Json | undefined)?.engineInstances ?? 1);
    const profileSeconds = Math.max(0, ...testSetup.map((t) => Number(t.durationInSeconds ?? 0)));
    this.played.set(runId, { testSetup, requestNames, engines, profileSeconds });
  }

  /** Seconds of the profile the run played: all of it once EXECUTED, else the share of executeMs that passed before a stop. */
  private playedRun(runId: string, run: Json): PlayedRun | undefined {
    const p = this.played.get(runId);
    if (!p) return undefined;
    const executeMs = this.options.executeMs ?? this.options.stepMs;
    const ran = p.complete ? 1 : p.executingAt === undefined ? 0 : executeMs <= 0 ? 1 : Math.min(1, ((p.endedAt ?? Date.now()) - p.executingAt) / executeMs);
    return { ...p, startMs: Date.parse(String(run.startDateTime)), playedSeconds: p.profileSeconds * ran, live: run.status === 'EXECUTING' && p.endedAt === undefined };
  }

  private endOf(runId: string, run: Json): string {
    const played = this.playedRun(runId, run);
    return played ? new Date(played.startMs + played.playedSeconds * 1000 + 1000).toISOString() : new Date().toISOString();
  }

  private metrics(res: ServerResponse, method: string, runId: string, what: string, url: URL, body: string): void {
    const run = this.runs.get(runId);
    if (!run) return send(res, 404, { error: { code: 'TestRunNotFound', message: runId } });
    if (what === 'metric-namespaces' && method === 'GET') return send(res, 200, metricNamespaces());
    if (what === 'metric-definitions' && method === 'GET') {
      const definitions = metricDefinitions(url.searchParams.get('metricNamespace'));
      return definitions ? send(res, 200, definitions) : send(res, 400, { error: { code: 'BadRequest', message: 'Unknown metricNamespace.' } });
    }
    const played = this.playedRun(runId, run);
    if (what !== 'metrics' || !played || !this.options.service) return send(res, 404, { error: { code: 'NotFound', message: `No route for ${method} ${url.pathname}` } });
    const token = url.searchParams.get('continuationToken');
    let q: MetricsQuery;
    if (method === 'GET' && token) q = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as MetricsQuery;
    else if (method === 'POST') {
      const p = url.searchParams;
      const filters = body ? ((JSON.parse(body) as Json).filters as MetricsQuery['filters'] | undefined) ?? [] : [];
      q = { metricname: p.get('metricname') ?? '', metricNamespace: p.get('metricNamespace') ?? '', timespan: p.get('timespan') ?? '',
        aggregation: p.get('aggregation') ?? '', interval: p.get('interval') ?? '', filters, offset: 0 };
    } else return send(res, 405, {});
    const nextLink = (offset: number) => `${this.options.metricsNextLinkOrigin ?? this.baseUrl}/test-runs/${runId}/metrics?api-version=2025-03-01-preview&continuationToken=` +
      Buffer.from(JSON.stringify({ ...q, offset })).toString('base64url');
    sendMetrics(res, listMetrics(this.options.service, played, q, this.options.metricsPageSize ?? 8, nextLink, this.options.metricsLateBuckets));
  }

  private async blob(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    // Storage refuses a bearer token on a SAS request; so does the emulator, to prove none is sent.
    if (req.headers.authorization) return send(res, 400, { error: { code: 'AuthorizationHeaderNotAllowed' } });
    await this.pendingArchives.get(path.split('/')[2]);
    // Run archives, or a test's uploaded file (its TestFileInfo url points here).
    const bytes = this.archives.get(path) ?? this.files.get(path.slice('/blob/'.length));
    // Blob service "Get Blob": 404 BlobNotFound for a name that does not exist (learn.microsoft.com, Blob service error codes).
    if (!bytes) return send(res, 404, { error: { code: 'BlobNotFound', message: `No blob ${path}` } });
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': bytes.length });
    this.options.onArchiveDownload?.(path);
    const delay = this.options.archiveChunkDelayMs;
    if (delay === undefined) return void res.end(bytes);
    for (let at = 0; at < bytes.length && !res.destroyed; at += 8192) {
      res.write(bytes.subarray(at, at + 8192));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    res.end();
  }
}

/** A service connection description pointing at the emulator (the shape the task fills from task-lib). */
export function emulatedConnection(emu: AltEmulator, scheme: 'ServicePrincipal' | 'WorkloadIdentityFederation' = 'ServicePrincipal',
  extra: Record<string, unknown> = {}) {
  const o = emu.options;
  return {
    name: 'emulated-arm',
    scheme,
    tenantId: o.tenantId,
    clientId: o.clientId,
    ...(scheme === 'ServicePrincipal' ? { secret: o.clientSecret } : {}),
    ...(scheme === 'WorkloadIdentityFederation'
      ? { oidc: { requestUri: emu.oidcRequestUri, systemAccessToken: o.systemAccessToken, serviceConnectionId: o.serviceConnectionId } }
      : {}),
    authorityHost: emu.baseUrl,
    resourceManagerUrl: emu.baseUrl,
    ...extra,
  };
}

export function emulatedResource(emu: AltEmulator) {
  return { subscriptionId: emu.options.subscriptionId, resourceGroup: emu.options.resourceGroup, name: emu.options.resourceName };
}
