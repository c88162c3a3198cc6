/**
 * The transaction layer (RFC 3261 §17): matches every received message to
 * its transaction, creates server transactions for new requests, creates
 * client transactions for the TU's requests, and forgets each transaction
 * when it reaches Terminated.
 */
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../../clock/index.js';
import {
  SipParseError,
  flatten,
  parsedOr,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import { asError, callUser, guardedSend, type TransactionContext } from './context.js';
import { InviteClientTransaction } from './invite-client.js';
import { InviteServerTransaction } from './invite-server.js';
import {
  branchOf,
  clientKey,
  clientKeyOfResponse,
  hasRfc3261Branch,
  serverKey,
  tagOf,
} from './keys.js';
import { NonInviteClientTransaction } from './non-invite-client.js';
import { NonInviteServerTransaction } from './non-invite-server.js';
import { LingerTimers } from './linger.js';
import { AdmissionControl, type AdmissionLimits } from './admission.js';
import { statelessResponse } from './stateless.js';
import { resolveTimers } from './timers.js';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  Endpoint,
  InviteServerTransaction as PublicInviteServerTransaction,
  ServerTransaction,
  Source,
  TimerConfig,
  TransactionTransport,
  TransactionUser,
} from './types.js';

type AnyClient = InviteClientTransaction | NonInviteClientTransaction;
type AnyServer = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionLayerOptions extends AdmissionLimits {
  timers?: Partial<TimerConfig>;
  clock?: Clock;
  logger?: Logger;
}

export class TransactionLayer {
  readonly timers: TimerConfig;
  private readonly clients = new Map<string, AnyClient>();
  private readonly servers = new Map<string, AnyServer>();
  private readonly ctx: TransactionContext;
  private readonly logger: Logger;
  private readonly admission: AdmissionControl;
  private readonly counters = { stateless: 0, shed: 0, internalErrors: 0 };
  private closed = false;

  constructor(
    private readonly transport: TransactionTransport,
    private readonly user: TransactionUser,
    opts: TransactionLayerOptions = {},
  ) {
    this.timers = resolveTimers(opts.timers);
    this.logger = opts.logger ?? pino({ level: 'silent' });
    const clock = opts.clock ?? systemClock;
    this.admission = new AdmissionControl(opts, clock, this.logger);
    this.ctx = {
      transport,
      clock,
      timers: this.timers,
      logger: this.logger,
      lingers: new LingerTimers(clock, this.logger),
      passAckToUser: (ack, source) => this.passAckToUser(ack, source),
    };
  }

  /** Feed every message received from the transport here. Never throws. */
  receive(message: SipMessage, source: Source): void {
    if (this.closed) return;
    try {
      if (message.kind === 'request') this.receiveRequest(message, source);
      else this.receiveResponse(message, source);
    } catch (err) {
      if (!(err instanceof SipParseError)) {
        // Not bad input: a bug the message exposed. Counted, logged, and this message dropped.
        this.counters.internalErrors++;
        this.logger.error({ err }, 'internal error receiving a message: dropped');
        return;
      }
      // A header the matching rules need is missing or malformed (the parser
      // parses header values lazily): such a message cannot belong to any
      // transaction, and cannot safely start one.
      this.logger.info({ err }, 'message dropped: unusable transaction headers');
    }
  }

  /**
   * Creates and starts the right client transaction (INVITE or non-INVITE)
   * for req, sending it to dest. The request must already carry its top Via
   * with a fresh branch.
   *
   * An ACK is not a transaction (§17.1.1.3, §13.2.2.4): it is sent once, and
   * the returned object is already Terminated; a send failure still reaches
   * handlers.onTransportError.
   *
   * Throws (a programming error of the caller) when the request has no top
   * Via branch, when a client transaction with the same branch and method
   * exists, or when the layer is closed.
   */
  sendRequest(
    req: SipRequest,
    dest: Endpoint,
    handlers: ClientTransactionHandlers,
  ): ClientTransaction {
    if (this.closed) throw new Error('TransactionLayer is closed');
    const branch = branchOf(req.topVia());
    if (branch === undefined) throw new Error('request has no branch in its top Via (§8.1.1.7)');
    const id = clientKey(branch, req.method);
    if (req.method === 'ACK') return this.sendAck(id, req, dest, handlers);
    if (this.clients.has(id)) throw new Error(`a client transaction ${id} already exists`);
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(this.ctx, id, req, dest, handlers, this.forgetClient)
        : new NonInviteClientTransaction(this.ctx, id, req, dest, handlers, this.forgetClient);
    this.clients.set(id, tx);
    tx.start();
    return tx;
  }

