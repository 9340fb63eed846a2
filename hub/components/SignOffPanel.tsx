import * as React from 'react';
import { Button } from 'azure-devops-ui/Button';
import { Card } from 'azure-devops-ui/Card';
import { Dialog } from 'azure-devops-ui/Dialog';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { TextField } from 'azure-devops-ui/TextField';
import type { HubUser, ReadinessClient } from '../client/ReadinessClient';
import {
  approvalGates, approvalsCsv, decisionRows, gateHistory, roleOfStep, runIdOf, scorecardOf, shortCommit, type HubApproval, type RunScorecard,
} from '../model/approvals';
import type { Subject } from '../model/overview';
import { errorMessage, PageState } from './PageState';
import { WaiversCard } from './WaiversCard';

/**
 * Sign-offs are Azure Pipelines approvals (DESIGN.md "Trust"): this panel lists the pending approvals of the
 * service's runs, each beside that run's scorecard, and decides them through the Approvals API as the signed-in
 * user, only after a dialog naming the run and the commit. Azure DevOps records who approved; nothing here writes
 * a sign-off of its own. The history is the completed approvals and the gate's verdicts.
 */
interface PendingItem {
  approval: HubApproval;
  scorecard: RunScorecard;
}

interface Loaded {
  pending: PendingItem[];
  completed: HubApproval[];
}

interface Confirming {
  item: PendingItem;
  status: 'approved' | 'rejected';
  comment: string;
  saving: boolean;
  error?: string;
}

const COLORS = {
  approved: { red: 16, green: 124, blue: 16 },
  rejected: { red: 209, green: 52, blue: 56 },
};

export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function loadApprovals(client: ReadinessClient, subject: Subject): Promise<Loaded> {
  const approvals = client.approvals;
  const [pending, completed, project] = await Promise.all([
    approvals.listApprovals('pending'),
    approvals.listApprovals('completed'),
    approvals.projectName(),
  ]);
  const evidenceOf = new Map<number, Promise<unknown[]>>();
  const runEvidence = (runId: number) => {
    if (!evidenceOf.has(runId)) evidenceOf.set(runId, client.runEvidence({ project, buildId: runId }));
    return evidenceOf.get(runId)!;
  };
  const gating = async (a: HubApproval) => {
    const runId = runIdOf(a);
    return runId !== undefined && approvalGates(a, await runEvidence(runId), subject.service, subject.environment);
  };
  // A project's approvals span every service; each run's evidence is read once, all runs at the same time.
  const [pendingGates, completedGates] = await Promise.all([Promise.all(pending.map(gating)), Promise.all(completed.map(gating))]);
  const items = await Promise.all(
    pending
      .filter((_, i) => pendingGates[i])
      .map(async (approval): Promise<PendingItem> => {
        const runId = runIdOf(approval)!;
        const [run, evidence] = await Promise.all([approvals.run(runId), runEvidence(runId)]);
        return { approval, scorecard: scorecardOf(run, evidence, subject.service, subject.environment) };
      }),
  );
  return { pending: items, completed: completed.filter((_, i) => completedGates[i]) };
}

