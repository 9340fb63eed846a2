import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Status, Statuses, StatusSize } from 'azure-devops-ui/Status';
import type { DrillEvidence } from '../../src/evidence/types';
import { EvidenceHeader } from './EvidenceHeader';
import { formatNumber } from './LineChart';
import { PhaseTimeline } from './PhaseTimeline';

function seconds(ms: number): string {
  return `${formatNumber(ms / 1000, 2)} s`;
}

/**
 * An `unknown` probe could not tell whether the service works, and the drill counts it as a failure
 * (src/dr), so it gets the warning icon, never the grey Skipped one that reads as "nothing to see".
 */
function ProbeStatusIcon(props: { status: string }) {
  const look = props.status === 'passed' ? Statuses.Success : props.status === 'failed' ? Statuses.Failed : Statuses.Warning;
  return <Status {...look} size={StatusSize.s} className="margin-right-4" ariaLabel={props.status === 'unknown' ? 'unknown (counts as failed)' : props.status} />;
}

/** Measured against target; a missing measurement never counts as within target. */
function Objective(props: { label: string; actual: number | null; target: number | undefined; testId: string; unit?: string }) {
  const unit = props.unit ?? ' s';
  const met = props.actual !== null && props.target !== undefined && props.actual <= props.target;
  return (
    <div className="flex-row flex-center" data-testid={props.testId}>
      <Status {...(met ? Statuses.Success : Statuses.Failed)} size={StatusSize.m} className="margin-right-8" />
      <span className="body-l">
        {props.label} <strong>{props.actual === null ? 'not measured' : `${formatNumber(props.actual, 2)}${unit}`}</strong>
        <span className="readiness-muted"> / target {props.target === undefined ? 'not set' : `${formatNumber(props.target, 2)}${unit}`}</span>
      </span>
    </div>
  );
}

