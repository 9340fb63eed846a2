import type { ProbeOutcome } from './provider';

/**
 * Compares two `pg_dump --schema-only` outputs. Comments, SET lines, psql meta-commands (pg_dump 15.14+ writes
 * `\restrict <random key>`) and blank lines are dropped: they differ between any two dumps and say nothing
 * about the schema.
 */
export function normaliseSchema(dump: string): string[] {
  return dump
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line && !line.startsWith('--') && !line.startsWith('\\') && !/^SET |^SELECT pg_catalog\.set_config/.test(line));
}

export function compareSchemas(expected: string, found: string, against: string): ProbeOutcome {
  const want = normaliseSchema(expected);
  const got = normaliseSchema(found);
  const wantSet = new Set(want);
  const gotSet = new Set(got);
  const missing = want.filter((l) => !gotSet.has(l));
  const extra = got.filter((l) => !wantSet.has(l));
  if (!missing.length && !extra.length) {
    return { status: 'passed', detail: `schema matches ${against} (${want.length} schema lines compared)` };
  }
  const show = (lines: string[]) => lines.slice(0, 3).map((l) => `"${l.slice(0, 100)}"`).join(', ');
  const parts = [];
  if (missing.length) parts.push(`${missing.length} line(s) missing from the restored copy, e.g. ${show(missing)}`);
  if (extra.length) parts.push(`${extra.length} line(s) only in the restored copy, e.g. ${show(extra)}`);
  return { status: 'failed', detail: `schema differs from ${against}: ${parts.join('; ')}` };
}
