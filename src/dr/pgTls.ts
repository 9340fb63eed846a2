import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors';

/**
 * `sslmode` as libpq defines it (PostgreSQL docs, "SSL Support" §34.19.1 table "SSL Mode Descriptions", and the
 * `sslmode` / `sslrootcert` connection parameters in §34.1.2):
 *
 *   disable      no TLS
 *   allow        plain first; TLS (unverified) only if the plain attempt fails
 *   prefer       TLS (unverified) first; plain if that fails. libpq's default
 *   require      TLS, certificate not checked; but if a root certificate file exists, checked like verify-ca
 *   verify-ca    TLS, the server certificate must chain to a trusted root; the host name is not checked
 *   verify-full  TLS, chain and host name (the certificate's subjectAltName / CN must match the host)
 *
 * The root certificate file is `sslrootcert` from the URL, else libpq's default `~/.postgresql/root.crt` when it
 * exists. With neither, verify-ca and verify-full trust the system's roots (libpq's `sslrootcert=system`): a managed
 * server such as Azure's presents a publicly trusted certificate.
 */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** One way to open the connection: `false` is plain, otherwise Node TLS options. Tried in order. */
export type TlsAttempt = false | ConnectionOptions;

export function checkSslMode(value: string | undefined, what: string): SslMode | undefined {
  if (value === undefined) return undefined;
  if ((SSL_MODES as readonly string[]).includes(value)) return value as SslMode;
  throw new ConfigError(`${what}: sslmode "${value}" is not one libpq knows; use one of ${SSL_MODES.join(', ')}`);
}

/** Where libpq looks for the root certificate when `sslrootcert` is not given. */
export function defaultRootCertFile(): string {
  return join(homedir(), '.postgresql', 'root.crt');
}

export function tlsAttempts(sslmode: SslMode | undefined, sslrootcert: string | undefined, what: string): TlsAttempt[] {
  const mode = sslmode ?? 'prefer';
  const unverified: ConnectionOptions = { rejectUnauthorized: false };
  if (mode === 'disable') return [false];
  if (mode === 'allow') return [false, unverified];
  if (mode === 'prefer') return [unverified, false];
  const rootFile = sslrootcert && sslrootcert !== 'system' ? sslrootcert : sslrootcert === undefined && existsSync(defaultRootCertFile()) ? defaultRootCertFile() : undefined;
  if (mode === 'require' && !rootFile) return [unverified];
  const ca = rootFile ? readRootCert(rootFile, what) : undefined; // undefined: Node's bundled (system) roots
  const chainOnly: ConnectionOptions = { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
  // require with a root certificate file behaves as verify-ca (libpq docs, table "SSL Mode Descriptions", note).
  if (mode === 'require' || mode === 'verify-ca') return [chainOnly];
  return [{ rejectUnauthorized: true, ca }];
}

function readRootCert(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${what}: cannot read the root certificate file ${file} (sslrootcert) (${(error as NodeJS.ErrnoException).code ?? error}); check the path, or leave sslrootcert out to trust the system's roots.`);
  }
}
