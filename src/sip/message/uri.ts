/**
 * SIP, SIPS (RFC 3261 §19.1, §25.1), tel (RFC 3966) and other absolute URIs.
 *
 * %-escapes are validated but kept as written, so format(parse(u)) gives
 * back the same text and a forwarded URI is never re-encoded differently
 * (comparison rules of §19.1.4 are the caller's business). Parameter names
 * are case-insensitive and normalised to lower case; the scheme too.
 */
import type { AbsoluteUri, Params, SipUri, TelUri, Uri } from './types.js';
import { SipParseError } from './errors.js';
import {
  HEADER_CHARS,
  PARAM_CHARS,
  PASSWORD_CHARS,
  USER_CHARS,
  formatParams,
  isAlpha,
  isDigit,
  isHex,
  lowerAscii,
  parseDecimal,
  scanEscaped,
  scanHost,
} from './syntax.js';

/** Result of scanning a URI inside a longer string. */
export interface UriScan {
  uri: Uri;
  /** Index just after the URI. */
  end: number;
}

/** Parses a whole string as a URI; throws SipParseError when it is not one. */
export function parseUri(text: string): Uri {
  const r = scanUri(text, 0, text.length, false);
  if (r.end !== text.length) throw new SipParseError('Bad URI: unexpected characters');
  return r.uri;
}

/**
 * Scans a URI in s[pos, end). With `addrSpec` set the URI is a bare
 * addr-spec in a header (§20.10): it stops before `;` parameters (which then
 * belong to the header), whitespace and `,`, and may carry no `?headers`.
 */
