/**
 * Start lines (RFC 3261 §7.1, §7.2):
 *
 *   Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *   Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *
 * Exactly one SP separates the elements: extra or trailing whitespace is a
 * malformed message (RFC 4475 §3.1.2.8-§3.1.2.10).
 */
import { SipParseError } from './errors.js';
import { isToken, parseDecimal } from './syntax.js';

export interface RequestLine {
  kind: 'request';
  method: string;
  uri: string;
  version: string;
}

export interface StatusLine {
  kind: 'response';
  version: string;
  status: number;
  reason: string;
}

/** True for "SIP/2.0" in any case (§7.1: the version string is case-insensitive). */
export function isSip20(v: string): boolean {
  return v === 'SIP/2.0' || (v.length === 7 && v.toUpperCase() === 'SIP/2.0');
}

/** True when the line starts like a SIP-Version, i.e. it is a Status-Line (a Method cannot contain '/'). */
function looksLikeStatusLine(line: string): boolean {
  return (
    line.length >= 4 &&
    (line.charCodeAt(0) | 0x20) === 0x73 &&
    (line.charCodeAt(1) | 0x20) === 0x69 &&
    (line.charCodeAt(2) | 0x20) === 0x70 &&
    line.charCodeAt(3) === 0x2f
  );
}

/**
 * Splits a start line. Only the shape is checked here (method token, status
 * code); the Request-URI and version of a request are checked later, once the
 * headers needed for a 400 answer have been split (§8.2).
 */
export function splitStartLine(line: string): RequestLine | StatusLine {
  if (looksLikeStatusLine(line)) {
    const sp1 = line.indexOf(' ');
    if (sp1 < 0) throw new SipParseError('Malformed Status-Line');
    const version = line.slice(0, sp1);
    if (!isSip20(version)) throw new SipParseError('Unsupported SIP version');
    // Status-Code = 3DIGIT; the reason phrase may be empty (RFC 4475 §3.1.1.13).
    const codeEnd = sp1 + 4;
    const status = parseDecimal(line, sp1 + 1, Math.min(codeEnd, line.length), 999);
    if (
      status < 100 ||
      status > 699 ||
      codeEnd > line.length ||
      (codeEnd < line.length && line.charCodeAt(codeEnd) !== 0x20)
    ) {
      throw new SipParseError('Bad status code');
    }
    const reason = codeEnd < line.length ? line.slice(codeEnd + 1) : '';
    return { kind: 'response', version: 'SIP/2.0', status, reason };
  }
  const sp1 = line.indexOf(' ');
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isToken(method)) throw new SipParseError('Malformed start line');
  if (sp1 < 0) return { kind: 'request', method, uri: '', version: '' };
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 < 0) return { kind: 'request', method, uri: line.slice(sp1 + 1), version: '' };
  return { kind: 'request', method, uri: line.slice(sp1 + 1, sp2), version: line.slice(sp2 + 1) };
}

/** The Request-Line checks deferred by splitStartLine. */
export function checkRequestLine(rl: RequestLine): void {
  if (rl.uri === '' || rl.version === '' || rl.version.indexOf(' ') >= 0) {
    throw new SipParseError('Malformed Request-Line');
  }
  if (!isSip20(rl.version)) throw new SipParseError('Unsupported SIP version');
}
