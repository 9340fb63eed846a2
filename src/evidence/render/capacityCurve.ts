/**
 * The capacity curve as inline SVG: figures of each probe against its offered rate, with the knee (the sustainable
 * rate, or the highest rate reached) marked by a vertical line. Hand-drawn like svg.ts, so the HTML report needs no
 * script and no network. The hub draws the same picture from the same points (hub/model/capacityCurve.ts).
 */
import type { CapacityMetrics } from '../types';
import { escapeXml as x } from './format';
import { niceCeiling } from './svg';

export interface CurvePoint { offeredRps: number; value: number; good: boolean }
export interface CurveSeries { name: string; color: string; points: CurvePoint[]; dashed?: boolean }

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { left: 56, right: 16, top: 28, bottom: 34 };

/** The two pictures of a search: throughput (achieved against offered) and latency, each by offered rate. */
export function capacityCharts(m: CapacityMetrics): string {
  const steps = [...m.steps].sort((a, b) => a.offeredRps - b.offeredRps);
  const point = (value: (s: (typeof steps)[number]) => number) => steps.map((s) => ({ offeredRps: s.offeredRps, value: value(s), good: s.good }));
  const knee = kneeOf(m);
  return [
    curveChart('Achieved against offered rate', 'requests/s', [
      { name: 'offered', color: '#9e9e9e', dashed: true, points: point((s) => s.offeredRps) },
      { name: 'achieved', color: '#1565c0', points: point((s) => s.achievedRps) },
    ], knee),
    curveChart('Latency by offered rate', 'ms', [
      // Azure's run metrics have no median: a search there carries the mean in the p50 place.
      { name: m.engine === 'azure' ? 'mean' : 'p50', color: '#2e7d32', points: point((s) => s.latencyMs.p50) },
      { name: 'p95', color: '#ef6c00', points: point((s) => s.latencyMs.p95) },
      { name: 'p99', color: '#c62828', points: point((s) => s.latencyMs.p99) },
    ], knee),
  ].join('');
}

/** Where the knee line goes, and its label: the sustainable rate when found, else the highest rate held. */
export function kneeOf(m: Pick<CapacityMetrics, 'sustainableRps' | 'provenRps' | 'outcome'>): { rps: number; label: string } | undefined {
  if (m.sustainableRps !== null) return { rps: m.sustainableRps, label: `knee ${short(m.sustainableRps)} rps` };
  if (m.provenRps > 0) return { rps: m.provenRps, label: `${m.outcome === 'generator-bound' ? 'generator limit' : 'held'} ${short(m.provenRps)} rps` };
  return undefined;
}

export function curveChart(title: string, unit: string, series: CurveSeries[], knee?: { rps: number; label: string }): string {
  const all = series.flatMap((s) => s.points);
  if (!all.length) return `<p class="muted">${x(title)}: no probe ran.</p>`;
  const xMax = niceCeiling(Math.max(...all.map((p) => p.offeredRps), knee?.rps ?? 0));
  const yMax = niceCeiling(Math.max(0, ...all.map((p) => p.value).filter(Number.isFinite)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const px = (v: number) => PAD.left + (Math.max(0, v) / xMax) * plotWidth;
  const py = (v: number) => PAD.top + plotHeight - (Math.max(0, v) / yMax) * plotHeight;
  const parts: string[] = [`<svg class="chart capacity-curve" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" aria-label="${x(title)}">`];
  parts.push(`<text x="${PAD.left}" y="16" class="chart-title">${x(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = py((yMax / 4) * i).toFixed(1);
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y}" class="axis" text-anchor="end" dominant-baseline="middle">${x(short((yMax / 4) * i))}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax / 5) * i;
    parts.push(`<text x="${px(v).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" class="axis" text-anchor="middle">${x(short(v))}</text>`);
  }
  parts.push(`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" class="axis" text-anchor="end">offered requests/s · ${x(unit)}</text>`);
  if (knee) {
    const kx = px(knee.rps).toFixed(1);
    parts.push(`<line class="knee" x1="${kx}" x2="${kx}" y1="${PAD.top}" y2="${PAD.top + plotHeight}" stroke="#6a1b9a" stroke-width="2" stroke-dasharray="6 3"><title>${x(knee.label)}</title></line>`);
    parts.push(`<text x="${(Number(kx) + 4).toFixed(1)}" y="${PAD.top + 12}" class="legend" fill="#6a1b9a">${x(knee.label)}</text>`);
  }
  series.forEach((s, index) => {
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    const coords = s.points.map((p) => `${px(p.offeredRps).toFixed(1)},${py(p.value).toFixed(1)}`);
    if (coords.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${coords.join(' ')}"/>`);
    s.points.forEach((p, i) => {
      const [cx, cy] = coords[i].split(',');
      // Probes that broke are hollow: the eye finds where the curve turned.
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${p.good ? s.color : '#fff'}" stroke="${s.color}"><title>${x(s.name)} at ${x(short(p.offeredRps))} rps offered: ${x(short(p.value))} ${x(unit)}${p.good ? '' : ' (broke)'}</title></circle>`);
    });
    const lx = WIDTH - PAD.right - (series.length - index) * 84;
    parts.push(`<rect x="${lx}" y="7" width="12" height="4" fill="${s.color}"/><text x="${lx + 16}" y="13" class="legend">${x(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function short(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Math.abs(value) >= 10000) return `${Math.round(value / 1000)}k`;
  return String(Math.round(value * 10) / 10);
}
