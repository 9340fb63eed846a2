import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL cluster from Debian's package, for integration tests (DESIGN.md "A throwaway
 * PostgreSQL"). initdb refuses to run as root, so the cluster belongs to the `postgres` user; tests connect over
 * TCP on 127.0.0.1 with trust authentication, as any client would.
 *
 *   const pg = await startPostgres();   // in before()
 *   await pg.stop();                    // in after()
 */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE (trust auth: any password is accepted). */
  url(database?: string, password?: string): string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  createDatabase(name: string): Promise<void>;
  databaseExists(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Serve TLS with this certificate and key (PEM), as `ssl = on` in postgresql.conf; plain connections still work. */
  tls?: { cert: string; key: string };
}

export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-pg-'));
  chmodSync(dir, 0o755);
  chownSync(dir, uid('postgres'), gid('postgres'));
  const asPostgres = (tool: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args], { stdio: 'pipe', cwd: dir });
  asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // fsync off: a test cluster is thrown away, so durability buys nothing and costs the shared disk.
  let settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  if (options.tls) {
    // The server refuses a key file others can read, so it belongs to postgres with mode 0600.
    for (const [name, pem] of [['server.crt', options.tls.cert], ['server.key', options.tls.key]] as const) {
      const path = join(dir, 'data', name);
      writeFileSync(path, pem, { mode: 0o600 });
      chownSync(path, uid('postgres'), gid('postgres'));
    }
    settings += ' -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key';
  }
  asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-o', settings, '-w', '-t', '60', 'start']);
  const url = (database = 'postgres', password?: string) =>
    `postgres://postgres${password ? `:${password}` : ''}@127.0.0.1:${port}/${database}`;
  const query = async <T>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> => {
    const client = new Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    port,
    dir,
    url,
    query,
    createDatabase: async (name) => void (await query(`create database "${name}"`)),
    databaseExists: async (name) => (await query('select 1 from pg_database where datname = $1', [name])).length > 0,
    stop: async () => {
      try {
        asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
