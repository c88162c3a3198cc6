import { isIPv4, isIPv6 } from 'node:net';
import type { AddressError, SipAddress } from './types.js';

/*
 * The subset of the RFC 3261 §19.1 SIP-URI grammar that names a member:
 *   sip:user@host[:port][;uri-parameters][?headers]
 * Comparison follows §19.1.4: scheme and host case-insensitive, user
 * case-sensitive, an escaped unreserved character equals the character,
 * a port given is not the same as no port (no default-port folding).
 */

/** RFC 3261 §25.1 `unreserved` (alphanum / mark). */
const UNRESERVED = /[A-Za-z0-9\-_.!~*'()]/;
/** RFC 3261 §25.1 `user-unreserved`. */
const USER_UNRESERVED = /[&=+$,;?/]/;
/** RFC 3261 §25.1 `param-unreserved` plus unreserved: what a uri-parameter may hold unescaped. */
const PARAM_CHAR = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** Transports our SIP stack offers (DESIGN.md §3). */
const TRANSPORTS = new Set(['udp', 'tcp']);
/** Parameters whose values are tokens compared case-insensitively (§19.1.4). */
const CASELESS_VALUES = new Set(['transport', 'user', 'method']);

type Part<T> = { value: T } | AddressError;

/**
 * Percent-escapes made canonical: an escaped unreserved character is
 * decoded (`%61` → `a`), any other escape keeps uppercase hex, so two
 * spellings of one identity compare equal. `allowed` tests one unescaped char.
 */
function canonicalEscapes(
  text: string,
  allowed: (ch: string) => boolean,
  what: string,
  shown: string,
): Part<string> {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!HEX2.test(hex)) {
        return { error: `${shown}: the ${what} has a '%' not followed by two hex digits` };
      }
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += UNRESERVED.test(decoded) ? decoded : '%' + hex.toUpperCase();
      i += 2;
    } else if (allowed(ch)) out += ch;
    else {
      return {
        error: `${shown}: the ${what} contains '${ch}', which must be percent-encoded (e.g. %${ch
          .charCodeAt(0)
          .toString(16)
          .toUpperCase()
          .padStart(2, '0')})`,
      };
    }
  }
  return { value: out };
}

function parseUser(user: string, shown: string): Part<string> {
  if (user === '') return { error: `${shown} has no user part (sip:user@host)` };
  if (user.includes(':')) {
    return { error: `${shown}: passwords are not accepted in SIP addresses (sip:user@host)` };
  }
  return canonicalEscapes(
    user,
    (ch) => UNRESERVED.test(ch) || USER_UNRESERVED.test(ch),
    'user part',
    shown,
  );
}

function parseHostname(host: string, shown: string): Part<string> {
  const lower = host.toLowerCase();
  if (/^[0-9.]+$/.test(lower)) {
    if (isIPv4(lower)) return { value: lower };
    return { error: `${shown}: '${host}' is not a valid IPv4 address` };
  }
  const labels = lower.split('.');
  const bad = lower.length > 253 || labels.some((l) => l.length > 63 || !LABEL.test(l));
  // RFC 3261 §25.1 toplabel starts with a letter: `sip:a@host.123` is not a host name.
  if (bad || !/^[a-z]/.test(labels[labels.length - 1]!)) {
    return {
      error: `${shown}: '${host}' is not a valid host (a domain name, an IPv4 address or [IPv6])`,
    };
  }
  return { value: lower };
}

function parsePort(port: string, shown: string): Part<string> {
  const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) {
    return { error: `${shown}: port '${port}' must be a number from 1 to 65535` };
  }
  return { value: String(n) };
}

/** `host[:port]` → `host[:port]` normalised. */
function parseHostPort(hostport: string, shown: string): Part<string> {
  let host: string;
  let port: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    const inner = close < 0 ? '' : hostport.slice(1, close);
    if (close < 0 || !isIPv6(inner)) {
      return { error: `${shown}: '${hostport}' is not a valid [IPv6] host` };
    }
    host = `[${inner.toLowerCase()}]`;
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':'))
        return { error: `${shown}: unexpected '${after}' after the host` };
      port = after.slice(1);
    }
  } else {
    const parts = hostport.split(':');
    if (parts.length > 2) {
      return {
        error: `${shown}: an IPv6 host must be in brackets (sip:user@[2001:db8::1]:5060)`,
      };
    }
    if (parts[0] === '') return { error: `${shown} has no host (sip:user@host)` };
    const named = parseHostname(parts[0]!, shown);
    if ('error' in named) return named;
    host = named.value;
    port = parts[1];
  }
  if (port === undefined) return { value: host };
  const p = parsePort(port, shown);
  if ('error' in p) return p;
  return { value: `${host}:${p.value}` };
}

/** `;a=b;c` → `;a=b;c` normalised (names lowercased, token values lowercased). */
function parseParams(params: string, shown: string): Part<string> {
  if (params === '') return { value: '' };
  const seen = new Set<string>();
  let out = '';
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    const rawName = eq < 0 ? param : param.slice(0, eq);
    if (rawName === '') return { error: `${shown} has an empty URI parameter (';;' or ';=')` };
    const name = canonicalEscapes(rawName, (c) => PARAM_CHAR.test(c), 'URI parameter', shown);
    if ('error' in name) return name;
    const key = name.value.toLowerCase();
    if (seen.has(key)) return { error: `${shown}: the URI parameter '${key}' appears twice` };
    seen.add(key);
    if (eq < 0) {
      out += `;${key}`;
      continue;
    }
    const value = canonicalEscapes(
      param.slice(eq + 1),
      (c) => PARAM_CHAR.test(c),
      'URI parameter',
      shown,
    );
    if ('error' in value) return value;
    if (value.value === '') return { error: `${shown}: the URI parameter '${key}' has no value` };
    const v = CASELESS_VALUES.has(key) ? value.value.toLowerCase() : value.value;
    if (key === 'transport' && !TRANSPORTS.has(v)) {
      return { error: `${shown}: transport=${v} is not supported (use udp or tcp)` };
    }
    out += `;${key}=${v}`;
  }
  return { value: out };
}

/**
 * `rest` is what follows `sip:` (or the whole text when no scheme was
 * given). Headers (`?Subject=…`) are accepted and dropped: RFC 3261 §19.1.1
 * Table 1 forbids them in a Request-URI, and they name nothing.
 */
export function parseSip(rest: string, shown: string): SipAddress | AddressError {
  if (/\s/.test(rest)) {
    return { error: `${shown}: a SIP address cannot contain whitespace (encode a space as %20)` };
  }
  const at = rest.indexOf('@');
  if (at < 0) return { error: `${shown} has no user part (sip:user@host)` };
  const user = parseUser(rest.slice(0, at), shown);
  if ('error' in user) return user;

  const after = rest.slice(at + 1);
  const q = after.indexOf('?');
  const beforeHeaders = q < 0 ? after : after.slice(0, q);
  const headers = q < 0 ? '' : after.slice(q + 1);
  if (q >= 0 && !/^[^?]+=[^?]*(?:&[^?]+=[^?]*)*$/.test(headers)) {
    return { error: `${shown}: malformed URI headers after '?' (expected ?name=value&…)` };
  }
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi);
  const hp = parseHostPort(hostport, shown);
  if ('error' in hp) return hp;
  const params = parseParams(semi < 0 ? '' : beforeHeaders.slice(semi + 1), shown);
  if ('error' in params) return params;

  const address = `sip:${user.value}@${hp.value}`;
  return { kind: 'sip', address, dial: address + params.value };
}
