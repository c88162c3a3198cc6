/**
 * Where a response goes when it cannot (or need not) use the connection its
 * request arrived on: RFC 3261 §18.2.2 with the RFC 3581 §4 rport rule.
 */
import type { Via } from '../message/index.js';
import { stripBrackets } from './address.js';

/** The default SIP port for UDP and TCP (RFC 3261 §19.1.2; 5061 is only for TLS). */
export const DEFAULT_SIP_PORT = 5060;

export interface HostPort {
  /** An IP literal or a host name still to be resolved. */
  host: string;
  port: number;
}

/**
 * Unreliable transport, in the order of RFC 3581 §4 (which refines §18.2.2):
 * 1. `maddr` present → maddr, sent-by port (multicast TTL is not supported:
 *    the response is sent unicast to that address);
 * 2. `received` and a valued `rport` → received:rport;
 * 3. `received` → received, sent-by port;
 * 4. otherwise sent-by (port defaults to 5060).
 */
export function unreliableResponseTarget(via: Via): HostPort {
  const port = via.port ?? DEFAULT_SIP_PORT;
  const maddr = via.params.get('maddr');
  if (maddr) return { host: stripBrackets(maddr), port };
  const received = via.params.get('received');
  const rport = parsePort(via.params.get('rport'));
  if (received && rport !== null) return { host: stripBrackets(received), port: rport };
  if (received) return { host: stripBrackets(received), port };
  return { host: stripBrackets(via.host), port };
}

/**
 * Reliable transport whose original connection is gone (§18.2.2): open a
 * connection to `received` if present, else sent-by, on the sent-by port.
 * rport is not used: it names the peer's ephemeral source port of the
 * closed connection, where nothing listens.
 */
export function reliableResponseTarget(via: Via): HostPort {
  const port = via.port ?? DEFAULT_SIP_PORT;
  const received = via.params.get('received');
  return { host: stripBrackets(received || via.host), port };
}

function parsePort(value: string | null | undefined): number | null {
  if (!value || !/^\d{1,5}$/.test(value)) return null;
  const n = Number(value);
  return n > 0 && n <= 65535 ? n : null;
}
