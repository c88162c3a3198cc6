/**
 * The running side of a session timer (RFC 4028 §10): once an INVITE or
 * UPDATE has agreed on an interval, the refresher sends a refresh at half
 * of it, and either side ends the session when no refresh has succeeded
 * by `interval − min(32 s, interval/3)` (§10: "slightly before the session
 * expires"). Every successful refresh, sent or received, restarts both.
 *
 * States: off | running (refresh and/or expiry armed). On the injected Clock.
 */
import type { Clock, TimerHandle } from '../../clock/index.js';
import type { SessionInterval } from '../dialog/index.js';

export interface SessionTimerHandlers {
  /** Time to send a refresh (we are the refresher). */
  refresh(): void;
  /** No refresh succeeded in time: the session is dead, end it (BYE). */
  expire(): void;
}

/** §10: the BYE goes out this much before the interval ends, at most 32 s. */
export function expiryLeadMs(intervalS: number): number {
  return Math.min(32_000, (intervalS * 1000) / 3);
}

export class SessionTimer {
  private refreshTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;
  /** What was last agreed, null while off. */
  current: SessionInterval | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly handlers: SessionTimerHandlers,
  ) {}

  /** A refresh (or the initial INVITE) succeeded with this interval: restart from now. */
  start(interval: SessionInterval): void {
    this.stop();
    this.current = interval;
    const ms = interval.intervalS * 1000;
    if (interval.weRefresh) {
      this.refreshTimer = this.clock.setTimeout(() => {
        this.refreshTimer = undefined;
        this.handlers.refresh();
      }, ms / 2);
    }
    this.expiryTimer = this.clock.setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.clock.clearTimeout(this.refreshTimer);
        this.current = null;
        this.handlers.expire();
      },
      ms - expiryLeadMs(interval.intervalS),
    );
  }

  /** Asks for another refresh attempt soon (the last one could not be sent yet). */
  retryRefresh(afterMs: number): void {
    if (!this.current?.weRefresh) return;
    this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      this.handlers.refresh();
    }, afterMs);
  }

  stop(): void {
    this.clock.clearTimeout(this.refreshTimer);
    this.clock.clearTimeout(this.expiryTimer);
    this.refreshTimer = undefined;
    this.expiryTimer = undefined;
    this.current = null;
  }
}
