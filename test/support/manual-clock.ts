import type { Clock, TimerHandle } from '../../src/clock/index.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A Clock that only moves when a test calls advance(): RFC timers fire deterministically. */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return p as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) (handle as unknown as Pending).cancelled = true;
  }

  /** Moves time forward by `ms`, firing every due timer in deadline order (timers set while firing included). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq)))
          next = p;
      }
      if (!next) break;
      this.t = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.t = end;
  }

  /** Number of timers still armed. */
  armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
