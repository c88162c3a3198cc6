/**
 * Character classes and small scanners shared by the URI and header-value
 * parsers (RFC 3261 §25.1). Everything works on char codes with lookup
 * tables: no regular expressions, so no backtracking on hostile input.
 */
import type { Params } from './types.js';
import { SipParseError } from './errors.js';

const enum C {
  TOKEN = 1, // token (§25.1)
  UNRESERVED = 2, // unreserved = alphanum / mark
  USER = 4, // user-unreserved plus unreserved (escaped handled separately)
  PASSWORD = 8, // password chars besides unreserved
  PARAM = 16, // paramchar besides unreserved: param-unreserved
  HNV = 32, // hnv-unreserved (URI headers)
  HOST = 64, // hostname / IPv4 characters
  HEX = 128,
}

const TABLE = new Uint8Array(128);

function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) TABLE[chars.charCodeAt(i)]! |= flag;
}

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGIT = '0123456789';
mark(ALPHA + DIGIT + "-.!%*_+`'~", C.TOKEN);
mark(ALPHA + DIGIT + "-_.!~*'()", C.UNRESERVED);
mark('&=+$,;?/', C.USER);
mark('&=+$,', C.PASSWORD);
mark('[]/:&+$', C.PARAM);
mark('[]/?:+$', C.HNV);
// '_' is not in RFC 1035 host names but is common in the wild (SRV-like names); accepting it costs nothing.
mark(ALPHA + DIGIT + '-._', C.HOST);
mark('0123456789abcdefABCDEF', C.HEX);

export function isTokenChar(c: number): boolean {
  return c < 128 && (TABLE[c]! & C.TOKEN) !== 0;
}

export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export function isHex(c: number): boolean {
  return c < 128 && (TABLE[c]! & C.HEX) !== 0;
}

export function isHostChar(c: number): boolean {
  return c < 128 && (TABLE[c]! & C.HOST) !== 0;
}

/**
 * Scans characters of class `flags` (plus `%HH` escapes, §25.1 "escaped")
 * from `pos`; returns the end. Throws on a `%` not followed by two hex digits,
 * since such a URI cannot be unescaped and is malformed.
 */
export function scanEscaped(
  s: string,
  pos: number,
  end: number,
  flags: number,
  what: string,
): number {
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c === 0x25) {
      if (pos + 2 >= end || !isHex(s.charCodeAt(pos + 1)) || !isHex(s.charCodeAt(pos + 2))) {
        throw new SipParseError(`Bad escape in ${what}`);
      }
      pos += 3;
    } else if (c < 128 && (TABLE[c]! & flags) !== 0) pos++;
    else break;
  }
  return pos;
}

export const USER_CHARS = C.UNRESERVED | C.USER;
export const PASSWORD_CHARS = C.UNRESERVED | C.PASSWORD;
export const PARAM_CHARS = C.UNRESERVED | C.PARAM;
export const HEADER_CHARS = C.UNRESERVED | C.HNV;

export function scanToken(s: string, pos: number, end: number): number {
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c < 128 && (TABLE[c]! & C.TOKEN) !== 0) pos++;
    else break;
  }
  return pos;
}

export function skipWs(s: string, pos: number, end: number): number {
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c === 0x20 || c === 0x09) pos++;
    else break;
  }
  return pos;
}

/** True when every character of `s` is a token character (and `s` is not empty). */
export function isToken(s: string): boolean {
  return s.length > 0 && scanToken(s, 0, s.length) === s.length;
}

/**
 * Scans a quoted-string starting at the opening DQUOTE (§25.1); returns the
 * index after the closing DQUOTE. quoted-pair escapes any char but CR/LF.
 */
export function scanQuoted(s: string, pos: number, end: number, what: string): number {
  pos++;
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c === 0x22) return pos + 1;
    if (c === 0x5c) {
      if (pos + 1 >= end) break;
      const n = s.charCodeAt(pos + 1);
      if (n === 0x0a || n === 0x0d) throw new SipParseError(`Bad quoted string in ${what}`);
      pos += 2;
    } else if (c === 0x0a || c === 0x0d || c === 0) {
      throw new SipParseError(`Bad quoted string in ${what}`);
    } else pos++;
  }
  throw new SipParseError(`Unterminated quoted string in ${what}`);
}

/** The content of a quoted-string (between `start`+1 and `end`-1) with quoted-pairs resolved. */
export function unquote(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += ch;
  }
  return out;
}

/** Writes `text` as a quoted-string, escaping `"` and `\` (§25.1 quoted-pair). */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

/** Parses a decimal integer written as 1*DIGIT in s[start, end); -1 if not digits or above `max`. */
export function parseDecimal(s: string, start: number, end: number, max: number): number {
  if (start >= end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
    if (n > max) return -1;
  }
  return n;
}

/** Lower-cases ASCII only when needed (parameter names are usually written in lower case). */
export function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.toLowerCase();
  }
  return s;
}

