/**
 * Peers behind NAT (RFC 3581, RFC 4961 symmetric RTP). A phone behind a
 * NAT writes its private address in its Via, Contact and SDP, none of
 * which we can reach; what we can reach is the flow its packets come from
 * (the source address and port, the same TCP connection). For such a
 * peer the call keeps that flow: in-dialog requests go to it instead of
 * the Contact (the session's next hop, when no proxy Record-Routes), and
 * its RTP is latched to the first packet from the host its SIP came from,
 * whatever the SDP says (the engine asks the stream to, see Leg).
 *
 * Modes (`sip.nat` in the configuration):
 * - `auto` (default): a peer talking to us directly (one Via, RFC 3261
 *   §18.2.1 — behind a proxy, NAT is the proxy's business) whose Via or
 *   Contact address differs from the packet source (for UDP the port too:
 *   RFC 3581 §4's `rport` is exactly that port); for a peer we called, a
 *   2xx whose Contact is a private address other than where we sent.
 * - `always`: every directly connected peer (comedia).
 * - `never`: Contact and SDP are believed as written.
 */
import { isIP } from 'node:net';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Endpoint, Source } from '../transport/index.js';

export type NatMode = 'auto' | 'always' | 'never';
export const NAT_MODES: readonly NatMode[] = ['auto', 'always', 'never'];

/** The flow a NATed peer can be reached by, and the host its RTP may come from. */
export interface PeerFlow {
  endpoint: Endpoint;
  mediaHost: string;
}

/** UAS: the flow of a peer whose INVITE came from `source`, or null when its addresses can be believed. */
export function flowOfRequest(req: SipRequest, source: Source, mode: NatMode): PeerFlow | null {
  if (mode === 'never') return null;
  let vias: ReturnType<SipRequest['vias']>;
  let contacts: ReturnType<SipRequest['contacts']>;
  try {
    vias = req.vias();
    contacts = req.contacts();
  } catch {
    return null;
  }
  // More than one Via: a proxy relayed it, and the source is the proxy, not the phone.
  if (vias.length !== 1) return null;
  const flow: PeerFlow = {
    endpoint: { protocol: source.protocol, address: source.address, port: source.port },
    mediaHost: source.address,
  };
  if (mode === 'always') return flow;
  const udp = source.protocol === 'udp';
  const via = vias[0]!;
  const differs = (host: string, port: number | null): boolean =>
    !sameIp(host, source.address) || (udp && (port ?? 5060) !== source.port);
  if (differs(via.host, via.port)) return flow;
  for (const c of contacts) {
    const uri = c.uri as { host?: string; port?: number | null };
    if (typeof uri.host === 'string' && differs(uri.host, uri.port ?? null)) return flow;
  }
  return null;
}

/**
 * UAC: the flow of a peer we sent the INVITE to at `sentTo`, from its 2xx.
 * Only a Contact on a private or link-local address (RFC 1918, RFC 6598,
 * RFC 3927, RFC 4193, RFC 4291) other than `sentTo` counts in auto mode:
 * any other Contact may well be a UA the proxy we called handed us to.
 */
export function flowOfAnswer(res: SipResponse, sentTo: Endpoint, mode: NatMode): PeerFlow | null {
  if (mode === 'never') return null;
  const flow: PeerFlow = { endpoint: { ...sentTo }, mediaHost: sentTo.address };
  let contacts: ReturnType<SipResponse['contacts']>;
  try {
    if (res.headers.has('record-route')) return null;
    contacts = res.contacts();
  } catch {
    return null;
  }
  if (mode === 'always') return flow;
  for (const c of contacts) {
    const host = (c.uri as { host?: string }).host;
    if (typeof host === 'string' && isPrivateAddress(host) && !sameIp(host, sentTo.address))
      return flow;
  }
  return null;
}

function bare(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function sameIp(a: string, b: string): boolean {
  const x = bare(a);
  const y = bare(b);
  const mapped = (s: string): string => s.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return mapped(x) === mapped(y);
}

/** Addresses a peer on the internet cannot be reached at. */
export function isPrivateAddress(host: string): boolean {
  const h = bare(host);
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254)
    );
  }
  if (isIP(h) === 6) return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  return false;
}
