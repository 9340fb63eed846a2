import { promises as fs } from 'node:fs';
import { ConfigError } from '../errors';
import { writeEvidenceFile } from '../evidence/files';
import { renderHtml, renderJUnit, renderMarkdown } from '../evidence/render';
import type { Evidence } from '../evidence/types';

/** `--env NAME=VALUE` flags (repeatable) as a map; a flag without a name or `=` is bad input. */
export function envFlags(pairs: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--env: expected NAME=VALUE, found "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Writes the evidence JSON and, next to it, its JUnit XML, markdown summary and HTML report; returns the JSON's path. */
export async function writeEvidenceAndReports(outDir: string, evidence: Evidence): Promise<string> {
  const evidenceFile = await writeEvidenceFile(outDir, evidence);
  const base = evidenceFile.replace(/\.json$/, '');
  await fs.writeFile(`${base}.junit.xml`, renderJUnit(evidence));
  await fs.writeFile(`${base}.md`, renderMarkdown(evidence));
  await fs.writeFile(`${base}.html`, renderHtml(evidence));
  return evidenceFile;
}