export function scanUri(s: string, pos: number, end: number, addrSpec: boolean): UriScan {
  const colon = scanScheme(s, pos, end);
  const scheme = lowerAscii(s.slice(pos, colon));
  const rest = colon + 1;
  if (scheme === 'sip' || scheme === 'sips') return scanSipUri(s, rest, end, scheme, addrSpec);
  if (scheme === 'tel') return scanTelUri(s, rest, end, addrSpec);
  return scanAbsoluteUri(s, rest, end, scheme, addrSpec);
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" — returns the index of the colon. */
function scanScheme(s: string, pos: number, end: number): number {
  if (pos >= end || !isAlpha(s.charCodeAt(pos))) throw new SipParseError('Bad URI: missing scheme');
  let p = pos + 1;
  while (p < end) {
    const c = s.charCodeAt(p);
    if (isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) p++;
    else break;
  }
  if (p >= end || s.charCodeAt(p) !== 0x3a) throw new SipParseError('Bad URI: missing scheme');
  return p;
}

function scanSipUri(
  s: string,
  pos: number,
  end: number,
  scheme: 'sip' | 'sips',
  addrSpec: boolean,
): UriScan {
  let user: string | null = null;
  let password: string | null = null;
  // userinfo has no raw '@' (it must be escaped), so scanning userinfo
  // characters up to an '@' decides without backtracking whether one exists.
  const userEnd = scanEscaped(s, pos, end, USER_CHARS, 'URI user');
  if (userEnd < end && s.charCodeAt(userEnd) === 0x40) {
    if (userEnd === pos) throw new SipParseError('Bad URI: empty user');
    user = s.slice(pos, userEnd);
    pos = userEnd + 1;
  } else if (userEnd < end && s.charCodeAt(userEnd) === 0x3a) {
    const pwEnd = scanEscaped(s, userEnd + 1, end, PASSWORD_CHARS, 'URI password');
    if (pwEnd < end && s.charCodeAt(pwEnd) === 0x40) {
      if (userEnd === pos) throw new SipParseError('Bad URI: empty user');
      user = s.slice(pos, userEnd);
      password = s.slice(userEnd + 1, pwEnd);
      pos = pwEnd + 1;
    }
  }
  const hostEnd = scanHost(s, pos, end, 'URI');
  const host = s.slice(pos, hostEnd);
  pos = hostEnd;
  let port: number | null = null;
  if (pos < end && s.charCodeAt(pos) === 0x3a) {
    let p = pos + 1;
    while (p < end && isDigit(s.charCodeAt(p))) p++;
    port = parseDecimal(s, pos + 1, p, 65535);
    if (port < 0) throw new SipParseError('Bad URI: bad port');
    pos = p;
  }
  const params: Params = new Map();
  const headers = new Map<string, string>();
  if (!addrSpec) {
    while (pos < end && s.charCodeAt(pos) === 0x3b) {
      const nameEnd = scanEscaped(s, pos + 1, end, PARAM_CHARS, 'URI parameter');
      if (nameEnd === pos + 1) throw new SipParseError('Bad URI: empty parameter name');
      const name = lowerAscii(s.slice(pos + 1, nameEnd));
      if (nameEnd < end && s.charCodeAt(nameEnd) === 0x3d) {
        const valueEnd = scanEscaped(s, nameEnd + 1, end, PARAM_CHARS, 'URI parameter');
        if (valueEnd === nameEnd + 1) throw new SipParseError('Bad URI: empty parameter value');
        params.set(name, s.slice(nameEnd + 1, valueEnd));
        pos = valueEnd;
      } else {
        params.set(name, null);
        pos = nameEnd;
      }
    }
    if (pos < end && s.charCodeAt(pos) === 0x3f) {
      do {
        const nameEnd = scanEscaped(s, pos + 1, end, HEADER_CHARS, 'URI header');
        if (nameEnd === pos + 1 || nameEnd >= end || s.charCodeAt(nameEnd) !== 0x3d) {
          throw new SipParseError('Bad URI: bad header');
        }
        const valueEnd = scanEscaped(s, nameEnd + 1, end, HEADER_CHARS, 'URI header');
        headers.set(s.slice(pos + 1, nameEnd), s.slice(nameEnd + 1, valueEnd));
        pos = valueEnd;
      } while (pos < end && s.charCodeAt(pos) === 0x26);
    }
  }
  const uri: SipUri = { scheme, user, password, host, port, params, headers };
  return { uri, end: pos };
}

/** RFC 3966 §3: visual-separator = "-" / "." / "(" / ")". */
function isVisualSeparator(c: number): boolean {
  return c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29;
}

function scanTelUri(s: string, pos: number, end: number, addrSpec: boolean): UriScan {
  const start = pos;
  let digits = 0;
  if (pos < end && s.charCodeAt(pos) === 0x2b) {
    // global-number-digits = "+" *phonedigit DIGIT *phonedigit
    pos++;
    while (pos < end) {
      const c = s.charCodeAt(pos);
      if (isDigit(c)) digits++;
      else if (!isVisualSeparator(c)) break;
      pos++;
    }
  } else {
    // local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
    while (pos < end) {
      const c = s.charCodeAt(pos);
      if (isHex(c) || c === 0x2a || c === 0x23) digits++;
      else if (!isVisualSeparator(c)) break;
      pos++;
    }
  }
  if (digits === 0) throw new SipParseError('Bad tel URI: no digits');
  const number = s.slice(start, pos);
  const params: Params = new Map();
  if (!addrSpec) {
    // par = parameter / extension / isdn-subaddress; pname = 1*( alphanum / "-" ), pvalue = 1*paramchar.
    while (pos < end && s.charCodeAt(pos) === 0x3b) {
      let nameEnd = pos + 1;
      while (nameEnd < end) {
        const c = s.charCodeAt(nameEnd);
        if (isAlpha(c) || isDigit(c) || c === 0x2d) nameEnd++;
        else break;
      }
      if (nameEnd === pos + 1) throw new SipParseError('Bad tel URI: empty parameter name');
      const name = lowerAscii(s.slice(pos + 1, nameEnd));
      if (nameEnd < end && s.charCodeAt(nameEnd) === 0x3d) {
        const valueEnd = scanEscaped(s, nameEnd + 1, end, PARAM_CHARS, 'tel URI parameter');
        if (valueEnd === nameEnd + 1) throw new SipParseError('Bad tel URI: empty parameter value');
        params.set(name, s.slice(nameEnd + 1, valueEnd));
        pos = valueEnd;
      } else {
        params.set(name, null);
        pos = nameEnd;
      }
    }
  }
  const uri: TelUri = { scheme: 'tel', number, params };
  return { uri, end: pos };
}

/**
 * Any other scheme (§25.1 absoluteURI) is kept opaque: visible ASCII other
 * than the characters that delimit a URI in a header (< > " and, for a bare
 * addr-spec, ; and ,).
 */
function scanAbsoluteUri(
  s: string,
  pos: number,
  end: number,
  scheme: string,
  addrSpec: boolean,
): UriScan {
  const start = pos;
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e || c === 0x22) break;
    if (addrSpec && (c === 0x3b || c === 0x2c)) break;
    pos++;
  }
  if (pos === start) throw new SipParseError('Bad URI: empty');
  const uri: AbsoluteUri = { scheme, opaque: s.slice(start, pos) };
  return { uri, end: pos };
}

/** Writes a URI back as text (the inverse of parseUri). */
export function formatUri(uri: Uri): string {
  switch (uri.scheme) {
    case 'sip':
    case 'sips': {
      const u = uri as SipUri;
      let out = u.scheme + ':';
      if (u.user !== null) {
        out += u.user;
        if (u.password !== null) out += ':' + u.password;
        out += '@';
      }
      out += u.host;
      if (u.port !== null) out += ':' + u.port;
      if (u.params.size > 0) out += formatParams(u.params);
      if (u.headers.size > 0) {
        let sep = '?';
        for (const [k, v] of u.headers) {
          out += sep + k + '=' + v;
          sep = '&';
        }
      }
      return out;
    }
    case 'tel': {
      const t = uri as TelUri;
      return 'tel:' + t.number + formatParams(t.params);
    }
    default: {
      const a = uri as AbsoluteUri;
      return a.scheme + ':' + a.opaque;
    }
  }
}
