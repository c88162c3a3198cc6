/**
 * Where a response goes when it cannot (or need not) use the connection its
 * request arrived on: RFC 3261 §18.2.2 with the RFC 3581 §4 rport rule.
 *
 * `maddr` in the Via is ignored. §18.2.2 would send the response there, but
 * it names an address the *sender* chose and we never verified: one INVITE
 * with `;maddr=<victim>` would make us reflect every response (and each of
 * their retransmissions) at the victim, and a host-name maddr would cost a
 * DNS lookup per response. We do not do multicast, so the only address we
 * answer is the one the request really came from, as RFC 3581 intends.
 */
import type { Via } from '../message/index.js';
import { stripBrackets } from './address.js';

/** The default SIP port for UDP and TCP (RFC 3261 §19.1.2; 5061 is only for TLS). */
export const DEFAULT_SIP_PORT = 5060;

export interface HostPort {
  /**
   * An IP literal whenever the Via was stamped by our transport on receipt
   * (§18.2.1 adds `received` for any host name); a host name only for a Via
   * that was not, which the transport refuses to route rather than resolve.
   */
  host: string;
  port: number;
}

/**
 * Unreliable transport, in the order of RFC 3581 §4 (which refines §18.2.2),
 * maddr left out (see above):
 * 1. `received` and a valued `rport` → received:rport;
 * 2. `received` → received, sent-by port;
 * 3. otherwise sent-by (port defaults to 5060) — which the transport only
 *    leaves unstamped when it is the IP literal the request came from.
 */
export function unreliableResponseTarget(via: Via): HostPort {
  const port = via.port ?? DEFAULT_SIP_PORT;
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
