import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A throwaway certificate authority and a certificate for `localhost` / 127.0.0.1, made with the `openssl` command
 * at test time (nothing is committed). Emulators serve HTTPS with `cert` + `key`; clients trust them by being given
 * `ca`. Product code never turns TLS verification off; see DESIGN.md "Emulators speak HTTPS".
 */
export interface TestCertificates {
  /** PEM of the throwaway CA certificate, to pass to clients as the extra trusted root. */
  ca: string;
  /** PEM of the server certificate (localhost, 127.0.0.1), signed by the CA. */
  cert: string;
  /** PEM of the server's private key. */
  key: string;
  /** A second key + self-signed certificate, for tests of certificate-based service principals. */
  clientCertificatePem: string;
}

let cached: TestCertificates | undefined;

/** Makes the certificates once per test process (openssl takes a few hundred milliseconds). */
export function testCertificates(): TestCertificates {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'readiness-tls-'));
  try {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
      '-subj', '/CN=readiness test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
      '-days', '2', '-extfile', 'ext.cnf');
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.pem', '-days', '2',
      '-subj', '/CN=readiness test service principal');
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    cached = {
      ca: read('ca.pem'),
      cert: read('server.pem'),
      key: read('server.key'),
      clientCertificatePem: read('client.key') + read('client.pem'),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A loopback HTTPS server for an emulator, with the throwaway certificate: it reads each request body whole and
 * hands it to `route`; a throw in `route` answers 500 "EmulatorBug" so a broken emulator never hangs a test.
 */
export async function listenHttps(
  route: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const { cert, key } = testCertificates();
  const server = createHttpsServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        route(req, res, Buffer.concat(chunks));
      } catch (error) {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'EmulatorBug', message: String(error) } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
