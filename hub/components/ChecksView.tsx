import { isWebUrl } from '../../src/evidence/links';
import * as React from 'react';
import { Status, Statuses, StatusSize, IStatusProps } from 'azure-devops-ui/Status';
import type { CheckOutcome, CheckState } from '../../src/evidence/types';

const STATE_STATUS: Record<CheckState, IStatusProps> = {
  passed: Statuses.Success,
  failed: Statuses.Failed,
  waived: Statuses.Warning,
  missing: Statuses.Skipped,
  stale: Statuses.Warning,
};

/** The gate's checks: state, the sentence saying why, and links to the evidence that decided it. */
export function ChecksView(props: { checks: CheckOutcome[]; onOpenEvidence?: (id: string) => void }) {
  if (props.checks.length === 0) return <p className="readiness-muted">The gate has not evaluated any checks yet.</p>;
  return (
    <table className="readiness-table" data-testid="checks">
      <thead><tr><th>Check</th><th>State</th><th>Why</th><th>Evidence</th></tr></thead>
      <tbody>
        {props.checks.map((c) => (
          <tr key={c.id}>
            <td>{c.title}{c.owner ? <span className="readiness-muted"> · {c.owner}</span> : null}</td>
            <td>
              <Status {...STATE_STATUS[c.state]} size={StatusSize.s} className="margin-right-4" />
              {c.state}
            </td>
            <td>{c.reason}</td>
            <td>
              {c.evidence.map((e) => (
                <span key={e.id} className="margin-right-8">
                  {props.onOpenEvidence ? (
                    <a href="#" onClick={(ev) => { ev.preventDefault(); props.onOpenEvidence!(e.id); }}>{e.kind}</a>
                  ) : e.kind}
                  {isWebUrl(e.runUrl) ? <> (<a href={e.runUrl} target="_blank" rel="noopener noreferrer">run</a>)</> : null}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
