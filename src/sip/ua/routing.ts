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
  /** Where the request is sent; host may still need DNS (see resolveEndpoint). */
  next: { host: string; port: number; protocol: TransportProtocol };
  trunk?: TrunkConfig;
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
  return {
    requestUri: uri,
    next: {
      host: typeof maddr === 'string' ? maddr : uri.host,
      port: uri.port ?? 5060,
      protocol: transport,
    },
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
  return { requestUri, next: { host: trunk.host, port: trunk.port ?? 5060, protocol }, trunk };
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
