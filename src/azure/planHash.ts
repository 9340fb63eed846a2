import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Translation } from './translate';

/**
 * The plan fingerprint of an Azure Load Testing run (see src/load/planHash.ts for the local engine): the test kind,
 * its load configuration (engine instances, ...) and the content of every uploaded file (the JMeter or Locust
 * script, the requests JSON, CSV data). Secrets are never part of it: they travel as Key Vault references. For
 * JMX and Locust tests the load shape lives inside the script, so any change to the script is a different plan.
 */
export function cloudPlanHash(plan: Pick<Translation, 'test' | 'files'>): string {
  const files = plan.files
    .map((f) => [f.fileName, f.fileType, createHash('sha256').update(fs.readFileSync(f.path)).digest('hex')])
    .sort((a, b) => a[0].localeCompare(b[0]));
  return createHash('sha256').update(JSON.stringify({ kind: plan.test.kind ?? null, configuration: plan.test.loadTestConfiguration ?? null, files })).digest('hex');
}
