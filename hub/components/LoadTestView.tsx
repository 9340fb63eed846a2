import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import type { LoadTestEvidence, RequestStats } from '../../src/evidence/types';
import { BaselineTable } from './BaselineTable';
import { CriteriaTable } from './CriteriaTable';
import { LineChart, formatNumber } from './LineChart';
import { EvidenceHeader } from './EvidenceHeader';
import { generatorLine } from '../../src/evidence/render/format';

const COLORS = { p50: '#0078d4', p90: '#8764b8', p95: '#ca5010', p99: '#d13438', rps: '#107c10', errors: '#d13438' };

function RequestTable(props: { rows: RequestStats[] }) {
  return (
    <table className="readiness-table" data-testid="requests">
      <thead>
        <tr>
          <th>Request</th>
          <th className="num">Requests</th>
          <th className="num">Errors</th>
          <th className="num">Error %</th>
          <th className="num">RPS</th>
          <th className="num">p50 ms</th>
          <th className="num">p90 ms</th>
          <th className="num">p95 ms</th>
          <th className="num">p99 ms</th>
          <th className="num">max ms</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.name}>
            <td>{r.name}</td>
            <td className="num">{formatNumber(r.requests, 0)}</td>
            <td className="num">{formatNumber(r.errors, 0)}</td>
            <td className="num">{formatNumber(r.errorPercentage, 2)}</td>
            <td className="num">{formatNumber(r.rps, 1)}</td>
            <td className="num">{formatNumber(r.latencyMs.p50)}</td>
            <td className="num">{formatNumber(r.latencyMs.p90)}</td>
            <td className="num">{formatNumber(r.latencyMs.p95)}</td>
            <td className="num">{formatNumber(r.latencyMs.p99)}</td>
            <td className="num">{formatNumber(r.latencyMs.max)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The load-test view: percentile and throughput over time, the per-request table and the criteria. */
export function LoadTestView(props: { evidence: LoadTestEvidence }) {
  const { evidence } = props;
  const m = evidence.metrics;
  const timeline = m.timeline;
  return (
    <div className="flex-column" data-testid="loadtest-view">
      <EvidenceHeader evidence={evidence} />
      <div className="readiness-grid readiness-section">
        <Card titleProps={{ text: 'Latency percentiles' }}>
          <LineChart
            title="Latency per second"
            unit="ms"
            series={(['p50', 'p90', 'p95', 'p99'] as const).map((p) => ({ name: p, color: COLORS[p], values: timeline.map((t) => t.latencyMs[p]) }))}
          />
        </Card>
        <Card titleProps={{ text: 'Throughput' }}>
          <LineChart
            title="Requests and errors per second"
            unit="per s"
            series={[
              { name: 'requests', color: COLORS.rps, values: timeline.map((t) => t.requests) },
              { name: 'errors', color: COLORS.errors, values: timeline.map((t) => t.errors) },
            ]}
          />
        </Card>
      </div>
      <Card className="readiness-section" titleProps={{ text: 'Criteria' }}>
        <CriteriaTable criteria={evidence.criteria} />
      </Card>
      {m.regression ? (
        <Card className="readiness-section" titleProps={{ text: `Against the baseline: ${m.regression.verdict}` }}>
          <BaselineTable report={m.regression} />
        </Card>
      ) : null}
      <Card className="readiness-section" titleProps={{ text: 'Requests' }}>
        <RequestTable rows={[...m.requests, { ...m.totals, name: 'Total' }]} />
      </Card>
      <p className="readiness-muted">
        {m.engine === 'azure' ? 'Azure Load Testing' : 'Local engine'}, {m.model === 'open' ? `open model at ${m.targetRps ?? '?'} req/s` : `${m.virtualUsers} virtual users`},{' '}
        {m.durationSeconds} s{m.stoppedEarly ? `, stopped early at ${m.stoppedEarly.atSecond} s: ${m.stoppedEarly.reason}` : ''}.
        {generatorLine(m.generator) ? <span data-testid="generator"> Load generator: {generatorLine(m.generator)}.</span> : null}
        {m.azure?.sampleLog ? <span data-testid="sample-log"> Sample log: {m.azure.sampleLog.detail}</span> : null}
      </p>
    </div>
  );
}
