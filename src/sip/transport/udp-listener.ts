/**
 * One bound UDP socket. Requests and responses leave from the listening
 * socket itself so that their source port is the advertised one — what a
 * peer's NAT binding and RFC 3581 rport depend on.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from 'pino';
// The transport layer resolves names before it sends, so every datagram goes to an IP literal.
import { literalFirstLookup } from '../../media/stream/index.js';
import { canonicalHost, ipFamily, isWildcard, type IpFamily } from './address.js';
import { TransportError, fromSocketError } from './errors.js';

export interface UdpListenerEvents {
  onDatagram(data: Buffer, rinfo: RemoteInfo, listener: UdpListener): void;
}

const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpListener {
  readonly protocol = 'udp' as const;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    readonly family: IpFamily,
  ) {}

  static bind(
    address: string,
    port: number,
    events: UdpListenerEvents,
    logger: Logger,
  ): Promise<UdpListener> {
    const family = ipFamily(address);
    if (family === 0) {
      return Promise.reject(
        new TransportError('no-transport', `listen address "${address}" is not an IP literal`),
      );
    }
    // A signalling socket takes bursts (SIPp and carriers send in batches):
    // ask for a 4 MiB receive/send buffer; the kernel caps it at
    // net.core.rmem_max / wmem_max, so this never fails, it only helps.
    const socket = createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      recvBufferSize: UDP_BUFFER_BYTES,
      sendBufferSize: UDP_BUFFER_BYTES,
      lookup: literalFirstLookup,
    });
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onBindError);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.removeListener('error', onBindError);
        const listener = new UdpListener(
          socket,
          canonicalHost(address),
          socket.address().port,
          family,
        );
        // After bind, errors (e.g. an ICMP error reported on the socket) are
        // logged: they concern one peer, never the listener, and an unhandled
        // 'error' event would crash the process.
        socket.on('error', (err) =>
          logger.warn({ err, listener: listener.describe() }, 'UDP socket error'),
        );
        socket.on('message', (data, rinfo) => events.onDatagram(data, rinfo, listener));
        resolve(listener);
      });
    });
  }

  /** True if this socket can reach peers of that family (a `::` socket is dual-stack). */
  serves(family: IpFamily): boolean {
    return this.family === family || (family === 4 && this.address === '::');
  }

  get wildcard(): boolean {
    return isWildcard(this.address);
  }

  send(data: Buffer, address: string, port: number): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError('closed', 'UDP listener is closed'));
    // A dual-stack IPv6 socket reaches IPv4 peers through mapped addresses.
    const target =
      this.family === 6 && ipFamily(address) === 4 ? `::ffff:${canonicalHost(address)}` : address;
    return new Promise((resolve, reject) => {
      try {
        this.socket.send(data, port, target, (err) => {
          if (err) reject(fromSocketError(err, `UDP send to ${address}:${port}`));
          else resolve();
        });
      } catch (err) {
        // Node throws synchronously for a closed socket or an invalid port.
        reject(fromSocketError(err, `UDP send to ${address}:${port}`));
      }
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  describe(): string {
    return `udp:${this.family === 6 ? `[${this.address}]` : this.address}:${this.port}`;
  }
}
