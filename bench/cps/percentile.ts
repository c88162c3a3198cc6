/**
 * The p-th percentile (0 < p <= 100) by the nearest-rank method: the smallest
 * value such that at least p % of the values are at or below it. Nearest rank
 * never interpolates, so the result is always a time that some call really
 * took. NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0 || !(p > 0 && p <= 100)) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1];
}
