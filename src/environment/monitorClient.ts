import { CheckFailedError, InfrastructureError } from '../errors';
import { AzureHttp, createAzurePipeline, serviceErrorText, stripQuery, type JsonResponse } from '../azure/http';
import type { AzureAccess } from '../dr/providers/azureArm';

/**
 * The Azure Monitor reads the environment checks make, through Resource Manager with the same credential handling
 * as the Azure drills (src/azure/http.ts pipeline, the service connection's credential). API versions and paths are
 * those of azure-rest-api-specs, specification/monitor/resource-manager/Microsoft.Insights:
 * - metric alerts: stable/2018-03-01/metricAlert_API.json, MetricAlerts_ListBySubscription;
 * - scheduled query rules: stable/2023-12-01/scheduledQueryRule_API.json, ScheduledQueryRules_ListBySubscription;
 * - activity log alerts: stable/2020-10-01/activityLogAlerts_API.json, ActivityLogAlerts_ListBySubscriptionId;
 * - action groups: stable/2023-01-01/actionGroups_API.json, ActionGroups_Get;
 * - diagnostic settings: preview/2021-05-01-preview/diagnosticsSettings_API.json, DiagnosticSettings_List;
 * - availability tests: specification/applicationinsights, stable/2022-06-15/webTests_API.json, WebTests_ListByComponent;
 * - logs: learn.microsoft.com azure-monitor/logs/api/azure-resource-queries, "A query to the same resource via
 *   ARM": POST {resourceId}/providers/microsoft.insights/logs?api-version=2018-03-01-preview, answering the Log
 *   Analytics query shape { tables: [{ name, columns, rows }] }.
 */
export const MONITOR_API = Object.freeze({
  metricAlerts: '2018-03-01',
  scheduledQueryRules: '2023-12-01',
  activityLogAlerts: '2020-10-01',
  actionGroups: '2023-01-01',
  diagnosticSettings: '2021-05-01-preview',
  webTests: '2022-06-15',
  logs: '2018-03-01-preview',
});

/** Pages followed at most, so a looping nextLink cannot hang a check. */
const MAX_PAGES = 50;

export type ArmObject = { id: string; name?: string; type?: string; properties?: Record<string, any>; tags?: Record<string, string> };

export class MonitorClient {
  private readonly http: AzureHttp;
  private readonly origin: string;

  constructor(readonly access: AzureAccess) {
    const arm = access.armEndpoint.replace(/\/+$/, '');
    this.origin = new URL(arm).origin;
    this.http = new AzureHttp(createAzurePipeline({ credential: access.credential, scope: `${arm}/.default`, caCertificate: access.caCertificate }));
  }

  /** Every item of a list operation, following nextLink on the Resource Manager host only. */
  async list(path: string, apiVersion: string, signal?: AbortSignal): Promise<ArmObject[]> {
    const items: ArmObject[] = [];
    let url: string | undefined = `${this.origin}${path}?api-version=${apiVersion}`;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const response = await this.http.send('GET', url, { signal, timeoutSeconds: 60 });
      this.expectOk(response, url);
      const body = response.body as { value?: ArmObject[]; nextLink?: string };
      items.push(...(Array.isArray(body?.value) ? body.value : []));
      url = body?.nextLink ? this.sameOrigin(body.nextLink) : undefined;
    }
    return items;
  }

  async get(resourceId: string, apiVersion: string, signal?: AbortSignal): Promise<ArmObject | undefined> {
    const url = `${this.origin}${resourceId}?api-version=${apiVersion}`;
    const response = await this.http.send('GET', url, { signal, timeoutSeconds: 60 });
    if (response.status === 404) return undefined;
    this.expectOk(response, url);
    return response.body as ArmObject;
  }

  /** Runs a KQL query over a resource's logs; returns the first table's rows. */
  async queryLogs(resourceId: string, query: string, timespan: string, signal?: AbortSignal): Promise<unknown[][]> {
    const url = `${this.origin}${resourceId}/providers/microsoft.insights/logs?api-version=${MONITOR_API.logs}`;
    const response = await this.http.send('POST', url, { body: JSON.stringify({ query, timespan }), contentType: 'application/json', signal, timeoutSeconds: 60 });
    if (response.status === 400) throw new CheckFailedError(`The query was rejected: ${serviceErrorText(response.body)}; correct the KQL in the environment file.`);
    this.expectOk(response, url);
    const tables = (response.body as { tables?: Array<{ rows?: unknown[][] }> })?.tables;
    if (!Array.isArray(tables) || !tables.length || !Array.isArray(tables[0].rows)) {
      throw new InfrastructureError(`The logs query at ${stripQuery(url)} answered without a result table.`);
    }
    return tables[0].rows!;
  }

  private expectOk(response: JsonResponse, url: string): void {
    if (response.status === 200) return;
    const reason = serviceErrorText(response.body);
    if (response.status === 401 || response.status === 403) {
      throw new InfrastructureError(
        `Resource Manager refused ${stripQuery(url)} (HTTP ${response.status}${reason ? `, ${reason}` : ''}); grant the service connection's identity the Monitoring Reader role on the subscription or resource group.`,
      );
    }
    throw new InfrastructureError(`Resource Manager answered HTTP ${response.status} for ${stripQuery(url)}${reason ? `: ${reason}` : ''}.`);
  }

  private sameOrigin(url: string): string {
    if (new URL(url).origin !== this.origin) {
      throw new InfrastructureError(`Resource Manager returned a nextLink on another host (${new URL(url).origin}); the check does not send its token there.`);
    }
    return url;
  }
}
