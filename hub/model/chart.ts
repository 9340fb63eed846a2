/**
 * Series helpers for the inline-SVG charts. A long load test has one timeline entry per second (a nine-hour
 * soak is ~32,000), and `Math.max(...values)` passes each value as an argument, which overflows the call
 * stack at that size in V8. So the largest value is found with a loop, and long series are reduced before
 * drawing: the chart is 560 units wide, so more points than that cannot be seen anyway.
 */

/** The largest finite value of all series, at least `floor`. */
export function largestValue(series: ReadonlyArray<{ values: readonly number[] }>, floor = 1): number {
  let max = floor;
  for (const s of series) {
    for (const v of s.values) if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}

/**
 * At most about `maxPoints` [second, value] pairs. Each bucket keeps its lowest and its highest value, in
 * the order they happened, so a spike (or a dip) in a long run stays visible instead of being averaged away.
 */
export function downsample(values: readonly number[], maxPoints = 600): Array<[number, number]> {
  const clean = (v: number) => (Number.isFinite(v) ? v : 0);
  if (values.length <= maxPoints) return values.map((v, i) => [i, clean(v)]);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = values.length / buckets;
  const points: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(values.length, Math.floor((b + 1) * size));
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      if (clean(values[i]) < clean(values[lo])) lo = i;
      if (clean(values[i]) > clean(values[hi])) hi = i;
    }
    for (const i of lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) points.push([i, clean(values[i])]);
  }
  const last = values.length - 1;
  if (points[points.length - 1][0] !== last) points.push([last, clean(values[last])]);
  return points;
}
