import type { Histogram, JsHistogram } from 'hdr-histogram-js';
import { encodeHistogram, newHistogram } from '../hdr';
import type { LatencySummary, RequestStats, TimelinePoint } from '../../evidence/types';

export { newHistogram };

/**
 * The aggregator: latencies go into HDR histograms (microseconds, 3 significant digits) per request name and per
 * second; counters are plain numbers. The hot path only increments and records. Percentiles, merges and the
 * timeline are computed once per tick (autocannon's habit).
 */
export class RequestSlot {
  requests = 0;
  httpErrors = 0;
  networkErrors = 0;
  /** Of networkErrors: requests still unanswered (or, open model, still waiting for a user) when the run ended. */
  unfinished = 0;
  readonly histogram = newHistogram();
  /** Time to the first response byte: JMeter's "latency", which Azure's `latency` criteria judge. */
  readonly firstByte = newHistogram();
  constructor(readonly name: string) {}
}

export interface WindowFigures { requests: number; errors: number; p95: number }

export class Recorder {
  readonly slots: RequestSlot[];
  readonly timeline: TimelinePoint[] = [];
  private secondRequests = 0;
  private secondErrors = 0;
  private readonly secondHistogram = newHistogram();
  private readonly windowHistogram = newHistogram();
  private windowRequests = 0;
  private windowErrors = 0;

  constructor(requestNames: string[]) {
    this.slots = requestNames.map((name) => new RequestSlot(name));
  }

  /** A response arrived. Status >= 400 is an HTTP error; its latency still counts, it is a real response. */
  response(slot: RequestSlot, micros: number, firstByteMicros: number, status: number): void {
    slot.requests++;
    this.secondRequests++;
    if (status >= 400) {
      slot.httpErrors++;
      this.secondErrors++;
    }
    const value = micros < 1 ? 1 : micros;
    slot.histogram.recordValue(value);
    slot.firstByte.recordValue(firstByteMicros < 1 ? 1 : firstByteMicros);
    this.secondHistogram.recordValue(value);
  }

  /**
   * No HTTP response at all: refused or reset. Counted, but kept out of the latency histograms: such a failure is
   * usually instant, and its near-zero time would pull the percentiles down.
   */
  networkError(slot: RequestSlot): void {
    slot.requests++;
    slot.networkErrors++;
    this.secondRequests++;
    this.secondErrors++;
  }

  /**
   * A network error that took time: a request timeout, or a request the end of the run cut off (`unfinished`).
   * Its latency is the time it had waited (at least), so a stall shows in the percentiles as well as in the error
   * percentage; leaving it out is coordinated omission. No first byte came, unless the headers did.
   */
  waitedInVain(slot: RequestSlot, micros: number, firstByteMicros: number, unfinished: boolean): void {
    this.networkError(slot);
    if (unfinished) slot.unfinished++;
    const value = micros < 1 ? 1 : micros;
    slot.histogram.recordValue(value);
    slot.firstByte.recordValue(firstByteMicros < 1 ? 1 : firstByteMicros);
    this.secondHistogram.recordValue(value);
  }

  /** Whether the second being recorded holds any request yet. */
  get secondHasData(): boolean {
    return this.secondRequests > 0;
  }

  /** Closes one second of the timeline (called from the tick, never per request). */
  closeSecond(second: number, activeUsers: number): TimelinePoint {
    const h = this.secondHistogram;
    const point: TimelinePoint = {
      second, requests: this.secondRequests, errors: this.secondErrors, activeUsers,
      latencyMs: h.totalCount ? secondFigures(h) : { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 },
    };
    this.timeline.push(point);
    this.windowHistogram.add(h);
    this.windowRequests += this.secondRequests;
    this.windowErrors += this.secondErrors;
    h.reset();
    this.secondRequests = 0;
    this.secondErrors = 0;
    return point;
  }

  /** Figures since the previous call (for progress lines), then starts a new window. */
  takeWindow(): WindowFigures {
    const figures = { requests: this.windowRequests, errors: this.windowErrors, p95: round(this.windowHistogram.getValueAtPercentile(95) / 1000) };
    this.windowHistogram.reset();
    this.windowRequests = 0;
    this.windowErrors = 0;
    return figures;
  }

  /** Error percentage over the last `seconds` closed seconds; undefined until that many seconds have passed. */
  errorPercentageOver(seconds: number): number | undefined {
    if (this.timeline.length < seconds) return undefined;
    let requests = 0;
    let errors = 0;
    for (let i = this.timeline.length - seconds; i < this.timeline.length; i++) {
      requests += this.timeline[i].requests;
      errors += this.timeline[i].errors;
    }
    return requests === 0 ? undefined : (100 * errors) / requests;
  }

