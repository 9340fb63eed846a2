import type { DrillEvidence, Evidence, GateEvidence, LoadTestEvidence, RegressionVerdict } from '../../src/evidence/types';

/**
 * The trend of a service's load tests over its last runs, for the service page: p95, throughput and error rate of
 * each run (totals), the baseline band each run was measured against, and the runs whose comparison said
 * `regressed`. Pure functions of the evidence, so the model is tested without a browser.
 *
 * The band of a run is the range (min to max) of the figure over its baseline: the up to `window` earlier passing
 * runs of the same test and plan (`metrics.comparable.planHash`), as src/regression/baseline.ts chooses them. A
 * regression mark comes from the comparison the run carries (`metrics.regression`); the hub displays it, the gate
 * recomputes it before it decides anything.
 */
export interface TrendPoint {
  id: string;
  finishedAt: string;
  value: number;
  /** The baseline range for this run; absent when it had fewer than two comparable earlier passing runs. */
  band?: { low: number; high: number };
  passed: boolean;
  comparison?: RegressionVerdict;
  /** The compared rows of this figure that regressed, e.g. "Total p95 +4.1 ms". */
  regressedBecause: string[];
}

export interface Trend {
  testId: string;
  p95: TrendPoint[];
  rps: TrendPoint[];
  errors: TrendPoint[];
}

const FIGURES = {
  p95: { read: (e: LoadTestEvidence) => e.metrics.totals.latencyMs.p95, rows: ['p95'] },
  rps: { read: (e: LoadTestEvidence) => e.metrics.totals.rps, rows: ['rps'] },
  errors: { read: (e: LoadTestEvidence) => e.metrics.totals.errorPercentage, rows: ['error'] },
} as const;

/** The newest test's trend over its last `runs` runs (oldest first); undefined without load-test evidence. */
export function loadTestTrend(evidence: readonly Evidence[], runs = 20, window = 5): Trend | undefined {
  const loadtests = evidence
    .filter((e): e is LoadTestEvidence => e.kind === 'loadtest')
    .sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  const newest = loadtests[loadtests.length - 1];
  if (!newest) return undefined;
  const ofTest = loadtests.filter((e) => e.metrics.testId === newest.metrics.testId);
  const shown = ofTest.slice(-runs);
  const trend = (figure: keyof typeof FIGURES): TrendPoint[] =>
    shown.map((run) => {
      const earlier = ofTest.filter(
        (e) => Date.parse(e.finishedAt) < Date.parse(run.finishedAt) && e.verdict === 'passed' && !e.metrics.cancelled &&
          !!e.metrics.comparable && e.metrics.comparable.planHash === run.metrics.comparable?.planHash,
      ).slice(-window);
      const values = earlier.map(FIGURES[figure].read);
      const regressed = (run.metrics.regression?.rows ?? []).filter((r) => r.verdict === 'regressed' && (FIGURES[figure].rows as readonly string[]).includes(r.metric));
      return {
        id: run.id,
        finishedAt: run.finishedAt,
        value: FIGURES[figure].read(run),
        ...(values.length >= 2 ? { band: { low: Math.min(...values), high: Math.max(...values) } } : {}),
        passed: run.verdict === 'passed',
        ...(run.metrics.regression ? { comparison: run.metrics.regression.verdict } : {}),
        regressedBecause: regressed.map((r) => `${r.request} ${r.metric} ${r.delta >= 0 ? '+' : ''}${r.delta} ${r.unit}`),
      };
    });
  return { testId: newest.metrics.testId, p95: trend('p95'), rps: trend('rps'), errors: trend('errors') };
}

/**
 * Readiness over time: how much room each check had, run by run, as a percentage of its limit (positive: within
 * the limit by that much; negative: over it).
 * - Load-test headroom: the tightest of the run's own criteria on a measured figure (baseline criteria aside).
 * - RTO and RPO: each drill's measured time against its targets.
 */
export interface MarginSeries {
  name: string;
  points: Array<{ id: string; finishedAt: string; marginPercent: number; detail: string }>;
}

