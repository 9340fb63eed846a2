import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/errors';
import { loadAltConfig } from '../../src/load/altConfig';
import { translateConfig } from '../../src/azure/translate';
import type { AltTest } from '../../src/azure/model';

const EXAMPLE = path.join(__dirname, '../../examples/azure/loadtest.yaml');
const REQUESTS = fs.readFileSync(path.join(__dirname, '../../examples/azure/requests.json'), 'utf8');

/** Writes a YAML next to a copy of the example requests JSON and loads it with the shared loader. */
function configFrom(yaml: string, requests = REQUESTS) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alt-translate-'));
  fs.writeFileSync(path.join(dir, 'requests.json'), requests);
  fs.writeFileSync(path.join(dir, 'test.yaml'), yaml);
  return loadAltConfig(path.join(dir, 'test.yaml'));
}
const MINIMAL = 'version: v0.1\ntestId: Orders\ntestType: URL\ntestPlan: requests.json\n';

describe('azure translate', () => {
  it('full example: criteria, autoStop, env, Key Vault secrets, regions and components -> API test model', () => {
    const t = translateConfig(loadAltConfig(EXAMPLE), undefined);
    assert.equal(t.testId, 'checkout-api');
    assert.deepEqual(t.test.loadTestConfiguration, { engineInstances: 2, regionalLoadTestConfig: [
      { region: 'eastus', engineInstances: 1 }, { region: 'westeurope', engineInstances: 1 }] });
    const client = Object.values(t.test.passFailCriteria!.passFailMetrics!);
    assert.deepEqual(client.map((c) => `${c!.requestName ?? ''}|${c!.aggregate}(${c!.clientMetric}) ${c!.condition} ${c!.value}`),
      ['|p95(response_time_ms) > 300', '|percentage(error) > 1.5', 'search|avg(response_time_ms) > 500']);
    const server = Object.values(t.test.passFailCriteria!.passFailServerMetrics!)[0]!;
    assert.equal(server.condition, '>');
    assert.equal(server.metricName, 'CpuPercentage');
    assert.deepEqual(t.test.autoStopCriteria, { autoStopDisabled: false, errorRate: 80, errorRateTimeWindowInSeconds: 60 });
    assert.deepEqual(t.test.secrets, { 'api-key': { value: 'https://kv-checkout.vault.azure.net/secrets/api-key', type: 'AKV_SECRET_URI' } });
    assert.deepEqual(t.test.environmentVariables, { host: '127.0.0.1' });
    assert.equal(Object.keys(t.appComponents!.components).length, 1);
    assert.deepEqual(t.files.map((f) => `${f.fileName}:${f.fileType}`), ['requests.json:URL_TEST_CONFIG']);
  });

  it('percentile spelling: p99.9 and p99.99 in the YAML -> sent as p999 and p9999, the spellings known to work live', () => {
    const t = translateConfig(configFrom(`${MINIMAL}failureCriteria:\n  - p99.9(response_time_ms) > 900\n  - p99.99(latency) > 950\n`), undefined);
    assert.deepEqual(Object.values(t.test.passFailCriteria!.passFailMetrics!).map((c) => c!.aggregate), ['p999', 'p9999']);
  });

  it('merge-patch: an existing test and a minimal YAML -> only testId and kind are sent, portal settings untouched', () => {
    const existing: AltTest = { testId: 'orders', displayName: 'Set in portal', environmentVariables: { region: 'eu' }, subnetId: '/subnets/x',
      autoStopCriteria: { autoStopDisabled: true }, loadTestConfiguration: { engineInstances: 5 } };
    const t = translateConfig(configFrom(MINIMAL), existing);
    assert.deepEqual(t.test, { testId: 'orders', kind: 'URL' });
    assert.equal(t.appComponents, undefined);
  });

  it('criteria ids: unchanged criteria keep the service id, dropped ones are deleted with null', () => {
    const existing: AltTest = { passFailCriteria: { passFailMetrics: {
      keep: { clientMetric: 'response_time_ms', aggregate: 'p95', condition: '>', value: 300, action: 'continue' },
      gone: { clientMetric: 'requests', aggregate: 'count', condition: '<', value: 10, action: 'continue' } } } };
    const t = translateConfig(configFrom(`${MINIMAL}failureCriteria:\n  - p95(response_time_ms) > 300\n  - avg(latency) > 80\n`), existing);
    const metrics = t.test.passFailCriteria!.passFailMetrics!;
    assert.equal(metrics.keep!.value, 300);
    assert.equal(metrics.gone, null);
    assert.equal(Object.values(metrics).filter((m) => m?.clientMetric === 'latency').length, 1);
    assert.equal(t.test.passFailCriteria!.passFailServerMetrics, undefined, 'server criteria the YAML does not state are left alone');
  });

  const refused = [
    { name: 'local-only key localEngine', yaml: `${MINIMAL}localEngine:\n  requestTimeoutSeconds: 10\n`, message: /localEngine \(line 5\) is understood only by the local engine/ },
    { name: 'operator >= (ours only)', yaml: `${MINIMAL}failureCriteria:\n  - p95(response_time_ms) >= 300\n`, message: /accepts only > and <.*"p95\(response_time_ms\) > 300"/ },
    { name: 'open model in the requests JSON', yaml: MINIMAL,
      requests: REQUESTS.replace('"loadType": "Linear", "virtualUsersPerEngine": 5', '"loadType": "constantArrivalRate", "requestsPerSecond": 20, "maxVirtualUsers": 5'),
      message: /loadType: constantArrivalRate is understood only by the local engine/ },
    { name: 'overrideParameters engineInstances against regional engines', yaml: `${MINIMAL}engineInstances: 2\nregionalLoadTestConfig:\n  - region: eastus\n    engineInstances: 1\n  - region: westus\n    engineInstances: 1\n`,
      overrides: '{"engineInstances": 4}', message: /engineInstances 4 differs from the 2 engines of regionalLoadTestConfig/ },
    { name: 'overrideParameters with an unsupported field', yaml: MINIMAL, overrides: '{"engineInstances": 3, "duration": 5}', message: /unsupported field\(s\) "duration"/ },
  ];
  for (const c of refused) {
    it(`refused before sending: ${c.name} -> ConfigError`, () => {
      assert.throws(() => translateConfig(configFrom(c.yaml, c.requests), undefined, c.overrides), (e: Error) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, c.message);
        return true;
      });
    });
  }

  it('overrideParameters: engineInstances and autoStop "disable" -> applied on top of the YAML', () => {
    const t = translateConfig(configFrom(MINIMAL), { testId: 'orders' }, '{"engineInstances": 3, "autoStop": "disable", "displayName": "Nightly"}');
    assert.equal(t.test.loadTestConfiguration!.engineInstances, 3);
    assert.deepEqual(t.test.autoStopCriteria, { autoStopDisabled: true });
    assert.equal(t.test.displayName, 'Nightly');
  });
});
