/**
 * Time as the protocol layers see it. SIP transactions, dialogs and the media
 * clock take a Clock so that tests can drive RFC timers (A..K, L, M) without
 * sleeping, and so production code never reaches for globals directly.
 */
export interface TimerHandle {
  readonly __timer: true;
}

export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The real clock: performance.now() and Node timers. Timers are unref'd so they never keep the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (handle) clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};
