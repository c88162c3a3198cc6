/**
 * The INVITE client transaction (RFC 3261 §17.1.1, as updated by RFC 6026
 * §8.4 which adds the Accepted state):
 *
 *   Calling ──1xx──▶ Proceeding ──1xx──▶ Proceeding
 *   Calling|Proceeding ──2xx──▶ Accepted   (Timer M; every 2xx goes up)
 *   Calling|Proceeding ──3xx-6xx──▶ Completed (ACK sent; Timer D)
 *   Calling ──Timer B──▶ Terminated (TU told of the timeout)
 *   Completed ──Timer D──▶ Terminated, Accepted ──Timer M──▶ Terminated
 */
import { Stowed, type SipRequest, type SipResponse } from '../message/index.js';
import { buildAckForNon2xx } from './ack.js';
import { ClientTransactionBase } from './client-transaction-base.js';
import type { TransactionContext } from './context.js';
import { TIMER_D_UNRELIABLE_MS } from './timers.js';
import type { ClientTransaction, ClientTransactionHandlers, Endpoint } from './types.js';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';
/** D and M are lingers (linger.ts), not timers of the machine's own. */
type Timer = 'A' | 'B';

export class InviteClientTransaction extends ClientTransactionBase<InviteClientState, Timer> {
  /**
   * The ACK for the non-2xx final response, re-sent for each retransmission
   * of it (§17.1.1.3): its bytes only, kept for Timer D (Stowed).
   */
  private ack: Stowed<SipRequest> | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: SipRequest,
    destination: Endpoint,
    handlers: ClientTransactionHandlers,
    onEnd: (tx: ClientTransaction) => void,
  ) {
    super(ctx, id, request, destination, handlers, 'Calling', onEnd);
  }

  start(): void {
    this.sendRequest(true);
    const { T1 } = this.ctx.timers;
    // §17.1.1.2: Timer A only over an unreliable transport, starting at T1.
    if (!this.reliable) this.armTimerA(T1);
    // Timer B bounds the wait for any response: 64·T1.
    this.timers.start('B', 64 * T1, () => this.onTimerB());
  }

  private armTimerA(interval: number): void {
    this.timers.start('A', interval, () => {
      if (this.current !== 'Calling') return;
      this.sendRequest(false);
      // "the client transaction MUST ... reset the timer with a value of 2*T1" and so on: doubling without cap.
      this.armTimerA(2 * interval);
    });
  }

  private onTimerB(): void {
    // Only Calling waits on Timer B; after a provisional the TU decides (CANCEL, §9.1).
    if (this.current === 'Calling') this.timedOut();
  }

  protected stopRetransmissions(): void {
    this.timers.stop('A');
  }

  receiveResponse(res: SipResponse): void {
    const status = res.status;
    if (status < 100 || status > 699) return;
    switch (this.current) {
      case 'Calling':
      case 'Proceeding':
        this.timers.stop('A');
        this.timers.stop('B');
        if (status < 200) {
          this.current = 'Proceeding';
          this.passUp(res);
        } else if (status < 300) {
          this.enterAccepted(res);
        } else {
          this.enterCompleted(res);
        }
        return;
      case 'Completed':
        // "Any retransmissions of the final response that are received while in
        // the Completed state MUST cause the ACK to be re-passed to the transport
        // layer ... but the newly received response MUST NOT be passed up to the TU."
        if (status >= 300 && this.ack) {
          const ack = this.ack.messageOr(this.ctx.logger, { tx: this.id });
          if (ack) this.sendOther(ack);
        } else this.ctx.logger.debug({ tx: this.id, status }, 'response absorbed in Completed');
        return;
      case 'Accepted':
        // RFC 6026 §8.4: every 2xx (retransmissions, or 2xx from other forks)
        // goes to the TU, which ACKs it within its dialog.
        if (status >= 200 && status < 300) this.passUp(res);
        return;
      case 'Terminated':
        return;
    }
  }

  private enterAccepted(res: SipResponse): void {
    this.current = 'Accepted';
    this.releaseRequest();
    // RFC 6026 §8.4: Timer M = 64·T1 keeps the transaction to catch 2xx retransmissions and forks.
    this.linger(64 * this.ctx.timers.T1);
    this.passUp(res);
  }

  private enterCompleted(res: SipResponse): void {
    this.current = 'Completed';
    const ack = buildAckForNon2xx(this.request!, res);
    this.releaseRequest();
    this.sendOther(ack);
    this.passUp(res);
    if (this.current !== 'Completed') return; // the TU ended the transaction from its callback
    // Timer D: absorb retransmitted finals for 32 s over UDP; none can come over TCP.
    if (this.reliable) return this.terminate();
    this.ack = Stowed.of(ack);
    this.linger(TIMER_D_UNRELIABLE_MS);
  }
}
