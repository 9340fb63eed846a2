import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import type { CapacityEvidence } from '../../src/evidence/types';
import { largestValue } from '../model/chart';
import { capacityCurvePoints } from '../model/capacityCurve';
import { CriteriaTable } from './CriteriaTable';
import { EvidenceHeader } from './EvidenceHeader';
import { formatNumber } from './LineChart';

/** One capacity chart: x is the offered rate, the knee a dashed vertical line; probes that broke are hollow. */
function CurveChart(props: { evidence: CapacityEvidence; which: 'throughput' | 'latency'; title: string; unit: string }) {
  const c = capacityCurvePoints(props.evidence.metrics, props.which);
  const width = 560;
  const height = 200;
  const pad = { left: 48, right: 8, top: 16, bottom: 22 };
  const max = largestValue(c.series);
  const x = (v: number) => pad.left + (v / c.xMax) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
  return (
    <figure style={{ margin: 0, width: '100%' }} aria-label={props.title} data-testid={`capacity-${props.which}`}>
      <figcaption className="body-m font-weight-semibold">{props.title}</figcaption>
      <svg className="readiness-chart" viewBox={`0 0 ${width} ${height}`} style={{ display: 'block', width: '100%', height: 'auto' }} role="img">
        <line className="axis" x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} />
        <line className="axis" x1={pad.left} y1={pad.top} x2={pad.left} y2={y(0)} />
        {[0, max / 2, max].map((t) => (
          <text key={t} x={pad.left - 4} y={y(t) + 4} textAnchor="end">{formatNumber(t)}</text>
        ))}
        <text x={pad.left} y={height - 4}>0</text>
        <text x={width - pad.right} y={height - 4} textAnchor="end">{`${formatNumber(c.xMax)} rps offered`}</text>
        {c.knee ? (
          <g data-testid="capacity-knee">
            <line x1={x(c.knee.rps)} x2={x(c.knee.rps)} y1={pad.top} y2={y(0)} stroke="#8764b8" strokeWidth={2} strokeDasharray="6 3" />
            <text x={x(c.knee.rps) + 4} y={pad.top + 10} style={{ fill: '#8764b8' }}>{c.knee.label}</text>
          </g>
        ) : null}
        {c.series.map((s) => (
          <g key={s.name}>
            <polyline fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? '5 4' : undefined}
              points={s.values.map((v, i) => `${x(c.offered[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ')} />
            {s.values.map((v, i) => (
              <circle key={i} cx={x(c.offered[i])} cy={y(v)} r={3} stroke={s.color} fill={c.good[i] ? s.color : '#fff'}>
                <title>{`${s.name} at ${formatNumber(c.offered[i])} rps: ${formatNumber(v)} ${props.unit}${c.good[i] ? '' : ' (broke)'}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <div className="readiness-legend">
        {c.series.map((s) => (
          <span key={s.name}><span className="readiness-swatch" style={{ background: s.color }} />{s.name} ({props.unit})</span>
        ))}
      </div>
    </figure>
  );
}

const OUTCOMES: Record<CapacityEvidence['metrics']['outcome'], string> = {
  found: 'Knee found',
  'generator-bound': 'Generator-bound: not a service capacity',
  'not-reached': 'No limit up to the highest rate tried',
  'no-sustainable-rate': 'Even the first rate broke the service level',
  incomplete: 'Search incomplete',
};

/** The capacity view: the curve with the knee marked, the outcome, and every probe. */
export function CapacityView(props: { evidence: CapacityEvidence }) {
  const { evidence } = props;
  const m = evidence.metrics;
  return (
    <div className="flex-column" data-testid="capacity-view">
      <EvidenceHeader evidence={evidence} />
      <p className="readiness-section" data-testid="capacity-outcome">
        <strong>{OUTCOMES[m.outcome]}</strong>
        {m.sustainableRps !== null ? ` · sustainable ${formatNumber(m.sustainableRps)} rps` : ` · highest rate held ${formatNumber(m.provenRps)} rps`}
        {m.interval ? ` · knee between ${formatNumber(m.interval.lowRps)} and ${formatNumber(m.interval.highRps)} rps` : ''}
        {m.bound ? ` · limited by ${m.bound}` : ''}
      </p>
      {m.advice ? <p className="readiness-muted">{m.advice}</p> : null}
      <div className="readiness-grid readiness-section">
        <Card titleProps={{ text: 'Throughput' }}>
          <CurveChart evidence={evidence} which="throughput" title="Achieved against offered rate" unit="rps" />
        </Card>
        <Card titleProps={{ text: 'Latency' }}>
          <CurveChart evidence={evidence} which="latency" title="Latency by offered rate" unit="ms" />
        </Card>
      </div>
      {evidence.criteria.length ? (
        <Card className="readiness-section" titleProps={{ text: 'Requirement' }}>
          <CriteriaTable criteria={evidence.criteria} />
        </Card>
      ) : null}
      <Card className="readiness-section" titleProps={{ text: m.engine === 'azure' ? 'Steps of the Azure Load Testing run' : 'Probes' }}>
        <table className="readiness-table" data-testid="capacity-steps">
          <thead>
            <tr>
              <th>Phase</th><th className="num">Offered rps</th><th className="num">Achieved rps</th><th className="num">{m.engine === 'azure' ? 'mean ms' : 'p50 ms'}</th>
              <th className="num">p95 ms</th><th className="num">p99 ms</th><th className="num">Errors</th><th>Result</th>
            </tr>
          </thead>
          <tbody>
            {m.steps.map((s, i) => (
              <tr key={i}>
                <td>{s.phase}</td><td className="num">{formatNumber(s.offeredRps)}</td><td className="num">{formatNumber(s.achievedRps)}</td>
                <td className="num">{formatNumber(s.latencyMs.p50)}</td><td className="num">{formatNumber(s.latencyMs.p95)}</td>
                <td className="num">{formatNumber(s.latencyMs.p99)}</td><td className="num">{formatNumber(s.errors, 0)}</td>
                <td>{s.good ? 'held' : s.signals.length ? `broke: ${s.signals.map((g) => g.kind).join(', ')}` : 'cut short (cancelled)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <p className="readiness-muted">Service level: {m.serviceLevel.join('; ')}. {m.steps.length} {m.engine === 'azure' ? 'steps' : 'probes'}, {m.requests} requests, {m.durationSeconds} s.</p>
    </div>
  );
}
