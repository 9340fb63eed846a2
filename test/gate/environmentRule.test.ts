import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEnvironmentChecks } from '../../src/environment/run';
import type { EnvironmentEvidence } from '../../src/evidence/types';
import { evaluatePolicy } from '../../src/gate/evaluate';
import { parsePolicy } from '../../src/gate/policy';
import { startAzureEmulators } from '../support/armEmulator';
import { emptyMonitor } from '../support/armMonitorRoutes';
import { STRONG_HEADERS, startWorld } from '../environment/world';

/**
 * The acceptance of issue 15: a policy with environment rules blocks on an expired certificate and on drift, and
 * passes once they are fixed. The evidence comes from real runs of the checks against loopback parts and real
 * terraform, not from hand-written documents.
 */
const policy = parsePolicy(
  `
service: shop
checks:
  - id: environment
    title: Production environment
    owner: operations
    type: environment
    rule: { passedWithinDays: 1, certificateValidDays: 21, minHeaderGrade: B, noDrift: true, environments: [production] }
levels:
  - { name: live, checks: [environment] }
environments:
  production: { requiredLevel: live, enforcement: block }
`,
  'readiness.yml',
);

function gate(evidence: EnvironmentEvidence) {
  const result = evaluatePolicy({ policy, environment: 'production', evidence: [evidence], signoffs: [], waivers: [], now: new Date(Date.now() + 1000) });
  return { status: result.metrics.status, reason: result.metrics.checks[0].reason };
}

async function verify(file: string) {
  return runEnvironmentChecks({ configFile: file, run: {}, signal: new AbortController().signal });
}

describe('gate: environment rules on evidence from real checks', function () {
  this.timeout(180_000);

  it('environment rule: expired certificate -> not-ready naming the certificate; a renewed one -> ready', async () => {
    const expired = await startWorld((c) => c.expired);
    try {
      const blocked = gate(await verify(expired.file()));
      assert.equal(blocked.status, 'not-ready');
      assert.match(blocked.reason, /certificate of localhost:\d+ is not valid \(CERT_HAS_EXPIRED\); renew or replace it/);
    } finally {
      await expired.stop();
    }
    const renewed = await startWorld((c) => c.chained);
    try {
      const ready = gate(await verify(renewed.file()));
      assert.equal(ready.status, 'ready', ready.reason);
      assert.match(ready.reason, /certificates valid \d+\+ days; headers A\+; no drift/);
    } finally {
      await renewed.stop();
    }
  });

  it('environment rule: certificate valid 5 days against the policy\'s 21 -> not-ready, even though the file allowed 3', async () => {
    const near = await startWorld((c) => c.nearExpiry);
    try {
      const evidence = await verify(near.file((d) => ((d.checks[0] as { minDaysToExpiry: number }).minDaysToExpiry = 3)));
      assert.equal(evidence.verdict, 'passed', evidence.summary);
      const result = gate(evidence);
      assert.equal(result.status, 'not-ready');
      assert.match(result.reason, /expires in 5 days, under the policy's 21; renew it/);
    } finally {
      await near.stop();
    }
  });

  it('environment rule: drift in the terraform configuration -> not-ready naming the resource; drift removed -> ready', async () => {
    const world = await startWorld();
    try {
      writeFileSync(join(world.dir, 'infra', 'prod.tfvars'), 'app_sku = "P3v3"\n');
      const drifted = gate(await verify(world.file()));
      assert.equal(drifted.status, 'not-ready');
      assert.match(drifted.reason, /terraform_data\.app_service \(update: input, output\)/);
      writeFileSync(join(world.dir, 'infra', 'prod.tfvars'), 'app_sku = "P1v3"\n');
      const fixed = gate(await verify(world.file()));
      assert.equal(fixed.status, 'ready', fixed.reason);
    } finally {
      await world.stop();
    }
  });

  it('environment rule: headers grading C (no CSP, so no frame-ancestors either) where the file allowed F -> not-ready against the policy\'s B', async () => {
    const { 'content-security-policy': _csp, ...weaker } = STRONG_HEADERS;
    const world = await startWorld((c) => c.chained, weaker);
    try {
      const evidence = await verify(world.file((d) => ((d.checks[1] as { minGrade: string }).minGrade = 'F')));
      assert.equal(evidence.verdict, 'passed', evidence.summary);
      const result = gate(evidence);
      assert.equal(result.status, 'not-ready');
      assert.match(result.reason, /grades C, under the policy's B; .*content-security-policy \(-25\)/);
    } finally {
      await world.stop();
    }
  });

  it('environment rule: alertsForEveryResource with a resource no rule covers -> not-ready naming it; covered -> ready', async () => {
    const alertsPolicy = parsePolicy(
      'service: shop\nchecks:\n  - { id: env, title: Alerts, owner: ops, type: environment, rule: { passedWithinDays: 1, alertsForEveryResource: true } }\nlevels:\n  - { name: live, checks: [env] }\nenvironments:\n  production: { requiredLevel: live, enforcement: block }\n',
      'readiness.yml',
    );
    const monitor = emptyMonitor();
    const azure = await startAzureEmulators({ monitor });
    const world = await startWorld();
    try {
      const rg = `/subscriptions/${azure.arm.subscriptionId}/resourceGroups/shop-prod`;
      const db = `${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/shop-db`;
      const file = world.file((d) => (d.checks = [{ name: 'alerts', type: 'monitoring', resources: [db], require: [] }]), 'alerts.yaml');
      const run = () => runEnvironmentChecks({ configFile: file, run: {}, signal: new AbortController().signal, azure: azure.access });
      const judge = async () => {
        const result = evaluatePolicy({ policy: alertsPolicy, environment: 'production', evidence: [await run()], signoffs: [], waivers: [], now: new Date(Date.now() + 1000) });
        return { status: result.metrics.status, reason: result.metrics.checks[0].reason };
      };
      const bare = await judge();
      assert.equal(bare.status, 'not-ready');
      assert.match(bare.reason, /flexibleServers\/shop-db has no enabled alert rule/);
      const group = `${rg}/providers/microsoft.insights/actionGroups/oncall`;
      monitor.metricAlerts.push({ id: `${rg}/providers/Microsoft.Insights/metricAlerts/db-cpu`, properties: { enabled: true, scopes: [db], actions: [{ actionGroupId: group }] } });
      monitor.actionGroups.push({ id: group, properties: { enabled: true, smsReceivers: [{ name: 'oncall', countryCode: '44', phoneNumber: '7700900000' }] } });
      const covered = await judge();
      assert.equal(covered.status, 'ready', covered.reason);
    } finally {
      await world.stop();
      await azure.stop();
    }
  });

  it('environment rule: evidence without a drift check -> not-ready, "no drift" cannot be shown', async () => {
    const world = await startWorld();
    try {
      const result = gate(await verify(world.file((d) => (d.checks = d.checks.filter((c) => c.type !== 'drift')))));
      assert.equal(result.status, 'not-ready');
      assert.match(result.reason, /ran no drift check, so "no drift" cannot be shown/);
    } finally {
      await world.stop();
    }
  });

  it('environment rule: no environment evidence -> missing, naming the task', () => {
    const result = evaluatePolicy({ policy, environment: 'production', evidence: [], signoffs: [], waivers: [], now: new Date() });
    assert.equal(result.metrics.checks[0].state, 'missing');
    assert.match(result.metrics.checks[0].reason, /run ReadinessEnvironmentCheck in the pipeline/);
  });
});
