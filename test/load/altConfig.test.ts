import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/errors';
import { loadAltConfig } from '../../src/load/altConfig';
import { findLocalOnlyFeatures } from '../../src/load/localExtensions';

/** Writes files into a fresh temp folder and returns the folder. */
function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'altcfg-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function problemsOf(file: string): string[] {
  try {
    loadAltConfig(file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.equal(error.exitCode, 2);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const FULL = `version: v0.1
testId: SampleTest
displayName: Sample Test
description: Load test website home page
testPlan: SampleTest.jmx
testType: JMX
engineInstances: 2
subnetId: /subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s
publicIPDisabled: false
configurationFiles:
  - 'sampledata.csv'
zipArtifacts:
  - bigdata.zip
splitAllCSVs: True
properties:
  userPropertyFile: 'user.properties'
env:
  - name: domain
    value: https://www.contoso-ads.com
secrets:
  - name: my-secret
    value: https://akv-contoso.vault.azure.net/secrets/MySecret/abc1234567890def12345
certificates:
  - name: my-certificate
    value: https://akv-contoso.vault.azure.net/certificates/MyCertificate/abc1234567890def12345
failureCriteria:
  clientMetrics:
    - avg(response_time_ms) > 300
    - GetCustomerDetails: avg(latency) >200
  serverMetrics:
    - resourceId: /subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan
      metricNamespace: microsoft.web/serverfarms
      metricName: CpuPercentage
      aggregation: Average
      condition: GreaterThan
      value: 80
autoStop:
  errorPercentage: 80
  timeWindow: 60
appComponents:
  - resourceId: /subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan
    kind: app
    metrics:
      - name: CpuPercentage
        aggregation: Average
keyVaultReferenceIdentity: /subscriptions/abcdef01-2345-6789-0abc-def012345678/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id
referenceIdentities:
  - kind: Engine
    type: SystemAssigned
regionalLoadTestConfig:
  - region: eastus
    engineInstances: 1
  - region: westus
    engineInstances: 1
`;

describe('load/altConfig', () => {
  it('altConfig: the full Azure sample -> every key typed, paths resolved, testId lower-cased', () => {
    const dir = folder({ 'test.yaml': FULL, 'SampleTest.jmx': '<jmeterTestPlan/>', 'sampledata.csv': 'a\n1\n', 'bigdata.zip': 'PK', 'user.properties': 'x=1' });
    const c = loadAltConfig(path.join(dir, 'test.yaml'));
    assert.equal(c.testId, 'sampletest');
    assert.equal(c.displayName, 'Sample Test');
    assert.equal(c.testType, 'JMX');
    assert.equal(c.testPlan, path.join(dir, 'SampleTest.jmx'));
    assert.equal(c.engineInstances, 2);
    assert.deepEqual(c.configurationFiles, [path.join(dir, 'sampledata.csv')]);
    assert.equal(c.splitAllCSVs, true);
    assert.deepEqual(c.env, [{ name: 'domain', value: 'https://www.contoso-ads.com' }]);
    assert.equal(c.secrets.length, 1);
    assert.equal(c.clientCriteria.raw.length, 2);
    assert.deepEqual(c.clientCriteria.path, ['failureCriteria', 'clientMetrics']);
    assert.equal(c.serverMetrics[0].metricName, 'CpuPercentage');
    assert.deepEqual(c.autoStop, { errorPercentage: 80, timeWindow: 60 });
    assert.equal(c.regionalLoadTestConfig.length, 2);
    assert.deepEqual(c.localOnlyKeys, []);
    assert.equal(c.lineOf(['failureCriteria', 'clientMetrics', 1]), 29);
  });

  it('altConfig: YAML syntax error -> file, line and column', () => {
    const dir = folder({ 'bad.yaml': 'testId: a\ntestPlan: [unclosed\n' });
    const [problem] = problemsOf(path.join(dir, 'bad.yaml'));
    assert.match(problem, /bad\.yaml:\d+:\d+ YAML syntax:/);
  });

  it('altConfig: misspelt key -> named with its line and the nearest valid key', () => {
    const dir = folder({ 't.yaml': 'testId: abc\ntestType: URL\ntestPlan: p.json\nengineInstance: 2\n', 'p.json': '{}' });
    assert.deepEqual(problemsOf(path.join(dir, 't.yaml')), [`${path.join(dir, 't.yaml')}:4 engineInstance: unknown key "engineInstance"; did you mean "engineInstances"?`]);
  });

  it('altConfig: several mistakes -> all reported at once, each with its line', () => {
    const dir = folder({ 't.yaml': 'version: v2\ntestId: A!\ntestType: URL\ntestPlan: missing.json\nengineInstances: 0\nconfigurationFiles: [data.txt]\n' });
    const problems = problemsOf(path.join(dir, 't.yaml'));
    const f = path.join(dir, 't.yaml');
    assert.deepEqual(problems, [
      `${f}:1 version: only "v0.1" is supported, found "v2"`,
      `${f}:2 testId: must be 2-50 characters of a-z, 0-9, "_" or "-"`,
      `${f}:4 testPlan: file "missing.json" not found (paths are relative to the YAML file's folder)`,
      `${f}:5 engineInstances: must be a whole number from 1 to 400`,
      `${f}:6 configurationFiles[0]: a URL test accepts only .csv configuration files`,
    ]);
  });

  it('altConfig: missing testId and testPlan -> both required', () => {
    const dir = folder({ 't.yaml': 'testType: URL\n' });
    const problems = problemsOf(path.join(dir, 't.yaml'));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /testId: required/);
    assert.match(problems[1], /testPlan: required/);
  });

  it('altConfig: localEngine block -> accepted and listed as local-only for the Azure translator', () => {
    const dir = folder({ 't.yaml': 'testName: OldName\ntestType: URL\ntestPlan: p.json\nlocalEngine:\n  requestTimeoutSeconds: 2\n', 'p.json': '{}' });
    const c = loadAltConfig(path.join(dir, 't.yaml'));
    assert.equal(c.testId, 'oldname');
    assert.equal(c.localEngine.requestTimeoutSeconds, 2);
    assert.deepEqual(c.localOnlyKeys, ['localEngine (line 4)']);
  });

  it('altConfig: unreadable file -> ConfigError naming the path', () => {
    assert.throws(() => loadAltConfig('/nonexistent/t.yaml'), (e: unknown) => e instanceof ConfigError && /\/nonexistent\/t\.yaml: cannot read/.test(e.message));
  });
});

describe('load/localExtensions', () => {
  it('findLocalOnlyFeatures: localEngine and an open-model testSetup -> each listed with file and line', () => {
    const plan = JSON.stringify({ version: '1.0', scenarios: { s: { requests: [] } }, testSetup: [{ scenario: 's', loadType: 'constantArrivalRate', requestsPerSecond: 5, durationInSeconds: 5 }] }, null, 2);
    const dir = folder({ 't.yaml': 'testId: abc\ntestType: URL\ntestPlan: p.json\nlocalEngine:\n  connectTimeoutSeconds: 1\n', 'p.json': plan });
    const c = loadAltConfig(path.join(dir, 't.yaml'));
    const found = findLocalOnlyFeatures(c);
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0], /t\.yaml: localEngine \(line 4\)$/);
    assert.match(found[1], /p\.json:\d+ testSetup\[0\]\.loadType: constantArrivalRate$/);
    assert.match(found[2], /p\.json:\d+ testSetup\[0\]\.requestsPerSecond$/);
  });

  it('findLocalOnlyFeatures: a plain Azure URL test -> nothing to refuse', () => {
    const plan = JSON.stringify({ version: '1.0', scenarios: { s: { requests: [] } }, testSetup: [{ scenario: 's', loadType: 'Linear', virtualUsersPerEngine: 5, durationInSeconds: 5 }] });
    const dir = folder({ 't.yaml': 'testId: abc\ntestType: URL\ntestPlan: p.json\n', 'p.json': plan });
    assert.deepEqual(findLocalOnlyFeatures(loadAltConfig(path.join(dir, 't.yaml'))), []);
  });
});
