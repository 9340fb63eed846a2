import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Status, Statuses, StatusSize } from 'azure-devops-ui/Status';
import type { DrillEvidence } from '../../src/evidence/types';
import { EvidenceHeader } from './EvidenceHeader';
import { formatNumber } from './LineChart';

function seconds(ms: number): string {
  return `${formatNumber(ms / 1000, 2)} s`;
}

/** Measured against target; a missing measurement never counts as within target. */
function Objective(props: { label: string; actual: number | null; target: number; testId: string }) {
  const met = props.actual !== null && props.actual <= props.target;
  return (
    <div className="flex-row flex-center" data-testid={props.testId}>
      <Status {...(met ? Statuses.Success : Statuses.Failed)} size={StatusSize.m} className="margin-right-8" />
      <span className="body-l">
        {props.label} <strong>{props.actual === null ? 'not measured' : `${formatNumber(props.actual, 2)} s`}</strong>
        <span className="readiness-muted"> / target {formatNumber(props.target, 2)} s</span>
      </span>
    </div>
  );
}

/** The drill view: RTO and RPO against targets, the step timeline and the probe results. */
export function DrillView(props: { evidence: DrillEvidence }) {
  const { evidence } = props;
  const m = evidence.metrics;
  const longest = Math.max(1, ...m.steps.map((s) => s.durationMs));
  return (
    <div className="flex-column" data-testid="drill-view">
      <EvidenceHeader evidence={evidence} />
      <Card className="readiness-section" titleProps={{ text: 'Recovery objectives' }}>
        <div className="flex-column" style={{ gap: 8 }}>
          <Objective label="RTO" actual={m.rtoSeconds} target={m.targets.rtoSeconds} testId="rto" />
          <Objective label="RPO" actual={m.rpoSeconds} target={m.targets.rpoSeconds} testId="rpo" />
          <span className="readiness-muted">
            Provider {m.provider}{m.disruption ? `, disruption ${m.disruption}` : ''}; RPO measured by {m.rpoMethod}.
          </span>
        </div>
      </Card>
      <Card className="readiness-section" titleProps={{ text: 'Step timeline' }}>
        <div className="readiness-steps" data-testid="drill-steps">
          {m.steps.map((s, i) => (
            <div key={i} className="readiness-step" title={s.detail}>
              <span>{s.name}</span>
              <div>
                <div className={`readiness-step-bar ${s.status}`} style={{ width: `${Math.max(1, (s.durationMs / longest) * 100)}%` }} />
              </div>
              <span className="readiness-muted" style={{ textAlign: 'right' }}>{seconds(s.durationMs)}</span>
            </div>
          ))}
        </div>
      </Card>
      <Card className="readiness-section" titleProps={{ text: 'Probes' }}>
        {m.probes.length === 0 ? (
          <p className="readiness-muted">No probes ran.</p>
        ) : (
          <table className="readiness-table" data-testid="probes">
            <thead>
              <tr><th>Probe</th><th>Type</th><th>Result</th><th>Detail</th><th className="num">Time</th></tr>
            </thead>
            <tbody>
              {m.probes.map((p, i) => (
                <tr key={i}>
                  <td>{p.name}</td>
                  <td>{p.type}</td>
                  <td>
                    <Status {...(p.status === 'passed' ? Statuses.Success : p.status === 'failed' ? Statuses.Failed : Statuses.Skipped)} size={StatusSize.s} className="margin-right-4" />
                    {p.status}
                  </td>
                  <td>{p.detail}</td>
                  <td className="num">{seconds(p.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <p className="readiness-muted">
        Cleanup {m.cleanup.status}{m.cleanup.leftBehind.length ? `; left behind: ${m.cleanup.leftBehind.join(', ')}` : ''}. {m.cleanup.detail}
      </p>
    </div>
  );
}
