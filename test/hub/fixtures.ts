import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DocsEvidence, DrillEvidence, GateEvidence, LoadTestEvidence, RequestStats } from '../../src/evidence/types';
import { Collections, SignOffDocument, StatusDocument, WaiverDocument, subjectKey } from '../../src/gate/records';
import type { StoredDocument } from '../../src/store/documentStore';
import { FileDocumentStore } from '../../src/store/fileStore';

const asDoc = (e: object) => e as unknown as StoredDocument;

/** Evidence ids are UUIDs (the schema says so); fixtures derive stable ones from readable names. */
export function uuidFor(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A seeded store for the hub tests: three services in two environments with load-test, drill, docs and
 * gate evidence, a policy with roles (the example from docs/hub.md), sign-offs, and an expired waiver.
 */
const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

function stats(name: string, p95: number, rps: number): RequestStats {
  return {
    name, requests: rps * 60, errors: 3, httpErrors: 3, networkErrors: 0, errorPercentage: 3 / (rps * 60) * 100, rps,
    latencyMs: { min: 4, avg: p95 / 2, p50: p95 / 2.5, p75: p95 / 1.6, p90: p95 / 1.1, p95, p99: p95 * 1.4, p999: p95 * 2, max: p95 * 3 },
  };
}

export function loadTestEvidence(service: string, environment: string, runId = '101'): LoadTestEvidence {
  return {
    schemaVersion: 1, id: uuidFor(`lt-${service}-${environment}`), kind: 'loadtest', service, environment,
    run: { project: 'local', pipeline: 'checkout-ci', runId, url: `https://dev.azure.com/contoso/local/_build/results?buildId=${runId}` },
    startedAt: iso(3_660_000), finishedAt: iso(3_600_000), verdict: 'passed',
    summary: 'All 2 criteria passed over 60 s at 40 req/s.',
    criteria: [
      { expression: 'p95(response_time_ms) > 300', actual: 212.5, threshold: 300, failed: false, explanation: 'p95 response time was 212.5 ms, within the limit of 300 ms.' },
      { expression: 'percentage(error) > 5', actual: 0.13, threshold: 5, failed: false, explanation: 'Errors were 0.13 % of requests, within the limit of 5 %.' },
    ],
    metrics: {
      engine: 'local', model: 'closed', testId: 'checkout-smoke', virtualUsers: 20, durationSeconds: 60, cancelled: false,
      totals: stats('Total', 212.5, 40), requests: [stats('GetCart', 180, 25), stats('PostOrder', 260, 15)],
      timeline: Array.from({ length: 60 }, (_, second) => ({
        second, requests: 38 + (second % 5), errors: second === 30 ? 3 : 0, activeUsers: 20,
        latencyMs: { p50: 80 + (second % 7), p90: 180 + (second % 11), p95: 205 + (second % 13), p99: 290 + (second % 17), max: 600 },
      })),
      generator: { cpuPercent: 12.5, eventLoopDelayP99Ms: 1.4, eventLoopDelayMaxMs: 6.2, cpuPressurePercent: 3 },
    },
    links: [{ name: 'HTML report', url: 'https://example.invalid/report.html' }],
  };
}

export function drillEvidence(service: string, environment: string, runId = '102'): DrillEvidence {
  const step = (name: string, seconds: number) => ({ name, startedAt: iso(7_200_000), durationMs: seconds * 1000, status: 'passed' as const, detail: `${name} finished` });
  return {
    schemaVersion: 1, id: uuidFor(`dr-${service}-${environment}`), kind: 'drill', service, environment,
    run: { project: 'local', runId }, startedAt: iso(7_300_000), finishedAt: iso(7_200_000), verdict: 'passed',
    summary: 'Restored in 42.5 s (RTO target 300 s) losing 3.2 s of data (RPO target 60 s).',
    criteria: [],
    metrics: {
      provider: 'postgres', targets: { rtoSeconds: 300, rpoSeconds: 60 }, rtoSeconds: 42.5, rpoSeconds: 3.2, rpoMethod: 'heartbeat',
      backup: { location: '/tmp/backup.dump', sizeBytes: 1_048_576 },
      steps: [step('preflight', 1.2), step('backup', 12.4), step('restore', 27.9), step('start', 2.2), step('probes', 0.8), step('cleanup', 0.4)],
      probes: [
        { name: 'orders table has rows', type: 'sql', status: 'passed', detail: 'expected > 0 rows, found 1000', durationMs: 40 },
        { name: 'health endpoint', type: 'http', status: 'passed', detail: 'expected 200, got 200', durationMs: 25 },
      ],
      cleanup: { status: 'done', leftBehind: [], detail: 'Removed the scratch database.' },
      cancelled: false,
    },
    links: [],
  };
}

export function docsEvidence(service: string, environment: string): DocsEvidence {
  return {
    schemaVersion: 1, id: uuidFor(`docs-${service}-${environment}`), kind: 'docs', service, environment, run: {},
    startedAt: iso(86_400_000), finishedAt: iso(86_400_000), verdict: 'failed', summary: '1 error, 1 warning in 2 runbooks.',
    criteria: [],
    metrics: {
      root: 'docs/runbooks', filesChecked: ['docs/runbooks/restore.md', 'docs/runbooks/oncall.md'],
      findings: [
        { file: 'docs/runbooks/restore.md', line: 12, rule: 'missing-heading', severity: 'error', message: 'The runbook has no "Rollback" section.' },
        { file: 'docs/runbooks/oncall.md', rule: 'stale', severity: 'warning', message: 'Last reviewed 220 days ago (limit 180).' },
      ],
      reviewed: [{ file: 'docs/runbooks/oncall.md', lastReviewed: '2026-04-20', ageDays: 220 }],
    },
    links: [],
  };
}

export function statusDocument(service: string, environment: string, status: StatusDocument['status'], level: string | null): StatusDocument {
  return {
    id: subjectKey(service, environment), service, environment, status, level, requiredLevel: 'gold', evaluatedAt: iso(600_000),
    checks: [
      { id: 'load', title: 'Load test', type: 'loadtest', state: 'passed', reason: 'The newest load test passed all criteria.', evidence: [{ id: uuidFor(`lt-${service}-${environment}`), kind: 'loadtest', finishedAt: iso(3_600_000) }] },
      { id: 'drill', title: 'DR drill', type: 'drill', state: status === 'ready' ? 'passed' : 'failed', reason: status === 'ready' ? 'Restored within RTO and RPO.' : 'No drill within 30 days.', evidence: [] },
    ],
  };
}

export function gateEvidence(service: string, environment: string, runId: string): GateEvidence {
  const s = statusDocument(service, environment, 'ready', 'gold');
  return {
    schemaVersion: 1, id: uuidFor(`gate-${service}-${environment}`), kind: 'gate', service, environment, run: { runId },
    startedAt: iso(600_000), finishedAt: iso(600_000), verdict: 'passed', summary: 'Ready at level gold.', criteria: [],
    metrics: { policyFile: 'readiness.yaml', level: 'gold', requiredLevel: 'gold', enforcement: 'block', status: 'ready', evaluatedAt: iso(600_000), checks: s.checks },
    links: [],
  };
}

/** The policy roles document shown in docs/hub.md, so the documentation cannot drift from what the tests use. */
export async function examplePolicyDocument(): Promise<Record<string, unknown>> {
  const markdown = await fs.readFile(path.join(__dirname, '..', '..', 'docs', 'hub.md'), 'utf8');
  const match = /<!-- policy-document -->\s*```json\n([\s\S]*?)```/.exec(markdown);
  if (!match) throw new Error('docs/hub.md lost its policy-document example');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

export async function seedStore(dir: string): Promise<void> {
  const store = new FileDocumentStore(dir);
  await store.setDocument(Collections.evidence, asDoc(loadTestEvidence('checkout', 'prod')));
  await store.setDocument(Collections.evidence, asDoc(drillEvidence('checkout', 'prod')));
  await store.setDocument(Collections.evidence, asDoc(docsEvidence('checkout', 'prod')));
  await store.setDocument(Collections.evidence, asDoc(gateEvidence('checkout', 'prod', '101')));
  await store.setDocument(Collections.evidence, asDoc(loadTestEvidence('search', 'staging', '201')));
  await store.setDocument(Collections.evidence, asDoc({ ...loadTestEvidence('payments', 'prod', '301'), id: uuidFor('broken-1'), metrics: { engine: 'local' } }));
  await store.setDocument(Collections.status, statusDocument('checkout', 'prod', 'ready', 'gold'));
  await store.setDocument(Collections.status, statusDocument('payments', 'prod', 'not-ready', 'bronze'));
  await store.setDocument(Collections.status, statusDocument('search', 'staging', 'warn', 'silver'));
  const policy = await examplePolicyDocument();
  for (const [service, environment] of [['checkout', 'prod'], ['payments', 'prod'], ['search', 'staging']]) {
    await store.setDocument('policies', { ...policy, id: subjectKey(service, environment), service, environment });
  }
  const signoffs: SignOffDocument = {
    id: subjectKey('checkout', 'prod'), service: 'checkout', environment: 'prod',
    history: [{ type: 'signoff', id: 'so-1', role: 'security', decision: 'approve', by: { id: 'bob', name: 'Bob Builder' }, at: iso(1_800_000), comment: 'Pen test report reviewed.', for: { service: 'checkout', environment: 'prod' } }],
  };
  await store.setDocument(Collections.signoffs, signoffs);
  const waivers: WaiverDocument = {
    id: subjectKey('checkout', 'prod'), service: 'checkout', environment: 'prod',
    waivers: [
      { id: 'w-expired', check: 'docs', reason: 'Runbook rewrite in progress', by: { id: 'alice', name: 'Alice Approver' }, at: iso(40 * 86_400_000), until: iso(86_400_000) },
      { id: 'w-active', check: 'drill', reason: 'Drill environment rebuilt this week', by: { id: 'alice', name: 'Alice Approver' }, at: iso(86_400_000), until: new Date(now + 7 * 86_400_000).toISOString() },
    ],
  };
  await store.setDocument(Collections.waivers, waivers);
}
