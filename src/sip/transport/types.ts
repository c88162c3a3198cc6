/** Public value types of the SIP transport layer (RFC 3261 §18). */
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';

export type TransportProtocol = 'udp' | 'tcp';

export interface Endpoint {
  protocol: TransportProtocol;
  /** IP literal; IPv6 without brackets. */
  address: string;
  port: number;
}

export interface Source extends Endpoint {
  /** The local address and port the message arrived on. */
  local: { address: string; port: number };
  /** TCP connection the message arrived on */
  connectionId?: number;
}

export interface ListenSpec {
  protocol: TransportProtocol;
  address: string;
  /** 0 = any free */
  port: number;
}

export interface TransportLayerOptions {
  listen: ListenSpec[];
  /**
   * A TCP connection with no SIP message in either direction for this long
   * is closed (default 60000). CRLF keep-alives and partial messages do not
   * count, so they cannot keep a connection open by themselves.
   */
  tcpIdleTimeoutMs?: number;
  /**
   * Once a message has begun on a TCP connection, its header section must be
   * complete within this time or the connection is closed (default 10000):
   * a peer trickling bytes cannot hold a connection slot.
   */
  tcpHeaderTimeoutMs?: number;
  /** default 1300, §18.1.1 */
  udpMtu?: number;
  /** default 65535 */
  maxMessageBytes?: number;
  /**
   * Inbound TCP connections open at once, per TCP listener; a connection
   * beyond it is closed as soon as it is accepted (default 1000, at least 1). Each costs a file descriptor:
   * without a cap, a peer opening connections in a loop would exhaust them
   * and take down every transport, UDP and outbound TCP included.
   */
  maxInboundTcpConnections?: number;
  /**
   * Inbound TCP connections open at once from one source address, across
   * listeners (default 32, at least 1): one host cannot take every slot of
   * maxInboundTcpConnections.
   */
  maxInboundTcpConnectionsPerSource?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * RFC 3261 §18 distinguishes reliable (connection-oriented, congestion
 * controlled) transports from unreliable ones: only the latter need
 * retransmission timers in the transaction layer (§17.1.1.2 Timer A).
 */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol === 'tcp';
}
