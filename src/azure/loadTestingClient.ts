import type { TokenCredential } from '@azure/core-auth';
import { ConfigError, InfrastructureError } from '../errors';
import { AzureHttp, createAzurePipeline, serviceErrorText, type HttpOptions, type JsonResponse } from './http';
import type { AltFileInfo, AltFileType, AltTest, AltTestRun, AppComponentsPatch, MetricDefinition, MetricNamespace, MetricSeries, ServerMetricsPatch } from './model';

/**
 * Azure Load Testing data-plane client plus the one Azure Resource Manager call it needs.
 * REST surface and versions: shared/reference/azure-load-testing.md §1.5 and §3 (azure-rest-api-specs,
 * loadtestservice 2025-03-01-preview; ARM Microsoft.LoadTestService 2022-12-01).
 */
export const DATA_PLANE_API_VERSION = '2025-03-01-preview';
export const ARM_API_VERSION = '2022-12-01';
export const PUBLIC_ARM_ENDPOINT = 'https://management.azure.com';

export interface LoadTestResource {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface ClientOptions extends Omit<HttpOptions, 'credential' | 'scope'> {
  credential: TokenCredential;
  /** Resource Manager endpoint from the service connection; sovereign clouds differ. */
  armEndpoint?: string;
  /** Token scope for the data plane; derived from the data-plane host when absent. */
  dataPlaneScope?: string;
}

export function resourceId(r: LoadTestResource): string {
  return `/subscriptions/${r.subscriptionId}/resourcegroups/${r.resourceGroup}/providers/microsoft.loadtestservice/loadtests/${r.name}`;
}

/** Data-plane token audience per cloud (reference §1.4: cnt-prod.loadtesting.azure.com / .azure.us). */
export function dataPlaneScopeFor(dataPlaneHost: string): string {
  return /\.azure\.us(:\d+)?$/i.test(dataPlaneHost)
    ? 'https://cnt-prod.loadtesting.azure.us/.default'
    : 'https://cnt-prod.loadtesting.azure.com/.default';
}

/** Looks the resource up in Resource Manager and returns its data-plane host (`properties.dataPlaneURI`). */
export async function resolveDataPlaneHost(resource: LoadTestResource, options: ClientOptions, signal?: AbortSignal): Promise<string> {
  const arm = (options.armEndpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, '');
  const http = new AzureHttp(createAzurePipeline({ ...options, scope: `${arm}/.default` }));
  const url = `${arm}${resourceId(resource)}?api-version=${ARM_API_VERSION}`;
  const response = await http.send('GET', url, { signal });
  const where = `resource group "${resource.resourceGroup}" of subscription ${resource.subscriptionId}`;
  if (response.status === 404) {
    throw new ConfigError(
      `loadTestResource: the Azure Load Testing resource "${resource.name}" does not exist in ${where}. ` +
        'Check the loadTestResource and resourceGroup inputs (and the service connection\'s subscription), or create the resource.',
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new InfrastructureError(
      `The service connection's identity may not read the Azure Load Testing resource "${resource.name}" in ${where} ` +
        `(HTTP ${response.status}). Grant it the "Load Test Contributor" role on the resource. ${serviceErrorText(response.body)}`.trim(),
    );
  }
  if (response.status !== 200) throw unexpected('look up the Azure Load Testing resource', url, response);
  const host = (response.body as { properties?: { dataPlaneURI?: string } })?.properties?.dataPlaneURI;
  if (!host) throw new InfrastructureError(`Resource Manager returned no dataPlaneURI for "${resource.name}"; is it a Microsoft.LoadTestService/loadTests resource?`);
  return host.replace(/^https:\/\//, '').replace(/\/+$/, '');
}

export class LoadTestingClient {
  private readonly api: AzureHttp;
  private readonly blobs: AzureHttp;
  readonly baseUrl: string;

  constructor(
    readonly dataPlaneHost: string,
    readonly resourceName: string,
    options: ClientOptions,
  ) {
    this.baseUrl = `https://${dataPlaneHost}`;
    this.api = new AzureHttp(createAzurePipeline({ ...options, scope: options.dataPlaneScope ?? dataPlaneScopeFor(dataPlaneHost) }));
    this.blobs = new AzureHttp(createAzurePipeline({ ...options, credential: undefined }));
  }

  static async forResource(resource: LoadTestResource, options: ClientOptions, signal?: AbortSignal): Promise<LoadTestingClient> {
    return new LoadTestingClient(await resolveDataPlaneHost(resource, options, signal), resource.name, options);
  }

  private url(path: string, query: Record<string, string> = {}): string {
    const params = new URLSearchParams({ 'api-version': DATA_PLANE_API_VERSION, ...query });
    return `${this.baseUrl}/${path}?${params}`;
  }

  private async call(what: string, method: 'GET' | 'PATCH' | 'PUT' | 'POST' | 'DELETE', path: string, ok: number[],
    options: { json?: unknown; bytes?: Buffer; query?: Record<string, string>; signal?: AbortSignal; allow404?: boolean; contentType?: string } = {}): Promise<JsonResponse> {
    const url = this.url(path, options.query);
    const response = await this.api.send(method, url, {
      signal: options.signal,
      body: options.bytes ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
      contentType: options.bytes ? 'application/octet-stream' : options.json === undefined ? undefined : options.contentType ?? 'application/merge-patch+json',
    });
    if (ok.includes(response.status) || (options.allow404 && response.status === 404)) return response;
    if (response.status === 401 || response.status === 403) {
      throw new InfrastructureError(
        `The service connection's identity may not ${what} on Azure Load Testing resource "${this.resourceName}" (HTTP ${response.status}). ` +
          `Grant it the "Load Test Contributor" role on the resource. ${serviceErrorText(response.body)}`.trim(),
      );
    }
    throw unexpected(what, url, response);
  }

  async getTest(testId: string, signal?: AbortSignal): Promise<AltTest | undefined> {
    const r = await this.call('read the test', 'GET', `tests/${enc(testId)}`, [200], { signal, allow404: true });
    return r.status === 404 ? undefined : (r.body as AltTest);
  }

  /** Merge-patch: only the keys present in `patch` change; `null` deletes a map entry. */
  async patchTest(testId: string, patch: Partial<AltTest>, signal?: AbortSignal): Promise<AltTest> {
    return (await this.call('create or update the test', 'PATCH', `tests/${enc(testId)}`, [200, 201], { json: patch, signal })).body as AltTest;
  }

  async uploadFile(testId: string, fileName: string, content: Buffer, fileType: AltFileType, signal?: AbortSignal): Promise<AltFileInfo> {
    const r = await this.call(`upload ${fileName}`, 'PUT', `tests/${enc(testId)}/files/${enc(fileName)}`, [200, 201], {
      bytes: content,
      query: { fileType },
      signal,
    });
    return r.body as AltFileInfo;
  }

  async deleteFile(testId: string, fileName: string, signal?: AbortSignal): Promise<void> {
    await this.call(`delete ${fileName}`, 'DELETE', `tests/${enc(testId)}/files/${enc(fileName)}`, [200, 204], { signal, allow404: true });
  }

  /** The test's app components; none when the test has none yet (404). */
  async getAppComponents(testId: string, signal?: AbortSignal): Promise<AppComponentsPatch | undefined> {
    const r = await this.call('read the app components', 'GET', `tests/${enc(testId)}/app-components`, [200], { signal, allow404: true });
    return r.status === 404 ? undefined : (r.body as AppComponentsPatch);
  }

  async getServerMetricsConfig(testId: string, signal?: AbortSignal): Promise<ServerMetricsPatch | undefined> {
    const r = await this.call('read the server metrics', 'GET', `tests/${enc(testId)}/server-metrics-config`, [200], { signal, allow404: true });
    return r.status === 404 ? undefined : (r.body as ServerMetricsPatch);
  }

  async patchAppComponents(testId: string, patch: AppComponentsPatch, signal?: AbortSignal): Promise<void> {
    await this.call('update the app components', 'PATCH', `tests/${enc(testId)}/app-components`, [200, 201], { json: patch, signal });
  }

  async patchServerMetricsConfig(testId: string, patch: ServerMetricsPatch, signal?: AbortSignal): Promise<void> {
    await this.call('update the server metrics', 'PATCH', `tests/${enc(testId)}/server-metrics-config`, [200, 201], { json: patch, signal });
  }

  /** Creating the run starts it (PATCH test-runs/{id}). */
  async createRun(testRunId: string, body: Partial<AltTestRun>, signal?: AbortSignal): Promise<AltTestRun> {
    return (await this.call('start a test run', 'PATCH', `test-runs/${enc(testRunId)}`, [200, 201], { json: body, signal })).body as AltTestRun;
  }

  async getRun(testRunId: string, signal?: AbortSignal): Promise<AltTestRun> {
    return (await this.call('read the test run', 'GET', `test-runs/${enc(testRunId)}`, [200], { signal })).body as AltTestRun;
  }

  async stopRun(testRunId: string, signal?: AbortSignal): Promise<void> {
    await this.call('stop the test run', 'POST', `test-runs/${enc(testRunId)}:stop`, [200, 202, 204], { signal });
  }

  /** LoadTestRun_ListMetricNamespaces: GET test-runs/{id}/metric-namespaces (reference §3.2). */
  async listMetricNamespaces(testRunId: string, signal?: AbortSignal): Promise<MetricNamespace[]> {
    const r = await this.call('read the run\'s metric namespaces', 'GET', `test-runs/${enc(testRunId)}/metric-namespaces`, [200], { signal });
    return ((r.body as { value?: MetricNamespace[] })?.value ?? []);
  }

  /** LoadTestRun_ListMetricDefinitions: which metrics, aggregations, dimensions and time grains a run has. */
  async listMetricDefinitions(testRunId: string, metricNamespace: string, signal?: AbortSignal): Promise<MetricDefinition[]> {
    const r = await this.call('read the run\'s metric definitions', 'GET', `test-runs/${enc(testRunId)}/metric-definitions`, [200],
      { query: { metricNamespace }, signal });
    return ((r.body as { value?: MetricDefinition[] })?.value ?? []);
  }

  /**
   * LoadTestRun_ListMetrics: POST test-runs/{id}/metrics with the metric, namespace, timespan, aggregation and
   * interval in the query and the dimension filters (at most 20 values each) in the body; every page is read.
   * A nextLink is followed with GET, as the generated Azure SDK clients page (assumed; docs/emulators.md), and only
   * on this data-plane host: the bearer token never goes anywhere else.
   */
  async listMetrics(testRunId: string, query: { metricname: string; metricNamespace: string; timespan: string; aggregation: string; interval: string },
    filters: Array<{ name: string; values: string[] }> = [], signal?: AbortSignal): Promise<MetricSeries[]> {
    const what = `read the run's ${query.metricname} metric`;
    const first = await this.call(what, 'POST', `test-runs/${enc(testRunId)}/metrics`, [200],
      { query, json: filters.length ? { filters } : {}, signal, contentType: 'application/json' });
    const series: MetricSeries[] = [];
    let page = first.body as { value?: MetricSeries[]; nextLink?: string };
    for (let pages = 1; ; pages++) {
      series.push(...(page?.value ?? []));
      if (!page?.nextLink) return series;
      const next = new URL(page.nextLink, this.baseUrl);
      if (next.origin !== this.baseUrl || pages >= MAX_METRIC_PAGES) {
        throw new InfrastructureError(`Azure Load Testing answered a metrics nextLink that ${next.origin !== this.baseUrl ? `points off ${this.dataPlaneHost} (${next.origin})` : `goes past ${MAX_METRIC_PAGES} pages`}; the series was not read.`);
      }
      if (!next.searchParams.has('api-version')) next.searchParams.set('api-version', DATA_PLANE_API_VERSION);
      const response = await this.api.send('GET', next.toString(), { signal });
      if (response.status !== 200) throw unexpected(what, next.toString(), response);
      page = response.body as typeof page;
    }
  }

  /**
   * Result and report archives sit behind SAS URLs: no Authorization header is sent. The body streams into `file`;
   * past `maxBytes` the download stops, nothing is kept, and `tooLarge` says so.
   */
  async downloadArtifact(sasUrl: string, file: string, maxBytes: number, signal?: AbortSignal): Promise<{ bytes: number; tooLarge?: boolean }> {
    const { status, bytes, tooLarge } = await this.blobs.downloadTo(sasUrl, file, maxBytes, signal);
    if (status !== 200) throw new InfrastructureError(`Downloading ${sasUrl.split('?')[0]} failed with HTTP ${status}; the SAS link may have expired.`);
    return { bytes, ...(tooLarge ? { tooLarge } : {}) };
  }
}

/** A run's time series is a few hundred points per metric; more pages than this is a loop, not data. */
const MAX_METRIC_PAGES = 100;

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function unexpected(what: string, url: string, response: JsonResponse): InfrastructureError {
  const quoted = serviceErrorText(response.body);
  return new InfrastructureError(
    `Azure Load Testing could not ${what}: HTTP ${response.status} from ${url.split('?')[0]}${quoted ? ` (${quoted})` : ''}.`,
  );
}
