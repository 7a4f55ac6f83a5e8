// Small statistics helpers shared by the benchmarks.

/** The `q` quantile (0..1) of `sorted`, nearest-rank; 0 for an empty list. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of `values` (any order). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Summarises response times in ms: exact p50, p90, p99, max and mean. */
export function latencySummary(times: readonly number[]): { p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = Float64Array.from(times).sort();
  const sum = times.reduce((total, time) => total + time, 0);
  return {
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
    mean: times.length > 0 ? sum / times.length : 0,
  };
}