/** Characters allowed in an unquoted generic-param value: token / host (incl. IPv6 reference). */
function isGenValueChar(c: number): boolean {
  return (
    (c < 128 && (TABLE[c]! & C.TOKEN) !== 0) ||
    c === 0x3a || // ':' (IPv6, host:port seen in the wild)
    c === 0x5b ||
    c === 0x5d ||
    c === 0x2f // '/'
  );
}

/**
 * Parses `*( SEMI generic-param )` (§25.1: SEMI = SWS ";" SWS,
 * EQUAL = SWS "=" SWS, gen-value = token / host / quoted-string) from `pos`
 * into `out`. Names are lower-cased (parameter names are case-insensitive,
 * §7.3.1); values are kept as written, quoted strings with their quotes.
 * Returns the index where the parameter list ends (after trailing SWS).
 */
export function parseHeaderParams(
  s: string,
  pos: number,
  end: number,
  out: Params,
  what: string,
): number {
  for (;;) {
    pos = skipWs(s, pos, end);
    if (pos >= end || s.charCodeAt(pos) !== 0x3b) return pos;
    pos = skipWs(s, pos + 1, end);
    const nameEnd = scanToken(s, pos, end);
    if (nameEnd === pos) throw new SipParseError(`Bad parameter in ${what}`);
    const name = lowerAscii(s.slice(pos, nameEnd));
    pos = skipWs(s, nameEnd, end);
    if (pos < end && s.charCodeAt(pos) === 0x3d) {
      pos = skipWs(s, pos + 1, end);
      const vStart = pos;
      if (pos < end && s.charCodeAt(pos) === 0x22) pos = scanQuoted(s, pos, end, what);
      else while (pos < end && isGenValueChar(s.charCodeAt(pos))) pos++;
      if (pos === vStart) throw new SipParseError(`Bad parameter value in ${what}`);
      out.set(name, s.slice(vStart, pos));
    } else {
      out.set(name, null);
    }
  }
}

/** Formats params as `;name` / `;name=value`, in order. */
export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? ';' + k : ';' + k + '=' + v;
  return out;
}

/**
 * Validates an IPv6 address (RFC 4291 §2.2 text form, as in RFC 3261 §25.1
 * IPv6address): up to eight 1-4 digit hex groups, at most one "::", an
 * optional trailing dotted IPv4 address counting for two groups.
 */
export function isIPv6(s: string, start: number, end: number): boolean {
  let groups = 0;
  let doubleColon = false;
  let pos = start;
  if (end - start < 2) return false;
  if (s.charCodeAt(pos) === 0x3a) {
    if (s.charCodeAt(pos + 1) !== 0x3a) return false;
    doubleColon = true;
    pos += 2;
    if (pos === end) return true;
  }
  while (pos < end) {
    let p = pos;
    while (p < end && isHex(s.charCodeAt(p)) && p - pos < 5) p++;
    const len = p - pos;
    if (len === 0 || len > 4) return false;
    if (p < end && s.charCodeAt(p) === 0x2e) {
      // Embedded IPv4 tail (e.g. ::ffff:192.0.2.1) must be last.
      if (!isIPv4(s, pos, end)) return false;
      groups += 2;
      pos = end;
      break;
    }
    groups++;
    pos = p;
    if (pos === end) break;
    if (s.charCodeAt(pos) !== 0x3a) return false;
    pos++;
    if (pos < end && s.charCodeAt(pos) === 0x3a) {
      if (doubleColon) return false;
      doubleColon = true;
      pos++;
      if (pos === end) break;
    } else if (pos === end) return false; // trailing single ':'
  }
  return doubleColon ? groups <= 7 : groups === 8;
}

/** Validates a dotted-quad IPv4 address in s[start, end). */
export function isIPv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let pos = start;
  while (parts < 4) {
    let p = pos;
    while (p < end && isDigit(s.charCodeAt(p))) p++;
    if (p === pos || p - pos > 3 || parseDecimal(s, pos, p, 255) < 0) return false;
    parts++;
    if (parts === 4) return p === end;
    if (p >= end || s.charCodeAt(p) !== 0x2e) return false;
    pos = p + 1;
  }
  return false;
}

/**
 * Scans a host (§25.1: hostname / IPv4address / IPv6reference) from `pos`;
 * returns its end. IPv6 references keep their brackets.
 */
export function scanHost(s: string, pos: number, end: number, what: string): number {
  if (pos < end && s.charCodeAt(pos) === 0x5b) {
    const close = s.indexOf(']', pos);
    if (close < 0 || close >= end)
      throw new SipParseError(`Unterminated IPv6 reference in ${what}`);
    if (!isIPv6(s, pos + 1, close)) throw new SipParseError(`Bad IPv6 address in ${what}`);
    return close + 1;
  }
  let p = pos;
  while (p < end && isHostChar(s.charCodeAt(p))) p++;
  if (p === pos) throw new SipParseError(`Missing host in ${what}`);
  return p;
}
