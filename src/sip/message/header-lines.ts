/**
 * Splits the decoded header section into the start line and an ordered
 * Headers list (RFC 3261 §7.3): unfolds continuation lines (a line starting
 * with SP or HTAB continues the previous one; the fold is equivalent to one
 * SP, §7.3.1), splits "name HCOLON value" (HCOLON = *( SP / HTAB ) ":" SWS)
 * and checks the name is a token.
 */
import { Headers, headerKey, knownHeaderName } from './headers.js';
import { SipParseError } from './errors.js';
import { isTokenChar } from './syntax.js';

export interface SplitHead {
  startLine: string;
  headers: Headers;
  /**
   * True when an empty line ended the header section before the end of
   * `head` (LF-style line endings before a CRLF CRLF): the body then starts
   * earlier than the framing assumed.
   */
  endedEarly: boolean;
  /** The first malformed header line, if any; the other lines are still split. */
  error?: SipParseError;
}

function isWsCode(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Index of the first char that is not SP, HTAB or a stray CR (trimmed like trailing ones, so values are stable). */
function skipLeading(s: string, pos: number, end: number): number {
  while (pos < end) {
    const c = s.charCodeAt(pos);
    if (c === 0x20 || c === 0x09 || c === 0x0d) pos++;
    else break;
  }
  return pos;
}

/** Index after trailing SP/HTAB/CR are dropped from s[start, end). */
function trimEnd(s: string, start: number, end: number): number {
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c === 0x20 || c === 0x09 || c === 0x0d) end--;
    else break;
  }
  return end;
}

export function splitHead(head: string): SplitHead {
  const n = head.length;
  let eol = head.indexOf('\n');
  if (eol < 0) eol = n;
  let lineEnd = eol > 0 && head.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
  const startLine = head.slice(0, lineEnd);
  const headers = new Headers();
  let name: string | null = null;
  let key = '';
  let value = '';
  let pos = eol + 1;
  let endedEarly = false;
  let error: SipParseError | undefined;
  while (pos < n) {
    eol = head.indexOf('\n', pos);
    if (eol < 0) eol = n;
    lineEnd = eol > pos && head.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    if (lineEnd === pos && eol < n) {
      // An empty line: the header section ends here (§7.5).
      endedEarly = true;
      break;
    }
    const c0 = head.charCodeAt(pos);
    if (isWsCode(c0)) {
      // Continuation line (LWS folding, §7.3.1).
      if (name === null) {
        error ??= new SipParseError('Malformed header: continuation without header');
        pos = eol + 1;
        continue;
      }
      const s = skipLeading(head, pos + 1, lineEnd);
      const e = trimEnd(head, s, lineEnd);
      if (e > s) value = value === '' ? head.slice(s, e) : value + ' ' + head.slice(s, e);
    } else {
      if (name !== null) headers.entries.push({ name, key, value });
      let p = pos;
      while (p < lineEnd && isTokenChar(head.charCodeAt(p))) p++;
      const nameEnd = p;
      while (p < lineEnd && isWsCode(head.charCodeAt(p))) p++;
      if (p >= lineEnd || head.charCodeAt(p) !== 0x3a || nameEnd === pos) {
        // Keep splitting: the message is rejected, but the good lines (Via,
        // From, To, Call-ID, CSeq) are still needed to answer it with a 400.
        error ??= new SipParseError(
          nameEnd === pos || p < lineEnd ? 'Invalid header name' : 'Malformed header line',
        );
        name = null;
        pos = eol + 1;
        continue;
      }
      const known = knownHeaderName(head, pos, nameEnd);
      if (known !== undefined) {
        name = known[0];
        key = known[1];
      } else {
        name = head.slice(pos, nameEnd);
        key = headerKey(name);
      }
      p = skipLeading(head, p + 1, lineEnd);
      value = head.slice(p, trimEnd(head, p, lineEnd));
    }
    pos = eol + 1;
  }
  if (name !== null) headers.entries.push({ name, key, value });
  return { startLine, headers, endedEarly, error };
}
