import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Writes a YAML config, its requests JSON and any extra files into a fresh temp folder; returns the YAML path. */
export function writeTest(files: { yaml: string; requests?: unknown; extra?: Record<string, string> }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadtest-'));
  fs.writeFileSync(path.join(dir, 'test.yaml'), files.yaml);
  if (files.requests !== undefined) {
    fs.writeFileSync(path.join(dir, 'requests.json'), typeof files.requests === 'string' ? files.requests : JSON.stringify(files.requests, null, 2));
  }
  for (const [name, text] of Object.entries(files.extra ?? {})) fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, 'test.yaml');
}

export const URL_YAML = 'version: v0.1\ntestId: local-test\ntestType: URL\ntestPlan: requests.json\n';

/** A requests JSON with one scenario. */
export function requestsJson(requests: unknown[], setup: Record<string, unknown>, csv: unknown[] = []): unknown {
  return {
    version: '1.0',
    scenarios: { main: { requests, csvDataSetConfigList: csv } },
    testSetup: [{ scenario: 'main', loadType: 'Linear', ...setup }],
  };
}

export function get(name: string, endpoint: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { requestName: name, requestType: 'URL', method: 'GET', endpoint, ...extra };
}
