import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { ConfigError, InfrastructureError } from '../errors';
import { checkSslMode, tlsAttempts, type SslMode } from './pgTls';

/**
 * One PostgreSQL endpoint, parsed from a `postgres://` URL. Tools get it through libpq's PG* environment
 * variables, so the password never appears in a command line.
 */
export interface PgEndpoint {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  sslmode?: SslMode;
  /** libpq's `sslrootcert`: the file of trusted root certificates (or `system`). */
  sslrootcert?: string;
}

export function parseConnection(connection: string, what: string): PgEndpoint {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    throw new ConfigError(`${what}: not a postgres:// URL; write it as postgres://user:\${PGPASSWORD}@host:5432/database`);
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) {
    throw new ConfigError(`${what}: the scheme must be postgres:// or postgresql://`);
  }
  // A malformed percent-escape (a password with a raw %) must not escape as "URI malformed"; never echo the value.
  const decode = (text: string, part: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new ConfigError(`${what}: the ${part} has a "%" not followed by two hex digits; percent-encode it (a literal % is %25)`);
    }
  };
  return {
    host: decode(url.hostname, 'host') || '127.0.0.1',
    port: Number(url.port || 5432),
    user: url.username ? decode(url.username, 'user name') : undefined,
    password: url.password ? decode(url.password, 'password') : undefined,
    database: decode(url.pathname.replace(/^\//, ''), 'database name') || 'postgres',
    sslmode: checkSslMode(url.searchParams.get('sslmode') ?? undefined, what),
    sslrootcert: url.searchParams.get('sslrootcert') ?? undefined,
  };
}

/** `host:port/db` for messages and evidence: never the user or password. */
export function describe(endpoint: PgEndpoint, database = endpoint.database): string {
  return `${endpoint.host}:${endpoint.port}/${database}`;
}

export function toolEnv(endpoint: PgEndpoint, database = endpoint.database, readOnly = false): NodeJS.ProcessEnv {
  // TZ/PGTZ=UTC: a pg_dump archive records its creation time as local wall-clock fields with no zone, and
  // pg_restore --list prints them back in its own local zone by abbreviation (CET). In UTC both ends agree and
  // the header reads "... UTC" (see utcToolEnv in providers/postgresArchive.ts).
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', PGTZ: 'UTC', PGHOST: endpoint.host, PGPORT: String(endpoint.port), PGDATABASE: database, PGCONNECT_TIMEOUT: '10' };
  for (const name of ['PGUSER', 'PGPASSWORD', 'PGSSLMODE', 'PGSSLROOTCERT', 'PGOPTIONS', 'PGSERVICE', 'PGPASSFILE']) delete env[name];
  if (endpoint.user) env.PGUSER = endpoint.user;
  if (endpoint.password) env.PGPASSWORD = endpoint.password;
  if (endpoint.sslmode) env.PGSSLMODE = endpoint.sslmode;
  if (endpoint.sslrootcert) env.PGSSLROOTCERT = endpoint.sslrootcert;
  if (readOnly) env.PGOPTIONS = '-c default_transaction_read_only=on';
  return env;
}

/**
 * A connected client. Source connections are opened with `default_transaction_read_only=on`: the drill reads the
 * source, and PostgreSQL itself refuses a write on such a session, so "never written to" is enforced, not hoped.
 */
export async function connect(
  endpoint: PgEndpoint,
  options: { database?: string; readOnly?: boolean; statementTimeoutMs?: number } = {},
): Promise<Client> {
  const settings: string[] = [];
  if (options.readOnly) settings.push('-c default_transaction_read_only=on');
  if (options.statementTimeoutMs) settings.push(`-c statement_timeout=${Math.ceil(options.statementTimeoutMs)}`);
  const database = options.database ?? endpoint.database;
  const attempts = tlsAttempts(endpoint.sslmode, endpoint.sslrootcert, `${describe(endpoint, database)} sslrootcert`);
  const failures: string[] = [];
  for (const ssl of attempts) {
    const config: ClientConfig = {
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      password: endpoint.password,
      database,
      connectionTimeoutMillis: 10_000,
      options: settings.join(' ') || undefined,
      ssl,
    };
    const client = new Client(config);
    client.on('error', () => undefined); // a server-side termination (DROP ... WITH (FORCE)) must not crash the process
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      // allow and prefer try the other way when the first fails, as libpq does.
      failures.push(attempts.length > 1 ? `${ssl ? 'with TLS' : 'without TLS'}: ${(error as Error).message}` : (error as Error).message);
      if (failures.length === attempts.length) {
        throw new InfrastructureError(
          `Cannot connect to PostgreSQL at ${describe(endpoint, database)}${endpoint.sslmode ? ` (sslmode=${endpoint.sslmode})` : ''}: ${failures.join('; ')}. Check the address, the credentials, the server's certificate and that the server accepts connections from this agent.`,
          { cause: error },
        );
      }
    }
  }
  throw new InfrastructureError(`Cannot connect to PostgreSQL at ${describe(endpoint, database)}: no way to connect was tried.`);
}

/**
 * Where pg_dump and pg_restore live: `tools.binDir`, then PATH, then Debian's /usr/lib/postgresql/<major>/bin
 * (newest major first, since a newer pg_restore reads older archives but not the reverse).
 */
export function findTool(name: string, binDir?: string): string | undefined {
  const dirs = binDir ? [binDir] : [...(process.env.PATH ?? '').split(delimiter), ...debianBinDirs()];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function debianBinDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

/** A pg client as the SQL probes see it: run a query, get its rows. */
export function pgSql(client: Client): { query: (sql: string) => Promise<Array<Record<string, unknown>>> } {
  return { query: async (sql: string) => (await client.query(sql)).rows as Array<Record<string, unknown>> };
}
