import * as React from 'react';
import { Button } from 'azure-devops-ui/Button';
import { Card } from 'azure-devops-ui/Card';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { TextField } from 'azure-devops-ui/TextField';
import type { HubUser, ReadinessClient } from '../client/ReadinessClient';
import type { Subject } from '../model/overview';
import { appendWaiver, endOfLocalDay, mayWaive, newWaiver, waiverState } from '../model/signoffs';
import { errorMessage } from './PageState';

interface Draft {
  check: string;
  reason: string;
  until: string;
  saving?: boolean;
  problem?: string;
}

/**
 * Waivers with reason and expiry. An expired waiver stays listed (it is part of the record) but is
 * marked expired and no longer counts. Holders of a check's owner role may waive that check.
 */
export function WaiversCard(props: { subject: Subject; user: HubUser; client: ReadinessClient; onSaved: () => void }) {
  const { subject, user } = props;
  const [draft, setDraft] = React.useState<Draft>({ check: '', reason: '', until: '' });
  const now = Date.now();
  const waivers = [...(subject.waivers?.waivers ?? [])].reverse();
  // Only holders of a check's owner role may waive it (src/gate/signoffs.ts addWaiver).
  const checkIds = [...new Set([...(subject.statusDoc?.checks.map((c) => c.id) ?? []), ...Object.keys(subject.policy?.checkOwners ?? {})])];
  const waivable = checkIds.filter((id) => mayWaive(subject.policy, user, id));

  async function save() {
    const problems: string[] = [];
    if (!draft.check.trim()) problems.push('name the check to waive');
    if (!draft.reason.trim()) problems.push('give a reason');
    // The picker gives a calendar day; the waiver runs to the end of that day where the user is.
    const untilIso = endOfLocalDay(draft.until);
    const until = untilIso ? Date.parse(untilIso) : NaN;
    if (!draft.until || Number.isNaN(until)) problems.push('set an expiry date');
    else if (until <= Date.now()) problems.push('the expiry must be in the future');
    if (problems.length) {
      setDraft({ ...draft, problem: `To add a waiver, ${problems.join(', ')}.` });
      return;
    }
    setDraft({ ...draft, saving: true, problem: undefined });
    try {
      const waiver = newWaiver(user, { check: draft.check.trim(), reason: draft.reason.trim(), until: untilIso! });
      await props.client.updateWaivers(subject.service, subject.environment, appendWaiver(subject.service, subject.environment, waiver));
      setDraft({ check: '', reason: '', until: '' });
      props.onSaved();
    } catch (error) {
      setDraft({ ...draft, saving: false, problem: `The waiver was not saved: ${errorMessage(error)} Your entry is kept; try again.` });
    }
  }

  return (
    <Card className="readiness-section" titleProps={{ text: 'Waivers' }}>
      <div className="flex-column flex-grow" style={{ gap: 8 }}>
        {waivers.length === 0 ? <p className="readiness-muted">No waivers.</p> : (
          <table className="readiness-table" data-testid="waivers">
            <thead><tr><th>Check</th><th>State</th><th>Reason</th><th>By</th><th>Until</th></tr></thead>
            <tbody>
              {waivers.map((w) => {
                const state = waiverState(w, now);
                const expired = state === 'expired';
                return (
                  <tr key={w.id} data-waiver={w.id} className={expired ? 'readiness-expired-row' : ''}>
                    <td className={expired ? 'readiness-expired' : ''}>{w.check}</td>
                    <td>
                      <span className="flex-row"><Pill size={PillSize.compact} variant={state === 'active' ? PillVariant.colored : PillVariant.outlined} color={state === 'active' ? { red: 202, green: 80, blue: 16 } : undefined}>
                        {state === 'active' ? 'Active' : state === 'expired' ? 'Expired' : 'Not yet active'}
                      </Pill></span>
                    </td>
                    <td>{w.reason}</td>
                    <td>{w.by.name}</td>
                    <td>{Number.isFinite(Date.parse(w.until)) ? new Date(w.until).toLocaleDateString() : `not a date (${String(w.until)})`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {waivable.length > 0 ? (
          <div className="flex-column" style={{ gap: 6 }} data-testid="add-waiver">
            <span className="font-weight-semibold">Add a waiver</span>
            <label className="body-s">
              Check{' '}
              <select aria-label="Check to waive" value={draft.check} onChange={(e) => setDraft({ ...draft, check: e.target.value })}>
                <option value="">choose a check…</option>
                {waivable.map((id) => <option key={id} value={id}>{subject.statusDoc?.checks.find((c) => c.id === id)?.title ?? id}</option>)}
              </select>
            </label>
            <TextField value={draft.reason} ariaLabel="Waiver reason" placeholder="Reason (required)" onChange={(_e, v) => setDraft({ ...draft, reason: v })} />
            <label className="body-s">
              Expires on{' '}
              <input type="date" aria-label="Waiver expiry" value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
            </label>
            <div><Button text="Add waiver" disabled={draft.saving} onClick={save} /></div>
            {draft.problem ? <MessageCard severity={MessageCardSeverity.Error}>{draft.problem}</MessageCard> : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}
