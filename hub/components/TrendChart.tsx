import * as React from 'react';
import { formatNumber } from './LineChart';

export interface TrendChartPoint {
  id: string;
  finishedAt: string;
  value: number;
  band?: { low: number; high: number };
  /** Drawn as a red ring, with `why` in its tooltip. */
  marked?: boolean;
  why?: string;
}

/**
 * One figure across runs: a line through each run's value, the baseline band behind it (the range of the
 * earlier runs each run was compared with), and regressed runs ringed in red. Inline SVG like LineChart, so the
 * bundle carries no chart library; x is the run, in order, labelled with its date.
 */
export function TrendChart(props: { title: string; unit: string; points: TrendChartPoint[]; testId: string; zeroBased?: boolean; markLegend?: string }) {
  const width = 560;
  const height = 170;
  const pad = { left: 48, right: 12, top: 10, bottom: 22 };
  const { points } = props;
  let max = -Infinity;
  let min = Infinity;
  for (const p of points) {
    for (const v of [p.value, p.band?.low, p.band?.high]) {
      if (v === undefined || !Number.isFinite(v)) continue;
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
  }
  if (!Number.isFinite(max)) (max = 1), (min = 0);
  if (props.zeroBased !== false) min = Math.min(0, min);
  if (max - min < 1e-9) max = min + 1;
  const top = max + (max - min) * 0.1;
  const x = (i: number) => pad.left + (points.length === 1 ? (width - pad.left - pad.right) / 2 : (i / (points.length - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - (v - min) / (top - min)) * (height - pad.top - pad.bottom);
  // The band is drawn where runs had one; a run without a baseline breaks it.
  const bands: Array<Array<[number, { low: number; high: number }]>> = [];
  points.forEach((p, i) => {
    if (!p.band) return void bands.push([]);
    if (!bands.length) bands.push([]);
    bands[bands.length - 1].push([i, p.band]);
  });
  const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return (
    <figure style={{ margin: 0, width: '100%' }} aria-label={props.title} data-testid={`trend-${props.testId}`}>
      <figcaption className="body-m font-weight-semibold">{props.title}</figcaption>
      <svg className="readiness-chart" viewBox={`0 0 ${width} ${height}`} style={{ display: 'block', width: '100%', height: 'auto' }} role="img">
        {bands.filter((b) => b.length).map((b, n) => (
          <polygon
            key={n}
            className="readiness-band"
            data-band="baseline"
            points={[...b.map(([i, band]) => `${x(i).toFixed(1)},${y(band.high).toFixed(1)}`), ...[...b].reverse().map(([i, band]) => `${x(i).toFixed(1)},${y(band.low).toFixed(1)}`)].join(' ')}
          />
        ))}
        <line className="axis" x1={pad.left} y1={y(min)} x2={width - pad.right} y2={y(min)} />
        <line className="axis" x1={pad.left} y1={pad.top} x2={pad.left} y2={y(min)} />
        {[min, (min + top) / 2, top].map((t) => (
          <text key={t} x={pad.left - 4} y={y(t) + 4} textAnchor="end">{formatNumber(t)}</text>
        ))}
        {points.length ? <text x={pad.left} y={height - 4}>{day(points[0].finishedAt)}</text> : null}
        {points.length > 1 ? <text x={width - pad.right} y={height - 4} textAnchor="end">{day(points[points.length - 1].finishedAt)}</text> : null}
        <polyline fill="none" stroke="#0078d4" strokeWidth={2} points={points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')} />
        {points.map((p, i) => (
          <circle
            key={p.id}
            cx={x(i)}
            cy={y(p.value)}
            r={p.marked ? 6 : 3}
            fill={p.marked ? 'none' : '#0078d4'}
            stroke={p.marked ? '#d13438' : 'none'}
            strokeWidth={p.marked ? 2.5 : 0}
            data-run={p.id}
            data-regressed={p.marked ? 'true' : 'false'}
          >
            <title>{`${new Date(p.finishedAt).toLocaleString()}: ${formatNumber(p.value, 2)} ${props.unit}${p.band ? `, baseline ${formatNumber(p.band.low, 2)}–${formatNumber(p.band.high, 2)}` : ''}${p.why ? `; ${p.why}` : ''}`}</title>
          </circle>
        ))}
      </svg>
      <div className="readiness-legend">
        <span><span className="readiness-swatch" style={{ background: '#0078d4' }} />{props.unit}</span>
        {points.some((p) => p.band) ? <span><span className="readiness-swatch readiness-band-swatch" />baseline range</span> : null}
        <span><span className="readiness-swatch" style={{ border: '2px solid #d13438', background: 'transparent' }} />{props.markLegend ?? 'regressed'}</span>
      </div>
    </figure>
  );
}
