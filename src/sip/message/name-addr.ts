/**
 * name-addr / addr-spec values with header parameters, as used by From, To,
 * Contact, Route and Record-Route (RFC 3261 §20.10, grammar §25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI generic-param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *( token LWS ) / quoted-string
 *
 * Without angle brackets, parameters after the URI belong to the header, not
 * the URI (§20.10), so a bare addr-spec carries no URI parameters.
 */
import type { NameAddr, Params, Uri } from './types.js';
import { SipParseError } from './errors.js';
import { formatUri, scanUri } from './uri.js';
import {
  formatParams,
  isTokenChar,
  isWs,
  parseHeaderParams,
  quote,
  scanQuoted,
  skipWs,
  unquote,
} from './syntax.js';

const WHAT = 'address';

function fail(detail: string): never {
  throw new SipParseError(`Bad address: ${detail}`);
}

/** Parses one name-addr / addr-spec value (a single value; split comma lists first). */
export function parseNameAddr(value: string): NameAddr {
  const s = value;
  const end = s.length;
  let pos = skipWs(s, 0, end);
  if (pos >= end) fail('empty value');
  let displayName: string | null = null;
  let angle = false;
  const c = s.charCodeAt(pos);
  if (c === 0x22) {
    const q = scanQuoted(s, pos, end, WHAT);
    displayName = unquote(s, pos, q);
    pos = skipWs(s, q, end);
    if (pos >= end || s.charCodeAt(pos) !== 0x3c) fail('missing < after display name');
    angle = true;
  } else if (c === 0x3c) {
    angle = true;
  } else {
    // Either a token display name ("Bob Smith <sip:...>") or a bare addr-spec:
    // scan tokens and whitespace; only a following '<' makes it a display name.
    // Non-ASCII is accepted in unquoted names (UTF-8 names are common in the wild).
    let p = pos;
    let last = pos;
    while (p < end) {
      const d = s.charCodeAt(p);
      if (isTokenChar(d) || d >= 0x80) last = ++p;
      else if (isWs(d)) p++;
      else break;
    }
    if (p < end && s.charCodeAt(p) === 0x3c) {
      displayName = s.slice(pos, last);
      pos = p;
      angle = true;
    }
  }
  let uri: Uri;
  if (angle) {
    // No whitespace inside the brackets: LAQUOT = SWS "<", RAQUOT = ">" SWS (RFC 4475 §3.1.2.14).
    const close = s.indexOf('>', pos + 1);
    if (close < 0) fail('missing >');
    const r = scanUri(s, pos + 1, close, false);
    if (r.end !== close) fail('bad URI');
    uri = r.uri;
    pos = close + 1;
  } else {
    const r = scanUri(s, pos, end, true);
    uri = r.uri;
    pos = r.end;
  }
  const params: Params = new Map();
  pos = parseHeaderParams(s, pos, end, params, WHAT);
  if (pos !== end) fail('unexpected characters');
  return { displayName, uri, params };
}

/** Writes a name-addr, always in the <> form (valid whatever the URI holds, §20.10). */
export function formatNameAddr(na: NameAddr): string {
  let out = na.displayName !== null ? quote(na.displayName) + ' <' : '<';
  out += formatUri(na.uri) + '>';
  return out + formatParams(na.params);
}
