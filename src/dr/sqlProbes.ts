import type { ProbeSpec } from './config';
import type { NewestData, ProbeOutcome } from './provider';

/** The little a probe needs from a database: node-postgres and PGlite both fit. */
export interface SqlClient {
  query(sql: string): Promise<Array<Record<string, unknown>>>;
}

/**
 * Figures recorded from the source at backup time, so the restored copy can be compared with what was backed up
 * rather than with a source that kept changing (the "row counts vs a recorded checkpoint" technique of
 * readiness-and-dr.md section 3). Written next to every fresh backup; a backup job can write it too.
 */
export interface Checkpoint {
  takenAt: string;
  tables: Record<string, { rows: number; checksum?: string }>;
}

/**
 * Row count and an order-independent content checksum: md5 of the sorted md5s of each row's text form. Sorting
 * makes it independent of physical order, which a restore does not preserve.
 */
export function tableFiguresSql(table: string, withChecksum: boolean): string {
  const from = quoteTable(table);
  return withChecksum
    ? `select count(*)::bigint as rows, md5(coalesce(string_agg(h, '' order by h), '')) as checksum from (select md5(t::text) as h from ${from} t) s`
    : `select count(*)::bigint as rows from ${from}`;
}

export async function tableFigures(client: SqlClient, tables: string[], withChecksum: boolean): Promise<Checkpoint['tables']> {
  const out: Checkpoint['tables'] = {};
  for (const table of tables) {
    const [row] = await client.query(tableFiguresSql(table, withChecksum));
    out[table] = { rows: Number(row.rows), ...(withChecksum ? { checksum: String(row.checksum) } : {}) };
  }
  return out;
}

/** `public.Orders` -> `"public"."Orders"`: names from the drill file are identifiers, never SQL. */
export function quoteTable(table: string): string {
  return table
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

/** The probes every SQL provider shares. `schema` is provider-specific (pg_dump or catalog) and passed in. */
export async function runSqlProbe(
  probe: ProbeSpec,
  client: SqlClient,
  checkpoint: Checkpoint | undefined,
): Promise<ProbeOutcome> {
  switch (probe.type) {
    case 'select1': {
      const [row] = await client.query('select 1 as one');
      return Number(row?.one) === 1
        ? { status: 'passed', detail: 'select 1 answered 1' }
        : { status: 'failed', detail: `select 1 answered ${JSON.stringify(row)}` };
    }
    case 'rowcounts':
    case 'checksums':
      return compareTables(probe, client, checkpoint);
    case 'sql': {
      const rows = await client.query(probe.sql!);
      if (!rows.length) return { status: 'failed', detail: 'the assertion returned no rows' };
      const actual = Object.values(rows[0])[0];
      const expected = probe.expect ?? true;
      const same = normalise(actual) === normalise(expected);
      return {
        status: same ? 'passed' : 'failed',
        detail: `expected ${JSON.stringify(expected)}, found ${JSON.stringify(normalise(actual))}`,
      };
    }
    default:
      return { status: 'unknown', detail: `probe type ${probe.type} is not available for this provider` };
  }
}

async function compareTables(probe: ProbeSpec, client: SqlClient, checkpoint: Checkpoint | undefined): Promise<ProbeOutcome> {
  const withChecksum = probe.type === 'checksums';
  const tables = probe.tables ?? [];
  const missing = tables.filter((t) => !checkpoint?.tables[t] || (withChecksum && !checkpoint.tables[t].checksum));
  if (missing.length) {
    return {
      status: 'unknown',
      detail: `no ${withChecksum ? 'checksum' : 'row count'} recorded at backup time for ${missing.join(', ')}; take a fresh backup or give backup.checkpoint`,
    };
  }
  const found = await tableFigures(client, tables, withChecksum);
  const differences: string[] = [];
  const matches: string[] = [];
  for (const table of tables) {
    const want = checkpoint!.tables[table];
    const got = found[table];
    if (want.rows !== got.rows) differences.push(`${table}: ${got.rows} rows, expected ${want.rows}`);
    else if (withChecksum && want.checksum !== got.checksum) differences.push(`${table}: checksum ${got.checksum}, expected ${want.checksum}`);
    else matches.push(`${table} ${got.rows} rows${withChecksum ? ` md5 ${got.checksum!.slice(0, 12)}` : ''}`);
  }
  return differences.length
    ? { status: 'failed', detail: `differs from the source at backup time: ${differences.join('; ')}` }
    : { status: 'passed', detail: `matches the source at backup time: ${matches.join('; ')}` };
}

function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 't') return true;
  if (value === 'f') return false;
  return value;
}

/** RPO's "newest data": the user's query, or the heartbeat table; the first column of the first row. */
export async function newestDataBySql(
  client: SqlClient,
  rpo: { query?: string; heartbeat?: { table: string; column: string } },
): Promise<NewestData | undefined> {
  const sql = rpo.query ?? (rpo.heartbeat && `select max(${quoteTable(rpo.heartbeat.column)}) from ${quoteTable(rpo.heartbeat.table)}`);
  if (!sql) return undefined;
  const method = rpo.query ? 'query' : 'heartbeat';
  const rows = await client.query(sql);
  const value = rows.length ? Object.values(rows[0])[0] : null;
  const newestAt = asDate(value);
  return newestAt
    ? { method, newestAt, detail: `${method === 'query' ? 'rpo.query' : 'heartbeat'} found newest data at ${newestAt.toISOString()}` }
    : { method, newestAt: null, detail: `${method === 'query' ? 'rpo.query' : 'heartbeat'} returned ${JSON.stringify(value)}, not a time` };
}

export function asDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' && value.trim()) {
    const date = new Date(value.trim());
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}
