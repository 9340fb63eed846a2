import type { MonitoringFacts } from '../../evidence/types';
import type { AzureAccess } from '../../dr/providers/azureArm';
import { ReadinessError } from '../../errors';
import type { MonitoringSpec } from '../config';
import { MONITOR_API, MonitorClient, type ArmObject } from '../monitorClient';
import { checkResult, type CheckContext } from '../result';

type Requirement = MonitoringSpec['require'][number];
const WORDS: Record<Requirement, string> = {
  metricAlert: 'an enabled metric alert',
  scheduledQueryRule: 'an enabled log search alert (scheduled query rule)',
  activityLogAlert: 'an enabled activity log alert',
  diagnosticSettings: 'a diagnostic setting that sends logs or metrics somewhere',
};
/** The receiver lists of an action group (ActionGroup in actionGroups_API.json, 2023-01-01). */
const RECEIVER_LISTS = ['emailReceivers', 'smsReceivers', 'webhookReceivers', 'itsmReceivers', 'azureAppPushReceivers', 'automationRunbookReceivers',
  'voiceReceivers', 'logicAppReceivers', 'azureFunctionReceivers', 'armRoleReceivers', 'eventHubReceivers', 'incidentReceivers'];

/**
 * Monitoring is present, not merely quiet: Azure DevOps' "Query Azure Monitor alerts" gate passes when no alert
 * fires, including when no alert rule exists. This check reads the rules themselves. A rule counts for a resource
 * when it is enabled and its scopes name the resource or a scope containing it (resource group, subscription).
 */
export async function runMonitoringCheck(spec: MonitoringSpec, ctx: CheckContext, access: AzureAccess | undefined) {
  const started = performance.now();
  if (!access) {
    return checkResult(spec, 'unknown', 'No Azure Resource Manager connection was given, so alert rules could not be read; run it in the ReadinessEnvironmentCheck task with its azureSubscription input set.', started);
  }
  const client = new MonitorClient(access);
  try {
    const { facts, silent } = await gather(spec, client, ctx.signal);
    const problems: string[] = silent.map((id) => `alert rule ${shortName(id)} notifies no action group; add one with receivers`);
    for (const r of facts.resources) if (r.missing.length) problems.push(`${shortName(r.id)} lacks ${r.missing.join(' and ')}`);
    for (const g of facts.actionGroups) {
      if (!g.enabled) problems.push(`action group ${shortName(g.id)} is disabled, so its alerts notify nobody; enable it`);
      else if (!g.receivers) problems.push(`action group ${shortName(g.id)} has no receivers; add an email, SMS, webhook or on-call receiver`);
    }
    if (spec.availabilityComponent && !facts.availabilityTests.some((t) => t.enabled)) {
      problems.push(`Application Insights ${shortName(spec.availabilityComponent)} has no enabled availability test; add a standard test of the public URL`);
    }
    if (problems.length) {
      return checkResult(spec, 'failed', `Monitoring is incomplete: ${problems.join('; ')}. Create what is missing (alert rules with an action group that has receivers, diagnostic settings) in the infrastructure code.`, started, { monitoring: facts });
    }
    const totals = facts.resources.map((r) => `${shortName(r.id)} ${r.metricAlerts + r.scheduledQueryRules + r.activityLogAlerts} rules`).join(', ');
    return checkResult(spec, 'passed', `Every resource has the required monitoring (${totals}); ${facts.actionGroups.length} action group(s) with receivers${spec.availabilityComponent ? `; ${facts.availabilityTests.filter((t) => t.enabled).length} availability test(s)` : ''}.`, started, { monitoring: facts });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const message = error instanceof ReadinessError ? error.message : String(error);
    return checkResult(spec, 'unknown', `Monitoring could not be read: ${message}`, started);
  }
}