/** The drill view: RTO and RPO against targets, the step timeline and the probe results; environment drills get their own. */
export function DrillView(props: { evidence: DrillEvidence }) {
  const { evidence } = props;
  const m = evidence.metrics;
  const steps = Array.isArray(m.steps) ? m.steps.filter((s) => s && typeof s === 'object') : [];
  const probes = Array.isArray(m.probes) ? m.probes.filter((p) => p && typeof p === 'object') : [];
  // A loop rather than Math.max(...): the structural check keeps bad documents out, this keeps the view safe anyway.
  const longest = steps.reduce((n, s) => (Number.isFinite(s.durationMs) ? Math.max(n, s.durationMs) : n), 1);
  const cleanup = m.cleanup && typeof m.cleanup === 'object' ? m.cleanup : undefined;
  if (m.mode === 'recreation' || m.mode === 'rollback') return <EnvironmentDrillView evidence={evidence} probes={probes} steps={steps} />;
  return (
    <div className="flex-column" data-testid="drill-view">
      <EvidenceHeader evidence={evidence} />
      <Card className="readiness-section" titleProps={{ text: 'Recovery objectives' }}>
        <div className="flex-column" style={{ gap: 8 }}>
          <Objective label="RTO" actual={m.rtoSeconds ?? null} target={m.targets?.rtoSeconds} testId="rto" />
          <Objective label="RPO" actual={m.rpoSeconds ?? null} target={m.targets?.rpoSeconds} testId="rpo" />
          <span className="readiness-muted">
            Provider {m.provider}{m.disruption ? `, disruption ${m.disruption}` : ''}; RPO measured by {m.rpoMethod}.
          </span>
        </div>
      </Card>
      <Card className="readiness-section" titleProps={{ text: 'Step timeline' }}>
        <div className="readiness-steps" data-testid="drill-steps">
          {steps.map((s, i) => (
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
      <ProbesCard probes={probes} />
      <p className="readiness-muted" data-testid="cleanup">
        {cleanup
          ? <>Cleanup {cleanup.status}{Array.isArray(cleanup.leftBehind) && cleanup.leftBehind.length ? `; left behind: ${cleanup.leftBehind.join(', ')}` : ''}. {cleanup.detail}</>
          : 'The drill did not record its cleanup.'}
      </p>
    </div>
  );
}

/** Recreation and rollback drills: their own objectives, the phase timeline on a time axis, leaks, drift and cost. */
function EnvironmentDrillView(props: { evidence: DrillEvidence; steps: DrillEvidence['metrics']['steps']; probes: DrillEvidence['metrics']['probes'] }) {
  const m = props.evidence.metrics;
  const recreation = m.mode === 'recreation';
  const list = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const leaks = list(m.leaks);
  const drift = list(m.drift);
  return (
    <div className="flex-column" data-testid="drill-view" data-mode={m.mode}>
      <EvidenceHeader evidence={props.evidence} />
      <Card className="readiness-section" titleProps={{ text: recreation ? 'Environment recreation' : 'Rollback' }}>
        <div className="flex-column" style={{ gap: 8 }}>
          {recreation ? (
            <>
              <Objective label="Environment RTO" actual={m.environmentRtoSeconds ?? null} target={m.targets?.rtoSeconds} testId="environment-rto" />
              <Objective label="Leaks after destroy" actual={Array.isArray(m.leaks) ? leaks.length : null} target={0} unit="" testId="leaks" />
              <Objective label="Drift in a second plan" actual={Array.isArray(m.drift) ? drift.length : null} target={0} unit="" testId="drift" />
            </>
          ) : (
            <>
              <Objective label="Time to rollback" actual={m.timeToRollbackSeconds ?? null} target={m.targets?.timeToRollbackSeconds} testId="time-to-rollback" />
              <Objective label="Time to recover" actual={m.timeToRecoverSeconds ?? null} target={m.targets?.timeToRecoverSeconds} testId="time-to-recover" />
            </>
          )}
          <span className="readiness-muted">
            Provider {m.provider}
            {m.versions ? `; previous version ${m.versions.previous}, current ${m.versions.current}` : ''}
            {m.cost ? `; cost about ${formatNumber(m.cost.total, 4)} ${m.cost.currency} over ${formatNumber(m.cost.hours, 3)} h` : ''}.
          </span>
          {leaks.length > 0 && <span data-testid="leak-list">Left behind: {leaks.join(', ')}</span>}
          {drift.length > 0 && <span data-testid="drift-list">Would change again: {drift.join(', ')}</span>}
        </div>
      </Card>
      <Card className="readiness-section" titleProps={{ text: 'Phase timeline' }}>
        <PhaseTimeline
          steps={props.steps}
          measured={
            recreation
              ? { label: 'Environment RTO', from: 'apply', to: 'probes', seconds: m.environmentRtoSeconds ?? null }
              : { label: 'Time to rollback', from: 'rollback', to: 'rollback', seconds: m.timeToRollbackSeconds ?? null }
          }
        />
      </Card>
      <ProbesCard probes={props.probes} />
    </div>
  );
}

function ProbesCard(props: { probes: DrillEvidence['metrics']['probes'] }) {
  const { probes } = props;
  return (
    <Card className="readiness-section" titleProps={{ text: 'Probes' }}>
      {probes.length === 0 ? (
        <p className="readiness-muted">No probes ran.</p>
      ) : (
        <table className="readiness-table" data-testid="probes">
          <thead>
            <tr><th>Probe</th><th>Type</th><th>Result</th><th>Detail</th><th className="num">Time</th></tr>
          </thead>
          <tbody>
            {probes.map((p, i) => (
              <tr key={i}>
                <td>{p.name}</td>
                <td>{p.type}</td>
                <td>
                  <ProbeStatusIcon status={p.status} />
                  {p.status === 'unknown' ? 'unknown (counts as failed)' : p.status}
                </td>
                <td>{p.detail}</td>
                <td className="num">{seconds(p.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
