import assert from 'node:assert/strict';
import { runMonitoringCheck } from '../../src/environment/checks/monitoring';
import type { MonitoringSpec } from '../../src/environment/config';
import { startAzureEmulators } from '../support/armEmulator';
import { emptyMonitor, type MonitorState } from '../support/armMonitorRoutes';

const SUB = '00000000-1111-2222-3333-444444444444';
const RG = `/subscriptions/${SUB}/resourceGroups/shop-prod`;
const SITE = `${RG}/providers/Microsoft.Web/sites/shop-web`;
const PG = `${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop-db`;
const GROUP = `${RG}/providers/microsoft.insights/actionGroups/oncall`;
const COMPONENT = `${RG}/providers/Microsoft.Insights/components/shop-ai`;
const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });

/** A fully monitored pair: a metric alert on each, a log alert on the site, diagnostics on both, an on-call group. */
function monitored(): MonitorState {
  const state = emptyMonitor();
  state.pageSize = 1;
  const metric = (name: string, scope: string) => ({
    id: `${RG}/providers/Microsoft.Insights/metricAlerts/${name}`, name, type: 'Microsoft.Insights/metricAlerts', location: 'global',
    properties: { severity: 2, enabled: true, scopes: [scope], evaluationFrequency: 'PT1M', windowSize: 'PT5M', criteria: { 'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria', allOf: [] }, actions: [{ actionGroupId: GROUP, webHookProperties: {} }] },
  });
  state.metricAlerts.push(metric('site-5xx', SITE), metric('db-cpu', PG));
  state.scheduledQueryRules.push({ id: `${RG}/providers/Microsoft.Insights/scheduledQueryRules/site-errors`, name: 'site-errors', kind: 'LogAlert',
    properties: { enabled: true, scopes: [SITE], severity: 2, criteria: { allOf: [] }, actions: { actionGroups: [GROUP] } } });
  state.activityLogAlerts.push({ id: `${RG}/providers/Microsoft.Insights/activityLogAlerts/rg-deletes`, name: 'rg-deletes', location: 'Global',
    properties: { enabled: true, scopes: [RG], condition: { allOf: [{ field: 'category', equals: 'Administrative' }] }, actions: { actionGroups: [{ actionGroupId: GROUP }] } } });
  state.actionGroups.push({ id: GROUP, name: 'oncall', location: 'Global', properties: { groupShortName: 'oncall', enabled: true, emailReceivers: [{ name: 'ops', emailAddress: 'ops@example.com', useCommonAlertSchema: true }], smsReceivers: [] } });
  const diag = (workspace: boolean) => [{ id: 'x/diagnosticSettings/to-law', name: 'to-law', properties: { workspaceId: workspace ? `${RG}/providers/Microsoft.OperationalInsights/workspaces/shop-law` : null, logs: [{ categoryGroup: 'allLogs', enabled: true }], metrics: [{ category: 'AllMetrics', enabled: true }] } }];
  state.diagnosticSettings[SITE.toLowerCase()] = diag(true);
  state.diagnosticSettings[PG.toLowerCase()] = diag(true);
  state.webTests[COMPONENT.toLowerCase()] = [{ id: `${RG}/providers/Microsoft.Insights/webtests/shop-home`, name: 'shop-home', kind: 'standard', tags: { [`hidden-link:${COMPONENT}`]: 'Resource' }, properties: { SyntheticMonitorId: 'shop-home', Name: 'shop-home', Enabled: true, Frequency: 300, Kind: 'standard', Locations: [{ Id: 'emea-nl-ams-azr' }] } }];
  return state;
}

const spec = (over: Partial<MonitoringSpec> = {}): MonitoringSpec => ({
  name: 'monitoring', type: 'monitoring', resources: [SITE, PG], require: ['metricAlert', 'diagnosticSettings'], availabilityComponent: COMPONENT, ...over,
});

describe('environment monitoring check (ARM emulator, Azure Monitor shapes)', function () {
  this.timeout(30_000);

  async function run(state: MonitorState, s = spec(), faults: never[] = []) {
    const azure = await startAzureEmulators({ monitor: state, faults });
    try {
      return { result: await runMonitoringCheck(s, ctx(), azure.access), requests: azure.arm.requests };
    } finally {
      await azure.stop();
    }
  }

  it('monitoring: alerts, action group with a receiver, diagnostics and an availability test -> passed (lists paged)', async () => {
    const { result, requests } = await run(monitored(), spec({ require: ['metricAlert', 'scheduledQueryRule', 'activityLogAlert', 'diagnosticSettings'], resources: [SITE] }));
    assert.equal(result.status, 'passed', result.detail);
    assert.equal(result.monitoring!.resources[0].activityLogAlerts, 1, 'a resource-group scope covers the site');
    assert.deepEqual(result.monitoring!.actionGroups, [{ id: GROUP, receivers: 1, enabled: true }]);
    assert.equal(requests.filter((r) => r.path.endsWith('/metricAlerts')).length, 2, 'two pages of one');
  });

  it('monitoring: the database metric alert disabled -> failed, naming the server and what it lacks', async () => {
    const state = monitored();
    state.metricAlerts[1].properties.enabled = false;
    const { result } = await run(state);
    assert.equal(result.status, 'failed');
    assert.match(result.detail, /flexibleServers\/shop-db lacks an enabled metric alert/);
    assert.match(result.detail, /Create what is missing/);
  });

  it('monitoring: diagnostic settings without a destination -> failed for that resource', async () => {
    const state = monitored();
    state.diagnosticSettings[PG.toLowerCase()][0].properties.workspaceId = null;
    const { result } = await run(state);
    assert.equal(result.status, 'failed');
    assert.match(result.detail, /shop-db lacks a diagnostic setting that sends logs or metrics somewhere/);
  });

  it('monitoring: action group with no receivers -> failed, "add an email, SMS, webhook or on-call receiver"', async () => {
    const state = monitored();
    state.actionGroups[0].properties.emailReceivers = [];
    const { result } = await run(state);
    assert.equal(result.status, 'failed');
    assert.match(result.detail, /action group actionGroups\/oncall has no receivers; add an email, SMS, webhook or on-call receiver/);
  });

  it('monitoring: an enabled alert that notifies no action group -> failed, naming the rule', async () => {
    const state = monitored();
    state.metricAlerts[1].properties.actions = [];
    const { result } = await run(state);
    assert.equal(result.status, 'failed');
    assert.match(result.detail, /alert rule metricAlerts\/db-cpu notifies no action group; add one with receivers/);
  });

  it('monitoring: no availability test on the Application Insights component -> failed', async () => {
    const state = monitored();
    state.webTests[COMPONENT.toLowerCase()][0].properties.Enabled = false;
    const { result } = await run(state);
    assert.equal(result.status, 'failed');
    assert.match(result.detail, /components\/shop-ai has no enabled availability test/);
  });

  it('monitoring: Resource Manager answers 403 -> unknown, naming the Monitoring Reader role', async () => {
    const { result } = await run(monitored(), spec(), [{ path: /metricAlerts$/, status: 403 }] as never[]);
    assert.equal(result.status, 'unknown');
    assert.match(result.detail, /Monitoring Reader role/);
  });

  it('monitoring: no Azure connection -> unknown, naming the input', async () => {
    const r = await runMonitoringCheck(spec(), ctx(), undefined);
    assert.equal(r.status, 'unknown');
    assert.match(r.detail, /ReadinessEnvironmentCheck task with its azureSubscription input/);
  });
});