  /**
   * Per-request figures and the `Total` row, over `durationSeconds` of load. `keepDistribution` adds each
   * latency histogram in its compressed encoding (a few KB each); only the final figures need it, not the ticks.
   */
  stats(durationSeconds: number, keepDistribution = false): { totals: RequestStats; requests: RequestStats[] } {
    const total = new RequestSlot('Total');
    for (const slot of this.slots) {
      total.requests += slot.requests;
      total.httpErrors += slot.httpErrors;
      total.networkErrors += slot.networkErrors;
      total.histogram.add(slot.histogram);
      total.firstByte.add(slot.firstByte);
    }
    return { totals: statsOf(total, durationSeconds, keepDistribution), requests: this.slots.map((s) => statsOf(s, durationSeconds, keepDistribution)) };
  }
}

function statsOf(slot: RequestSlot, durationSeconds: number, keepDistribution: boolean): RequestStats {
  const errors = slot.httpErrors + slot.networkErrors;
  const stats: RequestStats = {
    name: slot.name,
    requests: slot.requests,
    errors,
    httpErrors: slot.httpErrors,
    networkErrors: slot.networkErrors,
    errorPercentage: slot.requests ? round((100 * errors) / slot.requests) : 0,
    rps: durationSeconds > 0 ? round(slot.requests / durationSeconds) : 0,
    latencyMs: summary(slot.histogram),
    timeToFirstByteMs: summary(slot.firstByte),
  };
  if (keepDistribution && slot.histogram.totalCount > 0) stats.latencyHistogram = encodeHistogram(slot.histogram);
  return stats;
}

export function summary(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { min: 0, avg: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const ms = (v: number) => round(v / 1000);
  const [p50, p75, p90, p95, p96, p97, p98, p99, p999, p9999, mean] = percentiles(h, SUMMARY_PERCENTILES);
  return {
    min: ms(h.minNonZeroValue), avg: ms(mean), p50: ms(p50), p75: ms(p75), p90: ms(p90), p95: ms(p95), p99: ms(p99),
    p999: ms(p999), max: ms(h.maxValue), p96: ms(p96), p97: ms(p97), p98: ms(p98), p9999: ms(p9999),
  };
}

const SUMMARY_PERCENTILES = [50, 75, 90, 95, 96, 97, 98, 99, 99.9, 99.99];
const SECOND_PERCENTILES = [50, 90, 95, 99];

function secondFigures(h: Histogram): TimelinePoint['latencyMs'] {
  const [p50, p90, p95, p99] = percentiles(h, SECOND_PERCENTILES, false);
  return { p50: round(p50 / 1000), p90: round(p90 / 1000), p95: round(p95 / 1000), p99: round(p99 / 1000), max: round(h.maxValue / 1000) };
}

/**
 * The values at ascending `wanted` percentiles, then the mean (NaN when `withMean` is false), in one pass over the
 * counts. The library walks the counts array once per percentile (and the mean through an iterator object), which
 * made the end-of-run summary, 4 histograms x 11 figures, the largest fixed cost of a short run
 * (bench/generator-cost.ts). Same results: the count rounding, the highest equivalent value and the
 * median-equivalent mean follow JsHistogram's own code. A bucket's value is computed only where a percentile lands
 * (and, for the mean, for each non-empty bucket): this runs a few times a run, too rarely for V8 to optimise it, and
 * the per-second figures computing every value cost some 20 ms a second at 60,000 requests a second.
 */
export function percentiles(histogram: Histogram, wanted: readonly number[], withMean = true): number[] {
  const h = histogram as unknown as JsHistogram;
  const total = h.totalCount;
  const out: number[] = new Array(wanted.length + 1).fill(0);
  const targets = wanted.map((p) => {
    const fp = (Math.min(p, 100) / 100) * total;
    return Math.max(Math.ceil(fp - (fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0)), 1);
  });
  let next = 0;
  let seen = 0;
  let sum = 0;
  const length = h.countsArrayLength;
  for (let i = 0; i < length && seen < total; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    seen += count;
    if (withMean) sum += h.medianEquivalentValue(h.valueFromIndex(i)) * count;
    if (next < targets.length && seen >= targets[next]) {
      const value = h.highestEquivalentValue(h.valueFromIndex(i));
      while (next < targets.length && seen >= targets[next]) out[next++] = value;
    }
  }
  out[wanted.length] = !withMean ? NaN : total ? sum / total : 0;
  return out;
}

/** Three decimals: microsecond resolution in milliseconds, without float noise in the evidence. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
