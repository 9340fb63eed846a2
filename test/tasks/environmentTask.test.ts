import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateEvidence } from '../../src/evidence/validate';
import type { EnvironmentEvidence } from '../../src/evidence/types';
import { startAzureEmulators } from '../support/armEmulator';
import { emptyMonitor } from '../support/armMonitorRoutes';
import { explain, runBundledTask } from '../support/agentRunner';
import { startWorld } from '../environment/world';

/**
 * ReadinessEnvironmentCheck@1 run as the agent runs it: `node dist/tasks/ReadinessEnvironmentCheckV1/index.js`, no
 * arguments, inputs as INPUT_*, the service connection as ENDPOINT_* variables; assertions on the ##vso lines.
 * Needs `npm run build:fast` first.
 */
const CONNECTION = 'e0e0e0e0-0000-0000-0000-000000000015';

describe('ReadinessEnvironmentCheck@1 (bundled task, as the agent runs it)', function () {
  this.timeout(180_000);
  let world: Awaited<ReturnType<typeof startWorld>>;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  function evidenceOf(run: Awaited<ReturnType<typeof runBundledTask>>): EnvironmentEvidence {
    const attachment = run.attachments.find((a) => a.type === 'readiness.evidence');
    assert.ok(attachment, explain(run));
    const evidence = JSON.parse(readFileSync(attachment.path, 'utf8'));
    assert.ok(validateEvidence(evidence).ok, JSON.stringify(validateEvidence(evidence)));
    return evidence;
  }

  it('environment task: every check passes -> Succeeded, evidence attached, summary uploaded, outputs set', async () => {
    const run = await runBundledTask('ReadinessEnvironmentCheckV1', { inputs: { environmentFile: world.file() } });
    assert.equal(run.result, 'Succeeded', explain(run));
    const evidence = evidenceOf(run);
    assert.equal(evidence.metrics.checks.length, 5);
    assert.equal(run.variables.passed?.value, 'true');
    assert.equal(run.variables.passed?.isOutput, true);
    assert.equal(run.variables.breached?.value, 'false');
    assert.ok(Number(run.variables.certificateDaysToExpiry?.value) >= 58, explain(run));
    assert.equal(run.summaries.length, 1);
    assert.equal(run.testResults[0]?.type, 'JUnit');
  });

  it('environment task: the watch sees the endpoint fail -> Failed early, breached=true and the reason as outputs for the on: failure rollback', async () => {
    const file = world.file((d) => {
      d.checks = [{ name: 'post-deploy-watch', type: 'watch', window: '60s', interval: '300ms', health: { url: world.healthUrl, conditions: ['$.status == "Healthy"'] } }];
    }, 'watch.yaml');
    setTimeout(() => world.setHealthy(false), 1000);
    try {
      const started = Date.now();
      const run = await runBundledTask('ReadinessEnvironmentCheckV1', { inputs: { environmentFile: file } });
      assert.equal(run.result, 'Failed', explain(run));
      assert.ok(Date.now() - started < 20_000, 'the watch stopped at the breach, not at the end of its window');
      assert.equal(run.variables.breached?.value, 'true');
      assert.equal(run.variables.breached?.isOutput, true);
      assert.match(run.variables.breachReason?.value ?? '', /HTTP 503, expected 200/);
      assert.equal(run.variables.failedChecks?.value, 'post-deploy-watch');
      assert.match(run.resultMessage ?? '', /roll back the deployment/);
    } finally {
      world.setHealthy(true);
    }
  });

  it('environment task: monitoring through the azureSubscription service connection (ARM emulator) -> Succeeded; without it -> Failed, unknown', async () => {
    const monitor = emptyMonitor();
    const azure = await startAzureEmulators({ monitor });
    const sub = azure.arm.subscriptionId;
    const site = `/subscriptions/${sub}/resourceGroups/shop-prod/providers/Microsoft.Web/sites/shop-web`;
    const group = `/subscriptions/${sub}/resourceGroups/shop-prod/providers/microsoft.insights/actionGroups/oncall`;
    monitor.metricAlerts.push({ id: `/subscriptions/${sub}/resourceGroups/shop-prod/providers/Microsoft.Insights/metricAlerts/5xx`, properties: { enabled: true, scopes: [site], actions: [{ actionGroupId: group }] } });
    monitor.actionGroups.push({ id: group, properties: { enabled: true, emailReceivers: [{ name: 'ops', emailAddress: 'ops@example.com' }] } });
    monitor.diagnosticSettings[site.toLowerCase()] = [{ properties: { workspaceId: '/x/workspaces/law', logs: [{ categoryGroup: 'allLogs', enabled: true }], metrics: [] } }];
    const file = world.file((d) => (d.checks = [{ name: 'alerts', type: 'monitoring', resources: [site] }]), 'monitoring.yaml');
    const o = azure.identity.options;
    try {
      const run = await runBundledTask('ReadinessEnvironmentCheckV1', {
        inputs: { environmentFile: file, connectedServiceNameARM: CONNECTION },
        env: {
          NODE_EXTRA_CA_CERTS: azure.identity.caFile(),
          [`ENDPOINT_URL_${CONNECTION}`]: `${azure.arm.baseUrl}/`,
          [`ENDPOINT_AUTH_SCHEME_${CONNECTION}`]: 'ServicePrincipal',
          [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_TENANTID`]: o.tenantId,
          [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_SERVICEPRINCIPALID`]: o.clientId,
          [`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_SERVICEPRINCIPALKEY`]: o.clientSecret,
          [`ENDPOINT_DATA_${CONNECTION}_SUBSCRIPTIONID`]: sub,
          [`ENDPOINT_DATA_${CONNECTION}_ENVIRONMENTAUTHORITYURL`]: `${azure.identity.baseUrl}/`,
        },
      });
      assert.equal(run.result, 'Succeeded', explain(run));
      assert.ok(run.secrets.includes(o.clientSecret), 'the client secret is masked');
      assert.ok(azure.arm.requestsTo('GET', /metricAlerts$/).length >= 1);

      const without = await runBundledTask('ReadinessEnvironmentCheckV1', { inputs: { environmentFile: file } });
      assert.equal(without.result, 'Failed');
      assert.match(without.resultMessage ?? '', /alerts \(unknown\): No Azure Resource Manager connection was given/);
    } finally {
      await azure.stop();
    }
  });

  it('environment task: a missing environment file -> Failed naming the input and the path', async () => {
    const run = await runBundledTask('ReadinessEnvironmentCheckV1', { inputs: { environmentFile: 'ops/nope.yaml' } });
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /The input "environmentFile" points to "ops\/nope\.yaml", which does not exist/);
  });
});
