/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2):
 *
 *   Trying ──1xx──▶ Proceeding ──1xx──▶ Proceeding
 *   Trying|Proceeding ──200-699──▶ Completed (Timer K)
 *   Trying|Proceeding ──Timer F──▶ Terminated (TU told of the timeout)
 *   Completed ──Timer K──▶ Terminated
 *
 * Timer E retransmits over UDP: T1, 2·T1, 4·T1 … capped at T2 in Trying,
 * and every T2 once in Proceeding (§17.1.2.2).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { ClientTransactionBase } from './client-transaction-base.js';
import type { TransactionContext } from './context.js';
import type { ClientTransaction, ClientTransactionHandlers, Endpoint } from './types.js';

export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
/** K is a linger (linger.ts), not a timer of the machine's own. */
type Timer = 'E' | 'F';

export class NonInviteClientTransaction extends ClientTransactionBase<NonInviteClientState, Timer> {
  constructor(
    ctx: TransactionContext,
    id: string,
    request: SipRequest,
    destination: Endpoint,
    handlers: ClientTransactionHandlers,
    onEnd: (tx: ClientTransaction) => void,
  ) {
    super(ctx, id, request, destination, handlers, 'Trying', onEnd);
  }

  start(): void {
    this.sendRequest(true);
    const { T1 } = this.ctx.timers;
    if (!this.reliable) this.armTimerE(T1);
    // Timer F = 64·T1 bounds the whole transaction, on any transport.
    this.timers.start('F', 64 * T1, () => this.timedOut());
  }

  private armTimerE(interval: number): void {
    this.timers.start('E', interval, () => {
      const { T2 } = this.ctx.timers;
      if (this.current === 'Trying') {
        this.sendRequest(false);
        this.armTimerE(Math.min(2 * interval, T2));
      } else if (this.current === 'Proceeding') {
        // "If Timer E fires while in the Proceeding state, the request MUST be
        // passed to the transport layer for retransmission, and Timer E MUST be
        // reset with a value of T2 seconds."
        this.sendRequest(false);
        this.armTimerE(T2);
      }
    });
  }

  protected stopRetransmissions(): void {
    this.timers.stop('E');
  }

  receiveResponse(res: SipResponse): void {
    const status = res.status;
    if (status < 100 || status > 699) return;
    if (this.current !== 'Trying' && this.current !== 'Proceeding') {
      // Completed: "any retransmissions of the response" are absorbed (§17.1.2.2).
      return;
    }
    if (status < 200) {
      this.current = 'Proceeding';
      this.passUp(res);
      return;
    }
    this.current = 'Completed';
    this.timers.stop('E');
    this.timers.stop('F');
    this.releaseRequest();
    this.passUp(res);
    if (this.current !== 'Completed') return; // the TU ended the transaction from its callback
    // Timer K = T4 over UDP to absorb response retransmissions; 0 over TCP.
    if (this.reliable) this.terminate();
    else this.linger(this.ctx.timers.T4);
  }
}
