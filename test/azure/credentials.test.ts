import assert from 'node:assert/strict';
import { ConfigError, InfrastructureError } from '../../src/errors';
import { createCredential, requestOidcToken } from '../../src/azure/credentials';
import { redactSecrets } from '../../src/azure/secrets';
import { AltEmulator, emulatedConnection } from '../support/altEmulator';
import { testCertificates } from '../support/tls';

const SCOPE = 'https://cnt-prod.loadtesting.azure.com/.default';

describe('azure credentials', () => {
  let emu: AltEmulator;
  afterEach(async () => emu?.stop());

  it('service principal with secret: token from the token endpoint -> secret and token handed to markSecret', async () => {
    emu = await new AltEmulator().start();
    const marked: string[] = [];
    const { credential, armEndpoint } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca, markSecret: (s) => marked.push(s) });
    const token = await credential.getToken(SCOPE);
    assert.ok(token && emu.issuedTokens.has(token.token));
    assert.equal(armEndpoint, emu.baseUrl);
    assert.ok(marked.includes(emu.options.clientSecret), 'the client secret is masked');
    assert.ok(marked.includes(token!.token), 'the access token is masked');
    assert.equal(emu.tokenRequests[0].scope.includes(SCOPE), true);
  });

  it('workload identity federation: OIDC token requested from the pipeline and exchanged as a client assertion', async () => {
    emu = await new AltEmulator().start();
    const marked: string[] = [];
    const { credential } = createCredential(emulatedConnection(emu, 'WorkloadIdentityFederation'), { caCertificate: emu.ca, markSecret: (s) => marked.push(s) });
    const token = await credential.getToken(SCOPE);
    assert.ok(token && emu.issuedTokens.has(token.token));
    const oidcCall = emu.requestsTo('POST', /\/oidctoken$/)[0];
    assert.equal(oidcCall.query['api-version'], '7.1');
    assert.equal(oidcCall.query.serviceConnectionId, emu.options.serviceConnectionId);
    assert.equal(oidcCall.authorization, `Bearer ${emu.options.systemAccessToken}`);
    assert.equal(emu.tokenRequests[0].assertion, emu.oidcTokens[0], 'the OIDC token is the client assertion');
    assert.ok(marked.includes(emu.oidcTokens[0]) && marked.includes(emu.options.systemAccessToken));
  });

  it('workload identity federation: wrong job token -> error naming the service connection, no token in the text', async () => {
    emu = await new AltEmulator().start();
    const oidc = { requestUri: emu.oidcRequestUri, systemAccessToken: 'eyJwrongwrong.eyJwrongwrong.sig', serviceConnectionId: emu.options.serviceConnectionId };
    await assert.rejects(requestOidcToken(oidc, { caCertificate: emu.ca }, 'service connection "x"'), (e: Error) => {
      assert.ok(e instanceof InfrastructureError);
      assert.match(e.message, /did not issue an OIDC token for the service connection "x" \(HTTP 401/);
      assert.doesNotMatch(e.message, /eyJwrong/);
      return true;
    });
  });

  it('service principal with certificate: signed client assertion accepted -> token', async () => {
    emu = await new AltEmulator().start();
    const conn = emulatedConnection(emu, 'ServicePrincipal', { secret: undefined, authenticationType: 'spnCertificate', certificate: testCertificates().clientCertificatePem });
    const marked: string[] = [];
    const { credential } = createCredential(conn, { caCertificate: emu.ca, markSecret: (s) => marked.push(s) });
    const token = await credential.getToken(SCOPE);
    assert.ok(token && emu.issuedTokens.has(token.token));
    assert.ok(emu.tokenRequests[0].assertion, 'a client assertion was sent');
    assert.ok(marked.some((m) => m.includes('PRIVATE KEY')), 'the PEM is masked');
  });

  it('managed identity: App Service identity endpoint -> token for the data-plane audience with the connection\'s client id', async () => {
    emu = await new AltEmulator().start();
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = `${emu.baseUrl}/msi/token`;
    process.env.IDENTITY_HEADER = emu.options.systemAccessToken;
    try {
      const marked: string[] = [];
      const { credential } = createCredential({ scheme: 'ManagedServiceIdentity', clientId: 'mi-client-id' }, { caCertificate: emu.ca, markSecret: (s) => marked.push(s) });
      const token = await credential.getToken(SCOPE);
      assert.ok(token && emu.issuedTokens.has(token.token));
      assert.deepEqual(emu.managedIdentityRequests, [{ resource: 'https://cnt-prod.loadtesting.azure.com', clientId: 'mi-client-id' }]);
      assert.ok(marked.includes(token!.token));
    } finally {
      for (const [name, value] of [['IDENTITY_ENDPOINT', saved.endpoint], ['IDENTITY_HEADER', saved.header]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('expired client secret: AADSTS7000222 -> remedy to renew the secret, secret not in the message', async () => {
    emu = await new AltEmulator({ secretExpired: true }).start();
    const { credential } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca });
    await assert.rejects(credential.getToken(SCOPE), (e: Error) => {
      assert.ok(e instanceof InfrastructureError);
      assert.match(e.message, /AADSTS7000222.*expired.*Create a new secret.*update the service connection/);
      assert.ok(!e.message.includes(emu.options.clientSecret));
      return true;
    });
  });

  it('service connection missing its tenant and secret: ConfigError listing both fields', () => {
    assert.throws(() => createCredential({ name: 'prod-arm', scheme: 'ServicePrincipal', clientId: 'x' }), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 2);
      assert.match(e.message, /"prod-arm" has no tenant id/);
      assert.match(e.message, /no service principal key/);
      return true;
    });
  });

  it('unknown scheme: ConfigError naming the supported schemes', () => {
    assert.throws(() => createCredential({ scheme: 'UsernamePassword' }), /use ServicePrincipal .* WorkloadIdentityFederation or ManagedServiceIdentity/);
  });

  it('sovereign cloud: AzureUSGovernment -> US Government Resource Manager endpoint', () => {
    const { armEndpoint } = createCredential({ scheme: 'ManagedServiceIdentity', environment: 'AzureUSGovernment' });
    assert.equal(armEndpoint, 'https://management.usgovcloudapi.net');
  });

  it('redaction: JWTs, bearer headers and SAS signatures never survive in text', () => {
    const text = redactSecrets('Authorization: Bearer abc.def token eyJhbGciOiJI.eyJzdWIiOiIx.c2ln url https://x/blob?sv=1&sig=SECRET');
    assert.doesNotMatch(text, /abc\.def|eyJhbGciOiJI|SECRET/);
  });
});