  /** For a received CANCEL (§9.2): the INVITE server transaction it targets, if any (same branch/sent-by, method INVITE). */
  findInviteServerTransaction(cancel: SipRequest): PublicInviteServerTransaction | undefined {
    // §9.2: the CANCEL matches with the §17.2.3 rules, method aside; its To tag is the INVITE's.
    const tx = parsedOr(() => this.servers.get(serverKey(cancel, 'INVITE')), undefined);
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  size(): { client: number; server: number } {
    return { client: this.clients.size, server: this.servers.size };
  }

  /** Responses sent without a transaction (`stateless`), of which 503s for load (`shed`). */
  stats(): { stateless: number; shed: number; internalErrors: number } {
    return { ...this.counters };
  }

  /**
   * Sends a final response without creating or using a transaction (§8.2.7):
   * nothing is kept, nothing retransmitted. Never throws; a send failure is
   * only logged, as there is no transaction to tell.
   */
  sendStateless(res: SipResponse, source: Source): void {
    this.counters.stateless++;
    guardedSend(() => this.transport.sendResponse(res, source)).catch((err: unknown) =>
      this.logger.debug({ err, status: res.status }, 'stateless response could not be sent'),
    );
  }

  /** Stops all timers and forgets every transaction without calling anyone; the layer then ignores input. */
  close(): void {
    this.closed = true;
    for (const tx of this.clients.values()) tx.halt();
    for (const tx of this.servers.values()) tx.halt();
    this.ctx.lingers.clear();
    this.clients.clear();
    this.servers.clear();
  }

  private receiveResponse(res: SipResponse, source: Source): void {
    const key = clientKeyOfResponse(res);
    const tx = key === undefined ? undefined : this.clients.get(key);
    if (tx) {
      tx.receiveResponse(res);
      return;
    }
    // RFC 6026 §8.4 / §18.1.2: responses without a transaction go to the core.
    callUser(this.logger, 'onStrayResponse', () => this.user.onStrayResponse(res, source));
  }

  private readonly forgetClient = (tx: ClientTransaction): void => {
    if (this.clients.get(tx.id) === tx) this.clients.delete(tx.id);
  };

  /**
   * One shared callback, not a closure per transaction: a closure created in
   * receiveRequest would share V8's context with the request and keep it
   * alive for as long as the transaction lingers.
   */
  private readonly forgetServer = (tx: ServerTransaction): void => {
    if (this.servers.get(tx.id) === tx) this.servers.delete(tx.id);
    this.admission.tableSizeChanged(this.servers.size);
  };

  private receiveRequest(req: SipRequest, source: Source): void {
    if (req.method === 'ACK') {
      const tx = this.findInviteForAck(req);
      if (tx) tx.receiveAck(req, source);
      else this.passAckToUser(req, source);
      return;
    }
    const key = serverKey(req, req.method);
    const existing = this.servers.get(key);
    if (existing) {
      existing.receiveRequest(req);
      return;
    }
    // Load shedding before any state is created (see admission.ts). A
    // CANCEL targets a transaction that exists already and is let through.
    const outOfDialog = tagOf(req.to()) === '' && req.method !== 'CANCEL';
    const admission = this.admission.admit(source.address, outOfDialog, this.servers.size);
    if (!admission.admitted) {
      this.counters.shed++;
      const res = statelessResponse(req, 503, admission.reason);
      res.headers.append('Retry-After', String(admission.retryAfter));
      this.sendStateless(res, source);
      return;
    }
    // The TU may answer on its own without a transaction (rejections, §8.2.7).
    const stateless = this.statelessReplyOf(req, source);
    if (stateless) {
      this.sendStateless(stateless, source);
      return;
    }
    // The key is kept as long as the transaction (up to 64·T1 after the
    // call); built from slices of the request, it would keep the whole
    // request text alive that long (see message/strings.ts). Lookups, which
    // are most uses of a key, need no copy.
    const id = flatten(key);
    // Read every header the TU will need to answer before creating anything,
    // so a request a response cannot be built for fails here, not later.
    req.from();
    req.to();
    req.callId();
    req.cseq();
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, id, req, source, this.forgetServer)
        : new NonInviteServerTransaction(this.ctx, id, req, source, this.forgetServer);
    this.servers.set(id, tx);
    callUser(this.logger, 'onRequest', () => this.user.onRequest(req, tx, source));
  }

  private statelessReplyOf(req: SipRequest, source: Source): SipResponse | undefined {
    const screen = this.user.statelessReply;
    if (!screen) return undefined;
    try {
      return screen.call(this.user, req, source) ?? undefined;
    } catch (err) {
      // A faulty screen must not lose the request: it takes the stateful path.
      this.logger.error({ err, method: req.method }, 'statelessReply threw');
      return undefined;
    }
  }

  /**
   * §17.2.3: an ACK matches the INVITE server transaction it acknowledges.
   * With an RFC 3261 branch that is branch + sent-by with method INVITE. For
   * RFC 2543 peers the ACK's To tag must be the tag of the response the
   * transaction sent, while the INVITE had either that tag (re-INVITE) or none.
   */
  private findInviteForAck(ack: SipRequest): InviteServerTransaction | undefined {
    if (hasRfc3261Branch(ack)) {
      const tx = this.servers.get(serverKey(ack, 'INVITE'));
      return tx instanceof InviteServerTransaction ? tx : undefined;
    }
    const ackTag = tagOf(ack.to());
    for (const inviteTag of new Set([ackTag, ''])) {
      const tx = this.servers.get(serverKey(ack, 'INVITE', inviteTag));
      if (tx instanceof InviteServerTransaction && tx.responseToTag === ackTag) return tx;
    }
    return undefined;
  }

  private passAckToUser(ack: SipRequest, source: Source): void {
    callUser(this.logger, 'onRequest', () => this.user.onRequest(ack, null, source));
  }

  private sendAck(
    id: string,
    req: SipRequest,
    dest: Endpoint,
    handlers: ClientTransactionHandlers,
  ): ClientTransaction {
    guardedSend(() => this.transport.sendRequest(req, dest)).catch((err: unknown) => {
      const error = asError(err);
      callUser(this.logger, 'onTransportError', () => handlers.onTransportError(error));
    });
    return {
      id,
      request: req,
      state: 'Terminated',
      destination: dest,
      terminate: () => undefined,
    };
  }
}
