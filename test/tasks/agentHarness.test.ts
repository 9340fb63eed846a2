import * as assert from 'node:assert/strict';
import { agentEnvironment, DEFAULT_JOB_ACCESS_TOKEN, parseVsoLines } from '../support/agentRunner';

/**
 * The harness's environment is the agent's (docs/agent-harness.md gives the agent source for each line). These
 * pin the rules the task tests rely on, so a change to the harness cannot quietly make it kinder than the agent.
 */
describe('agent harness: the environment a step gets', () => {
  const env = (options: Parameters<typeof agentEnvironment>[1]) => agentEnvironment('/work', options);

  it('job token: always in SystemVssConnection; System.AccessToken only when the job enables it', () => {
    const plain = env({});
    assert.equal(plain.ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN, DEFAULT_JOB_ACCESS_TOKEN);
    assert.equal(plain.ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION, 'OAuth');
    assert.deepEqual(JSON.parse(plain.ENDPOINT_AUTH_SYSTEMVSSCONNECTION!), { parameters: { AccessToken: DEFAULT_JOB_ACCESS_TOKEN }, scheme: 'OAuth' });
    assert.equal(plain.ENDPOINT_DATA_SYSTEMVSSCONNECTION, undefined, 'the job connection has no id, so no data variables');
    assert.equal(plain.SYSTEM_ACCESSTOKEN, undefined);
    assert.equal(env({ enableAccessToken: true }).SYSTEM_ACCESSTOKEN, DEFAULT_JOB_ACCESS_TOKEN);
  });

  it('inputs, variables and secret variables: INPUT_<NAME>, <NAME> with dots as underscores, SECRET_<NAME> only', () => {
    const e = env({ inputs: { loadTestConfigFile: 'a.yaml' }, variables: { 'Build.SourceBranch': 'refs/heads/main' }, secretVariables: { apiKey: 's3' } });
    assert.equal(e.INPUT_LOADTESTCONFIGFILE, 'a.yaml');
    assert.equal(e.BUILD_SOURCEBRANCH, 'refs/heads/main');
    assert.equal(e.SECRET_APIKEY, 's3');
    assert.equal(e.APIKEY, undefined, 'a secret variable is not an ordinary environment variable');
    assert.ok(JSON.parse(e.VSTS_PUBLIC_VARIABLES!).includes('Build.SourceBranch'));
    assert.deepEqual(JSON.parse(e.VSTS_SECRET_VARIABLES!), ['apiKey']);
  });

  it('service endpoint: URL, auth JSON, scheme, each parameter and each data key', () => {
    const e = env({ endpoints: [{ id: 'c0ffee', url: 'https://management.azure.com/', scheme: 'ServicePrincipal',
      parameters: { tenantid: 't', serviceprincipalid: 'c' }, data: { subscriptionId: 's' } }] });
    assert.equal(e.ENDPOINT_URL_c0ffee, 'https://management.azure.com/');
    assert.equal(e.ENDPOINT_AUTH_SCHEME_c0ffee, 'ServicePrincipal');
    assert.equal(e.ENDPOINT_AUTH_PARAMETER_c0ffee_TENANTID, 't');
    assert.equal(e.ENDPOINT_AUTH_PARAMETER_c0ffee_SERVICEPRINCIPALID, 'c');
    assert.equal(e.ENDPOINT_DATA_c0ffee_SUBSCRIPTIONID, 's');
  });

  it('inputs: every input task.json declares, with its default, under the step\'s values, trimmed', () => {
    const taskJson = { inputs: [{ name: 'engine', defaultValue: 'auto' }, { name: 'env' }, { name: 'environment', defaultValue: 'default' }] };
    const e = agentEnvironment('/work', { inputs: { environment: ' staging ' } }, taskJson);
    assert.equal(e.INPUT_ENGINE, 'auto');
    assert.equal(e.INPUT_ENV, '');
    assert.equal(e.INPUT_ENVIRONMENT, 'staging');
  });

  it('endpoints: only those a connectedService input names reach the step', () => {
    const taskJson = { inputs: [{ name: 'connectedServiceNameARM', type: 'connectedService:AzureRM' }] };
    const endpoint = (id: string) => ({ id, url: 'https://management.azure.com/', scheme: 'ServicePrincipal', parameters: { tenantid: 't' } });
    const e = agentEnvironment('/work', { inputs: { connectedServiceNameARM: 'named' }, endpoints: [endpoint('named'), endpoint('other')] }, taskJson);
    assert.equal(e.ENDPOINT_URL_named, 'https://management.azure.com/');
    assert.equal(e.ENDPOINT_URL_other, undefined);
  });

  it('task variables from an earlier step: VSTS_TASKVARIABLE_<NAME>', () => {
    assert.equal(env({ taskVariables: { READINESS_CLOUD_RUN_ID: 'r-1' } }).VSTS_TASKVARIABLE_READINESS_CLOUD_RUN_ID, 'r-1');
  });

  it('##vso lines: properties and message unescaped as task-lib escapes them', () => {
    const [c] = parseVsoLines('##vso[task.settaskvariable variable=A%3BB;issecret=false]x%0Ay%AZP25');
    assert.deepEqual(c, { command: 'task.settaskvariable', properties: { variable: 'A;B', issecret: 'false' }, message: 'x\ny%' });
  });
});