export function SignOffPanel(props: { subject: Subject; user: HubUser; client: ReadinessClient; onSaved: () => void }) {
  const { subject, client } = props;
  const [state, setState] = React.useState<PageState<Loaded>>({ kind: 'loading' });
  const [confirming, setConfirming] = React.useState<Confirming | undefined>();

  const load = React.useCallback(async () => {
    try {
      setState({ kind: 'ready', data: await loadApprovals(client, subject) });
    } catch (error) {
      setState({ kind: 'error', message: errorMessage(error) });
    }
  }, [client, subject]);
  React.useEffect(() => {
    void load();
  }, [load]);

  async function confirm() {
    if (!confirming || !confirming.comment.trim()) return;
    setConfirming({ ...confirming, saving: true, error: undefined });
    try {
      await client.approvals.decide(confirming.item.approval.id, confirming.status, confirming.comment.trim());
      setConfirming(undefined);
      await load();
      props.onSaved();
    } catch (error) {
      // The dialog stays open with the comment, so nothing typed is lost and the person can retry or cancel.
      setConfirming((c) => (c ? { ...c, saving: false, error: errorMessage(error) } : c));
    }
  }

  return (
    <div className="flex-column" data-testid="signoff-panel">
      <Card titleProps={{ text: 'Pending approvals' }}>
        <div className="flex-column flex-grow" data-testid="pending-approvals">
          {state.kind === 'loading' ? <span className="readiness-muted">Reading the approvals…</span> : null}
          {state.kind === 'error' ? (
            <MessageCard severity={MessageCardSeverity.Error}>
              <span data-testid="approvals-error">{state.message}</span>
            </MessageCard>
          ) : null}
          {state.kind === 'ready' && state.data.pending.length === 0 ? (
            <p className="readiness-muted" data-testid="no-pending">
              No run of {subject.service} is waiting for approval to {subject.environment}. A run waits here when it reaches an environment whose
              Approvals check `readiness setup` created.
            </p>
          ) : null}
          {state.kind === 'ready'
            ? state.data.pending.map((item) => (
                <PendingApproval
                  key={item.approval.id}
                  item={item}
                  subject={subject}
                  onDecide={(status) => setConfirming({ item, status, comment: '', saving: false })}
                />
              ))
            : null}
        </div>
      </Card>
      <Card
        className="readiness-section"
        titleProps={{ text: 'History' }}
        headerCommandBarItems={[{
          id: 'export-csv',
          text: 'Export audit trail (CSV)',
          iconProps: { iconName: 'Download' },
          onActivate: () => downloadText(`approvals-${subject.key}.csv`, approvalsCsv(decisionRows(state.kind === 'ready' ? state.data.completed : [], subject.policy)), 'text/csv'),
        }]}
      >
        <History subject={subject} completed={state.kind === 'ready' ? state.data.completed : []} />
      </Card>
      <WaiversCard subject={subject} user={props.user} client={client} onSaved={props.onSaved} />
      {confirming ? (
        <Dialog
          titleProps={{ text: `${confirming.status === 'approved' ? 'Approve' : 'Reject'} run ${confirming.item.scorecard.run.buildNumber}?` }}
          onDismiss={() => !confirming.saving && setConfirming(undefined)}
          footerButtonProps={[
            { text: 'Cancel', onClick: () => setConfirming(undefined), disabled: confirming.saving },
            {
              text: confirming.status === 'approved' ? 'Approve' : 'Reject',
              primary: confirming.status === 'approved',
              danger: confirming.status === 'rejected',
              disabled: confirming.saving || !confirming.comment.trim(),
              onClick: () => void confirm(),
            },
          ]}
        >
          <div className="flex-column" data-testid="confirm-dialog" style={{ gap: 8, maxWidth: 520 }}>
            <span>
              You {confirming.status === 'approved' ? 'approve' : 'reject'} <strong>{subject.service}</strong> for <strong>{subject.environment}</strong> as built by run{' '}
              <strong data-testid="confirm-run">{confirming.item.scorecard.run.buildNumber}</strong> (id {confirming.item.scorecard.run.runId}) from commit{' '}
              <code data-testid="confirm-commit">{confirming.item.scorecard.run.commit || 'unknown'}</code>.
            </span>
            <span className="readiness-muted">Azure DevOps records you as the approver. Your decision counts for this run only.</span>
            <TextField
              multiline
              rows={3}
              value={confirming.comment}
              placeholder="Comment (required): what you checked and why"
              ariaLabel="Comment"
              onChange={(_e, value) => setConfirming((c) => (c ? { ...c, comment: value } : c))}
            />
            {confirming.error ? (
              <MessageCard severity={MessageCardSeverity.Error}>
                <span data-testid="decide-error">Not saved: {confirming.error}</span>
              </MessageCard>
            ) : null}
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}

function PendingApproval(props: { item: PendingItem; subject: Subject; onDecide: (status: 'approved' | 'rejected') => void }) {
  const { approval, scorecard } = props.item;
  const policy = props.subject.policy;
  return (
    <div className="readiness-role" data-approval={approval.id} data-run={scorecard.run.runId}>
      <div className="flex-row flex-center" style={{ gap: 8 }}>
        <span className="body-l font-weight-semibold">Run {scorecard.run.buildNumber}</span>
        <span className="readiness-muted" data-testid="run-commit">commit {shortCommit(scorecard.run.commit)}{scorecard.run.branch ? ` on ${scorecard.run.branch.replace(/^refs\/heads\//, '')}` : ''}</span>
        {scorecard.run.url ? <a href={scorecard.run.url} target="_blank" rel="noopener noreferrer">open run</a> : null}
      </div>
      <div className="readiness-grid" style={{ marginTop: 8 }}>
        <div className="flex-column body-s" data-testid="steps">
          <span className="font-weight-semibold">Approvals</span>
          {approval.steps.map((step, i) => (
            <span key={i} data-role={roleOfStep(policy, step)} data-step-state={step.status}>
              {roleOfStep(policy, step)}: {step.status}
              {step.actualApprover ? ` by ${step.actualApprover.displayName}` : ''}
              {step.comment ? ` (“${step.comment}”)` : ''}
            </span>
          ))}
        </div>
        <Scorecard scorecard={scorecard} />
      </div>
      <div className="flex-row" style={{ gap: 8, marginTop: 8 }}>
        <Button text="Approve" primary onClick={() => props.onDecide('approved')} />
        <Button text="Reject" danger onClick={() => props.onDecide('rejected')} />
      </div>
    </div>
  );
}

function Scorecard(props: { scorecard: RunScorecard }) {
  const { gate, evidence } = props.scorecard;
  return (
    <div className="flex-column body-s" data-testid="scorecard">
      <span className="font-weight-semibold">
        Scorecard{gate ? `: ${gate.status}${gate.level ? ` (level ${gate.level})` : ''}` : ': the gate has not run'}
      </span>
      {gate?.checks.map((c) => (
        <span key={c.id} data-check={c.id} data-check-state={c.state}>{c.title}: {c.state}</span>
      ))}
      {evidence.map((e) => (
        <div key={e.id} className="flex-row flex-center" style={{ gap: 6 }} data-evidence={e.kind} data-verdict={e.verdict}>
          <Pill size={PillSize.compact} variant={PillVariant.colored} color={e.verdict === 'passed' ? COLORS.approved : COLORS.rejected}>{e.verdict}</Pill>
          <span>{e.kind}: {e.summary}</span>
        </div>
      ))}
      {!gate && evidence.length === 0 ? <span className="readiness-muted">This run published no evidence for the service.</span> : null}
    </div>
  );
}

function History(props: { subject: Subject; completed: HubApproval[] }) {
  const rows = decisionRows(props.completed, props.subject.policy);
  const verdicts = gateHistory(props.subject.evidence, props.subject.environment);
  return (
    <div className="flex-column" style={{ gap: 12 }}>
      {rows.length === 0 ? (
        <p className="readiness-muted">No approval for this service has been decided yet.</p>
      ) : (
        <table className="readiness-table" data-testid="audit-trail">
          <thead><tr><th>When</th><th>Run</th><th>Role</th><th>Decision</th><th>By (recorded by Azure DevOps)</th><th>Comment</th></tr></thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${r.approvalId}-${i}`} data-decision={r.status}>
                <td>{r.at ? new Date(r.at).toLocaleString() : ''}</td>
                <td>{r.runId ?? ''}</td>
                <td>{r.role}</td>
                <td>{r.status}</td>
                <td>{r.by}</td>
                <td>{r.comment}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {verdicts.length ? (
        <table className="readiness-table" data-testid="gate-history">
          <thead><tr><th>Gate ran</th><th>Run</th><th>Commit</th><th>Verdict</th></tr></thead>
          <tbody>
            {verdicts.map((v) => (
              <tr key={v.id}>
                <td>{new Date(v.at).toLocaleString()}</td>
                <td>{v.runId ?? ''}</td>
                <td><code>{shortCommit(v.commit)}</code></td>
                <td>{v.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
