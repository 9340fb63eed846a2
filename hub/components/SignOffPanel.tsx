import * as React from 'react';
import { Button } from 'azure-devops-ui/Button';
import { Card } from 'azure-devops-ui/Card';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { TextField } from 'azure-devops-ui/TextField';
import type { SignOff, SignOffEvent } from '../../src/gate/records';
import type { HubUser, ReadinessClient } from '../client/ReadinessClient';
import type { Subject } from '../model/overview';
import { appendEvent, countedEvents, decisionOf, describeSigners, historyCsv, holdsRole, listedByUniqueNameOnly, mayRevoke, requiredRoles, revokeEvent, roleDecisions, signOffEvent } from '../model/signoffs';
import { errorMessage } from './PageState';
import { WaiversCard } from './WaiversCard';

type Action = 'approve' | 'reject' | 'revoke';

/** Per role: the comment being typed and the outcome of the last attempt. A failed save keeps the comment. */
interface RoleDraft {
  comment: string;
  saving?: Action;
  /** The event that was not saved: Retry sends this same event (same id), so it can never land twice. */
  failed?: { action: Action; message: string; target?: SignOff; event: SignOffEvent };
  missingComment?: boolean;
}

const DECISION_COLOR = {
  approved: { red: 16, green: 124, blue: 16 },
  rejected: { red: 209, green: 52, blue: 56 },
  none: undefined,
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

export function SignOffPanel(props: { subject: Subject; user: HubUser; client: ReadinessClient; onSaved: () => void }) {
  const { subject, user, client } = props;
  const [drafts, setDrafts] = React.useState<Record<string, RoleDraft>>({});
  const version = subject.statusDoc?.version;
  const decisions = roleDecisions(subject.signoffs, subject.policy, version);
  const { notCounted } = countedEvents(subject.signoffs, subject.policy);
  const roles = requiredRoles(subject.policy);
  const draft = (role: string): RoleDraft => drafts[role] ?? { comment: '' };
  const update = (role: string, change: Partial<RoleDraft>) =>
    setDrafts((all) => ({ ...all, [role]: { ...(all[role] ?? { comment: '' }), ...change } }));

  async function act(role: string, action: Action, target?: SignOff, retry?: SignOffEvent) {
    const comment = draft(role).comment.trim();
    if (!retry && !comment) {
      update(role, { missingComment: true });
      return;
    }
    update(role, { saving: action, failed: undefined, missingComment: false });
    const event =
      retry ??
      (action === 'revoke' && target
        ? revokeEvent(user, target, comment)
        : signOffEvent(user, { service: subject.service, environment: subject.environment, role, decision: action as 'approve' | 'reject', comment, version }));
    try {
      await client.updateSignOffs(subject.service, subject.environment, appendEvent(subject.service, subject.environment, event));
      update(role, { comment: '', saving: undefined });
      props.onSaved();
    } catch (error) {
      // Nothing is lost silently: the comment stays in the field and the same event can be retried.
      update(role, { saving: undefined, failed: { action, message: errorMessage(error), target, event } });
    }
  }

  return (
    <div className="flex-column" data-testid="signoff-panel">
      <Card titleProps={{ text: version ? `Sign-offs for version ${version}` : 'Sign-offs' }} headerCommandBarItems={[{
        id: 'export-csv',
        text: 'Export audit trail (CSV)',
        iconProps: { iconName: 'Download' },
        onActivate: () => downloadText(`signoffs-${subject.key}.csv`, historyCsv(subject.signoffs), 'text/csv'),
      }]}>
        <div className="flex-column flex-grow">
          {roles.length === 0 ? (
            <p className="readiness-muted">
              {subject.policy ? 'The policy for this service asks for no sign-offs.' : 'No policy roles are published for this service yet, so nobody can sign here. Run the gate (or `readiness serve --policy`) to publish them.'}
            </p>
          ) : null}
          {roles.map((role) => {
            const decision = decisionOf(decisions, role.role);
            const mayAct = holdsRole(role, user);
            const revocable = decision.current.filter((s) => mayRevoke(subject.policy, user, s));
            const d = draft(role.role);
            const ignored = notCounted.filter((e) => e.role === role.role && e.type === 'signoff');
            return (
              <div key={role.role} className="readiness-role" data-role={role.role} data-state={decision.state}>
                <div className="flex-row flex-center">
                  <span className="body-l font-weight-semibold margin-right-8">{role.role}</span>
                  <Pill size={PillSize.compact} variant={decision.state === 'none' ? PillVariant.outlined : PillVariant.colored} color={DECISION_COLOR[decision.state]}>
                    {decision.state === 'approved' ? 'Approved' : decision.state === 'rejected' ? 'Rejected' : 'Pending'}
                  </Pill>
                </div>
                {role.description ? <div className="readiness-muted">{role.description}</div> : null}
                <div className="flex-column body-s" data-testid="decision">
                  {decision.current.length === 0 ? <span className="readiness-muted">No decision yet.</span> : null}
                  {decision.current.map((s) => (
                    <span key={s.id} className="readiness-muted">
                      {s.decision === 'approve' ? 'Approved' : 'Rejected'} by {s.by.name} on {new Date(s.at).toLocaleString()}: “{s.comment}”
                    </span>
                  ))}
                  {ignored.length ? (
                    <span className="readiness-muted" data-testid="not-counted">
                      Not counted: {ignored.map((e) => `${e.by?.name} (${e.by?.id})`).join(', ')}, not listed by user id under {role.role}. The gate counts only
                      signers listed under users, or members of a listed group when it is given that group&apos;s members.
                    </span>
                  ) : null}
                  {decision.voided.length ? (
                    <span className="readiness-muted">{decision.voided.length} sign-off(s) for another version no longer count.</span>
                  ) : null}
                </div>
                {mayAct || revocable.length ? (
                  <div className="flex-column" style={{ marginTop: 8, gap: 6 }}>
                    <TextField
                      className="readiness-comment"
                      multiline
                      rows={2}
                      value={d.comment}
                      placeholder="Comment (required): what you checked and why"
                      ariaLabel={`Comment for ${role.role}`}
                      onChange={(_e, value) => update(role.role, { comment: value, missingComment: false })}
                    />
                    {d.missingComment ? <span className="readiness-invalid">A comment is required.</span> : null}
                    <div className="flex-row" style={{ gap: 8 }}>
                      {mayAct ? <Button text="Approve" primary disabled={!!d.saving} onClick={() => act(role.role, 'approve')} /> : null}
                      {mayAct ? <Button text="Reject" danger disabled={!!d.saving} onClick={() => act(role.role, 'reject')} /> : null}
                      {revocable.map((s) => (
                        <Button key={s.id} text={revocable.length > 1 ? `Revoke ${s.by.name}'s` : 'Revoke'} subtle disabled={!!d.saving} onClick={() => act(role.role, 'revoke', s)} />
                      ))}
                      {d.saving ? <span className="readiness-muted">Saving…</span> : null}
                    </div>
                    {d.failed ? (
                      <MessageCard severity={MessageCardSeverity.Error}>
                        <div className="flex-row flex-center" style={{ gap: 8 }}>
                          <span>Your {d.failed.action} was not saved: {d.failed.message} Your comment is kept.</span>
                          <Button text="Retry" disabled={!!d.saving} onClick={() => act(role.role, d.failed!.action, d.failed!.target, d.failed!.event)} />
                        </div>
                      </MessageCard>
                    ) : null}
                  </div>
                ) : listedByUniqueNameOnly(role, user) ? (
                  <div className="readiness-muted body-s" data-testid="not-signer" data-reason="unique-name" style={{ marginTop: 6 }}>
                    The policy lists your e-mail {user.uniqueName} for {role.role}, but sign-offs are recorded and checked by user id, so the gate
                    would not count yours. Ask for the policy to list your user id instead: <code data-testid="user-id">{user.id}</code>
                  </div>
                ) : (
                  <div className="readiness-muted body-s" data-testid="not-signer" style={{ marginTop: 6 }}>
                    You cannot sign for {role.role}: only {describeSigners(role)} may.
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </Card>
      <Card className="readiness-section" titleProps={{ text: 'Audit trail' }}>
        <AuditTrail subject={subject} />
      </Card>
      <WaiversCard subject={subject} user={user} client={client} onSaved={props.onSaved} />
    </div>
  );
}

function AuditTrail(props: { subject: Subject }) {
  const history = [...(props.subject.signoffs?.history ?? [])].reverse();
  if (history.length === 0) return <p className="readiness-muted">Nobody has signed yet.</p>;
  return (
    <table className="readiness-table" data-testid="audit-trail">
      <thead><tr><th>When</th><th>Who</th><th>Role</th><th>What</th><th>Comment</th></tr></thead>
      <tbody>
        {history.map((e) => (
          <tr key={e.id}>
            <td>{new Date(e.at).toLocaleString()}</td>
            <td>{e.by.name}</td>
            <td>{e.role}</td>
            <td>{e.type === 'signoff' ? (e.decision === 'approve' ? 'approved' : 'rejected') : 'revoked'}</td>
            <td>{e.comment}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
