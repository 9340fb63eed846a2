import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates for the environment TLS checks, made at test time with `openssl ca` (which, unlike `req -x509` in
 * OpenSSL 3.0, takes explicit start and end dates, so an expired certificate is a real one):
 * - `valid`: localhost / 127.0.0.1, 90 days, signed by `ca`;
 * - `expired`: the same names, ended in 2020;
 * - `wrongHost`: valid dates, but only for other.example;
 * - `nearExpiry`: localhost, ending in 5 days;
 * - `chained`: localhost, signed by an intermediate that `ca` signed, served with the intermediate (a private chain).
 * Nothing is committed; a test trusts `ca` through the check's caFile, never by turning verification off.
 */
export interface Pair {
  cert: string;
  key: string;
}
export interface EnvironmentCertificates {
  ca: string;
  valid: Pair;
  expired: Pair;
  wrongHost: Pair;
  nearExpiry: Pair;
  chained: Pair;
}

let cached: EnvironmentCertificates | undefined;

export function environmentCertificates(): EnvironmentCertificates {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'readiness-envtls-'));
  try {
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
    const day = 86_400_000;
    mkdirSync(join(dir, 'newcerts'));
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]', 'default_ca = local', '[local]', 'dir = .', 'database = index.txt', 'new_certs_dir = newcerts', 'serial = serial',
        'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = copy', '[any]', 'commonName = supplied',
        '[leaf]', 'basicConstraints = CA:FALSE', '[intermediate]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign',
      ].join('\n'),
    );
    const key = (name: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
    key('ca');
    run('req', '-x509', '-key', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=readiness environment test root',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    const sign = (name: string, cn: string, san: string, from: Date, to: Date, issuer = 'ca', extensions = 'leaf') => {
      key(name);
      run('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`, ...(san ? ['-addext', `subjectAltName=${san}`] : []));
      run('ca', '-batch', '-config', 'ca.cnf', '-cert', `${issuer}.pem`, '-keyfile', `${issuer}.key`, '-in', `${name}.csr`, '-out', `${name}.pem`,
        '-startdate', stamp(from), '-enddate', stamp(to), '-extensions', extensions, '-notext');
      return { cert: read(`${name}.pem`), key: read(`${name}.key`) };
    };
    const now = Date.now();
    const local = 'DNS:localhost,IP:127.0.0.1';
    const valid = sign('valid', 'localhost', local, new Date(now - day), new Date(now + 90 * day));
    const expired = sign('expired', 'localhost', local, new Date('2020-01-01T00:00:00Z'), new Date('2020-02-01T00:00:00Z'));
    const wrongHost = sign('wrong', 'other.example', 'DNS:other.example', new Date(now - day), new Date(now + 90 * day));
    const nearExpiry = sign('near', 'localhost', local, new Date(now - day), new Date(now + 5 * day + 3_600_000));
    const intermediate = sign('inter', 'readiness environment test intermediate', '', new Date(now - day), new Date(now + 20 * day), 'ca', 'intermediate');
    const leaf = sign('chained', 'localhost', local, new Date(now - day), new Date(now + 60 * day), 'inter');
    cached = { ca: read('ca.pem'), valid, expired, wrongHost, nearExpiry, chained: { cert: leaf.cert + intermediate.cert, key: leaf.key } };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SiteOptions extends Pair {
  /** Response headers of every answer. */
  headers?: OutgoingHttpHeaders;
  /** Lowest protocol the server accepts; `TLSv1` makes a server that still takes TLS 1.0 and 1.1. */
  minVersion?: 'TLSv1' | 'TLSv1.2';
  /** Answers by path; default 200 "ok". */
  route?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A loopback HTTPS site with the given certificate; `requests` counts what it was asked. */
export async function startSite(options: SiteOptions) {
  const legacy = options.minVersion === 'TLSv1';
  const requests: string[] = [];
  const server = createServer(
    { cert: options.cert, key: options.key, minVersion: options.minVersion ?? 'TLSv1.2', ...(legacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) },
    (req, res) => {
      requests.push(req.url ?? '/');
      for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) res.setHeader(name, value);
      if (options.route) return options.route(req, res);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>ok</title>');
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
