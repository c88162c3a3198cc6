/**
 * The last N measurements of something per tick (lateness, CPU time), kept in
 * a preallocated ring so that recording one costs no allocation on the tick
 * path. Percentiles are computed only when stats are read.
 */
export interface Distribution {
  /** Measurements in the window. */
  count: number;
  mean: number;
  p50: number;
  p99: number;
  /** Largest value since the start, not only in the window. */
  max: number;
}

/** 3000 ticks of 20 ms: the last minute. */
export const DEFAULT_WINDOW = 3000;

export class SampleWindow {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;
  private maxEver = 0;
  private any = false;

  constructor(size: number = DEFAULT_WINDOW) {
    this.ring = new Float64Array(Math.max(1, Math.floor(size)));
  }

  add(value: number): void {
    this.ring[this.next] = value;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    if (!this.any || value > this.maxEver) this.maxEver = value;
    this.any = true;
  }

  summary(): Distribution {
    if (this.filled === 0) return { count: 0, mean: 0, p50: 0, p99: 0, max: 0 };
    const sorted = this.ring.slice(0, this.filled).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i];
    return {
      count: sorted.length,
      mean: sum / sorted.length,
      p50: nearestRank(sorted, 0.5),
      p99: nearestRank(sorted, 0.99),
      max: this.maxEver,
    };
  }
}

/** Nearest-rank percentile of ascending values. */
function nearestRank(sorted: Float64Array, p: number): number {
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
