/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2):
 *
 *   Trying ──1xx from TU──▶ Proceeding ──1xx from TU──▶ Proceeding
 *   Trying|Proceeding ──200-699 from TU──▶ Completed (Timer J)
 *   Completed ──Timer J──▶ Terminated
 *
 * Request retransmissions: absorbed in Trying, answered with the last
 * provisional in Proceeding and with the final response in Completed.
 */
import { Stowed, type SipRequest, type SipResponse } from '../message/index.js';
import type { TransactionContext } from './context.js';
import { ServerTransactionBase } from './server-transaction-base.js';
import type { ServerTransaction, Source } from './types.js';

export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
/** Its only timer, J, is a linger (linger.ts). */
type Timer = never;

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState, Timer> {
  private lastProvisional: SipResponse | undefined;
  /** Only its bytes: kept 64·T1 for request retransmissions that seldom come (Stowed). */
  private lastFinal: Stowed<SipResponse> | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: SipRequest,
    source: Source,
    onEnd: (tx: ServerTransaction) => void,
  ) {
    super(ctx, id, request, source, 'Trying', onEnd);
  }

  receiveRequest(_req: SipRequest): void {
    switch (this.current) {
      case 'Trying':
        // "any retransmissions of the request received while in the Trying state MUST be discarded".
        return;
      case 'Proceeding':
        if (this.lastProvisional) this.send(this.lastProvisional);
        return;
      case 'Completed': {
        const res = this.lastFinal?.messageOr(this.ctx.logger, { tx: this.id });
        if (res) this.send(res);
        return;
      }
      case 'Terminated':
        return;
    }
  }

  protected handleResponse(res: SipResponse): void {
    if (this.current !== 'Trying' && this.current !== 'Proceeding') {
      // "any other final responses passed by the TU to the server transaction
      // MUST be discarded while in the Completed state."
      this.ignoredResponse(res);
      return;
    }
    if (res.status < 200) {
      this.current = 'Proceeding';
      this.lastProvisional = res;
      this.send(res);
      return;
    }
    this.current = 'Completed';
    this.lastProvisional = undefined;
    this.send(res);
    // Completed lingers only to re-send this response: nothing else is kept.
    this.releaseRequest();
    // Timer J = 64·T1 over UDP keeps the final response for request
    // retransmissions; 0 over TCP, where none come.
    if (this.reliable) return this.terminate();
    this.lastFinal = Stowed.of(res);
    this.linger(64 * this.ctx.timers.T1);
  }
}
