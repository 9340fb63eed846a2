import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, InfrastructureError } from '../../src/errors';
import { connect, parseConnection } from '../../src/dr/pgConnection';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * sslmode against a real PostgreSQL serving TLS (ssl = on) with a certificate made by openssl at test time: the
 * server's certificate names only `localhost` and is signed by "CA one"; "CA two" is a stranger. libpq's meaning
 * (PostgreSQL docs §34.19.1, table "SSL Mode Descriptions") is what each case expects.
 */
describe('pg connections: sslmode means what libpq means (real PostgreSQL with TLS)', function () {
  this.timeout(60_000);
  let pg: TestPostgres;
  let dir: string;
  let caOne: string;
  let caTwo: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'readiness-pgtls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    for (const ca of ['one', 'two']) {
      run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `ca-${ca}.key`, '-out', `ca-${ca}.pem`, '-days', '2', '-subj', `/CN=readiness test CA ${ca}`);
    }
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca-one.pem', '-CAkey', 'ca-one.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
    caOne = join(dir, 'ca-one.pem');
    caTwo = join(dir, 'ca-two.pem');
    pg = await startPostgres({ tls: { cert: readFileSync(join(dir, 'server.pem'), 'utf8'), key: readFileSync(join(dir, 'server.key'), 'utf8') } });
  });
  after(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Connects with the URL's options and says whether the session is encrypted (pg_stat_ssl), or why it failed. */
  async function attempt(host: string, query: string): Promise<'tls' | 'plain' | Error> {
    const endpoint = parseConnection(`postgres://postgres@${host}:${pg.port}/postgres?${query}`, 'source.connection');
    try {
      const client = await connect(endpoint);
      try {
        const rows = (await client.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()')).rows;
        return rows[0].ssl ? 'tls' : 'plain';
      } finally {
        await client.end();
      }
    } catch (error) {
      return error as Error;
    }
  }

  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const cases: Array<{ name: string; host: string; query: () => string; expect: 'tls' | 'plain' | RegExp }> = [
    { name: 'disable -> plain', host: '127.0.0.1', query: () => q({ sslmode: 'disable' }), expect: 'plain' },
    { name: 'allow -> plain first', host: '127.0.0.1', query: () => q({ sslmode: 'allow' }), expect: 'plain' },
    { name: 'prefer -> TLS when the server offers it', host: '127.0.0.1', query: () => q({ sslmode: 'prefer' }), expect: 'tls' },
    { name: 'no sslmode -> prefer (libpq default) -> TLS', host: '127.0.0.1', query: () => '', expect: 'tls' },
    { name: 'require, no root certificate -> TLS without verification (unknown CA accepted)', host: '127.0.0.1', query: () => q({ sslmode: 'require' }), expect: 'tls' },
    { name: 'require with the wrong sslrootcert -> verified like verify-ca -> refused', host: '127.0.0.1', query: () => q({ sslmode: 'require', sslrootcert: caTwo }), expect: /certificate/i },
    { name: 'require with the right sslrootcert, wrong host name -> accepted (verify-ca)', host: '127.0.0.1', query: () => q({ sslmode: 'require', sslrootcert: caOne }), expect: 'tls' },
    { name: 'verify-ca, wrong CA -> refused', host: 'localhost', query: () => q({ sslmode: 'verify-ca', sslrootcert: caTwo }), expect: /certificate/i },
    { name: 'verify-ca, system roots only (our CA unknown) -> refused', host: 'localhost', query: () => q({ sslmode: 'verify-ca' }), expect: /certificate/i },
    { name: 'verify-ca, right CA, wrong host name -> accepted (host not checked)', host: '127.0.0.1', query: () => q({ sslmode: 'verify-ca', sslrootcert: caOne }), expect: 'tls' },
    { name: 'verify-full, right CA, wrong host name -> refused', host: '127.0.0.1', query: () => q({ sslmode: 'verify-full', sslrootcert: caOne }), expect: /127\.0\.0\.1|altnames|host/i },
    { name: 'verify-full, right CA, right host name -> TLS', host: 'localhost', query: () => q({ sslmode: 'verify-full', sslrootcert: caOne }), expect: 'tls' },
    { name: 'verify-full, wrong CA -> refused', host: 'localhost', query: () => q({ sslmode: 'verify-full', sslrootcert: caTwo }), expect: /certificate/i },
  ];
  for (const c of cases) {
    it(`sslmode: ${c.name}`, async () => {
      const outcome = await attempt(c.host, c.query());
      if (c.expect instanceof RegExp) {
        assert.ok(outcome instanceof InfrastructureError, `expected a refusal, got ${outcome instanceof Error ? outcome.message : outcome}`);
        assert.match(outcome.message, c.expect);
      } else {
        assert.equal(outcome instanceof Error ? outcome.message : outcome, c.expect);
      }
    });
  }

  it('sslmode: an unknown mode is bad input naming the connection and the known modes', () => {
    assert.throws(() => parseConnection(`postgres://postgres@127.0.0.1:${pg.port}/postgres?sslmode=verify`, 'source.connection'), (error: Error) =>
      error instanceof ConfigError && /source\.connection: sslmode "verify".*verify-ca, verify-full/.test(error.message));
  });

  it('sslmode: an unreadable sslrootcert is bad input naming the file', async () => {
    const endpoint = parseConnection(`postgres://postgres@localhost:${pg.port}/postgres?sslmode=verify-full&sslrootcert=${join(dir, 'missing.pem')}`, 'target.connection');
    await assert.rejects(connect(endpoint), (error: Error) => error instanceof ConfigError && /missing\.pem.*ENOENT/.test(error.message));
  });
});
