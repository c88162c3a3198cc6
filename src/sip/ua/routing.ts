/**
 * Turns an address as users write it into where a request goes.
 * - `sip:user@host[:port][;transport=tcp]`, `sips:` is refused (no TLS here),
 *   and the bare form `user@host[:port]` are dialled directly;
 * - a phone number (`+14155550100`, or digits with common separators) goes to
 *   the trunk whose prefix matches best.
 * Anything else is a RoutingError, raised before any packet is sent.
 */
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import {
  formatUri,
  isSipUri,
  parseUri,
  SipParseError,
  type SipUri,
  type Uri,
} from '../message/index.js';
import type { Endpoint, TransportProtocol } from '../transport/index.js';
import type { TrunkConfig } from './config.js';

export class RoutingError extends Error {
  override readonly name = 'RoutingError';
}

export interface Route {
  /** Request-URI and To URI. */
  requestUri: SipUri;
  /**
   * Where the request is sent; host may still need DNS. `locate` says how
   * far (RFC 3263, locate.ts): NAPTR then SRV when neither port nor
   * transport was given, SRV when only the transport was; absent, A/AAAA.
   */
  next: { host: string; port: number; protocol: TransportProtocol; locate?: 'naptr' | 'srv' };
  trunk?: TrunkConfig;
  /** The trunk's outbound proxy as a Route value (RFC 3261 §8.1.2: a pre-existing route set). */
  proxyRoute?: string;
}

/** RFC 3263 §4.1/§4.2: how far to look a host up, given what the URI or trunk pinned down. */
function locateMode(
  host: string,
  port: number | null | undefined,
  transportGiven: boolean,
): 'naptr' | 'srv' | undefined {
  if (isIP(host.replace(/^\[(.*)\]$/, '$1')) || (port !== null && port !== undefined))
    return undefined;
  return transportGiven ? 'srv' : 'naptr';
}

function withLocate(next: Route['next'], mode: 'naptr' | 'srv' | undefined): Route['next'] {
  return mode ? { ...next, locate: mode } : next;
}

const PHONE = /^\+?[0-9]{2,20}$/;

/** Strips visual separators users type in numbers: spaces, dashes, dots, parentheses. */
export function normalisePhoneNumber(address: string): string | null {
  const compact = address.trim().replace(/[\s\-.()]/g, '');
  return PHONE.test(compact) ? compact : null;
}

export function routeAddress(address: string, trunks: TrunkConfig[]): Route {
  const text = address.trim();
  if (text.length === 0) throw new RoutingError('Empty address');
  // "127.0.0.1" is a host, not the number 127001 with dots for separators.
  const phone = isIP(text) === 0 ? normalisePhoneNumber(text) : null;
  if (phone !== null) return routePhoneNumber(phone, trunks);

  let uri: Uri;
  const withScheme =
    /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text) && !/^[^:@]+@/.test(text) ? text : `sip:${text}`;
  try {
    uri = parseUri(withScheme);
  } catch (err) {
    const why = err instanceof SipParseError ? err.message : String(err);
    throw new RoutingError(`Not a SIP address or phone number: "${address}" (${why})`);
  }
  if (uri.scheme === 'tel') {
    const number = normalisePhoneNumber((uri as { number: string }).number);
    if (number === null) throw new RoutingError(`Unsupported tel: number "${address}"`);
    return routePhoneNumber(number, trunks);
  }
  if (!isSipUri(uri)) {
    throw new RoutingError(
      `Unsupported address scheme "${uri.scheme}:" in "${address}" (use sip: or a phone number)`,
    );
  }
  if (uri.scheme === 'sips')
    throw new RoutingError(`sips: needs TLS, which is not supported: "${address}"`);
  if (!uri.host) throw new RoutingError(`SIP address without a host: "${address}"`);
  const transportParam = uri.params.get('transport');
  const transport = typeof transportParam === 'string' ? transportParam.toLowerCase() : 'udp';
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new RoutingError(
      `Unsupported transport "${transportParam}" in "${address}" (udp or tcp)`,
    );
  }
  const maddr = uri.params.get('maddr');
  const host = typeof maddr === 'string' ? maddr : uri.host;
  return {
    requestUri: uri,
    next: withLocate(
      { host, port: uri.port ?? 5060, protocol: transport },
      typeof maddr === 'string'
        ? undefined
        : locateMode(host, uri.port, transportParam !== undefined),
    ),
  };
}

function routePhoneNumber(number: string, trunks: TrunkConfig[]): Route {
  const trunk = selectTrunk(number, trunks);
  if (!trunk) {
    throw new RoutingError(
      trunks.length === 0
        ? `Cannot dial phone number ${number}: no SIP trunk is configured`
        : `No SIP trunk takes the number ${number}`,
    );
  }
  const protocol = trunk.transport ?? 'udp';
  const params = new Map<string, string | null>();
  if (protocol === 'tcp') params.set('transport', 'tcp');
  const requestUri: SipUri = {
    scheme: 'sip',
    user: formatNumber(number, trunk),
    password: null,
    host: hostForUri(trunk.host),
    port: trunk.port ?? null,
    params,
    headers: new Map(),
  };
  return { requestUri, ...trunkNextHop(trunk), trunk };
}

/**
 * Where requests to a trunk go: its outbound proxy when it has one (also
 * put in a Route header, loose routing, §8.1.2), else the trunk host; each
 * located by RFC 3263 as far as its port and transport leave open.
 */
