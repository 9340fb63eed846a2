import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

/** The example drill files the docs show; tests run them so the docs cannot drift. */
export const EXAMPLES = resolve(__dirname, '../../examples/drill');

/**
 * A copy of an example drill file with some keys changed, written next to nothing else (paths in it are made
 * absolute first), for edge cases the examples do not show.
 */
export function variant(example: string, change: (drill: Record<string, any>) => void): string {
  const drill = parse(readFileSync(join(EXAMPLES, example), 'utf8'));
  for (const section of ['source', 'backup']) {
    for (const key of ['seed', 'file']) {
      const value = drill[section]?.[key];
      if (typeof value === 'string' && value.startsWith('.')) drill[section][key] = resolve(EXAMPLES, value);
    }
  }
  change(drill);
  const dir = mkdtempSync(join(tmpdir(), 'drill-variant-'));
  const file = join(dir, example);
  writeFileSync(file, stringify(drill));
  return file;
}
