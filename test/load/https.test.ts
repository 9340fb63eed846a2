import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { InfrastructureError } from '../../src/errors';
import { runLoadTest } from '../../src/load/runLoadTest';
import { testCertificates } from '../support/tls';
import { get, requestsJson, URL_YAML, writeTest } from './helpers';

/**
 * https targets go through undici's Client. The engine never turns certificate checks off, so the throwaway CA
 * is trusted the way a user would trust a private CA: NODE_EXTRA_CA_CERTS, read when Node starts, hence a child.
 */
describe('load/https', () => {
  it('https target with a private CA trusted through NODE_EXTRA_CA_CERTS -> counts match the server', async () => {
    const certs = testCertificates();
    let served = 0;
    const server = https.createServer({ cert: certs.cert, key: certs.key }, (_req, res) => {
      served++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://localhost:${(server.address() as AddressInfo).port}`;
      const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Secure', `${url}/`)], { virtualUsersPerEngine: 2, durationInSeconds: 1 }) });
      const caFile = path.join(path.dirname(file), 'ca.pem');
      fs.writeFileSync(caFile, certs.ca);
      const script = `require('${path.resolve(__dirname, '../../src/load/runLoadTest').replace(/\\/g, '/')}').runLoadTest({ configFile: ${JSON.stringify(file)} })` +
        '.then((e) => console.log(JSON.stringify({ verdict: e.verdict, requests: e.metrics.totals.requests, errors: e.metrics.totals.errors })))';
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--require', 'tsx/cjs', '-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile } }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      assert.equal(result.errors, 0);
      assert.equal(result.verdict, 'passed');
      assert.equal(result.requests, served);
      assert.ok(served > 0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('https target whose CA is not trusted -> InfrastructureError naming the certificate problem, before the run', async () => {
    const certs = testCertificates();
    let served = 0;
    const server = https.createServer({ cert: certs.cert, key: certs.key }, (_req, res) => {
      served++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://localhost:${(server.address() as AddressInfo).port}`;
      const file = writeTest({ yaml: URL_YAML, requests: requestsJson([get('Secure', `${url}/`)], { virtualUsersPerEngine: 1, durationInSeconds: 1 }) });
      await assert.rejects(runLoadTest({ configFile: file }), (e: unknown) =>
        e instanceof InfrastructureError && e.exitCode === 3 && /UNABLE_TO_VERIFY_LEAF_SIGNATURE.*NODE_EXTRA_CA_CERTS/.test(e.message));
      assert.equal(served, 0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
