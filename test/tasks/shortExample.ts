import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/agentRunner';

/**
 * The shipped example load test (examples/loadtest/basic), shortened to 2 s so task tests stay quick on a 2-core
 * machine, with its failure criteria optionally replaced. Its baseUrl comes from the task's `env` input.
 */
export function shortExampleConfig(criteria?: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'readiness-lt-task-'));
  const source = path.join(repoRoot, 'examples', 'loadtest', 'basic');
  const requests = readFileSync(path.join(source, 'requests.json'), 'utf8')
    .replace(/"durationInSeconds":\s*\d+/g, '"durationInSeconds": 2')
    .replace(/"rampUpTimeInSeconds":\s*\d+/g, '"rampUpTimeInSeconds": 1');
  writeFileSync(path.join(dir, 'requests.json'), requests);
  let yaml = readFileSync(path.join(source, 'loadtest.yaml'), 'utf8');
  if (criteria) {
    yaml = yaml.replace(/failureCriteria:[\s\S]*?(?=\nautoStop:)/, `failureCriteria:\n  clientMetrics:\n${criteria.map((c) => `    - ${c}`).join('\n')}`);
  }
  writeFileSync(path.join(dir, 'loadtest.yaml'), yaml);
  return path.join(dir, 'loadtest.yaml');
}
