import type { DocsEvidence, DrillEvidence, LoadTestEvidence } from '../../src/evidence/types';
import type { Approval, ApprovalStep } from '../../src/azdo/approvals';
import type { RunApprovals } from '../../src/gate/approvals';
import type { SignOffEvent, Waiver } from '../../src/gate/records';

/** Builders of realistic documents for gate tests; each test overrides only what it is about. */
export const NOW = new Date('2026-11-26T12:00:00.000Z');
export const DAY = 24 * 60 * 60 * 1000;

export function daysBefore(days: number, from: Date = NOW): string {
  return new Date(from.getTime() - days * DAY).toISOString();
}

let counter = 0;
/** Evidence ids are uuids (the evidence schema says so); the counter keeps them distinct and readable. */
const nextId = (_kind: string) => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export function loadtest(o: { service?: string; environment?: string; ageDays?: number; finishedAt?: string; verdict?: LoadTestEvidence['verdict']; p95?: number; p99?: number; errorPercentage?: number; testId?: string; requests?: Array<{ name: string; p95: number }> } = {}): LoadTestEvidence {
  const finishedAt = o.finishedAt ?? daysBefore(o.ageDays ?? 1);
  const latency = (p95: number, p99 = p95 * 2) => ({ min: 5, avg: p95 / 2, p50: p95 / 2, p75: p95 * 0.8, p90: p95 * 0.9, p95, p99, p999: p99, max: p99 * 2 });
  const stats = (name: string, p95: number, p99?: number) => ({ name, requests: 1000, errors: 2, httpErrors: 2, networkErrors: 0, errorPercentage: o.errorPercentage ?? 0.2, rps: 100, latencyMs: latency(p95, p99) });
  return {
    schemaVersion: 1,
    id: nextId('loadtest'),
    kind: 'loadtest',
    service: o.service ?? 'checkout',
    environment: o.environment ?? 'staging',
    run: { url: 'https://dev.azure.com/org/proj/_build/results?buildId=1' },
    startedAt: finishedAt,
    finishedAt,
    verdict: o.verdict ?? 'passed',
    summary: o.verdict === 'failed' ? 'p95(response_time_ms) > 300 held: p95 was 450 ms' : 'All criteria held.',
    criteria: [],
    metrics: {
      engine: 'local',
      model: 'closed',
      testId: o.testId ?? 'checkout-load',
      virtualUsers: 10,
      durationSeconds: 60,
      cancelled: false,
      totals: stats('Total', o.p95 ?? 200, o.p99),
      requests: (o.requests ?? []).map((r) => stats(r.name, r.p95)),
      timeline: [],
    },
    links: [],
  };
}

export function drill(o: { service?: string; ageDays?: number; finishedAt?: string; verdict?: DrillEvidence['verdict']; rtoSeconds?: number | null; rpoSeconds?: number | null } = {}): DrillEvidence {
  const finishedAt = o.finishedAt ?? daysBefore(o.ageDays ?? 2);
  return {
    schemaVersion: 1,
    id: nextId('drill'),
    kind: 'drill',
    service: o.service ?? 'checkout',
    environment: 'staging',
    run: {},
    startedAt: finishedAt,
    finishedAt,
    verdict: o.verdict ?? 'passed',
    summary: o.verdict === 'failed' ? 'Restore failed: the backup could not be read.' : 'Restored and probed within targets.',
    criteria: [],
    metrics: {
      provider: 'postgres',
      targets: { rtoSeconds: 900, rpoSeconds: 300 },
      rtoSeconds: o.rtoSeconds === undefined ? 240 : o.rtoSeconds,
      rpoSeconds: o.rpoSeconds === undefined ? 30 : o.rpoSeconds,
      rpoMethod: 'heartbeat',
      backup: { location: '/tmp/backup' },
      steps: [],
      probes: [],
      cleanup: { status: 'done', leftBehind: [], detail: '' },
      cancelled: false,
    },
    links: [],
  };
}

