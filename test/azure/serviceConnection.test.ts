import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors';
import { createCredential } from '../../src/azure/credentials';
import { serviceConnectionFromEndpoint, type EndpointReader } from '../../src/azure/serviceConnection';
import { AltEmulator } from '../support/altEmulator';

/** An endpoint as task-lib exposes it: authorization parameters, data keys, URL and pipeline variables. */
function reader(scheme: string | undefined, auth: Record<string, string>, data: Record<string, string>, url: string,
  variables: Record<string, string> = {}, jobAccessToken?: string): EndpointReader {
  return { scheme: () => scheme, authParameter: (n) => auth[n], dataParameter: (n) => data[n], url: () => url, variable: (n) => variables[n],
    jobAccessToken: () => jobAccessToken };
}

describe('azure service connection', () => {
  let emu: AltEmulator | undefined;
  afterEach(async () => emu?.stop());

  it('workload identity federation endpoint: OIDC request URI and the SystemVssConnection job token, no System.AccessToken variable -> working credential', async () => {
    emu = await new AltEmulator().start();
    const o = emu.options;
    // A classic pipeline without "Allow scripts to access the OAuth token" has no System.AccessToken variable.
    const { connection, subscriptionId } = serviceConnectionFromEndpoint(o.serviceConnectionId, reader('WorkloadIdentityFederation',
      { tenantid: o.tenantId, serviceprincipalid: o.clientId }, { SubscriptionId: o.subscriptionId, environmentAuthorityUrl: `${emu.baseUrl}/` },
      `${emu.baseUrl}/`, { 'System.OidcRequestUri': emu.oidcRequestUri }, o.systemAccessToken), 'prod-arm');
    assert.equal(subscriptionId, o.subscriptionId);
    const { credential, armEndpoint } = createCredential(connection, { caCertificate: emu.ca });
    assert.equal(armEndpoint, emu.baseUrl);
    const token = await credential.getToken('https://cnt-prod.loadtesting.azure.com/.default');
    assert.ok(token && emu.issuedTokens.has(token.token));
    assert.ok(emu.tokenRequests.some((r) => r.assertion && emu!.oidcTokens.includes(r.assertion)), 'exchanged the pipeline OIDC token');
  });

  it('workload identity federation: a System.AccessToken variable but no job token -> not used, ConfigError naming SystemVssConnection', () => {
    const { connection } = serviceConnectionFromEndpoint('id-3', reader('WorkloadIdentityFederation', { tenantid: 't', serviceprincipalid: 'c' }, {},
      'https://management.azure.com/', { 'System.OidcRequestUri': 'https://dev.azure.com/x/oidc', 'System.AccessToken': 'from-a-variable' }));
    assert.equal(connection.oidc, undefined);
    assert.throws(() => createCredential(connection), /SystemVssConnection/);
  });

  it('user-assigned managed identity endpoint: client id in data msiclientId, serviceprincipalid holds something else -> msiclientId used', () => {
    const { connection } = serviceConnectionFromEndpoint('id-4', reader('ManagedServiceIdentity', { tenantid: 't', serviceprincipalid: 'object-id-not-client-id' },
      { SubscriptionId: 's', msiclientId: 'mi-client-id' }, 'https://management.azure.com/'));
    assert.equal(connection.clientId, 'mi-client-id');
  });

  it('system-assigned managed identity endpoint: no msiclientId -> no client id (the system-assigned identity)', () => {
    const { connection } = serviceConnectionFromEndpoint('id-5', reader('ManagedServiceIdentity', { tenantid: 't' }, { SubscriptionId: 's' },
      'https://management.azure.com/'));
    assert.equal(connection.clientId, undefined);
  });

  it('service principal endpoint with a certificate: authenticationType spnCertificate -> certificate connection', () => {
    const { connection } = serviceConnectionFromEndpoint('id-1', reader('ServicePrincipal',
      { tenantid: 't', serviceprincipalid: 'c', authenticationType: 'spnCertificate', servicePrincipalCertificate: 'PEM' },
      { environment: 'AzureUSGovernment' }, 'https://management.usgovcloudapi.net/'));
    assert.equal(connection.authenticationType, 'spnCertificate');
    assert.equal(connection.certificate, 'PEM');
    assert.equal(connection.secret, undefined);
    assert.equal(connection.environment, 'AzureUSGovernment');
  });

  it('endpoint without authorization data: ConfigError telling to authorise the pipeline', () => {
    assert.throws(() => serviceConnectionFromEndpoint('id-2', reader(undefined, {}, {}, ''), 'prod-arm'),
      (e: Error) => e instanceof ConfigError && /"prod-arm" has no authorization data; check that the pipeline is authorised/.test(e.message));
  });
});
