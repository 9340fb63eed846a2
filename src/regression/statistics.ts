/**
 * Small statistics helpers for the comparison. Two levels: "unchanged" is shown with a 90% two-sided interval
 * (each one-sided claim "no more than the threshold" wrong at most 5% of the time: the TOST convention for
 * equivalence), and "regressed" is claimed only when a 99% one-sided bound clears zero. A run carries several
 * figures (p50, p95, p99, errors, throughput, per request), so 5% per figure would add up to far more than 5%
 * per run; at 1% per figure an A/A run stays under 5% even when its figures moved independently of each other
 * (they mostly move together, which helps).
 */

/** One-sided 95% quantiles of Student's t by degrees of freedom (standard tables). */
const T_95: readonly number[] = [
  NaN, 6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746,
  1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

/** One-sided 99% quantiles of Student's t by degrees of freedom (standard tables). */
const T_99: readonly number[] = [
  NaN, 31.821, 6.965, 4.541, 3.747, 3.365, 3.143, 2.998, 2.896, 2.821, 2.764, 2.718, 2.681, 2.65, 2.624, 2.602, 2.583,
  2.567, 2.552, 2.539, 2.528, 2.518, 2.508, 2.5, 2.492, 2.485, 2.479, 2.473, 2.467, 2.462, 2.457,
];

/** t such that a Student-t variable with `df` degrees of freedom stays under it 95% of the time. */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) return Infinity;
  if (df < T_95.length) return T_95[Math.floor(df)];
  return 1.645 + 2.5 / df; // close to the table beyond 30 and tends to the normal 1.645
}

/** The same at 99%: the level a regression (or improvement) is claimed at. */
export function tQuantile99(df: number): number {
  if (!(df >= 1)) return Infinity;
  if (df < T_99.length) return T_99[Math.floor(df)];
  return 2.326 + 4 / df;
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