async function gather(spec: MonitoringSpec, client: MonitorClient, signal: AbortSignal): Promise<{ facts: MonitoringFacts; silent: string[] }> {
  const subscriptions = [...new Set(spec.resources.map((id) => id.split('/')[2].toLowerCase()))];
  const metricAlerts: ArmObject[] = [];
  const queryRules: ArmObject[] = [];
  const activityAlerts: ArmObject[] = [];
  for (const sub of subscriptions) {
    metricAlerts.push(...(await client.list(`/subscriptions/${sub}/providers/Microsoft.Insights/metricAlerts`, MONITOR_API.metricAlerts, signal)));
    queryRules.push(...(await client.list(`/subscriptions/${sub}/providers/Microsoft.Insights/scheduledQueryRules`, MONITOR_API.scheduledQueryRules, signal)));
    activityAlerts.push(...(await client.list(`/subscriptions/${sub}/providers/Microsoft.Insights/activityLogAlerts`, MONITOR_API.activityLogAlerts, signal)));
  }
  const actionGroupIds = new Set<string>();
  /** Enabled rules on a named resource that notify nobody: an alert that fires into the void is not monitoring. */
  const silent = new Set<string>();
  const resources: MonitoringFacts['resources'] = [];
  for (const id of spec.resources) {
    const covering = (rules: ArmObject[]) => rules.filter((rule) => rule.properties?.enabled === true && covers(rule.properties?.scopes, id));
    const metric = covering(metricAlerts);
    const query = covering(queryRules);
    const activity = covering(activityAlerts);
    const groupsOf = (rule: ArmObject): string[] => {
      const p = rule.properties ?? {};
      const raw: unknown[] = Array.isArray(p.actions) ? p.actions.map((a: { actionGroupId?: string }) => a?.actionGroupId) : (p.actions?.actionGroups ?? []).map((g: string | { actionGroupId?: string }) => (typeof g === 'string' ? g : g?.actionGroupId));
      return raw.filter((g): g is string => typeof g === 'string' && g.length > 0).map((g) => g.toLowerCase());
    };
    for (const rule of [...metric, ...query, ...activity]) {
      const groups = groupsOf(rule);
      if (!groups.length) silent.add(rule.id);
      for (const g of groups) actionGroupIds.add(g);
    }
    const settings = await client.list(`${id}/providers/Microsoft.Insights/diagnosticSettings`, MONITOR_API.diagnosticSettings, signal);
    const diagnostics = settings.filter((s) => {
      const p = s.properties ?? {};
      const destination = p.workspaceId || p.storageAccountId || p.eventHubAuthorizationRuleId || p.marketplacePartnerId;
      const sends = [...(p.logs ?? []), ...(p.metrics ?? [])].some((c: { enabled?: boolean }) => c?.enabled === true);
      return destination && sends;
    });
    const counts: Record<Requirement, number> = { metricAlert: metric.length, scheduledQueryRule: query.length, activityLogAlert: activity.length, diagnosticSettings: diagnostics.length };
    resources.push({
      id,
      metricAlerts: metric.length,
      scheduledQueryRules: query.length,
      activityLogAlerts: activity.length,
      diagnosticSettings: diagnostics.length,
      missing: spec.require.filter((r) => counts[r] === 0).map((r) => WORDS[r]),
    });
  }
  const actionGroups: MonitoringFacts['actionGroups'] = [];
  for (const groupId of actionGroupIds) {
    const group = await client.get(groupId, MONITOR_API.actionGroups, signal);
    const p = group?.properties ?? {};
    const receivers = RECEIVER_LISTS.reduce((n, list) => n + (Array.isArray(p[list]) ? p[list].length : 0), 0);
    actionGroups.push({ id: group?.id ?? groupId, receivers, enabled: group ? p.enabled !== false : false });
  }
  const availabilityTests = spec.availabilityComponent
    ? (await client.list(`${spec.availabilityComponent}/webtests`, MONITOR_API.webTests, signal)).map((t) => ({ id: t.id, enabled: t.properties?.Enabled === true }))
    : [];
  return { facts: { resources, actionGroups, availabilityTests }, silent: [...silent] };
}

/** A scope covers a resource when it is the resource or an ancestor of it (ARM ids compare case-insensitively). */
function covers(scopes: unknown, resourceId: string): boolean {
  if (!Array.isArray(scopes)) return false;
  const id = resourceId.toLowerCase();
  return scopes.some((s) => typeof s === 'string' && (id === s.toLowerCase() || id.startsWith(`${s.toLowerCase().replace(/\/+$/, '')}/`)));
}

function shortName(id: string): string {
  const parts = id.split('/');
  return parts.length > 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : id;
}
