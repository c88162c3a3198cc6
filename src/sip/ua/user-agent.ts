/**
 * The user agent core (RFC 3261 §8, §12–§15): wires transport and
 * transaction layers, dispatches requests to calls by dialog, answers
 * out-of-dialog requests (OPTIONS, unknown methods, stray in-dialog
 * requests), challenges incoming INVITEs when inbound auth is configured,
 * and places outgoing calls through the router.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../clock/index.js';
import {
  createResponse,
  generateBranch,
  type NameAddr,
  type SipRequest,
  type SipResponse,
  type Uri,
} from '../message/index.js';
import {
  TransactionLayer,
  type ClientTransaction,
  type ClientTransactionHandlers,
  type ServerTransaction,
  type TimerConfig,
  statelessToTag,
} from '../transaction/index.js';
import { TransportLayer, type Endpoint, type Source } from '../transport/index.js';
import { DigestServer } from '../auth/index.js';
import { dialogKey, uasSessionTimer, type SessionTimerPolicy } from '../dialog/index.js';
import {
  DEFAULT_INBOUND_ALGORITHMS,
  DEFAULT_MAX_DIALOGS,
  DEFAULT_RING_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  resolveSessionTimer,
  type TrunkConfig,
  type UserAgentOptions,
} from './config.js';
import type { NextHop, UaCore } from './core.js';
import { IncomingCall } from './incoming-call.js';
import { OutgoingCall } from './outgoing-call.js';
import {
  RoutingError,
  hostForUri,
  resolveEndpoint,
  routeAddress,
  routeRedirectTarget,
  type Route,
} from './routing.js';
import type { Session } from './session.js';
import { MergedRequests } from './merged-requests.js';
import type { NatMode } from './nat.js';
import { Registration, type RegistrationStatus } from './registration.js';
import { locate, type DnsResolver } from './locate.js';
import { dnsResolver } from './dns.js';
import {
  callerIdentity,
  checkExtraHeaders,
  trunkCredentials,
  type CallerIdOptions,
} from './caller-identity.js';
import {
  ALLOW,
  methodNotAllowed,
  optionsResponse,
  overloaded,
  refuseBody,
  refuseRequest,
  reply,
} from './out-of-dialog.js';

/** How long close() waits at most for the BYEs / CANCELs it sent. */
const SHUTDOWN_GRACE_MS = 2_000;
/** Retry-After (s) of the 503 for an INVITE past maxDialogs: calls end at their own pace. */
const DIALOGS_FULL_RETRY_AFTER_S = 30;

export interface CallOptions extends CallerIdOptions {
  sdp?: string | null;
  ringTimeoutMs?: number;
  headers?: Record<string, string>;
  /** Credentials for a direct SIP call (trunk calls use the trunk's). */
  credentials?: { username: string; password: string; realm?: string };
}

export interface UserAgentEvents {
  /** An incoming INVITE that passed our checks: ring(), answer() or reject() it. */
  invite: [IncomingCall];
}

export class UserAgent extends EventEmitter<UserAgentEvents> implements UaCore {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly allow = ALLOW;
  readonly random: () => number;
  readonly reinviteTimeoutMs: number;
  readonly sessionTimer: SessionTimerPolicy;
  readonly nat: NatMode;
  readonly transactions: TransactionLayer;
  private readonly sessions = new Map<string, Session>();
  private readonly incoming = new Map<string, IncomingCall>();
  /** Every call not yet over, in any state: what close() must hang up. */
  private readonly live = new Set<Session>();
  private closing: Promise<void> | null = null;
  private readonly trunks: TrunkConfig[];
  private readonly digestServer: DigestServer | null;
  private readonly localUser: string;
  private readonly maxDialogs: number;
  /** INVITEs refused since the call table filled; 0 = not full (one log line per episode). */
  private dialogsFullRefused = 0;
  private readonly merged: MergedRequests;
  /** One per trunk with `register: true` (RFC 3261 §10.2). */
  private readonly registrations: Registration[];
  private readonly dns: DnsResolver;

