import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, InfrastructureError } from '../../src/errors';
import { createCredential } from '../../src/azure/credentials';
import { LoadTestingClient, dataPlaneScopeFor, type ClientOptions } from '../../src/azure/loadTestingClient';
import { AltEmulator, emulatedConnection, emulatedResource, type EmulatorOptions } from '../support/altEmulator';

describe('azure load testing client', () => {
  let emu: AltEmulator;
  afterEach(async () => emu?.stop());

  async function connect(options: EmulatorOptions = {}, resource?: { name?: string }) {
    emu = await new AltEmulator(options).start();
    const { credential, armEndpoint } = createCredential(emulatedConnection(emu), { caCertificate: emu.ca });
    // Short back-off so a retried 500 costs milliseconds, not seconds; the behaviour is what is asserted.
    const clientOptions: ClientOptions = { credential, armEndpoint, caCertificate: emu.ca, retryDelayMs: 20 };
    return LoadTestingClient.forResource({ ...emulatedResource(emu), ...resource }, clientOptions);
  }

  it('resource lookup: ARM answers dataPlaneURI -> client talks to that host with api-version 2025-03-01-preview', async () => {
    const client = await connect();
    assert.equal(client.baseUrl, `https://127.0.0.1:${emu.port}`);
    await client.patchTest('orders', { displayName: 'Orders' });
    const arm = emu.requests.find((r) => r.path.toLowerCase().includes('microsoft.loadtestservice'))!;
    assert.equal(arm.query['api-version'], '2022-12-01');
    const patch = emu.requestsTo('PATCH', /^\/tests\/orders$/)[0];
    assert.equal(patch.query['api-version'], '2025-03-01-preview');
    assert.equal(patch.contentType, 'application/merge-patch+json');
  });

  it('missing resource: ARM 404 -> ConfigError naming the resource and its resource group', async () => {
    await assert.rejects(connect({}, { name: 'alt-typo' }), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /resource "alt-typo" does not exist in resource group "rg-load"/);
      assert.match(e.message, /loadTestResource and resourceGroup inputs/);
      return true;
    });
  });

  it('no RBAC: 403 from the data plane -> remedy names the Load Test Contributor role', async () => {
    const client = await connect({ faults: [{ method: 'PATCH', path: /^\/tests\//, status: 403, times: 5 }] });
    await assert.rejects(client.patchTest('orders', { displayName: 'x' }), (e: Error) => {
      assert.ok(e instanceof InfrastructureError);
      assert.match(e.message, /Grant it the "Load Test Contributor" role/);
      assert.match(e.message, /"alt-emulated"/);
      return true;
    });
  });

  it('no RBAC on the resource: ARM 403 -> remedy names the role, the resource and its group', async () => {
    await assert.rejects(connect({ faults: [{ method: 'GET', path: /^\/subscriptions\//, status: 403 }] }), (e: Error) => {
      assert.ok(e instanceof InfrastructureError);
      assert.match(e.message, /may not read the Azure Load Testing resource "alt-emulated" in resource group "rg-load".*HTTP 403.*"Load Test Contributor"/);
      return true;
    });
  });

  it('throttling: one 429 with Retry-After -> waited and retried, then success', async () => {
    const client = await connect({ faults: [{ method: 'PATCH', path: /^\/tests\/orders$/, status: 429, retryAfterSeconds: 1 }] });
    const t0 = Date.now();
    const test = await client.patchTest('orders', { displayName: 'Orders' });
    assert.equal(test.displayName, 'Orders');
    assert.equal(emu.requestsTo('PATCH', /^\/tests\/orders$/).length, 2);
    assert.ok(Date.now() - t0 >= 900, 'the Retry-After of 1 s was honoured');
  });

  it('server fault: one 500 -> retried, then success', async () => {
    const client = await connect({ faults: [{ method: 'GET', path: /^\/tests\/orders$/, status: 500 }] });
    await client.patchTest('orders', { displayName: 'Orders' });
    const test = await client.getTest('orders');
    assert.equal(test?.displayName, 'Orders');
    assert.equal(emu.requestsTo('GET', /^\/tests\/orders$/).length, 2);
  });

  it('persistent 500: retries are bounded -> InfrastructureError quoting the service', async () => {
    const client = await connect({ faults: [{ method: 'GET', path: /^\/tests\/orders$/, status: 500, times: 100 }] });
    await assert.rejects(client.getTest('orders'), /HTTP 500 .*InternalServerError: Emulated 500/);
    assert.equal(emu.requestsTo('GET', /^\/tests\/orders$/).length, 5, 'first attempt plus 4 retries');
  });

  it('result archives: SAS URL downloaded without an Authorization header, streamed to a file', async () => {
    const client = await connect();
    emu.archives.set('/blob/run-1/results.zip', Buffer.from('PK archive bytes'));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alt-dl-')), 'results.zip');
    const { bytes } = await client.downloadArtifact(`${emu.baseUrl}/blob/run-1/results.zip?sv=2024&sig=abc`, file, 1024);
    assert.equal(bytes, 16);
    assert.equal(fs.readFileSync(file, 'utf8'), 'PK archive bytes');
    assert.equal(emu.requestsTo('GET', /^\/blob\//)[0].authorization, undefined);
  });

  it('result archives: larger than the cap -> download stopped, nothing kept, tooLarge', async () => {
    const client = await connect();
    emu.archives.set('/blob/run-1/results.zip', Buffer.alloc(64 * 1024, 1));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alt-dl-')), 'results.zip');
    const outcome = await client.downloadArtifact(`${emu.baseUrl}/blob/run-1/results.zip?sv=2024&sig=abc`, file, 1000);
    assert.equal(outcome.tooLarge, true);
    assert.equal(fs.existsSync(file), false);
  });

  it('result archives: target folder missing -> InfrastructureError naming the blob without its SAS, no uncaught exception', async () => {
    // Slow pieces: the write error arrives while the download waits on the network, not on the file.
    const client = await connect({ archiveChunkDelayMs: 5 });
    emu.archives.set('/blob/run-1/results.zip', Buffer.alloc(64 * 1024, 1));
    const file = path.join(os.tmpdir(), `alt-dl-missing-${process.pid}`, 'results.zip');
    await assert.rejects(client.downloadArtifact(`${emu.baseUrl}/blob/run-1/results.zip?sv=2024&sig=abc`, file, 1024 ** 2), (e: Error) => {
      assert.ok(e instanceof InfrastructureError, e.message);
      assert.match(e.message, /results\.zip \(GET\): ENOENT/);
      assert.doesNotMatch(e.message, /sig=/);
      return true;
    });
  });

  it('token audience: public and US Government data-plane hosts -> their own scopes', () => {
    assert.equal(dataPlaneScopeFor('abc.eastus.cnt-prod.loadtesting.azure.com'), 'https://cnt-prod.loadtesting.azure.com/.default');
    assert.equal(dataPlaneScopeFor('abc.usgovvirginia.cnt-prod.loadtesting.azure.us'), 'https://cnt-prod.loadtesting.azure.us/.default');
  });
});
