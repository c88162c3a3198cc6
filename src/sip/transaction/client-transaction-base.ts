/**
 * What the INVITE and non-INVITE client machines (RFC 3261 §17.1) share:
 * sending through the transport with failure handling (§17.1.4), passing
 * responses up, and termination.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { asError, callUser, guardedSend, type TransactionContext } from './context.js';
import { TransactionMachine } from './machine.js';
import type { ClientTransaction, ClientTransactionHandlers, Endpoint } from './types.js';

/** `State` is the machine's state names, 'Terminated' among them. */
export abstract class ClientTransactionBase<State extends string, Timer extends string>
  extends TransactionMachine<State, Timer>
  implements ClientTransaction
{
  private dest: Endpoint;
  private req: SipRequest | undefined;
  /** Once a final response went up, the TU's outcome is settled: later send failures are only logged. */
  protected finalDelivered = false;

  constructor(
    ctx: TransactionContext,
    id: string,
    request: SipRequest,
    destination: Endpoint,
    protected readonly handlers: ClientTransactionHandlers,
    initial: State,
    private readonly onEnd: (tx: ClientTransaction) => void,
  ) {
    super(ctx, id, initial);
    this.dest = destination;
    this.req = request;
  }

  get request(): SipRequest | undefined {
    return this.req;
  }

  /**
   * A final response came: the request is never sent again, and what lingers
   * (Timer D, K, M) needs only the transaction key (see ClientTransaction.request).
   */
  protected releaseRequest(): void {
    this.req = undefined;
  }

  get destination(): Endpoint {
    return this.dest;
  }

  /** Sends the request for the first time and arms the timers of the initial state. */
  abstract start(): void;

  /** A response that matched this transaction (§17.1.3). */
  abstract receiveResponse(res: SipResponse): void;

  /** Retransmission timers (A / E) whose only use is over an unreliable transport. */
  protected abstract stopRetransmissions(): void;

  /** §17.1.1.2 / §17.1.2.2: retransmissions are needed only over an unreliable transport. */
  protected get reliable(): boolean {
    return this.dest.protocol !== 'udp';
  }

  terminate(): void {
    if (this.terminated) return;
    this.enterTerminated();
  }

  /** Sends the request itself (first time or retransmission) to the destination. */
  protected sendRequest(isFirst: boolean): void {
    const dest = this.dest;
    const req = this.req;
    if (!req) return;
    guardedSend(() => this.ctx.transport.sendRequest(req, dest)).then(
      (used) => {
        if (!isFirst || this.terminated) return;
        this.dest = used;
        // The transport may have switched to TCP for a request too big for
        // UDP (§18.1.1): a reliable transport takes no retransmissions.
        if (this.reliable) this.stopRetransmissions();
      },
      (err: unknown) => this.transportFailed(asError(err)),
    );
  }

  /** Sends another request (the ACK of §17.1.1.3) to where the request went. */
  protected sendOther(req: SipRequest): void {
    guardedSend(() => this.ctx.transport.sendRequest(req, this.dest)).catch((err: unknown) =>
      this.transportFailed(asError(err)),
    );
  }

  /**
   * §17.1.4: on a transport failure the client transaction informs the TU and
   * goes straight to Terminated — unless a final response already went up
   * (a failed ACK for a non-2xx: the server's retransmission of the final
   * response will make us try the ACK again, and Timer D ends the wait).
   */
  private transportFailed(err: Error): void {
    if (this.terminated) return;
    if (this.finalDelivered) {
      this.ctx.logger.warn({ err, tx: this.id }, 'send failed after the final response');
      return;
    }
    this.ctx.logger.info({ err, tx: this.id }, 'client transaction transport error');
    callUser(this.ctx.logger, 'onTransportError', () => this.handlers.onTransportError(err));
    this.terminate();
  }

  protected passUp(res: SipResponse): void {
    if (res.status >= 200) this.finalDelivered = true;
    callUser(this.ctx.logger, 'onResponse', () => this.handlers.onResponse(res));
  }

  protected timedOut(): void {
    callUser(this.ctx.logger, 'onTimeout', () => this.handlers.onTimeout());
    this.terminate();
  }

  private enterTerminated(): void {
    this.current = 'Terminated' as State;
    this.timers.stopAll();
    this.onEnd(this);
    const onTerminated = this.handlers.onTerminated;
    if (onTerminated)
      callUser(this.ctx.logger, 'onTerminated', () => onTerminated.call(this.handlers));
  }
}
