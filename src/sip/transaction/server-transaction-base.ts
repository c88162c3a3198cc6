/**
 * What the INVITE and non-INVITE server machines (RFC 3261 §17.2) share:
 * sending responses with failure handling (§17.2.4), TU callbacks, and
 * termination.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { asError, callUser, guardedSend, type TransactionContext } from './context.js';
import { TransactionMachine } from './machine.js';
import type { ServerTransaction, Source } from './types.js';

/** `State` is the machine's state names, 'Terminated' among them. */
export abstract class ServerTransactionBase<State extends string, Timer extends string>
  extends TransactionMachine<State, Timer>
  implements ServerTransaction
{
  onTerminated?: () => void;
  onTimeout?: () => void;
  onTransportError?: (err: Error) => void;

  private req: SipRequest | undefined;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: SipRequest,
    readonly source: Source,
    initial: State,
    private readonly onEnd: (tx: ServerTransaction) => void,
  ) {
    super(ctx, id, initial);
    this.req = request;
  }

  get request(): SipRequest | undefined {
    return this.req;
  }

  /** The final response is out: what is left to do needs only the transaction key (see ServerTransaction.request). */
  protected releaseRequest(): void {
    this.req = undefined;
  }

  /** §17.2: retransmission timers (G) and the linger timers (I, J) depend on the transport's reliability. */
  protected get reliable(): boolean {
    return this.source.protocol !== 'udp';
  }

  /** A retransmission of the request that created this transaction (§17.2.3 matched it). */
  abstract receiveRequest(req: SipRequest): void;

  /** The machine's reaction to a response from the TU; `res.status` is known to be 100..699. */
  protected abstract handleResponse(res: SipResponse): void;

  respond(res: SipResponse): void {
    try {
      if (!Number.isInteger(res.status) || res.status < 100 || res.status > 699) {
        this.ctx.logger.warn(
          { tx: this.id, status: res.status },
          'TU response with an invalid status dropped',
        );
        return;
      }
      this.handleResponse(res);
    } catch (err) {
      // respond() is an entry point for the TU: it never throws.
      this.ctx.logger.error({ err, tx: this.id }, 'server transaction failed to handle a response');
    }
  }

  protected ignoredResponse(res: SipResponse): void {
    this.ctx.logger.warn(
      { tx: this.id, state: this.current, status: res.status },
      'TU response not allowed in this transaction state; dropped',
    );
  }

  protected send(res: SipResponse): void {
    guardedSend(() => this.ctx.transport.sendResponse(res, this.source)).catch((err: unknown) =>
      this.transportFailed(asError(err)),
    );
  }

  /**
   * §17.2.4: a response that cannot be sent is a transport error: the TU is
   * told and the transaction ends. (Trying the next address of §18.2.2 / RFC
   * 3263 is left out: responses go back where the request came from.)
   */
  private transportFailed(err: Error): void {
    if (this.terminated) return;
    this.ctx.logger.info({ err, tx: this.id }, 'server transaction transport error');
    const onTransportError = this.onTransportError;
    if (onTransportError)
      callUser(this.ctx.logger, 'onTransportError', () => onTransportError(err));
    this.terminate();
  }

  protected terminate(): void {
    if (this.terminated) return;
    this.current = 'Terminated' as State;
    this.timers.stopAll();
    this.onEnd(this);
    const onTerminated = this.onTerminated;
    if (onTerminated) callUser(this.ctx.logger, 'onTerminated', () => onTerminated());
  }
}
