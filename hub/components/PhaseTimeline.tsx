import * as React from 'react';
import type { DrillStep } from '../../src/evidence/types';
import { formatNumber } from './LineChart';

/**
 * The phases of a recreation or rollback drill on one time axis (a Gantt): each bar starts where its phase started,
 * so waits between phases and the destroy after the measurement show as they happened. A bracket marks the span
 * the headline time was measured over (apply to probes; rollback), so a reader sees what the RTO includes.
 */
/** Wider than the step view's last column: it shows the start offset and the duration. */
const COLUMNS: React.CSSProperties = { gridTemplateColumns: '130px 1fr 130px' };

export function PhaseTimeline(props: { steps: DrillStep[]; measured?: { label: string; from: string; to: string; seconds: number | null } }) {
  const steps = props.steps.filter((s) => s && typeof s === 'object' && Number.isFinite(Date.parse(s.startedAt)) && Number.isFinite(s.durationMs));
  if (!steps.length) return <p className="readiness-muted">No phases were recorded.</p>;
  const origin = Math.min(...steps.map((s) => Date.parse(s.startedAt)));
  const end = Math.max(...steps.map((s) => Date.parse(s.startedAt) + s.durationMs));
  const span = Math.max(1, end - origin);
  const at = (ms: number) => `${((ms - origin) / span) * 100}%`;
  const width = (ms: number) => `${Math.max(0.5, (ms / span) * 100)}%`;
  const from = props.measured && steps.find((s) => s.name === props.measured!.from);
  const to = props.measured && [...steps].reverse().find((s) => s.name === props.measured!.to);
  return (
    <div className="readiness-steps" data-testid="phase-timeline">
      {steps.map((s, i) => {
        const start = Date.parse(s.startedAt);
        return (
          <div key={i} className="readiness-step" style={COLUMNS} title={s.detail} data-phase={s.name} data-status={s.status}>
            <span>{s.name}</span>
            <div style={{ position: 'relative' }}>
              <div className={`readiness-step-bar ${s.status}`} data-offset={formatNumber((start - origin) / 1000, 2)} style={{ marginLeft: at(start), width: width(s.durationMs) }} />
            </div>
            <span className="readiness-muted" style={{ textAlign: 'right' }}>
              +{formatNumber((start - origin) / 1000, 1)} s, {formatNumber(s.durationMs / 1000, 2)} s
            </span>
          </div>
        );
      })}
      {from && to && props.measured && (
        <div className="readiness-step" style={COLUMNS} data-testid="measured-span">
          <span><strong>{props.measured.label}</strong></span>
          <div>
            <div
              className="readiness-measured-span"
              style={{ marginLeft: at(Date.parse(from.startedAt)), width: width(Date.parse(to.startedAt) + to.durationMs - Date.parse(from.startedAt)) }}
            />
          </div>
          <span style={{ textAlign: 'right' }}>{props.measured.seconds === null ? 'not measured' : `${formatNumber(props.measured.seconds, 2)} s`}</span>
        </div>
      )}
    </div>
  );
}
