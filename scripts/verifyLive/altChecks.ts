import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createCredential } from '../../src/azure/credentials';
import { AzureHttp, createAzurePipeline, serviceErrorText, type JsonResponse } from '../../src/azure/http';
import { ARM_API_VERSION, DATA_PLANE_API_VERSION, dataPlaneScopeFor, PUBLIC_ARM_ENDPOINT, resourceId } from '../../src/azure/loadTestingClient';
import type { AltFileInfo, AltTest, AltTestRun, ServerMetricsPatch } from '../../src/azure/model';
import { readSampleLog } from '../../src/azure/sampleLog';
import { METRICS_CHECK_IDS, runMetricsChecks } from './altMetricsChecks';
import type { CheckResult } from './assumptions';
import type { Settings } from './settings';

/**
 * The Azure Load Testing assumptions of docs/emulators.md, checked against a real resource with raw REST calls (the
 * product's client hides the answers being checked). Everything happens on one throwaway test, `readiness-verify-live`,
 * which is deleted at the end. No run is started unless READINESS_LIVE_ALLOW_RUNS is true.
 */
const TEST_ID = 'readiness-verify-live';
/** The smallest valid zip: an empty archive (end-of-central-directory record only). */
const EMPTY_ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

export async function runAltChecks(s: Settings): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const note = (id: string, outcome: CheckResult['outcome'], detail: string): void => {
    results.push({ id, outcome, detail });
  };
  const { credential, armEndpoint } = createCredential({
    scheme: 'ServicePrincipal', tenantId: s.READINESS_LIVE_TENANT_ID, clientId: s.READINESS_LIVE_CLIENT_ID, secret: s.READINESS_LIVE_CLIENT_SECRET,
    authorityHost: s.READINESS_LIVE_AUTHORITY_HOST, resourceManagerUrl: s.READINESS_LIVE_ARM_ENDPOINT ?? PUBLIC_ARM_ENDPOINT,
  });
  const resource = { subscriptionId: s.READINESS_LIVE_SUBSCRIPTION_ID!, resourceGroup: s.READINESS_LIVE_RESOURCE_GROUP!, name: s.READINESS_LIVE_RESOURCE! };
  const arm = new AzureHttp(createAzurePipeline({ credential, scope: `${armEndpoint}/.default`, maxRetries: 2, retryDelayMs: 500 }));
  const found = await arm.send('GET', `${armEndpoint}${resourceId(resource)}?api-version=${ARM_API_VERSION}`);
  const uri = (found.body as { properties?: { dataPlaneURI?: string } } | undefined)?.properties?.dataPlaneURI;
  if (found.status !== 200 || !uri) throw new Error(`Resource Manager answered HTTP ${found.status} for the resource ${resource.name}: ${serviceErrorText(found.body)}`);
  note('alt-dataplane-uri-no-scheme', /^https?:\/\//i.test(uri) ? 'refuted' : 'confirmed', `dataPlaneURI is "${uri}"`);

  const host = uri.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const api = new AzureHttp(createAzurePipeline({ credential, scope: dataPlaneScopeFor(host), maxRetries: 2, retryDelayMs: 500 }));
  const url = (path: string, query = '') => `https://${host}/${path}?api-version=${DATA_PLANE_API_VERSION}${query}`;
  const patch = (path: string, body: unknown) => api.send('PATCH', url(path), { body: JSON.stringify(body), contentType: 'application/merge-patch+json' });
  const upload = (name: string, type: string, bytes: Buffer) =>
    api.send('PUT', url(`tests/${TEST_ID}/files/${name}`, `&fileType=${type}`), { body: bytes, contentType: 'application/octet-stream' });
  const attempt = async (id: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      note(id, 'not checked', `failed: ${(error as Error).message}`);
    }
  };
  const expectOk = (what: string, r: JsonResponse) => {
    if (r.status < 200 || r.status > 299) throw new Error(`${what}: HTTP ${r.status} ${serviceErrorText(r.body)}`);
  };

  try {
    expectOk('create the test', await patch(`tests/${TEST_ID}`, { displayName: 'Readiness verify live', kind: 'URL' }));
    expectOk('upload verify.csv', await upload('verify.csv', 'ADDITIONAL_ARTIFACTS', Buffer.from('user\nverify\n')));
    expectOk('upload verify.zip', await upload('verify.zip', 'ZIPPED_ARTIFACTS', EMPTY_ZIP));
    const test = (await api.send('GET', url(`tests/${TEST_ID}`))).body as AltTest;
    const additional = test.inputArtifacts?.additionalFileInfo ?? [];
    const csv = additional.find((f) => f.fileName === 'verify.csv');
    await attempt('alt-nonscript-status-empty', async () => {
      if (!csv) throw new Error('verify.csv is not listed in additionalFileInfo');
      note('alt-nonscript-status-empty', csv.validationStatus === '' ? 'confirmed' : 'refuted', `validationStatus is ${JSON.stringify(csv.validationStatus)}`);
    });
    await attempt('alt-zip-in-additional-files', async () => {
      const listed = additional.some((f) => f.fileName === 'verify.zip');
      const elsewhere = Object.entries(test.inputArtifacts ?? {}).find(([, v]) => (v as AltFileInfo | undefined)?.fileName === 'verify.zip')?.[0];
      note('alt-zip-in-additional-files', listed ? 'confirmed' : 'refuted', listed ? 'listed in additionalFileInfo' : `listed in ${elsewhere ?? 'no field'}`);
    });
    await attempt('alt-sas-refuses-bearer', async () => {
      if (!csv?.url) throw new Error('verify.csv has no url');
      const blobs = new AzureHttp(createAzurePipeline({ maxRetries: 1 }));
      const scratch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verify-sas-')), 'verify.csv');
      const plain = await blobs.downloadTo(csv.url, scratch, 50 * 1024 ** 2);
      fs.rmSync(path.dirname(scratch), { recursive: true, force: true });
      const withToken = await blobs.send('GET', csv.url, { headers: { authorization: 'Bearer not-a-token' } });
      note('alt-sas-refuses-bearer', plain.status === 200 && withToken.status >= 400 ? 'confirmed' : 'refuted',
        `without a token HTTP ${plain.status}; with a bearer token HTTP ${withToken.status}`);
    });
    await attempt('alt-p999-accepted', async () => {
      const criterion = { clientMetric: 'response_time_ms', aggregate: 'p999', condition: '>', value: 100000, action: 'continue' };
      const r = await patch(`tests/${TEST_ID}`, { passFailCriteria: { passFailMetrics: { 'readiness-verify-p999': criterion } } });
      note('alt-p999-accepted', r.status === 200 || r.status === 201 ? 'confirmed' : 'refuted', `HTTP ${r.status} ${serviceErrorText(r.body)}`.trim());
      await patch(`tests/${TEST_ID}`, { passFailCriteria: { passFailMetrics: { 'readiness-verify-p999': null } } });
    });
    await attempt('alt-default-metrics', async () => {
      const component = s.READINESS_LIVE_APP_COMPONENT_ID;
      if (!component) return note('alt-default-metrics', 'not checked', 'set READINESS_LIVE_APP_COMPONENT_ID to an Azure resource to add as a component');
      const type = component.match(/\/providers\/([^/]+\/[^/]+)\//i)?.[1] ?? '';
      expectOk('add the app component', await patch(`tests/${TEST_ID}/app-components`,
        { components: { [component]: { resourceId: component, resourceName: component.split('/').pop(), resourceType: type } } }));
      const metrics = (await api.send('GET', url(`tests/${TEST_ID}/server-metrics-config`))).body as ServerMetricsPatch | undefined;
      const own = Object.values(metrics?.metrics ?? {}).filter((m) => m?.resourceId.toLowerCase() === component.toLowerCase());
      note('alt-default-metrics', own.length ? 'confirmed' : 'refuted', `${own.length} metric(s) for the component: ${own.map((m) => m!.name).join(', ') || 'none'}`);
      await patch(`tests/${TEST_ID}/app-components`, { components: { [component]: null } });
    });
    await attempt('alt-readonly-run-fields-refused', async () => {
      if (s.READINESS_LIVE_ALLOW_RUNS !== 'true') {
        return note('alt-readonly-run-fields-refused', 'not checked', 'set READINESS_LIVE_ALLOW_RUNS=true: the request starts a paid run if accepted');
      }
      const runId = randomUUID();
      const r = await patch(`test-runs/${runId}`, { testId: TEST_ID, displayName: 'Readiness verify live', createdByUri: 'https://example.invalid/' });
      const text = serviceErrorText(r.body);
      if (r.status >= 200 && r.status < 300) {
        await api.send('POST', url(`test-runs/${runId}:stop`));
        return note('alt-readonly-run-fields-refused', 'refuted', `HTTP ${r.status}: accepted (the run was stopped at once)`);
      }
      note('alt-readonly-run-fields-refused', r.status === 400 && /createdByUri/i.test(text) ? 'confirmed' : 'not checked',
        `HTTP ${r.status} ${text}`.trim());
    });
    await attempt('alt-results-csv-shape', async () => {
      const runId = s.READINESS_LIVE_TEST_RUN_ID;
      if (!runId) return note('alt-results-csv-shape', 'not checked', 'set READINESS_LIVE_TEST_RUN_ID to a finished test run of the resource');
      const run = (await api.send('GET', url(`test-runs/${encodeURIComponent(runId)}`))).body as AltTestRun | undefined;
      const sas = run?.testArtifacts?.outputArtifacts?.resultFileInfo?.url;
      if (!sas) return note('alt-results-csv-shape', 'not checked', `run ${runId} (status ${run?.status ?? 'unknown'}) offers no results.zip`);
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-results-'));
      try {
        const blobs = new AzureHttp(createAzurePipeline({ maxRetries: 1 }));
        const file = path.join(scratch, 'results.zip');
        const got = await blobs.downloadTo(sas, file, 1024 ** 3);
        if (got.status !== 200 || got.tooLarge) return note('alt-results-csv-shape', 'not checked', `results.zip: HTTP ${got.status}${got.tooLarge ? ', over 1 GiB' : ''}`);
        const read = await readSampleLog(file);
        note('alt-results-csv-shape', read.log ? 'confirmed' : 'refuted', read.log
          ? `${read.log.files.length} CSV file(s), ${read.log.total.requests} samples, ${read.log.labels.size} label(s); left out ${read.log.excluded.subResults} sub-result and ${read.log.excluded.transactionControllers} transaction rows`
          : read.warning);
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    });
    try {
      await runMetricsChecks(s.READINESS_LIVE_METRICS_RUN_ID, api, url, note, attempt);
    } catch (error) {
      for (const id of METRICS_CHECK_IDS) if (!results.some((r) => r.id === id)) note(id, 'not checked', `failed: ${(error as Error).message}`);
    }
    await attempt('alt-delete-file-204', async () => {
      const r = await api.send('DELETE', url(`tests/${TEST_ID}/files/verify.csv`));
      note('alt-delete-file-204', r.status === 204 ? 'confirmed' : 'refuted', `HTTP ${r.status}`);
    });
  } finally {
    await api.send('DELETE', url(`tests/${TEST_ID}`)).catch(() => undefined);
  }
  return results;
}
