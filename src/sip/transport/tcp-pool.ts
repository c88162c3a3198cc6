/**
 * The set of live TCP connections, reused per remote ip:port in both
 * directions (RFC 3261 §18.1.1: a client may reuse an existing connection to
 * the destination; §18.2.2: responses go back on the request's connection).
 * Concurrent sends to a peer share one connection attempt.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { peerKey } from './address.js';
import { TransportError } from './errors.js';
import { connectTcp } from './tcp-connect.js';
import { TcpConnection } from './tcp-connection.js';

export interface TcpPoolOptions {
  clock: Clock;
  idleTimeoutMs: number;
  headerTimeoutMs: number;
  connectTimeoutMs: number;
  maxMessageBytes: number;
  logger: Logger;
  onMessage(data: Buffer, connection: TcpConnection): void;
}

export class TcpPool {
  private nextId = 1;
  private closed = false;
  private readonly byId = new Map<number, TcpConnection>();
  private readonly byPeer = new Map<string, TcpConnection>();
  private readonly connecting = new Map<string, Promise<TcpConnection>>();
  /** Open inbound connections per canonical remote address (for the per-source cap). */
  private readonly inboundByAddress = new Map<string, number>();
  private readonly closing = new AbortController();

  constructor(private readonly opts: TcpPoolOptions) {}

  get size(): number {
    return this.byId.size;
  }

  /** Takes ownership of a connected socket (accepted or freshly connected). */
  adopt(socket: Socket, direction: 'inbound' | 'outbound'): TcpConnection | null {
    if (this.closed) {
      socket.destroy();
      return null;
    }
    const connection = new TcpConnection(socket, {
      id: this.nextId++,
      direction,
      clock: this.opts.clock,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      headerTimeoutMs: this.opts.headerTimeoutMs,
      maxMessageBytes: this.opts.maxMessageBytes,
      logger: this.opts.logger,
      onMessage: this.opts.onMessage,
      onClose: (c) => this.forget(c),
    });
    this.byId.set(connection.id, connection);
    if (direction === 'inbound') {
      const address = connection.remote.address;
      this.inboundByAddress.set(address, (this.inboundByAddress.get(address) ?? 0) + 1);
    }
    this.byPeer.set(peerKey(connection.remote.address, connection.remote.port), connection);
    this.opts.logger.debug({ connection: connection.describe() }, 'TCP connection open');
    return connection;
  }

  /** Inbound connections open now from that address (canonical form). */
  inboundFrom(address: string): number {
    return this.inboundByAddress.get(address) ?? 0;
  }

  get(id: number): TcpConnection | undefined {
    const c = this.byId.get(id);
    return c?.isOpen ? c : undefined;
  }

  findByPeer(address: string, port: number): TcpConnection | undefined {
    const c = this.byPeer.get(peerKey(address, port));
    return c?.isOpen ? c : undefined;
  }

  /** An open connection to that peer, connecting if there is none. Rejects with TransportError. */
  getOrConnect(
    address: string,
    port: number,
    localAddress: string | undefined,
  ): Promise<TcpConnection> {
    if (this.closed)
      return Promise.reject(new TransportError('closed', 'transport layer is closed'));
    const existing = this.findByPeer(address, port);
    if (existing) return Promise.resolve(existing);
    const key = peerKey(address, port);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = connectTcp({
      address,
      port,
      localAddress,
      timeoutMs: this.opts.connectTimeoutMs,
      clock: this.opts.clock,
      signal: this.closing.signal,
    })
      .then((socket) => {
        const connection = this.adopt(socket, 'outbound');
        if (!connection) throw new TransportError('closed', 'transport layer is closed');
        return connection;
      })
      .finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  closeAll(): void {
    this.closed = true;
    this.closing.abort();
    for (const c of [...this.byId.values()]) c.close();
  }

  private forget(connection: TcpConnection): void {
    if (!this.byId.delete(connection.id)) return;
    if (connection.direction === 'inbound') {
      const address = connection.remote.address;
      const n = (this.inboundByAddress.get(address) ?? 1) - 1;
      if (n > 0) this.inboundByAddress.set(address, n);
      else this.inboundByAddress.delete(address);
    }
    const key = peerKey(connection.remote.address, connection.remote.port);
    if (this.byPeer.get(key) === connection) this.byPeer.delete(key);
    this.opts.logger.debug({ connection: connection.describe() }, 'TCP connection closed');
  }
}