export function readinessMargins(evidence: readonly Evidence[], runs = 20): MarginSeries[] {
  const ordered = [...evidence].sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  const headroom: MarginSeries = { name: 'Load-test headroom', points: [] };
  for (const e of ordered) {
    if (e.kind !== 'loadtest') continue;
    let tightest: { margin: number; detail: string } | undefined;
    for (const c of e.criteria) {
      if (c.actual === null || c.threshold === 0 || /\bbaseline\b/.test(c.expression)) continue;
      // A criterion states a failure condition: "> limit" fails above it, so the room is (limit - actual).
      const below = /[<]/.test(c.expression.replace(/^[^(]*\([^)]*\)/, '')) ? -1 : 1;
      const margin = (below * (c.threshold - c.actual) * 100) / Math.abs(c.threshold);
      if (!tightest || margin < tightest.margin) tightest = { margin, detail: `${c.expression}: ${c.actual} against ${c.threshold}` };
    }
    if (tightest) headroom.points.push({ id: e.id, finishedAt: e.finishedAt, marginPercent: round(tightest.margin), detail: tightest.detail });
  }
  const rto: MarginSeries = { name: 'RTO margin', points: [] };
  const rpo: MarginSeries = { name: 'RPO margin', points: [] };
  for (const e of ordered) {
    if (e.kind !== 'drill' || e.metrics.mode === 'freshness') continue;
    const d = e as DrillEvidence;
    for (const [series, actual, target, label] of [[rto, d.metrics.rtoSeconds, d.metrics.targets.rtoSeconds, 'RTO'], [rpo, d.metrics.rpoSeconds, d.metrics.targets.rpoSeconds, 'RPO']] as const) {
      if (actual === null || target <= 0) continue;
      series.points.push({ id: e.id, finishedAt: e.finishedAt, marginPercent: round(((target - actual) * 100) / target), detail: `${label} ${actual} s against ${target} s` });
    }
  }
  return [headroom, rto, rpo].filter((s) => s.points.length).map((s) => ({ ...s, points: s.points.slice(-runs) }));
}

/**
 * The age of each check's evidence at every gate evaluation (gate documents record, per check, the evidence that
 * decided it): how close to its `passedWithinDays` limit the evidence drifted between runs. Marked where the
 * gate found it stale.
 */
export function evidenceAgeSeries(evidence: readonly Evidence[], runs = 20): Array<{ check: string; points: Array<{ id: string; finishedAt: string; ageDays: number; stale: boolean }> }> {
  const gates = evidence.filter((e): e is GateEvidence => e.kind === 'gate').sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt)).slice(-runs);
  const byCheck = new Map<string, Array<{ id: string; finishedAt: string; ageDays: number; stale: boolean }>>();
  for (const gate of gates) {
    for (const check of gate.metrics.checks) {
      const newest = check.evidence.reduce<number | undefined>((t, e) => Math.max(t ?? -Infinity, Date.parse(e.finishedAt)), undefined);
      if (newest === undefined || !Number.isFinite(newest)) continue;
      const list = byCheck.get(check.id) ?? [];
      list.push({ id: `${gate.id}:${check.id}`, finishedAt: gate.metrics.evaluatedAt, ageDays: round((Date.parse(gate.metrics.evaluatedAt) - newest) / 86_400_000), stale: check.state === 'stale' });
      byCheck.set(check.id, list);
    }
  }
  return [...byCheck.entries()].map(([check, points]) => ({ check, points }));
}

/** How old the newest document of each kind is, in days, at `now`. */
export function evidenceAges(evidence: readonly Evidence[], now: Date): Array<{ kind: Evidence['kind']; ageDays: number; finishedAt: string }> {
  const newest = new Map<Evidence['kind'], Evidence>();
  for (const e of evidence) {
    if (e.kind === 'gate') continue;
    const seen = newest.get(e.kind);
    if (!seen || Date.parse(e.finishedAt) > Date.parse(seen.finishedAt)) newest.set(e.kind, e);
  }
  return [...newest.values()].map((e) => ({ kind: e.kind, finishedAt: e.finishedAt, ageDays: round((now.getTime() - Date.parse(e.finishedAt)) / 86_400_000) }));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
