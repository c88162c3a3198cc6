/**
 * The SIP transport layer (RFC 3261 §18, RFC 3581): UDP and TCP listeners
 * on IPv4/IPv6, receive-side Via processing and sanity checks, and the
 * response/request routing rules the transaction layer relies on.
 */
import type { RemoteInfo } from 'node:dgram';
import type { Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../clock/index.js';
import { DropLog } from './drop-log.js';
import {
  SipParseError,
  isMaskedInternalError,
  parseMessage,
  serializeMessage,
  type ParseResult,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message/index.js';
import {
  canonicalHost,
  defaultInterfaceAddress,
  ipFamily,
  localInterfaceAddresses,
  sameHost,
  type IpFamily,
} from './address.js';
import { buildBadRequest } from './bad-request.js';
import { TransportError, fromSocketError } from './errors.js';
import {
  DEFAULT_SIP_PORT,
  reliableResponseTarget,
  unreliableResponseTarget,
  type HostPort,
} from './response-target.js';
import type { TcpConnection } from './tcp-connection.js';
import { TcpListener } from './tcp-listener.js';
import { TcpPool } from './tcp-pool.js';
import {
  isReliable,
  type Endpoint,
  type Source,
  type TransportLayerOptions,
  type TransportProtocol,
} from './types.js';
import { UdpListener } from './udp-listener.js';
import { parseTopVia, replaceTopVia, stampReceived, viaHost } from './via.js';

const DEFAULT_TCP_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_TCP_HEADER_TIMEOUT_MS = 10_000;
/** Inbound TCP connections from one address (see TransportLayerOptions.maxInboundTcpConnectionsPerSource). */
const DEFAULT_MAX_INBOUND_TCP_CONNECTIONS_PER_SOURCE = 32;
/** §18.1.1: 1300 bytes when the path MTU is unknown. */
const DEFAULT_UDP_MTU = 1300;
const DEFAULT_MAX_MESSAGE_BYTES = 65_535;
/** Inbound TCP connections open at once (see TransportLayerOptions.maxInboundTcpConnections). */
const DEFAULT_MAX_INBOUND_TCP_CONNECTIONS = 1000;
const TCP_CONNECT_TIMEOUT_MS = 5_000;
/** How long close() waits for writes in flight. */
const CLOSE_DRAIN_MS = 1_000;

type Listener = UdpListener | TcpListener;

type Counter =
  | 'received'
  | 'sent'
  | 'malformed'
  | 'dropped'
  | 'sendErrors'
  | 'tcpRefused'
  /** Bugs below or above that bad input met, kept from crashing the process: the target is 0. */
  | 'internalErrors';

export class TransportLayer {
  /** Handler for every well-formed message received (set by the layer above). */
  onMessage: (message: SipMessage, source: Source) => void = (message, source) => {
    this.logger.debug(
      { source: describeEndpoint(source), kind: message.kind },
      'no handler: message ignored',
    );
  };

  private readonly counters: Record<Counter, number> = {
    received: 0,
    sent: 0,
    malformed: 0,
    dropped: 0,
    sendErrors: 0,
    tcpRefused: 0,
    internalErrors: 0,
  };
  private readonly bound: Listener[] = [];
  private readonly pool: TcpPool;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly udpMtu: number;
  private readonly maxMessageBytes: number;
  private readonly maxInboundTcp: number;
  private readonly maxInboundTcpPerSource: number;
  /** Whether the last inbound connection was refused (see accept()). */
  private refusingTcp = false;
  /** Sources whose connections are being refused over the per-source cap (one log line per episode). */
  private readonly refusingTcpFrom = new Set<string>();
  /** One warn line per source per window for messages dropped unanswered. */
  private readonly dropLog: DropLog;
  /** Local interface addresses, for sent-by matching of wildcard listeners (§18.1.2). */
  private readonly interfaceAddresses = localInterfaceAddresses();
  private closed = false;
  /** Socket writes not yet completed (see close()). */
  private readonly inflight = new Set<Promise<void>>();

  private constructor(opts: TransportLayerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.dropLog = new DropLog(this.clock);
    this.udpMtu = opts.udpMtu ?? DEFAULT_UDP_MTU;
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxInboundTcp = opts.maxInboundTcpConnections ?? DEFAULT_MAX_INBOUND_TCP_CONNECTIONS;
    if (!Number.isInteger(this.maxInboundTcp) || this.maxInboundTcp < 1) {
      throw new RangeError(
        `maxInboundTcpConnections must be an integer >= 1, got ${this.maxInboundTcp}`,
      );
    }
    this.maxInboundTcpPerSource =
      opts.maxInboundTcpConnectionsPerSource ?? DEFAULT_MAX_INBOUND_TCP_CONNECTIONS_PER_SOURCE;
    if (!Number.isInteger(this.maxInboundTcpPerSource) || this.maxInboundTcpPerSource < 1) {
      throw new RangeError(
        `maxInboundTcpConnectionsPerSource must be an integer >= 1, got ${this.maxInboundTcpPerSource}`,
      );
    }
    const headerTimeoutMs = opts.tcpHeaderTimeoutMs ?? DEFAULT_TCP_HEADER_TIMEOUT_MS;
    if (!Number.isFinite(headerTimeoutMs) || headerTimeoutMs <= 0) {
      throw new RangeError(`tcpHeaderTimeoutMs must be a positive number, got ${headerTimeoutMs}`);
    }
    this.pool = new TcpPool({
      clock: this.clock,
      idleTimeoutMs: opts.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS,
      headerTimeoutMs,
      connectTimeoutMs: TCP_CONNECT_TIMEOUT_MS,
      maxMessageBytes: this.maxMessageBytes,
      logger: this.logger,
      onMessage: (data, connection) => this.receiveStream(data, connection),
    });
  }

  /** Binds every listener; if one fails, those already bound are closed and the bind error is rethrown. */
  static async create(opts: TransportLayerOptions): Promise<TransportLayer> {
    const layer = new TransportLayer(opts);
    try {
      for (const spec of opts.listen) {
        const listener =
          spec.protocol === 'udp'
            ? await UdpListener.bind(
                spec.address,
                spec.port,
                { onDatagram: (data, rinfo, l) => layer.receiveDatagram(data, rinfo, l) },
                layer.logger,
              )
            : await TcpListener.listen(
                spec.address,
                spec.port,
                (socket) => layer.accept(socket),
                layer.logger,
                {
                  maxConnections: layer.maxInboundTcp,
                  onDrop: (peer) => layer.refusedTcp(peer),
                },
              );
        layer.bound.push(listener);
        layer.logger.info({ listener: listener.describe() }, 'SIP listener bound');
      }
    } catch (err) {
      await layer.close();
      throw err;
    }
    return layer;
  }

  /** Bound listeners with their real ports. */
  listeners(): Array<{
    protocol: TransportProtocol;
    address: string;
    port: number;
    family: 4 | 6;
  }> {
    return this.bound.map((l) => ({
      protocol: l.protocol,
      address: l.address,
      port: l.port,
      family: l.family,
    }));
  }

  /**
   * The sent-by / Contact host:port to advertise for a destination's protocol
   * and family: the first listener of that protocol serving the family.
   * Throws TransportError('no-transport') when there is none.
   */
  localEndpoint(protocol: TransportProtocol, family: 4 | 6): { address: string; port: number } {
    const listener = this.listenerFor(protocol, family);
    if (!listener) {
      throw new TransportError('no-transport', `no ${protocol} listener for IPv${family}`);
    }
    return { address: this.advertisedAddress(listener, family), port: listener.port };
  }

  /**
   * Sends a request. Over UDP a request larger than udpMtu goes over TCP
   * instead, with the top Via transport rewritten (§18.1.1); returns the
   * endpoint actually used. Rejects with TransportError.
   */
  async sendRequest(req: SipRequest, dest: Endpoint): Promise<Endpoint> {
    this.assertOpen();
    let data = serializeMessage(req);
    this.checkSize(data);
    if (dest.protocol === 'udp' && data.length > this.udpMtu) {
      const family = this.familyOf(dest.address);
      if (this.listenerFor('tcp', family)) {
        this.switchTopViaToTcp(req, family);
        data = serializeMessage(req);
        const used: Endpoint = { protocol: 'tcp', address: dest.address, port: dest.port };
        this.logger.debug(
          { dest: describeEndpoint(used), bytes: data.length },
          'request above MTU: using TCP (RFC 3261 §18.1.1)',
        );
        await this.transmit(data, used);
        return used;
      }
      // Without a TCP listener there is no sent-by a TCP peer could use; the
      // datagram is sent as is and IP fragmentation has to cope.
      this.logger.warn(
        { bytes: data.length, mtu: this.udpMtu },
        'request above MTU sent over UDP: no TCP listener',
      );
    }
    await this.transmit(data, dest);
    return dest;
  }

  /**
   * Sends a response where §18.2.2 and RFC 3581 §4 say: reliable → the
   * connection the request came on (if closed, connect to the top Via
   * received/sent-by); UDP → received + rport, else received, else sent-by
   * (default port 5060). Never to a Via maddr and never after a DNS lookup
   * (see response-target.ts): a response goes back where its request came from.
   */
  async sendResponse(res: SipResponse, requestSource: Source): Promise<void> {
    this.assertOpen();
    const data = serializeMessage(res);
    this.checkSize(data);
    const via = parseTopVia(res.headers);

    if (isReliable(requestSource.protocol)) {
      const connection =
        requestSource.connectionId !== undefined
          ? this.pool.get(requestSource.connectionId)
          : this.pool.findByPeer(requestSource.address, requestSource.port);
      if (connection) {
        try {
          await this.writeTo(connection, data);
          return;
        } catch (err) {
          this.logger.debug(
            { err },
            'response connection failed; reconnecting per RFC 3261 §18.2.2',
          );
        }
      }
      if (!via) throw this.noVia();
      const target = this.literalTarget(reliableResponseTarget(via));
      await this.transmit(data, { protocol: 'tcp', ...target });
      return;
    }

    if (!via) throw this.noVia();
    const target = this.literalTarget(unreliableResponseTarget(via));
    await this.sendDatagram(data, { protocol: 'udp', ...target }, requestSource.local);
  }

  /** Plain send of an already-built message to an endpoint (used for ACK and 2xx retransmissions). */
  async send(message: SipMessage, dest: Endpoint): Promise<void> {
    this.assertOpen();
    const data = serializeMessage(message);
    this.checkSize(data);
    await this.transmit(data, dest);
  }

  /**
   * Stats counters: received, sent, malformed, dropped, tcpConnections (open
   * now), sendErrors, tcpRefused, internalErrors (see receive()).
   */
  stats(): Record<string, number> {
    return { ...this.counters, tcpConnections: this.pool.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let writes already handed to the sockets leave first (a BYE or a final
    // response sent just before shutdown), but never wait long for them.
    if (this.inflight.size > 0) {
      const settled = Promise.allSettled([...this.inflight]);
      let timer: TimerHandle | undefined;
      await Promise.race([
        settled,
        new Promise<void>((r) => (timer = this.clock.setTimeout(r, CLOSE_DRAIN_MS))),
      ]);
      this.clock.clearTimeout(timer);
    }
    this.pool.closeAll();
    await Promise.all(this.bound.map((l) => l.close()));
  }

  // ---- receiving -------------------------------------------------------

  private receiveDatagram(data: Buffer, rinfo: RemoteInfo, listener: UdpListener): void {
    if (this.closed) return;
    // CRLF keep-alives, which many UAs also send over UDP, carry no message (RFC 3261 §7.5).
    if (isBlank(data)) return;
    const source: Source = {
      protocol: 'udp',
      address: canonicalHost(rinfo.address),
      port: rinfo.port,
      local: { address: listener.address, port: listener.port },
    };
    if (data.length > this.maxMessageBytes) {
      this.counters.received++;
      this.drop(source, `datagram of ${data.length} bytes exceeds maxMessageBytes`);
      return;
    }
    this.receive(data, source);
  }

  private receiveStream(data: Buffer, connection: TcpConnection): void {
    if (this.closed) return;
    this.receive(data, {
      protocol: 'tcp',
      address: connection.remote.address,
      port: connection.remote.port,
      local: { ...connection.local },
      connectionId: connection.id,
    });
  }

  private accept(socket: Socket): void {
    this.refusingTcp = false;
    const peer = canonicalHost(socket.remoteAddress ?? '');
    if (this.pool.inboundFrom(peer) >= this.maxInboundTcpPerSource) {
      socket.destroy();
      this.counters.tcpRefused++;
      // Once per episode per source: the episode ends when one of its connections is accepted.
      if (!this.refusingTcpFrom.has(peer)) {
        if (this.refusingTcpFrom.size < 1000) this.refusingTcpFrom.add(peer);
        this.logger.warn(
          { limit: this.maxInboundTcpPerSource, peer },
          'inbound TCP connection limit per source reached: closing its new connections',
        );
      }
      return;
    }
    this.refusingTcpFrom.delete(peer);
    this.pool.adopt(socket, 'inbound');
  }

  /** A TCP listener closed a connection over maxInboundTcpConnections at accept. */
  private refusedTcp(peer: string | undefined): void {
    this.counters.tcpRefused++;
    // Once per episode: a peer flooding us must not flood the log as well.
    if (this.refusingTcp) return;
    this.refusingTcp = true;
    this.logger.warn(
      { limit: this.maxInboundTcp, peer },
      'inbound TCP connection limit reached: closing new connections',
    );
  }

  /**
   * Whatever a received message makes a layer throw is counted and logged as
   * an internal error (a bug the message exposed), never a crash.
   */
  private receive(data: Buffer, source: Source): void {
    try {
      this.receiveMessage(data, source);
    } catch (err) {
      this.internalError(err, source, 'receiving a message');
    }
  }

  private internalError(err: unknown, source: Source, during: string): void {
    this.counters.internalErrors++;
    this.logger.error({ err, source: describeEndpoint(source) }, `internal error ${during}`);
  }

  private receiveMessage(data: Buffer, source: Source): void {
    this.counters.received++;
    let result: ParseResult;
    try {
      result = parseMessage(data);
    } catch (err) {
      // The parser promises never to throw; if it does, the input is still just bad input.
      result = {
        ok: false,
        error: new SipParseError(err instanceof Error ? err.message : String(err)),
      };
    }
    if (!result.ok) {
      if (isMaskedInternalError(result.error))
        this.internalError(result.error.cause, source, 'parsing a message (answered as malformed)');
      this.counters.malformed++;
      this.onMalformed(result, data, source);
      return;
    }
    const message = result.message;
    if (message.kind === 'request') {
      if (!stampReceived(message.headers, source.address, source.port)) {
        this.counters.malformed++;
        this.drop(source, 'request without a usable Via');
        return;
      }
    } else {
      // §18.1.2: a response whose top Via is not ours was misrouted.
      const via = parseTopVia(message.headers);
      if (!via || !this.isOurSentBy(via)) {
        this.drop(
          source,
          'response top Via sent-by is not one of our listeners (RFC 3261 §18.1.2)',
        );
        return;
      }
    }
    this.deliver(message, source);
  }

  private onMalformed(
    result: Extract<ParseResult, { ok: false }>,
    data: Buffer,
    source: Source,
  ): void {
    const reason = result.error.message;
    const partial = result.request;
    const response = partial ? buildBadRequest(partial, reason, source) : null;
    if (!response) {
      // Malformed responses, unanswerable requests (no Via, ACK) and garbage:
      // counted always, logged once per source per window (a flood of garbage
      // must not become a flood of log lines).
      this.counters.dropped++;
      const verdict = this.dropLog.drop(source.address);
      if (verdict.log)
        this.logger.warn(
          {
            source: describeEndpoint(source),
            error: reason,
            startLine: firstLine(data),
            ...(verdict.suppressed > 0 && { notLoggedSinceLastLine: verdict.suppressed }),
          },
          'malformed message dropped',
        );
      return;
    }
    this.logger.info(
      { source: describeEndpoint(source), error: reason },
      'malformed request: answering 400',
    );
    this.sendResponse(response, source).catch((err: unknown) =>
      this.logger.warn(
        { err, source: describeEndpoint(source) },
        'could not send 400 for a malformed request',
      ),
    );
  }

  private deliver(message: SipMessage, source: Source): void {
    try {
      const result: unknown = this.onMessage(message, source);
      // A handler that is (wrongly) async must not cause an unhandled rejection either.
      if (result instanceof Promise) {
        result.catch((err: unknown) =>
          this.internalError(err, source, 'in an async message handler'),
        );
      }
    } catch (err) {
      this.internalError(err, source, 'in the message handler');
    }
  }

  private drop(source: Source, why: string): void {
    this.counters.dropped++;
    this.logger.debug({ source: describeEndpoint(source) }, `message dropped: ${why}`);
  }

  /** §18.1.2: the sent-by of a response's top Via must be one a listener of ours inserts. */
  private isOurSentBy(via: Via): boolean {
    const protocol = via.transport.toLowerCase();
    const port = via.port ?? DEFAULT_SIP_PORT;
    const host = canonicalHost(via.host);
    return this.bound.some((l) => {
      if (l.protocol !== protocol || l.port !== port) return false;
      if (sameHost(l.address, host)) return true;
      return l.wildcard && this.interfaceAddresses.has(host);
    });
  }

  // ---- sending ---------------------------------------------------------

  private async transmit(data: Buffer, dest: Endpoint): Promise<void> {
    if (dest.protocol === 'udp') {
      await this.sendDatagram(data, dest, undefined);
      return;
    }
    let connection: TcpConnection;
    try {
      const family = this.familyOf(dest.address);
      const local = this.listenerFor('tcp', family);
      const localAddress =
        local && !local.wildcard && local.family === family ? local.address : undefined;
      connection = await this.pool.getOrConnect(dest.address, dest.port, localAddress);
    } catch (err) {
      this.counters.sendErrors++;
      throw fromSocketError(err, `TCP to ${dest.address}:${dest.port}`);
    }
    await this.writeTo(connection, data);
  }

  private async writeTo(connection: TcpConnection, data: Buffer): Promise<void> {
    try {
      await this.track(connection.write(data));
      this.counters.sent++;
    } catch (err) {
      this.counters.sendErrors++;
      throw fromSocketError(err, `TCP write to ${connection.describe()}`);
    }
  }

  /** Remembers a socket write until it settles, so close() can let it finish. */
  private track(write: Promise<void>): Promise<void> {
    this.inflight.add(write);
    const forget = (): void => {
      this.inflight.delete(write);
    };
    write.then(forget, forget);
    return write;
  }

  /** UDP leaves from a listening socket: `from` (where the request came in) when given, else the first of the family. */
  private async sendDatagram(
    data: Buffer,
    dest: Endpoint,
    from: { address: string; port: number } | undefined,
  ): Promise<void> {
    const family = this.familyOf(dest.address);
    const listener =
      (from &&
        this.bound.find(
          (l): l is UdpListener =>
            l.protocol === 'udp' &&
            l.port === from.port &&
            sameHost(l.address, from.address) &&
            l.serves(family),
        )) ||
      this.listenerFor('udp', family);
    if (!listener) {
      this.counters.sendErrors++;
      throw new TransportError('no-transport', `no UDP listener for IPv${family}`);
    }
    try {
      await this.track(listener.send(data, dest.address, dest.port));
      this.counters.sent++;
    } catch (err) {
      this.counters.sendErrors++;
      throw fromSocketError(err, `UDP to ${dest.address}:${dest.port}`);
    }
  }

  /**
   * §18.1.1: the top Via must name the transport actually used. If its
   * sent-by is our UDP listener, it becomes our TCP listener, so that a
   * response over a new connection (§18.2.2) reaches a TCP socket.
   */
  private switchTopViaToTcp(req: SipRequest, family: IpFamily): void {
    const via = parseTopVia(req.headers);
    if (!via) return;
    via.transport = 'TCP';
    const udp = this.listenerFor('udp', family);
    const tcp = this.listenerFor('tcp', family);
    if (udp && tcp) {
      const udpAdvertised = this.advertisedAddress(udp, family);
      if (sameHost(via.host, udpAdvertised) && (via.port ?? DEFAULT_SIP_PORT) === udp.port) {
        via.host = viaHost(this.advertisedAddress(tcp, family));
        via.port = tcp.port;
      }
    }
    replaceTopVia(req.headers, via);
  }

  private checkSize(data: Buffer): void {
    if (data.length > this.maxMessageBytes) {
      this.counters.sendErrors++;
      throw new TransportError(
        'too-large',
        `message of ${data.length} bytes exceeds ${this.maxMessageBytes}`,
      );
    }
  }

  /**
   * A response target must be an IP literal: §18.2.1 stamps `received` on
   * every request whose sent-by is a host name, so a name here means a Via
   * we did not stamp. Resolving it would let a peer make us do a DNS lookup
   * per response (and answer wherever that name points).
   */
  private literalTarget(target: HostPort): { address: string; port: number } {
    if (ipFamily(target.host) !== 0)
      return { address: canonicalHost(target.host), port: target.port };
    this.counters.sendErrors++;
    throw new TransportError(
      'unreachable',
      `response target "${target.host}" is not an IP address (RFC 3261 §18.2.1 received missing)`,
    );
  }

  private familyOf(address: string): IpFamily {
    const family = ipFamily(address);
    if (family === 0) {
      throw new TransportError('unreachable', `"${address}" is not an IP literal`);
    }
    return family;
  }

  private listenerFor(protocol: 'udp', family: IpFamily): UdpListener | undefined;
  private listenerFor(protocol: 'tcp', family: IpFamily): TcpListener | undefined;
  private listenerFor(protocol: TransportProtocol, family: IpFamily): Listener | undefined;
  private listenerFor(protocol: TransportProtocol, family: IpFamily): Listener | undefined {
    // Prefer a listener of the exact family over a dual-stack one.
    return (
      this.bound.find((l) => l.protocol === protocol && l.family === family) ??
      this.bound.find((l) => l.protocol === protocol && l.serves(family))
    );
  }

  private advertisedAddress(listener: Listener, family: IpFamily): string {
    return listener.wildcard ? defaultInterfaceAddress(family) : listener.address;
  }

  private assertOpen(): void {
    if (this.closed) throw new TransportError('closed', 'transport layer is closed');
  }

  private noVia(): TransportError {
    this.counters.sendErrors++;
    return new TransportError(
      'unreachable',
      'response has no usable top Via to route it (RFC 3261 §18.2.2)',
    );
  }
}

function isBlank(data: Buffer): boolean {
  for (const b of data)
    if (b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09 && b !== 0x00) return false;
  return true;
}

function firstLine(data: Buffer): string {
  const end = data.indexOf(0x0a);
  return data
    .subarray(0, Math.min(end < 0 ? data.length : end, 120))
    .toString('latin1')
    .trim();
}

function describeEndpoint(e: Endpoint): string {
  return `${e.protocol}:${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}
