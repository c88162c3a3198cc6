/**
 * What an outgoing call says about its caller (RFC 3261 §8.1.1.3 From) and
 * the checks on what the layers above add to its INVITE.
 */
import { parseNameAddr, type NameAddr } from '../message/index.js';
import type { TrunkConfig } from './config.js';
import { RoutingError, hostForUri, normalisePhoneNumber, type Route } from './routing.js';

/** §25.1 token: a header name. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** §25.1 user part characters (unreserved, escaped, user-unreserved), for a caller ID that is a SIP user name. */
const USER_PART = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;

/** The caller-ID part of a call's options. */
export interface CallerIdOptions {
  /** Caller ID: a phone number or SIP URI shown to the callee. */
  from?: string;
  /** Display name for the From header. */
  fromName?: string;
}

/**
 * The From of an outgoing call: the caller ID in the trunk's format, or our
 * own SIP identity (`localUser` at the address we send from, which
 * `ourHost` gives for the protocol and the destination host). Throws
 * RoutingError for a caller ID that is neither a number, a SIP user name
 * nor a sip: URI.
 */
export function callerIdentity(
  route: Route,
  options: CallerIdOptions,
  localUser: string,
  ourHost: (protocol: 'udp' | 'tcp', towards: string) => string,
): NameAddr {
  const display = options.fromName ?? null;
  const trunk = route.trunk;
  if (options.from && /^sips?:/i.test(options.from)) {
    let na: NameAddr;
    try {
      na = parseNameAddr(`<${options.from}>`);
    } catch (err) {
      throw new RoutingError(`Bad caller ID "${options.from}": ${(err as Error).message}`);
    }
    return { ...na, displayName: display };
  }
  let user = localUser;
  if (options.from) {
    const number = normalisePhoneNumber(options.from);
    // Carriers that want bare digits get them; otherwise the number goes as given (with or without "+").
    if (number !== null)
      user = trunk?.numberFormat === 'digits' ? number.replace(/^\+/, '') : number;
    else if (USER_PART.test(options.from)) user = options.from;
    else
      throw new RoutingError(
        `Bad caller ID "${options.from}": use a phone number, a SIP user name or a sip: URI`,
      );
  }
  const host = trunk
    ? (trunk.fromDomain ?? trunk.host)
    : ourHost(route.next.protocol, route.next.host);
  return {
    displayName: display,
    uri: {
      scheme: 'sip',
      user,
      password: null,
      host: hostForUri(host),
      port: null,
      params: new Map(),
      headers: new Map(),
    },
    params: new Map(),
  };
}

/**
 * Extra INVITE headers come from the layers above: a name must be a token
 * and a value one line (§7.3.1, §25.1), or the request could be split.
 */
export function checkExtraHeaders(headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!TOKEN.test(name)) throw new RangeError(`Invalid SIP header name "${name}"`);
    if (/[\r\n\0]/.test(value))
      throw new RangeError(`Invalid value for SIP header ${name}: line breaks are not allowed`);
  }
}

export function trunkCredentials(
  trunk: TrunkConfig | undefined,
): { username: string; password: string; realm?: string } | undefined {
  if (!trunk?.username || trunk.password === undefined) return undefined;
  return trunk.realm
    ? { username: trunk.username, password: trunk.password, realm: trunk.realm }
    : { username: trunk.username, password: trunk.password };
}
