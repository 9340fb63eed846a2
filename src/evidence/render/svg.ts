/**
 * Inline SVG charts drawn by hand, so the HTML report needs no script, no library and no network. Native SVG
 * `<title>` elements give hover text without JavaScript.
 */
import { escapeXml as x } from './format';

export interface Series {
  name: string;
  color: string;
  values: number[];
  dashed?: boolean;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 56, right: 16, top: 28, bottom: 34 };

/** More points than this are merged, so an hour-long run still makes a small file. About one point per pixel. */
export const MAX_POINTS = 720;

/**
 * A line chart over seconds. Axis labels are "nice" round numbers so people can read values off it. Long runs are
 * merged into buckets keeping each bucket's highest value, so a one-second stall still shows as a spike.
 */
export function lineChart(title: string, unit: string, allSeconds: number[], allSeries: Series[]): string {
  if (!allSeconds.length) return `<p class="muted">${x(title)}: no per-second figures were recorded.</p>`;
  const { seconds, series } = downsample(allSeconds, allSeries);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const xMin = seconds[0];
  const xMax = Math.max(seconds[seconds.length - 1], xMin + 1);
  const yMax = niceCeiling(Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite))));
  const px = (second: number) => PAD.left + ((second - xMin) / (xMax - xMin)) * plotWidth;
  const py = (value: number) => PAD.top + plotHeight - (Math.max(0, value) / yMax) * plotHeight;
  const parts: string[] = [];
  parts.push(`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" aria-label="${x(title)}">`);
  parts.push(`<text x="${PAD.left}" y="16" class="chart-title">${x(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const value = (yMax / 4) * i;
    const y = py(value).toFixed(1);
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y}" class="axis" text-anchor="end" dominant-baseline="middle">${x(short(value))}</text>`);
  }
  for (const second of xTicks(xMin, xMax)) {
    parts.push(`<text x="${px(second).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" class="axis" text-anchor="middle">${second}s</text>`);
  }
  parts.push(`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" class="axis" text-anchor="end">seconds since start · ${x(unit)}</text>`);
  series.forEach((s, index) => {
    const points = s.values.map((v, i) => `${px(seconds[i]).toFixed(1)},${py(v).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    if (points.length === 1) {
      const [cx, cy] = points[0].split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"><title>${x(s.name)}: ${x(short(s.values[0]))} ${x(unit)}</title></circle>`);
    } else {
      const peak = Math.max(...s.values);
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.join(' ')}"><title>${x(s.name)}: peak ${x(short(peak))} ${x(unit)}</title></polyline>`);
    }
    // Legend entries sit at the right of the title line, so a long title never runs into them.
    const lx = WIDTH - PAD.right - (series.length - index) * 84;
    parts.push(`<rect x="${lx}" y="7" width="12" height="4" fill="${s.color}"/><text x="${lx + 16}" y="13" class="legend">${x(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface Bar {
  label: string;
  startMs: number;
  durationMs: number;
  status: string;
  detail: string;
}

const BAR_COLORS: Record<string, string> = { passed: '#2e7d32', failed: '#c62828', skipped: '#9e9e9e', cancelled: '#ef6c00' };

/** A horizontal timeline (Gantt) of drill steps: where the time went, and which step failed. */
export function timelineChart(title: string, bars: Bar[]): string {
  if (!bars.length) return `<p class="muted">${x(title)}: no steps were recorded.</p>`;
  const rowHeight = 26;
  const labelWidth = 140;
  const height = PAD.top + bars.length * rowHeight + 24;
  const end = Math.max(1, ...bars.map((b) => b.startMs + b.durationMs));
  const plotWidth = WIDTH - labelWidth - PAD.right;
  const parts: string[] = [`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${height}" aria-label="${x(title)}">`];
  parts.push(`<text x="8" y="16" class="chart-title">${x(title)}</text>`);
  bars.forEach((bar, i) => {
    const y = PAD.top + i * rowHeight;
    const bx = labelWidth + (Math.max(0, bar.startMs) / end) * plotWidth;
    const bw = Math.max(2, (bar.durationMs / end) * plotWidth);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 13}" class="axis" text-anchor="end">${x(bar.label)}</text>`);
    parts.push(
      `<rect x="${bx.toFixed(1)}" y="${y + 3}" width="${bw.toFixed(1)}" height="${rowHeight - 8}" rx="3" fill="${BAR_COLORS[bar.status] ?? '#616161'}"><title>${x(bar.label)}: ${x(bar.status)}, ${x(short(bar.durationMs / 1000))} s. ${x(bar.detail)}</title></rect>`,
    );
  });
  parts.push(`<text x="${WIDTH - PAD.right}" y="${height - 6}" class="axis" text-anchor="end">total ${x(short(end / 1000))} s</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function downsample(seconds: number[], series: Series[]): { seconds: number[]; series: Series[] } {
  if (seconds.length <= MAX_POINTS) return { seconds, series };
  const size = Math.ceil(seconds.length / MAX_POINTS);
  const starts = seconds.filter((_, i) => i % size === 0);
  return {
    seconds: starts,
    series: series.map((s) => ({ ...s, values: starts.map((_, b) => Math.max(...s.values.slice(b * size, (b + 1) * size))) })),
  };
}

/** The smallest 1/2/5 x 10^n at or above the value, so the top grid line is a round number. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function xTicks(min: number, max: number): number[] {
  const span = max - min;
  const step = niceCeiling(span / 6);
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(Math.round(t * 100) / 100);
  return ticks;
}

function short(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 10000) return `${Math.round(value / 1000)}k`;
  return String(Math.round(value * 100) / 100);
}