export function trunkNextHop(trunk: TrunkConfig): Pick<Route, 'next' | 'proxyRoute'> {
  const protocol = trunk.transport ?? 'udp';
  const proxy = trunk.outboundProxy ? parseProxy(trunk.outboundProxy) : null;
  if (proxy) {
    const p = proxy.protocol ?? protocol;
    const params = p === 'tcp' ? ';transport=tcp' : '';
    return {
      next: withLocate(
        { host: proxy.host, port: proxy.port ?? 5060, protocol: p },
        locateMode(
          proxy.host,
          proxy.port,
          proxy.protocol !== null || trunk.transport !== undefined,
        ),
      ),
      proxyRoute: `<sip:${hostForUri(proxy.host)}${proxy.port ? `:${proxy.port}` : ''}${params};lr>`,
    };
  }
  return {
    next: withLocate(
      { host: trunk.host, port: trunk.port ?? 5060, protocol },
      locateMode(trunk.host, trunk.port, trunk.transport !== undefined),
    ),
  };
}

/** An outbound proxy as configured: `host`, `host:port`, or a `sip:` URI (`;transport=tcp` allowed). */
export function parseProxy(
  value: string,
): { host: string; port: number | null; protocol: TransportProtocol | null } | null {
  let uri: Uri;
  try {
    uri = parseUri(/^sip:/i.test(value) ? value : `sip:${value}`);
  } catch {
    return null;
  }
  if (!isSipUri(uri) || uri.scheme !== 'sip' || !uri.host) return null;
  const t = uri.params.get('transport');
  const protocol = typeof t === 'string' ? t.toLowerCase() : null;
  if (protocol !== null && protocol !== 'udp' && protocol !== 'tcp') return null;
  return {
    host: uri.host.replace(/^\[(.*)\]$/, '$1'),
    port: uri.port,
    protocol: protocol as TransportProtocol | null,
  };
}

/**
 * Routes a redirect target (a 3xx Contact, RFC 3261 §8.1.3.4) by the rules
 * of a dialled address: tel: URIs and numbers go to the trunk whose prefix
 * matches, sip: URIs are called directly, sips: and other schemes are
 * refused. A sip: target on the host of the trunk the call went through
 * stays on that trunk (its credentials, transport and From domain): a
 * carrier redirecting to another of its numbers. Any other host is called
 * without the trunk, so its credentials never go to a host the redirect
 * chose. URI headers (`?Subject=…`, §19.1.5) are dropped: a redirect does
 * not get to add headers to our request.
 */
export function routeRedirectTarget(target: Uri, original: Route, trunks: TrunkConfig[]): Route {
  const trunk = original.trunk;
  if (
    trunk &&
    isSipUri(target) &&
    target.scheme === 'sip' &&
    target.host.replace(/^\[(.*)\]$/, '$1').toLowerCase() === trunk.host.toLowerCase()
  ) {
    const requestUri: SipUri = { ...target, headers: new Map() };
    const hop = trunkNextHop(target.port ? { ...trunk, port: target.port } : trunk);
    return { requestUri, ...hop, trunk };
  }
  const uri = isSipUri(target) ? { ...target, headers: new Map() } : target;
  return routeAddress(formatUri(uri), trunks);
}

/** Longest matching prefix wins; a trunk without prefixes takes anything. Prefixes compare without "+". */
export function selectTrunk(number: string, trunks: TrunkConfig[]): TrunkConfig | undefined {
  const bare = number.replace(/^\+/, '');
  let best: TrunkConfig | undefined;
  let bestLen = -1;
  for (const t of trunks) {
    const prefixes = t.prefixes && t.prefixes.length > 0 ? t.prefixes : [''];
    for (const p of prefixes) {
      const bp = p.replace(/^\+/, '');
      if (bare.startsWith(bp) && bp.length > bestLen) {
        best = t;
        bestLen = bp.length;
      }
    }
  }
  return best;
}

export function formatNumber(number: string, trunk: TrunkConfig): string {
  const bare = number.replace(/^\+/, '');
  if (trunk.numberFormat === 'digits') return bare;
  return number.startsWith('+') ? number : `+${bare}`;
}

export function hostForUri(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Resolves a host (IP literal or DNS name, A/AAAA only — no SRV/NAPTR) to an endpoint. */
export async function resolveEndpoint(next: Route['next']): Promise<Endpoint> {
  const bare = next.host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return { protocol: next.protocol, address: bare, port: next.port };
  try {
    const { address } = await lookup(bare);
    return { protocol: next.protocol, address, port: next.port };
  } catch (err) {
    throw new RoutingError(`Cannot resolve host "${bare}": ${(err as Error).message}`);
  }
}

/** The endpoint for an in-dialog next hop (remote target or first route), §8.1.2 / §12.2.1.1. */
export function nextHopOf(uri: Uri): Route['next'] {
  if (!isSipUri(uri)) throw new RoutingError(`Cannot send to non-SIP URI ${formatUri(uri)}`);
  const t = uri.params.get('transport');
  const protocol: TransportProtocol =
    typeof t === 'string' && t.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
  const maddr = uri.params.get('maddr');
  return { host: typeof maddr === 'string' ? maddr : uri.host, port: uri.port ?? 5060, protocol };
}