export function docs(o: { service?: string; ageDays?: number; verdict?: DocsEvidence['verdict']; root?: string; findings?: DocsEvidence['metrics']['findings'] } = {}): DocsEvidence {
  const finishedAt = daysBefore(o.ageDays ?? 0);
  const findings = o.findings ?? (o.verdict === 'failed' ? [{ file: 'RUNBOOK.md', rule: 'missing-heading', severity: 'error' as const, message: 'has no "Rollback" heading' }] : []);
  return {
    schemaVersion: 1,
    id: nextId('docs'),
    kind: 'docs',
    service: o.service ?? 'checkout',
    environment: 'production',
    run: {},
    startedAt: finishedAt,
    finishedAt,
    verdict: o.verdict ?? 'passed',
    summary: o.verdict === 'failed' ? '1 documentation problem in 3 file(s) checked.' : '3 file(s) checked; every documentation rule holds.',
    criteria: [],
    metrics: { root: o.root ?? '.', filesChecked: ['README.md', 'RUNBOOK.md'], findings, reviewed: [] },
    links: [],
  };
}

export function signoff(o: { role: string; decision?: 'approve' | 'reject'; by?: string; ageDays?: number; at?: string; version?: string; environment?: string; service?: string; id?: string }): SignOffEvent {
  const by = o.by ?? `${o.role}-lead`;
  return {
    type: 'signoff',
    id: o.id ?? nextId('signoff'),
    role: o.role,
    decision: o.decision ?? 'approve',
    by: { id: by, name: by.replace(/-/g, ' ') },
    at: o.at ?? daysBefore(o.ageDays ?? 0.5),
    comment: o.decision === 'reject' ? 'Capacity plan not reviewed.' : 'Reviewed the evidence.',
    for: { service: o.service ?? 'checkout', environment: o.environment ?? 'production', ...(o.version === undefined ? { version: '1.4.0' } : o.version ? { version: o.version } : {}) },
  };
}

export function revoke(target: SignOffEvent, o: { ageDays?: number; at?: string } = {}): SignOffEvent {
  return { type: 'revoke', id: nextId('revoke'), revokes: target.id, role: target.role, by: target.by, at: o.at ?? daysBefore(o.ageDays ?? 0.1), comment: 'Signed the wrong build.' };
}

/** A repository waiver (src/gate/waivers.ts): it names the owner role that waives; `at` is its `from`. */
export function waiver(o: { check: string; until: string; at?: string; reason?: string; role?: string }): Waiver {
  const role = o.role ?? 'operations';
  return { id: nextId('waiver'), check: o.check, role, reason: o.reason ?? 'Drill environment is being rebuilt; tracked in ticket 42.', by: { id: 'repository:readiness.waivers.yml', name: `readiness.waivers.yml (role ${role})` }, at: o.at ?? daysBefore(3), until: o.until };
}

export const RUN_ID = 42;
export const COMMIT = '3f9c2a1b7d5e4c6f8a0b1c2d3e4f5a6b7c8d9e0f';

/** One step of an approval as the server records it: assigned to a user id or a group name (`[Project]\Group`). */
export function step(o: { assigned: string; by?: string | null; status?: ApprovalStep['status']; comment?: string; at?: string }): ApprovalStep {
  const group = o.assigned.startsWith('[');
  const actor = o.by === undefined ? (group ? undefined : o.assigned) : o.by ?? undefined;
  const status = o.status ?? 'approved';
  return {
    assignedApprover: { id: group ? `group-${o.assigned}` : o.assigned, displayName: o.assigned, ...(group ? { isContainer: true } : {}) },
    ...(actor && status !== 'pending' ? { actualApprover: { id: actor, displayName: actor.replace(/-/g, ' ') } } : {}),
    status,
    comment: o.comment ?? (status === 'rejected' ? 'Capacity plan not reviewed.' : 'Reviewed the scorecard.'),
    lastModifiedOn: o.at ?? daysBefore(0.5),
    history: [],
  };
}

/** An approval of run `runId` (default RUN_ID); its status follows its steps unless given. */
export function approval(steps: ApprovalStep[], o: { runId?: number; status?: Approval['status']; id?: string } = {}): Approval {
  const status = o.status ?? (steps.some((s) => s.status === 'rejected') ? 'rejected' : steps.every((s) => s.status === 'approved') ? 'approved' : 'pending');
  return { id: o.id ?? nextId('approval'), status, steps, pipeline: { id: '7', name: 'checkout', owner: { id: o.runId ?? RUN_ID, name: `20261126.${o.runId ?? RUN_ID}` } } };
}

export function runApprovals(approvals: Approval[], runId = RUN_ID): RunApprovals {
  return { runId, commit: COMMIT, approvals };
}
