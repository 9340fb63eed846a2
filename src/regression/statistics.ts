/**
 * Small statistics helpers for the comparison. One interval level throughout: 90% two-sided, i.e. each one-sided
 * claim ("slower", "no slower than the threshold") is wrong at most 5% of the time. That is the TOST convention
 * for showing equivalence, and it bounds the false-regression rate of an A/A comparison by 5% per figure.
 */

/** One-sided 95% quantiles of Student's t by degrees of freedom (standard tables). */
const T_95: readonly number[] = [
  NaN, 6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746,
  1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

/** t such that a Student-t variable with `df` degrees of freedom stays under it 95% of the time. */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) return Infinity;
  if (df < T_95.length) return T_95[Math.floor(df)];
  return 1.645 + 2.5 / df; // close to the table beyond 30 and tends to the normal 1.645
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
