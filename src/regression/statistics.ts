/**
 * Small statistics helpers for the comparison. Two levels: "unchanged" is shown with the 95% one-sided bound on
 * the worse side (the upper end of the 90% two-sided interval shown in reports: no worse than the threshold,
 * wrong at most 5% of the time), and "regressed" is claimed only when a 97.5% one-sided bound clears zero and the change exceeds
 * the threshold. A run carries several figures (p50, p95, p99, errors, throughput, per request), so 5% per figure
 * would add up to more than 5% per run; at 2.5% per figure, with the threshold on top and the figures of a run
 * mostly moving together, an A/A run stays under 5% (test/regression/compare.test.ts simulates it).
 */

/** One-sided 95% quantiles of Student's t by degrees of freedom (standard tables). */
const T_95: readonly number[] = [
  NaN, 6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746,
  1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

/** One-sided 97.5% quantiles of Student's t by degrees of freedom (standard tables). */
const T_975: readonly number[] = [
  NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12,
  2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t such that a Student-t variable with `df` degrees of freedom stays under it 95% of the time. */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) return Infinity;
  if (df < T_95.length) return T_95[Math.floor(df)];
  return 1.645 + 2.5 / df; // close to the table beyond 30 and tends to the normal 1.645
}

/** The same at 97.5%: the level a regression (or improvement) is claimed at. */
export function tQuantileClaim(df: number): number {
  if (!(df >= 1)) return Infinity;
  if (df < T_975.length) return T_975[Math.floor(df)];
  return 1.96 + 2.4 / df;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample variance (n - 1); 0 for fewer than two values. */
export function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return values.reduce((a, v) => a + (v - m) * (v - m), 0) / (values.length - 1);
}
