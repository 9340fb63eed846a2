import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import type { Evidence } from '../../src/evidence/types';
import { evidenceAges, evidenceAgeSeries, loadTestTrend, readinessMargins, type TrendPoint } from '../model/trend';
import { formatNumber } from './LineChart';
import { TrendChart } from './TrendChart';

const KIND_NAMES: Record<string, string> = { loadtest: 'Load test', drill: 'DR drill', docs: 'Documentation' };

function chartPoints(points: TrendPoint[]) {
  return points.map((p) => ({ id: p.id, finishedAt: p.finishedAt, value: p.value, band: p.band, marked: p.regressedBecause.length > 0, why: p.regressedBecause.length ? `regressed: ${p.regressedBecause.join('; ')}` : undefined }));
}

/**
 * Trends of one service: its load tests over the last runs against their baselines, and how each check's margin
 * evolved (headroom against the limits, RTO and RPO against their targets, the age of the evidence).
 */
export function TrendsView(props: { evidence: Evidence[]; now?: Date }) {
  const trend = loadTestTrend(props.evidence);
  const margins = readinessMargins(props.evidence);
  const ages = evidenceAges(props.evidence, props.now ?? new Date());
  const ageSeries = evidenceAgeSeries(props.evidence);
  const regressedRuns = trend ? trend.p95.filter((p, i) => p.regressedBecause.length || trend.rps[i].regressedBecause.length || trend.errors[i].regressedBecause.length) : [];
  return (
    <div className="flex-column" style={{ gap: 16 }}>
      <Card titleProps={{ text: trend ? `Load test ${trend.testId}: last ${trend.p95.length} runs` : 'Load tests' }}>
        {trend ? (
          <div className="flex-column" style={{ gap: 12, width: '100%' }} data-testid="regression-trend">
            <span className="readiness-muted" data-testid="regression-summary">
              {regressedRuns.length ? `${regressedRuns.length} run(s) regressed against their baseline.` : 'No run regressed against its baseline.'}{' '}
              The band is the range of the earlier passing runs each run was compared with.
            </span>
            <TrendChart title="p95 response time" unit="ms" testId="p95" points={chartPoints(trend.p95)} />
            <TrendChart title="Throughput" unit="requests/s" testId="rps" points={chartPoints(trend.rps)} />
            <TrendChart title="Errors" unit="%" testId="errors" points={chartPoints(trend.errors)} />
          </div>
        ) : (
          <p className="readiness-muted">No load-test evidence yet.</p>
        )}
      </Card>
      <Card titleProps={{ text: 'Readiness over time' }}>
        <div className="flex-column" style={{ gap: 12, width: '100%' }} data-testid="margins">
          {margins.map((m) => (
            <TrendChart
              key={m.name}
              title={`${m.name} (% of the limit left)`}
              unit="% margin"
              testId={`margin-${m.name.toLowerCase().replace(/[^a-z]+/g, '-')}`}
              zeroBased
              markLegend="over the limit"
              points={m.points.map((p) => ({ id: p.id, finishedAt: p.finishedAt, value: p.marginPercent, marked: p.marginPercent < 0, why: p.detail }))}
            />
          ))}
          {ageSeries.map((a) => (
            <TrendChart
              key={a.check}
              title={`Age of the evidence for check ${a.check}, at each gate evaluation`}
              unit="days"
              markLegend="stale"
              testId={`age-${a.check.replace(/[^A-Za-z0-9_-]+/g, '-')}`}
              points={a.points.map((p) => ({ id: p.id, finishedAt: p.finishedAt, value: p.ageDays, marked: p.stale, why: p.stale ? 'stale at this evaluation' : undefined }))}
            />
          ))}
          {margins.length === 0 ? <p className="readiness-muted">No criteria or drill targets to measure a margin against yet.</p> : null}
          <table className="readiness-table" data-testid="evidence-ages">
            <thead><tr><th>Evidence</th><th>Newest</th><th className="num">Age (days)</th></tr></thead>
            <tbody>
              {ages.map((a) => (
                <tr key={a.kind}><td>{KIND_NAMES[a.kind] ?? a.kind}</td><td>{new Date(a.finishedAt).toLocaleString()}</td><td className="num">{formatNumber(a.ageDays, 1)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
