import type { ServerResponse } from 'node:http';
import { MONITOR_API } from '../../src/environment/monitorClient';
import { send } from './altEmulatorParts';

/**
 * Azure Monitor routes of the Resource Manager emulator (armEmulator.ts), answering with the documented shapes.
 * Sources, all in github.com/Azure/azure-rest-api-specs unless noted:
 * - GET /subscriptions/{s}/providers/Microsoft.Insights/metricAlerts, api-version 2018-03-01:
 *   specification/monitor/resource-manager/Microsoft.Insights/stable/2018-03-01/metricAlert_API.json
 *   (MetricAlerts_ListBySubscription: { value: MetricAlertResource[] }, properties.scopes/enabled/actions[].actionGroupId);
 * - GET …/scheduledQueryRules, 2023-12-01: …/stable/2023-12-01/scheduledQueryRule_API.json
 *   (ScheduledQueryRules_ListBySubscription: { value, nextLink }, properties.scopes/enabled/actions.actionGroups: string[]);
 * - GET …/activityLogAlerts, 2020-10-01: …/stable/2020-10-01/activityLogAlerts_API.json
 *   (ActivityLogAlerts_ListBySubscriptionId: { value, nextLink }, properties.scopes/enabled/actions.actionGroups[].actionGroupId);
 * - GET {actionGroupId}, 2023-01-01: …/stable/2023-01-01/actionGroups_API.json (ActionGroups_Get: properties.enabled and
 *   the *Receivers lists); 404 ResourceNotFound when absent;
 * - GET {resourceUri}/providers/Microsoft.Insights/diagnosticSettings, 2021-05-01-preview:
 *   …/preview/2021-05-01-preview/diagnosticsSettings_API.json (DiagnosticSettings_List: { value: [{ properties:
 *   { workspaceId, storageAccountId, eventHubAuthorizationRuleId, logs[], metrics[] } }] });
 * - GET …/components/{name}/webtests, 2022-06-15: specification/applicationinsights/resource-manager/
 *   Microsoft.Insights/stable/2022-06-15/webTests_API.json (WebTests_ListByComponent: properties.Enabled, capital E);
 * - POST {resourceId}/providers/microsoft.insights/logs, 2018-03-01-preview: learn.microsoft.com
 *   azure-monitor/logs/api/azure-resource-queries ("via ARM"), answering the Log Analytics query response
 *   ({ tables: [{ name: "PrimaryResult", columns: [{ name, type }], rows }] }, loganalytics data-plane Query_Execute).
 * The first page of each subscription list carries a nextLink when `pageSize` is set, so paging is exercised.
 */
export interface MonitorState {
  metricAlerts: Array<Record<string, any>>;
  scheduledQueryRules: Array<Record<string, any>>;
  activityLogAlerts: Array<Record<string, any>>;
  actionGroups: Array<Record<string, any>>;
  /** resource id (lower case) -> diagnostic settings. */
  diagnosticSettings: Record<string, Array<Record<string, any>>>;
  /** component id (lower case) -> web tests. */
  webTests: Record<string, Array<Record<string, any>>>;
  /** What a logs query answers: the rows of the first table; a function sees the query text. */
  logRows?: (query: string) => unknown[][];
  logQueries: Array<{ resource: string; query: string; timespan?: string; at: number }>;
  pageSize?: number;
  /** A hostile or broken service: nextLink points at this origin instead of the Resource Manager host. */
  foreignNextLink?: string;
}

export function emptyMonitor(): MonitorState {
  return { metricAlerts: [], scheduledQueryRules: [], activityLogAlerts: [], actionGroups: [], diagnosticSettings: {}, webTests: {}, logQueries: [] };
}

const LISTS: Record<string, { key: 'metricAlerts' | 'scheduledQueryRules' | 'activityLogAlerts'; apiVersion: string }> = {
  metricalerts: { key: 'metricAlerts', apiVersion: MONITOR_API.metricAlerts },
  scheduledqueryrules: { key: 'scheduledQueryRules', apiVersion: MONITOR_API.scheduledQueryRules },
  activitylogalerts: { key: 'activityLogAlerts', apiVersion: MONITOR_API.activityLogAlerts },
};

/** Answers a Monitor route and returns true, or returns false for the emulator's other routes. */
export function routeMonitor(state: MonitorState, baseUrl: string, method: string, url: URL, path: string, body: string, res: ServerResponse): boolean {
  const apiVersion = url.searchParams.get('api-version');
  const lower = path.toLowerCase();
  const wrongVersion = (wanted: string) => {
    if (apiVersion === wanted) return false;
    send(res, 400, { error: { code: 'InvalidApiVersionParameter', message: `The api-version '${apiVersion}' is invalid.` } });
    return true;
  };
  const list = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.insights\/(metricalerts|scheduledqueryrules|activitylogalerts)$/.exec(lower);
  if (list && method === 'GET') {
    const { key, apiVersion: wanted } = LISTS[list[2]];
    if (wrongVersion(wanted)) return true;
    const all = state[key].filter((r) => String(r.id).toLowerCase().startsWith(`/subscriptions/${list[1]}/`));
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const size = state.pageSize ?? all.length;
    const page = all.slice(skip, skip + Math.max(size, 1));
    const next = skip + size < all.length ? `${state.foreignNextLink ?? baseUrl}${path}?api-version=${wanted}&$skiptoken=${skip + size}` : undefined;
    send(res, 200, next ? { value: page, nextLink: next } : { value: page });
    return true;
  }
  if (/\/providers\/microsoft\.insights\/diagnosticsettings$/.test(lower) && method === 'GET') {
    if (wrongVersion(MONITOR_API.diagnosticSettings)) return true;
    const resource = lower.replace(/\/providers\/microsoft\.insights\/diagnosticsettings$/, '');
    send(res, 200, { value: state.diagnosticSettings[resource] ?? [] });
    return true;
  }
  if (/\/providers\/microsoft\.insights\/components\/[^/]+\/webtests$/.test(lower) && method === 'GET') {
    if (wrongVersion(MONITOR_API.webTests)) return true;
    send(res, 200, { value: state.webTests[lower.replace(/\/webtests$/, '')] ?? [] });
    return true;
  }
  if (/\/providers\/microsoft\.insights\/actiongroups\/[^/]+$/.test(lower) && method === 'GET') {
    if (wrongVersion(MONITOR_API.actionGroups)) return true;
    const group = state.actionGroups.find((g) => String(g.id).toLowerCase() === lower);
    if (group) send(res, 200, group);
    else send(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource '${path.split('/').pop()}' was not found.` } });
    return true;
  }
  if (/\/providers\/microsoft\.insights\/logs$/.test(lower) && method === 'POST') {
    if (wrongVersion(MONITOR_API.logs)) return true;
    const request = JSON.parse(body || '{}') as { query?: string; timespan?: string };
    if (!request.query) {
      send(res, 400, { error: { code: 'BadArgumentError', message: 'The request had some invalid properties: query is required.' } });
      return true;
    }
    state.logQueries.push({ resource: path.replace(/\/providers\/microsoft\.insights\/logs$/i, ''), query: request.query, timespan: request.timespan, at: Date.now() });
    const rows = state.logRows?.(request.query) ?? [];
    send(res, 200, { tables: [{ name: 'PrimaryResult', columns: [{ name: 'value', type: 'real' }], rows }] });
    return true;
  }
  return false;
}
