import type { Evidence, GateEvidence } from '../../src/evidence/types';
import type { StatusDocument } from '../../src/gate/records';
import type { PolicyDocument } from '../client/ReadinessClient';
import { csvField, requiredRoles } from './signoffs';

/**
 * The sign-off panel's view of Azure Pipelines approvals (Approvals and Checks REST 7.1, "Approval" and
 * "ApprovalStep"): who was asked, who acted, when and why, all recorded by the server. Pure functions, so the
 * rules are tested without a browser.
 */
export interface HubIdentity {
  id: string;
  displayName: string;
  isContainer?: boolean;
}

export interface HubApprovalStep {
  assignedApprover: HubIdentity;
  actualApprover?: HubIdentity;
  status: string;
  comment?: string;
  lastModifiedOn?: string;
}

export interface HubApproval {
  id: string;
  status: string;
  createdOn?: string;
  lastModifiedOn?: string;
  instructions?: string;
  pipeline?: { id?: string; name?: string; owner?: { id?: number | string; name?: string } };
  steps: HubApprovalStep[];
}

/** The run an approval holds: what the dialog names, so the person knows exactly what they let through. */
export interface RunInfo {
  runId: number;
  buildNumber: string;
  commit: string;
  branch?: string;
  url?: string;
}

export interface EvidenceVerdict {
  id: string;
  kind: Evidence['kind'];
  verdict: Evidence['verdict'];
  summary: string;
}

/** A run's scorecard beside its approval: the commit and the verdict of each piece of evidence it produced. */
export interface RunScorecard {
  run: RunInfo;
  /** The gate's verdict in that run for this subject, when the gate ran. */
  gate?: { status: string; level: string | null; checks: Array<{ id: string; title: string; state: string }>; commit?: string };
  evidence: EvidenceVerdict[];
}

/**
 * The roles still to sign, as the gate last saw them: sign-offs are the run's approvals, which only the gate reads,
 * so until a sign-off check passed in its verdict every role the level asks for is pending. Extension-data sign-offs
 * are not consulted: they no longer count.
 */
export function pendingSignOffRoles(policy: PolicyDocument | undefined, status: StatusDocument | undefined): string[] {
  const signoffChecks = (status?.checks ?? []).filter((c) => c.type === 'signoff');
  const signed = status !== undefined && signoffChecks.length > 0 && signoffChecks.every((c) => c.state === 'passed');
  return signed ? [] : requiredRoles(policy).map((r) => r.role);
}

export function runIdOf(approval: HubApproval): number | undefined {
  const id = Number(approval.pipeline?.owner?.id);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

/**
 * Whether an approval gates this subject: its run produced evidence for the service, and its instructions name the
 * environment (`readiness setup` writes "... for <service> in <environment>", the local server "... for
 * <environment>"). This only decides where the hub lists the approval; the gate verifies the approval itself.
 */
export function approvalGates(approval: HubApproval, runEvidence: unknown[], service: string, environment: string): boolean {
  const ours = runEvidence.some((e) => (e as { service?: unknown })?.service === service);
  const named = new RegExp(`(^|[^\\w-])${escapeRegExp(environment)}($|[^\\w-])`, 'i').test(approval.instructions ?? '');
  return ours && named;
}

export function scorecardOf(run: RunInfo, runEvidence: unknown[], service: string, environment: string): RunScorecard {
  const mine = runEvidence.filter(
    (e): e is Evidence => !!e && typeof e === 'object' && (e as Evidence).service === service && typeof (e as Evidence).kind === 'string',
  );
  // The gate may run several times in one run (a re-run, or locally after each decision): the newest verdict counts.
  const gate = mine
    .filter((e): e is GateEvidence => e.kind === 'gate' && e.environment === environment)
    .sort((a, b) => String(b.finishedAt).localeCompare(String(a.finishedAt)))[0];
  // One line per kind: the newest piece of this environment's evidence (a run may check the docs once per environment).
  const newest = new Map<string, Evidence>();
  for (const e of mine) {
    if (e.kind === 'gate' || e.environment !== environment) continue;
    const seen = newest.get(e.kind);
    if (!seen || String(e.finishedAt) > String(seen.finishedAt)) newest.set(e.kind, e);
  }
  const evidence = [...newest.values()].map((e) => ({ id: e.id, kind: e.kind, verdict: e.verdict, summary: e.summary }));
  return {
    run,
    evidence,
    gate: gate
      ? {
          status: gate.metrics.status,
          level: gate.metrics.level,
          checks: (gate.metrics.checks ?? []).map((c) => ({ id: c.id, title: c.title, state: c.state })),
          commit: (gate.metrics as { commit?: string }).commit,
        }
      : undefined,
  };
}

/** The policy role a step was assigned to (the role whose group it names), else the approver's own name. */
export function roleOfStep(policy: PolicyDocument | undefined, step: HubApprovalStep): string {
  const name = step.assignedApprover?.displayName ?? '';
  const role = policy?.roles.find(
    (r) => r.groups.some((g) => g.toLowerCase() === name.toLowerCase()) || r.users.some((u) => u.toLowerCase() === step.assignedApprover?.id?.toLowerCase()),
  );
  return role?.role ?? name;
}

/** One line of the history: a decided step of a completed (or partly decided) approval. */
export interface DecisionRow {
  approvalId: string;
  runId?: number;
  role: string;
  status: string;
  by: string;
  comment: string;
  at?: string;
}

export function decisionRows(approvals: HubApproval[], policy: PolicyDocument | undefined): DecisionRow[] {
  return approvals
    .flatMap((a) =>
      a.steps
        .filter((s) => s.status !== 'pending' && s.status !== 'uninitiated')
        .map((s) => ({
          approvalId: a.id,
          runId: runIdOf(a),
          role: roleOfStep(policy, s),
          status: s.status,
          // Only the server's record of who acted counts; a step with no actual approver shows as such.
          by: s.actualApprover ? `${s.actualApprover.displayName} (${s.actualApprover.id})` : 'nobody recorded',
          comment: s.comment ?? '',
          at: s.lastModifiedOn ?? a.lastModifiedOn,
        })),
    )
    .sort((x, y) => String(y.at ?? '').localeCompare(String(x.at ?? '')));
}

/** The decisions as CSV, newest first, for the audit trail export. */
export function approvalsCsv(rows: DecisionRow[]): string {
  const header = ['at', 'run', 'approval', 'role', 'decision', 'by', 'comment'];
  const lines = rows.map((r) => [r.at ?? '', r.runId === undefined ? '' : String(r.runId), r.approvalId, r.role, r.status, r.by, r.comment]);
  return [header, ...lines].map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The gate's verdicts for this subject, newest first: the other half of the history. */
export function gateHistory(evidence: Evidence[], environment: string): Array<{ id: string; at: string; status: string; runId?: number; commit?: string; url?: string }> {
  return evidence
    .filter((e): e is GateEvidence => e.kind === 'gate' && e.environment === environment)
    .map((g) => ({
      id: g.id,
      at: g.finishedAt,
      status: g.metrics.status,
      runId: (g.metrics as { runId?: number }).runId ?? (Number(g.run?.runId) || undefined),
      commit: (g.metrics as { commit?: string }).commit,
      url: g.run?.url,
    }))
    .sort((a, b) => b.at.localeCompare(a.at));
}

export function shortCommit(commit: string | undefined): string {
  return commit ? commit.slice(0, 12) : 'unknown commit';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
