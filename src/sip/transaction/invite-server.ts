/**
 * The INVITE server transaction (RFC 3261 §17.2.1, as updated by RFC 6026
 * §8.5–8.7 which adds the Accepted state):
 *
 *   Proceeding ──1xx from TU──▶ Proceeding (sent; re-sent on INVITE retransmissions)
 *   Proceeding ──2xx from TU──▶ Accepted  (Timer L)
 *   Proceeding ──3xx-6xx from TU──▶ Completed (Timer G over UDP, Timer H)
 *   Completed ──ACK──▶ Confirmed (Timer I)
 *   Completed ──Timer H──▶ Terminated (TU told: the ACK never came)
 *   Confirmed ──Timer I──▶ Terminated, Accepted ──Timer L──▶ Terminated
 */
import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import { callUser, type TransactionContext } from './context.js';
import { tagOf } from './keys.js';
import { ServerTransactionBase } from './server-transaction-base.js';
import { TRYING_DELAY_MS } from './timers.js';
import type {
  InviteServerTransaction as PublicInviteServerTransaction,
  ServerTransaction,
  Source,
} from './types.js';

export type InviteServerState =
  'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';
/** I and L are lingers (linger.ts), not timers of the machine's own. */
type Timer = 'Trying' | 'G' | 'H';

export class InviteServerTransaction
  extends ServerTransactionBase<InviteServerState, Timer>
  implements PublicInviteServerTransaction
{
  readonly method = 'INVITE' as const;
  private lastProvisional: SipResponse | undefined;
  private lastFinal: SipResponse | undefined;
  private finalToTag: string | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: SipRequest,
    source: Source,
    onEnd: (tx: ServerTransaction) => void,
  ) {
    super(ctx, id, request, source, 'Proceeding', onEnd);
    // §17.2.1: "the server transaction MUST generate a 100 (Trying) response
    // unless it knows that the TU will generate a provisional or final
    // response within 200 ms".
    this.timers.start('Trying', TRYING_DELAY_MS, () => this.sendTrying());
  }

  /** To tag of the final response sent; an RFC 2543 ACK must carry it to match (§17.2.3). */
  get responseToTag(): string | undefined {
    return this.finalToTag;
  }

  private sendTrying(): void {
    const request = this.request;
    if (this.current !== 'Proceeding' || this.lastProvisional || !request) return;
    const trying = createResponse(request, 100, 'Trying');
    this.lastProvisional = trying;
    this.send(trying);
  }

  receiveRequest(_req: SipRequest): void {
    switch (this.current) {
      case 'Proceeding':
        // "If a request retransmission is received while in the Proceeding
        // state, the most recent provisional response that was received from
        // the TU MUST be passed to the transport layer for retransmission."
        if (this.lastProvisional) this.send(this.lastProvisional);
        return;
      case 'Completed':
        // "while in the Completed state ... the server SHOULD pass the response to the transport for retransmission."
        if (this.lastFinal) this.send(this.lastFinal);
        return;
      case 'Confirmed':
      case 'Accepted':
      case 'Terminated':
        // RFC 6026 §8.7: in Accepted the retransmitted INVITE is absorbed (the TU
        // retransmits its 2xx itself); in Confirmed it is absorbed as well.
        return;
    }
  }

  /** An ACK that matched this transaction (§17.2.3). */
  receiveAck(ack: SipRequest, source: Source): void {
    switch (this.current) {
      case 'Completed': {
        // "If an ACK is received while the server transaction is in the
        // Completed state, the server transaction MUST transition to the
        // Confirmed state." Timer I (T4 over UDP, 0 over TCP) absorbs ACK retransmissions.
        this.current = 'Confirmed';
        this.lastFinal = undefined;
        this.timers.stop('G');
        this.timers.stop('H');
        if (this.reliable) this.terminate();
        else this.linger(this.ctx.timers.T4);
        return;
      }
      case 'Accepted':
        // RFC 6026 §8.7: "the ACK MUST be passed to the TU" — it belongs to the 2xx and the dialog.
        this.ctx.passAckToUser(ack, source);
        return;
      case 'Proceeding':
        // No final response yet: nothing for this ACK to acknowledge.
        this.ctx.logger.debug({ tx: this.id }, 'ACK before any final response dropped');
        return;
      case 'Confirmed':
      case 'Terminated':
        return;
    }
  }

  protected handleResponse(res: SipResponse): void {
    const status = res.status;
    if (this.current === 'Accepted') {
      // RFC 6026 §8.5: the TU retransmits its 2xx through the transaction while Accepted.
      if (status >= 200 && status < 300) this.send(res);
      else this.ignoredResponse(res);
      return;
    }
    if (this.current !== 'Proceeding') {
      this.ignoredResponse(res);
      return;
    }
    this.timers.stop('Trying');
    if (status < 200) {
      this.lastProvisional = res;
      this.send(res);
    } else if (status < 300) {
      this.finalToTag = tagOf(res.to());
      this.current = 'Accepted';
      this.send(res);
      // Accepted only absorbs retransmissions and forwards ACKs for 64·T1
      // (the TU re-sends its 2xx itself): keep neither response nor request,
      // so thousands of lingering transactions stay small.
      this.lastProvisional = undefined;
      this.releaseRequest();
      // RFC 6026 §8.7: Timer L = 64·T1 — the wait for ACKs and 2xx retransmissions.
      this.linger(64 * this.ctx.timers.T1);
    } else {
      this.lastFinal = res;
      this.finalToTag = tagOf(res.to());
      this.lastProvisional = undefined;
      this.releaseRequest();
      this.current = 'Completed';
      this.send(res);
      const { T1 } = this.ctx.timers;
      // Timer G retransmits the final response over UDP until the ACK comes.
      if (!this.reliable) this.armTimerG(T1);
      // Timer H = 64·T1 bounds the wait for the ACK on any transport.
      this.timers.start('H', 64 * T1, () => this.onTimerH());
    }
  }

  private armTimerG(interval: number): void {
    this.timers.start('G', interval, () => {
      if (this.current !== 'Completed' || !this.lastFinal) return;
      this.send(this.lastFinal);
      // "reset with a value of MIN(2*T1, T2)", then MIN(4*T1, T2) and so on.
      this.armTimerG(Math.min(2 * interval, this.ctx.timers.T2));
    });
  }

  private onTimerH(): void {
    if (this.current !== 'Completed') return;
    // "If timer H fires while in the Completed state, it implies that the ACK
    // was never received. ... the server transaction SHOULD inform the TU."
    const onTimeout = this.onTimeout;
    if (onTimeout) callUser(this.ctx.logger, 'onTimeout', () => onTimeout());
    this.terminate();
  }
}