  private constructor(
    readonly transport: TransportLayer,
    private readonly opts: UserAgentOptions,
  ) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.trunks = opts.trunks ?? [];
    this.localUser = opts.localUser ?? 'partyline';
    this.maxDialogs = opts.maxDialogs ?? DEFAULT_MAX_DIALOGS;
    if (!Number.isInteger(this.maxDialogs) || this.maxDialogs < 1)
      throw new RangeError(`maxDialogs must be an integer >= 1, got ${this.maxDialogs}`);
    this.random = opts.random ?? Math.random;
    this.sessionTimer = resolveSessionTimer(opts.sessionTimer);
    this.nat = opts.nat ?? 'auto';
    this.dns = dnsResolver(opts.dnsServers);
    this.merged = new MergedRequests(this.clock, () => 64 * this.timers.T1);
    this.registrations = this.trunks
      .filter((t) => t.register)
      .map((t) => new Registration(this, t, opts.registration));
    this.transactions = new TransactionLayer(
      transport,
      {
        onRequest: (req, tx, source) => this.onRequest(req, tx, source),
        statelessReply: (req) => this.statelessReply(req),
        onStrayResponse: (res) => this.onStrayResponse(res),
      },
      {
        timers: opts.timers,
        clock: this.clock,
        logger: this.logger,
        maxServerTransactions: opts.maxServerTransactions,
        newRequestsPerSecondPerSource: opts.newRequestsPerSecondPerSource,
        newRequestsBurstPerSource: opts.newRequestsBurstPerSource,
      },
    );
    transport.onMessage = (msg, source) => this.transactions.receive(msg, source);
    this.reinviteTimeoutMs = opts.reinviteTimeoutMs ?? 64 * this.transactions.timers.T1;
    if (!Number.isFinite(this.reinviteTimeoutMs) || this.reinviteTimeoutMs <= 0)
      throw new RangeError('reinviteTimeoutMs must be a positive number of ms');
    this.digestServer = opts.inboundAuth
      ? new DigestServer({
          realm: opts.inboundAuth.realm,
          lookup: (u: string) => opts.inboundAuth!.users[u],
          algorithms: opts.inboundAuth.algorithms ?? DEFAULT_INBOUND_ALGORITHMS,
          clock: this.clock,
        })
      : null;
  }

  static async create(opts: UserAgentOptions): Promise<UserAgent> {
    const transport = await TransportLayer.create({
      listen: opts.listen,
      tcpIdleTimeoutMs: opts.tcpIdleTimeoutMs,
      tcpHeaderTimeoutMs: opts.tcpHeaderTimeoutMs,
      maxInboundTcpConnections: opts.maxInboundTcpConnections,
      maxInboundTcpConnectionsPerSource: opts.maxInboundTcpConnectionsPerSource,
      clock: opts.clock,
      logger: opts.logger,
    });
    const ua = new UserAgent(transport, opts);
    for (const r of ua.registrations) r.start();
    return ua;
  }

  /** Where each registering trunk stands (for logs and /metrics). */
  registrationStatus(): RegistrationStatus[] {
    return this.registrations.map((r) => r.status());
  }

  get timers(): TimerConfig {
    return this.transactions.timers;
  }

  bindings(): ReturnType<TransportLayer['listeners']> {
    return this.transport.listeners();
  }

  /**
   * Places a call. The address is routed synchronously — an address that is
   * neither a SIP URI nor a phone number (or a number with no trunk) throws
   * RoutingError before anything is sent; the rest is reported by events.
   */
  call(address: string, options: CallOptions = {}): OutgoingCall {
    if (this.closing) throw new RoutingError('The user agent is closed');
    const route = routeAddress(address, this.trunks);
    const from = callerIdentity(route, options, this.localUser, (protocol, towards) =>
      this.advertisedHost(protocol, towards),
    );
    checkExtraHeaders(options.headers);
    const call = new OutgoingCall(this, {
      route,
      from,
      sdp: options.sdp ?? null,
      ringTimeoutMs: options.ringTimeoutMs ?? this.opts.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
      headers: options.headers,
      credentials: trunkCredentials(route.trunk) ?? options.credentials,
    });
    this.live.add(call);
    void call.start();
    return call;
  }

  private advertisedHost(protocol: 'udp' | 'tcp', towards: string): string {
    const family = isIP(towards.replace(/^\[(.*)\]$/, '$1')) === 6 ? 6 : 4;
    try {
      return this.transport.localEndpoint(protocol, family).address;
    } catch (err) {
      // We have no listener to send from and be answered on (e.g. an IPv6 peer, IPv4-only listeners).
      throw new RoutingError(`Cannot call ${towards} over ${protocol}: ${(err as Error).message}`);
    }
  }

  routeRedirect(target: Uri, original: Route): Route {
    return routeRedirectTarget(target, original, this.trunks);
  }

  contactFor(next: NextHop | Endpoint): NameAddr {
    const host = 'host' in next ? next.host : next.address;
    const family = isIP(host.replace(/^\[(.*)\]$/, '$1')) === 6 ? 6 : 4;
    const local = this.transport.localEndpoint(next.protocol, family);
    const params = new Map<string, string | null>();
    if (next.protocol === 'tcp') params.set('transport', 'tcp');
    return {
      displayName: null,
      uri: {
        scheme: 'sip',
        user: this.localUser,
        password: null,
        host: hostForUri(local.address),
        port: local.port,
        params,
        headers: new Map(),
      },
      params: new Map(),
    };
  }

  private async endpointOf(next: NextHop | Endpoint): Promise<Endpoint> {
    if (!('host' in next)) return next;
    return next.locate ? (await this.locate(next))[0]! : resolveEndpoint(next);
  }

  /** RFC 3263: every endpoint to try for a next hop, best first (locate.ts). */
  async locate(next: NextHop): Promise<Endpoint[]> {
    if (!next.locate) return [await resolveEndpoint(next)];
    try {
      return await locate(next, this.dns);
    } catch (err) {
      throw new RoutingError((err as Error).message);
    }
  }

  /** §8.1.1.7: our Via, with rport (RFC 3581) so responses come back through NATs. */
  private stampVia(req: SipRequest, dest: Endpoint): void {
    const family = isIP(dest.address) === 6 ? 6 : 4;
    const local = this.transport.localEndpoint(dest.protocol, family);
    req.headers.prepend(
      'Via',
      `SIP/2.0/${dest.protocol.toUpperCase()} ${hostForUri(local.address)}:${local.port};rport;branch=${generateBranch()}`,
    );
  }

  async sendRequest(
    req: SipRequest,
    next: NextHop | Endpoint,
    handlers: ClientTransactionHandlers,
  ): Promise<ClientTransaction | null> {
    let dest: Endpoint;
    try {
      dest = await this.endpointOf(next);
    } catch (err) {
      handlers.onTransportError(err as Error);
      return null;
    }
    // CANCEL carries the INVITE's Via (§9.1); everything else gets a fresh branch.
    if (req.method !== 'CANCEL' || !req.headers.has('via')) this.stampVia(req, dest);
    return this.transactions.sendRequest(req, dest, handlers);
  }

  async sendAck(ack: SipRequest, next: NextHop | Endpoint): Promise<void> {
    const dest = await this.endpointOf(next);
    if (!ack.headers.has('via')) this.stampVia(ack, dest);
    await this.transport.send(ack, dest);
  }

  addSession(dialogId: string, session: Session): void {
    this.sessions.set(dialogId, session);
  }

  removeSession(dialogId: string): void {
    this.sessions.delete(dialogId);
  }

  forget(session: Session): void {
    this.live.delete(session);
  }

  /** Calls not over yet (ringing, connecting or connected). */
  callCount(): number {
    return this.live.size;
  }

  /** Live dialogs (for diagnostics and the idle-dialog memory benchmark). */
  dialogCount(): number {
    return this.sessions.size;
  }

  private findSession(req: SipRequest | SipResponse, localIsTo: boolean): Session | undefined {
    const toTag = req.to().params.get('tag');
    const fromTag = req.from().params.get('tag');
    const local = String((localIsTo ? toTag : fromTag) ?? '');
    const remote = String((localIsTo ? fromTag : toTag) ?? '');
    return this.sessions.get(dialogKey(req.callId(), local, remote));
  }

  private onStrayResponse(res: SipResponse): void {
    if (res.status >= 200 && res.status < 300 && res.cseq().method === 'INVITE') {
      this.findSession(res, false)?.handleStrayAnswer(res);
    }
  }

  private onRequest(req: SipRequest, tx: ServerTransaction | null, source: Source): void {
    try {
      this.dispatch(req, tx, source);
    } catch (err) {
      this.logger.error({ err, method: req.method }, 'request handling failed');
      if (tx && tx.state !== 'terminated') tx.respond(reply(req, 500, 'Server Internal Error'));
    }
  }

  /**
   * Every answer we give a new request on our own, sent statelessly by the
   * transaction layer (§8.2.7; see transaction/stateless.ts): nothing is
   * kept for requests we refuse, so a flood of them — or of their
   * retransmissions — costs no table entry and no retransmission timer.
   * Undefined: the request goes on to a server transaction and dispatch().
   */
  private statelessReply(req: SipRequest): SipResponse | undefined {
    // §9.2: a CANCEL that matches no INVITE we are still answering gets 481.
    if (req.method === 'CANCEL') {
      const inviteTx = this.transactions.findInviteServerTransaction(req);
      return inviteTx && this.incoming.has(inviteTx.id) ? undefined : reply(req, 481);
    }
    // §12.2.2: an in-dialog request for a dialog we do not have gets 481.
    if (req.to().params.has('tag'))
      return this.findSession(req, true) ? undefined : reply(req, 481);
    const refused = refuseRequest(req);
    if (refused) return refused;
    switch (req.method) {
      case 'INVITE':
        return this.screenInvite(req);
      case 'OPTIONS':
        return optionsResponse(req, this.userAgent);
      case 'BYE':
        return reply(req, 481);
      default:
        return methodNotAllowed(req);
    }
  }

  /** The checks a new INVITE passes before it becomes a call: auth (§22), body (§8.2.3), the call cap. */
  private screenInvite(req: SipRequest): SipResponse | undefined {
    if (this.digestServer) {
      const check = this.digestServer.verify(req);
      if (!check.ok) {
        if (check.reason !== 'missing')
          this.logger.info({ reason: check.reason, callId: req.callId() }, 'INVITE auth failed');
        return this.digestServer.challenge(req, { stale: check.stale, toTag: statelessToTag(req) });
      }
    }
    const refused = refuseBody(req);
    if (refused) return refused;
    const timer = uasSessionTimer(req, this.sessionTimer);
    if (timer.kind === 'too-small') {
      // RFC 4028 §8.1: the interval asked for is below our Min-SE.
      const res = reply(req, 422);
      res.headers.append('Min-SE', String(timer.minSeS));
      return res;
    }
    if (this.live.size >= this.maxDialogs) {
      if (this.dialogsFullRefused++ === 0)
        this.logger.warn({ limit: this.maxDialogs }, 'call limit reached: answering INVITEs 503');
      return overloaded(req, 'Too Many Calls', DIALOGS_FULL_RETRY_AFTER_S);
    }
    if (this.dialogsFullRefused > 0) {
      this.logger.info({ refused: this.dialogsFullRefused }, 'below the call limit again');
      this.dialogsFullRefused = 0;
    }
    if (this.listenerCount('invite') === 0)
      return reply(req, 480, 'No application is taking calls');
    return undefined;
  }

  /** A request statelessReply() let through: a matched CANCEL, an in-dialog request, a new call. */
  private dispatch(req: SipRequest, tx: ServerTransaction | null, source: Source): void {
    if (req.method === 'ACK' || !tx) {
      // ACK for a 2xx has no transaction (§17.2.3); one that matches no dialog is dropped (§12.2.2).
      if (req.method === 'ACK') this.findSession(req, true)?.handleAck(req);
      return;
    }
    if (req.method === 'CANCEL') return this.onCancel(req, tx);
    if (req.to().params.has('tag')) {
      const session = this.findSession(req, true);
      if (!session) return tx.respond(reply(req, 481));
      // A re-INVITE whose body holds no SDP we can read is not an offer either (§8.2.3).
      const refused = req.method === 'INVITE' ? refuseBody(req) : undefined;
      if (refused) return tx.respond(refused);
      return session.handleRequest(req, tx);
    }
    if (req.method === 'INVITE') return this.onInvite(req, tx, source);
    // Not reached: statelessReply() answers every other out-of-dialog request.
    tx.respond(reply(req, 500, 'Server Internal Error'));
  }

  private onInvite(req: SipRequest, tx: ServerTransaction, source: Source): void {
    // §8.2.2.2: the same INVITE forked to us by another path is answered 482, not made a second
    // call. Checked once the request passed its challenge (statelessReply): a 401'd copy costs
    // nothing, and a UA that (wrongly) keeps the CSeq when it retries with credentials is not
    // taken for a loop.
    if (this.merged.isMerged(req)) return tx.respond(reply(req, 482));
    const call = new IncomingCall(
      this,
      req,
      tx,
      source,
      this.contactFor(source),
      this.opts.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
    );
    this.live.add(call);
    this.incoming.set(tx.id, call);
    const forget = (): void => {
      this.incoming.delete(tx.id);
      // The transaction may linger 64·T1 more (RFC 6026 Accepted): let it drop this closure now.
      tx.onTerminated = undefined;
    };
    tx.onTerminated = forget;
    call.once('failed', forget);
    call.once('ended', forget);
    this.emit('invite', call);
  }

  /** §9.2: CANCEL gets 200 if it matches an INVITE transaction (and that INVITE gets 487), else 481. */
  private onCancel(req: SipRequest, tx: ServerTransaction): void {
    const inviteTx = this.transactions.findInviteServerTransaction(req);
    const call = inviteTx ? this.incoming.get(inviteTx.id) : undefined;
    if (!inviteTx || !call) return tx.respond(reply(req, 481));
    // §9.2: the 200 to a CANCEL carries the To tag of our responses to the INVITE.
    tx.respond(createResponse(req, 200, undefined, { toTag: call.localTag }));
    call.handleCancel(req);
  }

  /**
   * Shuts down: every call still going is hung up (BYE when connected,
   * CANCEL while ringing out, 480 to a caller we have not answered), and
   * the sockets close once those requests are done or after a short grace
   * period (at most 64·T1, the time a transaction may take). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const calls = [...this.live];
    for (const call of calls) call.hangup('shutdown');
    // §10.2.2: our bindings at the trunks go too, within the same grace period.
    const unregistered = this.registrations.map((r) => r.stop());
    let timer: TimerHandle | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = this.clock.setTimeout(resolve, Math.min(64 * this.timers.T1, SHUTDOWN_GRACE_MS));
    });
    await Promise.race([Promise.all([...calls.map((c) => c.finished), ...unregistered]), grace]);
    this.clock.clearTimeout(timer);
    // A call still waiting (e.g. a CANCEL that cannot go out before a provisional, §9.1) ends here.
    for (const call of calls) if (call.state !== 'terminated') call.abandon('user agent closed');
    // The last responses (a 480 to a caller we never answered) were handed to the transport
    // a few microtasks ago; let them reach the socket before it closes (the transport's
    // close() does not wait for sends in flight).
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.transactions.close();
    await this.transport.close();
  }
}
