/**
 * "No RTP for N seconds" detection (RFC 3550 §6.3.5 times out silent
 * sources; for a call leg it means the peer is gone without a BYE). One
 * timer per stream, re-armed only when it fires — not on every packet — so
 * a 50 packet/s stream costs one timer per timeout period.
 *
 * States: off (not expecting media) | watching | expired (fired; waits for RTP).
 */
import type { Clock, TimerHandle } from '../../clock/index.js';

type State = 'off' | 'watching' | 'expired';

export class LivenessWatch {
  private state: State = 'off';
  private lastMs = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly onTimeout: (silentMs: number) => void,
  ) {}

  /** Starts watching from now (media is expected from here on). */
  start(): void {
    if (this.state === 'watching') return;
    this.lastMs = this.clock.now();
    this.state = 'watching';
    this.arm(this.timeoutMs);
  }

  /** Stops watching (on hold, closed). */
  stop(): void {
    this.state = 'off';
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An RTP packet arrived. */
  alive(): void {
    this.lastMs = this.clock.now();
    if (this.state === 'expired') {
      this.state = 'watching';
      this.arm(this.timeoutMs);
    }
  }

  private arm(ms: number): void {
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.check(), ms);
  }

  private check(): void {
    this.timer = undefined;
    if (this.state !== 'watching') return;
    const silent = this.clock.now() - this.lastMs;
    if (silent >= this.timeoutMs) {
      this.state = 'expired';
      this.onTimeout(silent);
    } else {
      this.arm(this.timeoutMs - silent);
    }
  }
}
