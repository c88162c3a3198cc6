/**
 * Small statistics for the media benchmark: nearest-rank percentiles (a
 * percentile is always a value that was really measured, never an
 * interpolation) and rounding for the report.
 */

/** The p-th percentile (0 < p <= 100) by nearest rank; NaN for no values or a p out of range. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0 || !(p > 0 && p <= 100)) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1];
}

/** The median by nearest rank (the lower middle value of an even count). */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** `value` rounded to `digits` decimals; NaN and ±Infinity pass through. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** a / b, or NaN when b is not positive (a ratio of nothing is not a number). */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}
