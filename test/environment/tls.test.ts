import assert from 'node:assert/strict';
import type { TlsSpec } from '../../src/environment/config';
import { runTlsCheck, type TlsCheckOptions } from '../../src/environment/checks/tls';
import { environmentCertificates, startSite, type SiteOptions } from '../support/environmentTls';

const YEAR = 31_536_000;
const ctx = () => ({ signal: new AbortController().signal, progress: () => undefined });

async function check(site: SiteOptions, spec: Partial<TlsSpec> = {}, options: TlsCheckOptions = {}) {
  const server = await startSite(site);
  try {
    const full: TlsSpec = {
      name: 'tls', type: 'tls', host: '127.0.0.1', serverName: 'localhost', port: server.port, minDaysToExpiry: 21, hstsMinMaxAge: 15_552_000,
      hstsPath: '/', ca: environmentCertificates().ca, ...spec,
    };
    return await runTlsCheck(full, ctx(), options);
  } finally {
    await server.close();
  }
}

const hsts = { 'strict-transport-security': `max-age=${YEAR}; includeSubDomains` };

describe('environment tls check (loopback HTTPS, certificates made with openssl)', function () {
  this.timeout(30_000);
  const certs = () => environmentCertificates();

  it('tls: private chain trusted through caFile, TLS 1.2+, HSTS a year -> passed, chain and expiry in the evidence', async () => {
    const r = await check({ ...certs().chained, headers: hsts });
    assert.equal(r.status, 'passed', r.detail);
    assert.equal(r.tls!.chain.length, 3, 'leaf, intermediate and the trusted root');
    assert.match(r.tls!.chain[1].subject, /intermediate/);
    assert.match(r.tls!.chain[2].subject, /test root/);
    assert.ok(r.tls!.daysToExpiry! >= 58 && r.tls!.daysToExpiry! <= 60, String(r.tls!.daysToExpiry));
    assert.deepEqual(r.tls!.legacyProtocols.map((p) => p.outcome), ['refused', 'refused']);
    assert.equal(r.tls!.hstsMaxAge, YEAR);
  });

  it('tls: the same private chain without caFile -> failed, naming caFile (verification stays on)', async () => {
    const r = await check({ ...certs().chained, headers: hsts }, { ca: undefined });
    assert.equal(r.status, 'failed');
    assert.match(r.tls!.chainError!, /UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN/);
    assert.match(r.detail, /caFile/);
  });

  it('tls: expired certificate -> failed with the expiry date in the evidence and "renew" as the fix', async () => {
    const r = await check({ ...certs().expired, headers: hsts });
    assert.equal(r.status, 'failed');
    assert.equal(r.tls!.chainError, 'CERT_HAS_EXPIRED');
    assert.equal(r.tls!.chain[0].validTo, '2020-02-01T00:00:00.000Z');
    assert.ok(r.tls!.daysToExpiry! < -2000);
    assert.match(r.detail, /renew the certificate/);
  });

  it('tls: certificate for another host -> failed naming the subject alternative names', async () => {
    const r = await check({ ...certs().wrongHost, headers: hsts });
    assert.equal(r.status, 'failed');
    assert.equal(r.tls!.chainError, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(r.detail, /subject alternative names include this host/);
  });

  it('tls: certificate ending in 5 days against a 21-day bound -> failed, "expires in 5 days"', async () => {
    const r = await check({ ...certs().nearExpiry, headers: hsts });
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /expires in 5 days .* under the 21-day bound; renew it/);
    assert.equal(r.tls!.daysToExpiry, 5);
  });

  it('tls: the same certificate against a 3-day bound -> passed', async () => {
    const r = await check({ ...certs().nearExpiry, headers: hsts }, { minDaysToExpiry: 3 });
    assert.equal(r.status, 'passed', r.detail);
  });

  it('tls: a server that still takes TLS 1.0 and 1.1 -> failed, naming the minimum TLS version setting', async () => {
    const r = await check({ ...certs().valid, headers: hsts, minVersion: 'TLSv1' });
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.tls!.legacyProtocols.map((p) => p.outcome), ['accepted', 'accepted']);
    assert.match(r.detail, /accepts TLS 1\.0; set the minimum TLS version to 1\.2/);
  });

  it('tls: this machine cannot offer TLS 1.0 (OpenSSL security level 3) -> unknown, never passed', async () => {
    const r = await check({ ...certs().valid, headers: hsts }, {}, { legacyCiphers: 'DEFAULT:@SECLEVEL=3' });
    assert.equal(r.status, 'unknown');
    assert.equal(r.tls!.legacyProtocols[0].outcome, 'untestable');
    assert.match(r.detail, /could not offer TLS 1\.0/);
  });

  it('tls: no Strict-Transport-Security header -> failed with the header to send', async () => {
    const r = await check({ ...certs().valid });
    assert.equal(r.status, 'failed');
    assert.equal(r.tls!.hstsMaxAge, null);
    assert.match(r.detail, /send "Strict-Transport-Security: max-age=15552000; includeSubDomains"/);
  });

  it('tls: HSTS max-age of one day -> failed, naming the bound', async () => {
    const r = await check({ ...certs().valid, headers: { 'strict-transport-security': 'max-age=86400' } });
    assert.equal(r.status, 'failed');
    assert.match(r.detail, /HSTS max-age .* is 86400 s, under the 15552000 s bound/);
  });

  it('tls: nothing listening -> unknown, naming host, port and firewall', async () => {
    const server = await startSite(certs().valid);
    const port = server.port;
    await server.close();
    const r = await runTlsCheck(
      { name: 'tls', type: 'tls', host: '127.0.0.1', serverName: 'localhost', port, minDaysToExpiry: 21, hstsMinMaxAge: 0, hstsPath: '/', ca: certs().ca },
      ctx(),
    );
    assert.equal(r.status, 'unknown');
    assert.match(r.detail, /ECONNREFUSED.*check the host, the port and the firewall/);
  });
});
