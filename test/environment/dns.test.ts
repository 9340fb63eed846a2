import assert from 'node:assert/strict';
import { runDnsCheck } from '../../src/environment/checks/dns';
import type { DnsSpec } from '../../src/environment/config';
import { startDnsServer } from '../support/dnsServer';

const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });
const zone = {
  'shop.example.com': { CNAME: 'shop-fd.azurefd.net' },
  'api.example.com': { A: ['203.0.113.10', '203.0.113.11'], AAAA: ['2001:db8::10'] },
};

describe('environment dns check (dns2 server on loopback)', function () {
  this.timeout(20_000);
  let server: Awaited<ReturnType<typeof startDnsServer>>;
  before(async () => {
    server = await startDnsServer(zone);
  });
  after(() => server.close());
  const run = (spec: Partial<DnsSpec>) => runDnsCheck({ name: 'dns', type: 'dns', host: 'api.example.com', resolver: server.address, ...spec }, ctx());

  it('dns: A and AAAA as expected through the chosen resolver -> passed', async () => {
    const r = await run({ a: ['203.0.113.11', '203.0.113.10'], aaaa: ['2001:0db8:0:0:0:0:0:10'] });
    assert.equal(r.status, 'passed', r.detail);
    assert.deepEqual(r.dns!.found.A.sort(), ['203.0.113.10', '203.0.113.11']);
    assert.equal(r.dns!.resolver, server.address);
  });

  it('dns: CNAME to the Front Door endpoint -> passed', async () => {
    const r = await run({ host: 'shop.example.com', cname: 'shop-fd.azurefd.net.' });
    assert.equal(r.status, 'passed', r.detail);
  });

  it('dns: an extra A record -> failed, naming found and expected and the zone as the fix', async () => {
    const r = await run({ a: ['203.0.113.10'] });
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /A is 203\.0\.113\.10, 203\.0\.113\.11, expected 203\.0\.113\.10; correct the record at the DNS zone/);
  });

  it('dns: a name that does not exist -> failed, "absent"', async () => {
    const r = await run({ host: 'gone.example.com', cname: 'x.azurefd.net' });
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /CNAME is absent/);
  });

  it('dns: a resolver that refuses -> unknown, naming the resolver', async () => {
    const refusing = await startDnsServer(zone, { refuse: true });
    try {
      const r = await run({ resolver: refusing.address, a: ['203.0.113.10'] });
      assert.equal(r.status, 'unknown');
      assert.match(r.detail, new RegExp(`resolver ${refusing.address} did not answer .*REFUSED`));
    } finally {
      refusing.close();
    }
  });
});
