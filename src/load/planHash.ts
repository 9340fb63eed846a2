import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { LoadShape } from './loadShape';
import type { Template } from './template';
import type { UrlTestPlan } from './urlTest';

/**
 * A fingerprint of what a load test sends and how hard: every request (method, endpoint, query, headers, body,
 * in order) and every load shape. Two runs with the same hash ran the same test, so their figures compare
 * (src/regression/baseline.ts). Durations are left out on purpose: a longer run of the same test is what an
 * inconclusive comparison asks for, and it must still compare. Secret values are replaced by their names before
 * hashing, so the hash never carries (or lets anyone guess) a secret.
 */
export function planHash(plan: UrlTestPlan, secrets: Readonly<Record<string, string>> = {}): string {
  const hidden = Object.entries(secrets).filter(([, value]) => value.length > 0).sort((a, b) => b[1].length - a[1].length);
  const clean = (text: string): string => hidden.reduce((out, [name, value]) => out.split(value).join(`\${secret:${name}}`), text);
  const template = (t: Template | undefined): string | null => (t ? clean(JSON.stringify([t.parts, t.names, t.encode])) : null);
  const canonical = plan.setups.map(({ scenario, shape }) => ({
    scenario: scenario.name,
    requests: scenario.requests.map((r) => ({
      name: r.name,
      method: r.method,
      endpoint: template(r.endpoint),
      query: r.query.map((q) => [q.key, template(q.value)]),
      headers: r.headers.map((h) => [h.name.toLowerCase(), template(h.value)]),
      body: template(r.body),
    })),
    csv: scenario.csv.map((c) => [path.basename(c.file), c.variableNames]),
    shape: shapeWithoutDuration(shape),
  }));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export function shapeWithoutDuration(shape: LoadShape): Record<string, unknown> {
  const { durationSeconds: _duration, ...rest } = shape;
  // Code-point order, not localeCompare: the first localeCompare of a process loads ICU's collator (about 6 ms of
  // CPU). For these camelCase keys both orders agree (a test checks it), so hashes recorded before still match.
  return Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
