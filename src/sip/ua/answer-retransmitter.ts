/**
 * RFC 3261 §13.3.1.4: the UAS core (not the transaction) retransmits a 2xx
 * to INVITE, starting at T1 and doubling up to T2, until the ACK arrives;
 * if no ACK has come after 64·T1 the dialog is confirmed-then-ended with a
 * BYE by the caller. Over a reliable transport the response is not
 * retransmitted (§17.1.1.2) but the 64·T1 wait for the ACK still applies.
 */
import type { Clock, TimerHandle } from '../../clock/index.js';
import type { TimerConfig } from '../transaction/index.js';

export class AnswerRetransmitter {
  private timer: TimerHandle | undefined;
  private giveUp: TimerHandle | undefined;
  private interval: number;
  private done = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerConfig,
    private readonly resend: () => void,
    private readonly onNoAck: () => void,
    reliable: boolean,
  ) {
    this.interval = timers.T1;
    if (!reliable) this.timer = clock.setTimeout(() => this.fire(), this.interval);
    this.giveUp = clock.setTimeout(() => {
      if (this.done) return;
      this.stop();
      this.onNoAck();
    }, 64 * timers.T1);
  }

  private fire(): void {
    if (this.done) return;
    this.resend();
    this.interval = Math.min(this.interval * 2, this.timers.T2);
    this.timer = this.clock.setTimeout(() => this.fire(), this.interval);
  }

  /** The ACK arrived (or the session ended). */
  stop(): void {
    this.done = true;
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.giveUp);
  }
}
