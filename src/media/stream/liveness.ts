/**
 * "Nothing from the peer for N seconds" detection (RFC 3550 §6.3.5 times
 * out silent sources; for a call leg it means the peer is gone without a
 * BYE). Any RTP or RTCP from the peer keeps it alive: a peer on hold sends
 * no RTP but goes on sending RTCP (RFC 3264 §5.1), so a held leg is watched
 * too, on its own (longer) timeout. One timer per stream, re-armed only
 * when it fires — not on every packet — so a 50 packet/s stream costs one
 * timer per timeout period.
 *
 * States: off (not watching: timeout 0, or closed) | watching | expired
 * (fired; waits for a packet or a new timeout).
 */
import type { Clock, TimerHandle } from '../../clock/index.js';

type State = 'off' | 'watching' | 'expired';

export class LivenessWatch {
  private state: State = 'off';
  private lastMs = 0;
  private timeoutMs = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onTimeout: (silentMs: number) => void,
  ) {}

  /**
   * Watches with this timeout from now (media changed: hold, resume, a new
   * SDP); the same timeout again changes nothing. 0 stops watching.
   */
  start(timeoutMs: number): void {
    if (timeoutMs <= 0) return this.stop();
    if (this.state === 'watching' && timeoutMs === this.timeoutMs) return;
    this.timeoutMs = timeoutMs;
    this.lastMs = this.clock.now();
    this.state = 'watching';
    this.arm(timeoutMs);
  }

  /** Stops watching (closed). */
  stop(): void {
    this.state = 'off';
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An RTP or RTCP packet from the peer arrived. */
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
