import type { Clock } from '../../clock/index.js';

/**
 * Whether the WAL's fdatasync for a request may run on the event loop
 * itself rather than on libuv's thread pool.
 *
 * On the pool, a sync costs two hand-offs between threads — the loop wakes
 * a pool thread, the pool thread wakes the loop — and on a virtual machine
 * each is a scheduler wake-up that can cost more than a fast disk's flush.
 * Measured on the API bench (2 vCPUs, ext4 on virtio, 100 `call` requests a
 * second): the WAL's fdatasync took 0.09 ms at the median on an idle disk,
 * while a request's wait for it on the pool was 0.3–0.45 ms at the median
 * and 3–4 ms at p99; with the request's sync on the loop the server's time
 * from request to response went from 4.3–4.8 ms to 2.6–3.2 ms at p99.
 *
 * The loop waits for such a flush (on WalSyncThread, for at most its
 * deadline: a stall of the disk no longer stops the loop for all of it),
 * and a slow disk would still stall SIP, RTP and HTTP for as long as each
 * flush up to that deadline, so inline syncs are allowed only while they
 * stay cheap: the running average of their durations (weight 1/8, so one
 * 8 ms flush alone is enough) must stay under `budgetMs`. Past it, every sync goes to the
 * pool for `pauseMs`, then inline syncs are tried again from a fresh
 * average — a disk that is slow for a while costs one slow inline flush per
 * pause, not one per request. A flush that outlives its deadline pauses
 * them at once.
 */
export class InlineSyncPolicy {
  /** Running average of inline sync durations (ms), since the last pause. */
  private average = 0;
  /** Inline syncs are not tried before this time (clock ms). */
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private counts = { inline: 0, paused: 0 };

  /**
   * `onPause`: told the average that caused a pause (so an operator hears
   * the disk is slow); Infinity when a sync outlived its deadline.
   */
  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    readonly budgetMs = DEFAULT_INLINE_SYNC_BUDGET_MS,
    readonly pauseMs = DEFAULT_INLINE_SYNC_PAUSE_MS,
    private readonly onPause: (averageMs: number) => void = () => undefined,
  ) {}

  allowed(): boolean {
    return this.budgetMs > 0 && this.clock.now() >= this.pausedUntil;
  }

  /** Runs `sync` on this thread and weighs how long it took (also when it throws). */
  run(sync: () => void): void {
    const start = this.clock.now();
    try {
      sync();
    } finally {
      const end = this.clock.now();
      this.counts.inline++;
      this.average += (end - start - this.average) / 8;
      if (this.average > this.budgetMs) this.pause(end, this.average);
    }
  }

  /**
   * The last sync outlived the deadline the loop waited for it: the disk
   * stalls, and stalls come in runs, so the syncs go to the pool now.
   */
  overran(): void {
    this.pause(this.clock.now(), Number.POSITIVE_INFINITY);
  }

  private pause(now: number, averageMs: number): void {
    this.pausedUntil = now + this.pauseMs;
    this.average = 0;
    this.counts.paused++;
    this.onPause(averageMs);
  }

  /** Inline syncs run, and how many times they were paused for being slow. */
  stats(): { inline: number; paused: number } {
    return { ...this.counts };
  }
}

export const DEFAULT_INLINE_SYNC_BUDGET_MS = 1;
export const DEFAULT_INLINE_SYNC_PAUSE_MS = 10_000;
