import * as React from 'react';
import { downsample, largestValue } from '../model/chart';

export interface Series {
  name: string;
  color: string;
  values: number[];
}

/**
 * A small inline-SVG line chart: x is the second of the run, y the value. Inline SVG keeps the bundle
 * small (no chart library) and follows the theme through CSS variables.
 */
export function LineChart(props: { title: string; unit: string; series: Series[]; height?: number }) {
  const width = 560;
  const height = props.height ?? 180;
  const pad = { left: 48, right: 8, top: 8, bottom: 22 };
  // Loops, not Math.max(...values): a long soak's timeline overflows the stack when spread (model/chart.ts).
  const length = props.series.reduce((n, s) => Math.max(n, s.values.length), 1);
  const max = largestValue(props.series);
  const x = (i: number) => pad.left + (length === 1 ? 0 : (i / (length - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
  const ticks = [0, max / 2, max];
  return (
    <figure style={{ margin: 0, width: '100%' }} aria-label={props.title}>
      <figcaption className="body-m font-weight-semibold">{props.title}</figcaption>
      <svg className="readiness-chart" viewBox={`0 0 ${width} ${height}`} style={{ display: 'block', width: '100%', height: 'auto' }} role="img">
        <line className="axis" x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} />
        <line className="axis" x1={pad.left} y1={pad.top} x2={pad.left} y2={y(0)} />
        {ticks.map((t) => (
          <text key={t} x={pad.left - 4} y={y(t) + 4} textAnchor="end">
            {formatNumber(t)}
          </text>
        ))}
        <text x={pad.left} y={height - 4}>0 s</text>
        <text x={width - pad.right} y={height - 4} textAnchor="end">{`${length - 1} s`}</text>
        {props.series.map((s) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            points={downsample(s.values).map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <div className="readiness-legend">
        {props.series.map((s) => (
          <span key={s.name}>
            <span className="readiness-swatch" style={{ background: s.color }} />
            {s.name} ({props.unit})
          </span>
        ))}
      </div>
    </figure>
  );
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toFixed(digits)).toString();
}
