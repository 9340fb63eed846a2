/**
 * Optional live check against a real Azure Load Testing resource. NOT part of `npm test`: it costs virtual user
 * minutes and needs an Azure identity. It runs only when every variable below is set, and otherwise prints what is
 * missing and exits 0.
 *
 *   ALT_LIVE_TENANT_ID, ALT_LIVE_CLIENT_ID, ALT_LIVE_CLIENT_SECRET   a service principal with Load Test Contributor
 *   ALT_LIVE_SUBSCRIPTION_ID, ALT_LIVE_RESOURCE_GROUP, ALT_LIVE_RESOURCE   an existing Azure Load Testing resource
 *   ALT_LIVE_TARGET_URL   a public URL the cloud engines may call (for example a test deployment's health page)
 *
 *   npx tsx test/live/azure-live.ts
 *
 * It creates (or updates) the test `readiness-live-check`, runs it for 60 s with one engine and 2 virtual users,
 * prints the evidence summary and writes results.zip / report.zip to a temporary folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCredential } from '../../src/azure/credentials';
import { runCloudLoadTest } from '../../src/azure/runCloudTest';
import { asReadinessError } from '../../src/errors';

const NEEDED = ['ALT_LIVE_TENANT_ID', 'ALT_LIVE_CLIENT_ID', 'ALT_LIVE_CLIENT_SECRET', 'ALT_LIVE_SUBSCRIPTION_ID',
  'ALT_LIVE_RESOURCE_GROUP', 'ALT_LIVE_RESOURCE', 'ALT_LIVE_TARGET_URL'];

async function main(): Promise<number> {
  const missing = NEEDED.filter((name) => !process.env[name]);
  if (missing.length) {
    console.log(`Live Azure Load Testing check skipped: set ${missing.join(', ')} to run it (see docs/azure-load-testing.md).`);
    return 0;
  }
  const env = process.env as Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-live-'));
  fs.writeFileSync(path.join(dir, 'requests.json'), JSON.stringify({
    version: '1.0',
    scenarios: { live: { requests: [{ requestName: 'target', requestType: 'URL', endpoint: env.ALT_LIVE_TARGET_URL, method: 'GET',
      headers: {}, queryParameters: [], responseVariables: [], body: null, requestBodyFormat: null }], csvDataSetConfigList: [] } },
    testSetup: [{ scenario: 'live', loadType: 'Linear', virtualUsersPerEngine: 2, durationInSeconds: 60, rampUpTimeInSeconds: 0 }],
  }, null, 2));
  fs.writeFileSync(path.join(dir, 'loadtest.yaml'), [
    'version: v0.1', 'testId: readiness-live-check', 'displayName: Readiness live check', 'testType: URL', 'testPlan: requests.json',
    'engineInstances: 1', 'failureCriteria:', '  - percentage(error) > 50', '  - p95(response_time_ms) > 10000', '',
  ].join('\n'));

  const { credential, armEndpoint } = createCredential({ name: 'live', scheme: 'ServicePrincipal', tenantId: env.ALT_LIVE_TENANT_ID,
    clientId: env.ALT_LIVE_CLIENT_ID, secret: env.ALT_LIVE_CLIENT_SECRET });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const outcome = await runCloudLoadTest({
    configFile: path.join(dir, 'loadtest.yaml'),
    resource: { subscriptionId: env.ALT_LIVE_SUBSCRIPTION_ID, resourceGroup: env.ALT_LIVE_RESOURCE_GROUP, name: env.ALT_LIVE_RESOURCE },
    credential, armEndpoint, waitForCompletion: true, resultsDirectory: dir, signal: controller.signal,
    runName: 'readiness live check',
    onProgress: (message, percent) => console.error(percent === undefined ? message : `${message} (${percent}%)`),
  });
  const e = outcome.evidence!;
  console.log(`${e.verdict}: ${e.summary}`);
  console.log(`Run ${outcome.runId}${outcome.portalUrl ? ` ${outcome.portalUrl}` : ''}; files: ${outcome.files.join(', ') || 'none'}`);
  return e.verdict === 'passed' ? 0 : 1;
}

main().then((code) => process.exit(code), (error) => {
  const e = asReadinessError(error);
  console.error(e.message);
  process.exit(e.exitCode);
});
