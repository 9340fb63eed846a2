import type { CapacityMetrics } from '../../src/evidence/types';
import { kneeOf } from '../../src/evidence/render/capacityCurve';

/**
 * The capacity curve's points for the hub's chart: one point per probe, ordered by offered rate, and where the knee
 * line goes (the same rule as the HTML report: src/evidence/render/capacityCurve.ts).
 */
export interface CurvePoints {
  offered: number[];
  series: Array<{ name: string; color: string; values: number[]; dashed?: boolean }>;
  good: boolean[];
  knee?: { rps: number; label: string };
  xMax: number;
}

export function capacityCurvePoints(m: CapacityMetrics, which: 'throughput' | 'latency'): CurvePoints {
  const steps = [...m.steps].sort((a, b) => a.offeredRps - b.offeredRps);
  const offered = steps.map((s) => s.offeredRps);
  const series = which === 'throughput'
    ? [
        { name: 'offered', color: '#8a8886', values: offered, dashed: true },
        { name: 'achieved', color: '#0078d4', values: steps.map((s) => s.achievedRps) },
      ]
    : [
        // Azure's run metrics have no median: a search there carries the mean in the p50 place.
        { name: m.engine === 'azure' ? 'mean' : 'p50', color: '#107c10', values: steps.map((s) => s.latencyMs.p50) },
        { name: 'p95', color: '#ca5010', values: steps.map((s) => s.latencyMs.p95) },
        { name: 'p99', color: '#d13438', values: steps.map((s) => s.latencyMs.p99) },
      ];
  const knee = kneeOf(m);
  let xMax = knee?.rps ?? 1;
  for (const o of offered) if (o > xMax) xMax = o;
  return { offered, series, good: steps.map((s) => s.good), knee, xMax };
}
