import type { Histogram } from 'hdr-histogram-js';
import { decodeHistogram } from '../load/hdr';

/**
 * A latency distribution as its non-empty histogram buckets, sorted: `valuesMs[i]` is the highest value of
 * bucket i (what HdrHistogram reports for a percentile) and `cumulative[i]` the count up to and including it.
 * Every statistic here walks the buckets, never the raw samples: a million requests at 3 significant digits fill
 * a few thousand buckets, so a comparison costs the same for ten thousand requests as for ten million.
 */
export interface Distribution {
  valuesMs: Float64Array;
  cumulative: Float64Array;
  total: number;
  meanMs: number;
  sdMs: number;
}

/** Decodes a histogram kept in evidence (`RequestStats.latencyHistogram`, microseconds). Throws on a bad encoding. */
export function decodeDistribution(encoded: string): Distribution {
  return fromHistogram(decodeHistogram(encoded));
}

export function fromHistogram(h: Histogram): Distribution {
  // The JS implementation exposes its counts array by index; walking it once is the cheapest read there is.
  const raw = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number; highestEquivalentValue(v: number): number };
  const values: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < raw.countsArrayLength; i++) {
    const count = raw.getCountAtIndex(i);
    if (count === 0) continue;
    const micros = raw.highestEquivalentValue(raw.valueFromIndex(i));
    total += count;
    values.push(micros / 1000);
    cumulative.push(total);
    const ms = micros / 1000;
    sum += count * ms;
    sumSquares += count * ms * ms;
  }
  const meanMs = total ? sum / total : 0;
  return {
    valuesMs: Float64Array.from(values),
    cumulative: Float64Array.from(cumulative),
    total,
    meanMs,
    sdMs: total > 1 ? Math.sqrt(Math.max(0, (sumSquares - total * meanMs * meanMs) / (total - 1))) : 0,
  };
}

/** The value at a percentile (0-100), with HdrHistogram's own rounding of the rank, so it matches the evidence. */
export function quantile(d: Distribution, percentile: number): number {
  if (d.total === 0) return 0;
  const rank = Math.max(1, Math.floor((Math.min(percentile, 100) / 100) * d.total + 0.5));
  return valueAtRank(d, rank);
}

/** The smallest bucket whose cumulative count reaches `rank` (binary search). */
function valueAtRank(d: Distribution, rank: number): number {
  let lo = 0;
  let hi = d.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d.cumulative[mid] >= rank) hi = mid;
    else lo = mid + 1;
  }
  return d.valuesMs[lo];
}

/**
 * The standard error of a percentile from within one run: the distribution-free interval of an order statistic
 * (the rank of the p-quantile among n samples is binomial, sd sqrt(n p (1-p))), mapped through the histogram's
 * CDF and read as a 95% interval. This is what a bootstrap over the histogram converges to, without resampling.
 * Requests within one run are not independent (a GC pause slows many at once), so this understates the run's
 * uncertainty; the comparison relies on the spread between baseline runs for that (compare.ts).
 */
export function quantileStandardError(d: Distribution, percentile: number): number {
  if (d.total < 2) return 0;
  const p = Math.min(Math.max(percentile / 100, 0), 1);
  const spread = 1.96 * Math.sqrt(d.total * p * (1 - p));
  const centre = p * d.total;
  const low = valueAtRank(d, Math.max(1, Math.floor(centre - spread)));
  const high = valueAtRank(d, Math.min(d.total, Math.ceil(centre + spread)));
  return (high - low) / (2 * 1.96);
}
