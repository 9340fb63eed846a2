import type { LoadTestEvidence, RequestStats } from '../evidence/types';
import { decodeDistribution, quantile, quantileStandardError, type Distribution } from './distribution';

/** A compared figure: `avg`, a percentile `p50`..`p9999` (of response time), `error` (percent) or `rps`. */
export type FigureName = string;

/** One run's estimate of a figure and its sampling error within that run. */
export interface Figure {
  value: number;
  /** Standard error from within the run; 0 when the evidence has no distribution to estimate it from. */
  standardError: number;
  /** Requests behind the figure. */
  requests: number;
}

export type FigureOutcome = Figure | { missing: string };

const PERCENTILE = /^p(\d+)$/;

/** `p999` is the 99.9th percentile, `p9999` the 99.99th: the digits after "p", a decimal point after the second. */
export function percentileOf(name: FigureName): number | undefined {
  const m = PERCENTILE.exec(name);
  if (!m) return undefined;
  const digits = m[1];
  return digits.length <= 2 ? Number(digits) : Number(`${digits.slice(0, 2)}.${digits.slice(2)}`);
}

export function unitOf(name: FigureName): 'ms' | '%' | 'rps' {
  return name === 'error' ? '%' : name === 'rps' ? 'rps' : 'ms';
}

/** Higher is worse for latency and errors, lower is worse for throughput. */
export function worseIsHigher(name: FigureName): boolean {
  return name !== 'rps';
}

/**
 * Reads one figure of one request (or `Total`) from a load-test document. Percentiles and the mean come from the
 * kept histogram when there is one, with their standard errors; otherwise from the summary figures, with no
 * within-run error (Azure Load Testing exposes percentiles, not distributions).
 */
export class RunFigures {
  private readonly decoded = new Map<string, Distribution | null>();

  constructor(readonly evidence: LoadTestEvidence) {}

  stats(scope: string): RequestStats | undefined {
    const m = this.evidence.metrics;
    return scope === 'Total' ? m.totals : m.requests.find((r) => r.name === scope);
  }

  figure(scope: string, name: FigureName): FigureOutcome {
    const stats = this.stats(scope);
    if (!stats) return { missing: `no request named "${scope}" ran` };
    if (stats.requests === 0) return { missing: 'no request completed' };
    if (name === 'error') {
      // Standard error of a proportion, with half a count added either side so that 0 errors still has one.
      const p = (stats.errors + 0.5) / (stats.requests + 1);
      return { value: stats.errorPercentage, standardError: 100 * Math.sqrt((p * (1 - p)) / stats.requests), requests: stats.requests };
    }
    if (name === 'rps') return { value: stats.rps, standardError: this.rpsStandardError(stats), requests: stats.requests };
    const distribution = this.distribution(scope, stats);
    const percentile = percentileOf(name);
    if (distribution) {
      if (name === 'avg') return { value: distribution.meanMs, standardError: distribution.sdMs / Math.sqrt(distribution.total), requests: distribution.total };
      if (percentile !== undefined) {
        return { value: quantile(distribution, percentile), standardError: quantileStandardError(distribution, percentile), requests: distribution.total };
      }
    }
    const summary = (stats.latencyMs as unknown as Record<string, number | undefined>)[name];
    if (typeof summary === 'number') return { value: summary, standardError: 0, requests: stats.requests };
    return { missing: `the run recorded no ${name} and no latency histogram` };
  }

  /** Whether the figures of this scope come from a full distribution. */
  hasDistribution(scope: string): boolean {
    const stats = this.stats(scope);
    return !!stats && this.distribution(scope, stats) !== null;
  }

  private distribution(scope: string, stats: RequestStats): Distribution | null {
    if (!this.decoded.has(scope)) {
      let d: Distribution | null = null;
      if (stats.latencyHistogram) {
        try {
          d = decodeDistribution(stats.latencyHistogram);
        } catch {
          d = null; // a damaged histogram falls back to the summary figures, which the schema has checked
        }
      }
      this.decoded.set(scope, d);
    }
    return this.decoded.get(scope) ?? null;
  }

  /**
   * Throughput's error from the spread of the per-second counts (whole seconds only: the first and last are
   * partial), scaled to the request's share of the total for a single request.
   */
  private rpsStandardError(stats: RequestStats): number {
    const seconds = this.evidence.metrics.timeline.slice(1, -1).map((p) => p.requests);
    const totals = this.evidence.metrics.totals;
    if (seconds.length < 2 || totals.requests === 0) return Math.sqrt(stats.requests) / Math.max(1, this.evidence.metrics.durationSeconds);
    const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
    const variance = seconds.reduce((a, v) => a + (v - mean) ** 2, 0) / (seconds.length - 1);
    return Math.sqrt(variance / seconds.length) * (stats.requests / totals.requests);
  }
}
