/**
 * Finds where the header section of a message ends (RFC 3261 §7.5: an
 * empty line separates headers from body) without decoding the body.
 */
import { SipParseError } from './errors.js';

/** Largest header section accepted; a bigger one is rejected, not buffered (§18.3 leaves limits to us). */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface Frame {
  /** First byte of the start line (leading CRLFs skipped, §7.5). */
  start: number;
  /** End of the last header line's text (excluding its line break). */
  headEnd: number;
  /** First byte of the body; equals the data length when there is none. */
  bodyStart: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Locates the first empty line. The usual CRLF CRLF is found with one native
 * search. Bare-LF line endings are tolerated, as many stacks do, so the empty
 * line may also be spelt LF LF or LF CRLF: when there is no CRLF CRLF (or it
 * lies beyond the size cap) a line-by-line scan decides. An earlier LF-style
 * empty line before a CRLF CRLF is noticed while the header lines are split
 * (splitHead), which then calls frameByLines.
 */
export function frame(buf: Buffer): Frame {
  let start = 0;
  const len = buf.length;
  while (start < len && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start >= len) throw new SipParseError('Empty message');
  const crlf = buf.indexOf(CRLFCRLF, start);
  if (crlf >= 0 && crlf - start <= MAX_HEADER_BYTES) {
    return { start, headEnd: crlf, bodyStart: crlf + 4 };
  }
  return frameByLines(buf, start);
}

/**
 * Byte scan for the first empty line ("\n\n" or "\n\r\n") from `start`,
 * looking no further than the size cap. Without any empty line the whole
 * datagram is the header section and the body is empty.
 */
export function frameByLines(buf: Buffer, start: number): Frame {
  const len = buf.length;
  const limit = Math.min(len, start + MAX_HEADER_BYTES + 1);
  let nl = buf.indexOf(0x0a, start);
  while (nl >= 0 && nl < limit) {
    let bodyStart = -1;
    if (buf[nl + 1] === 0x0a) bodyStart = nl + 2;
    else if (buf[nl + 1] === 0x0d && buf[nl + 2] === 0x0a) bodyStart = nl + 3;
    if (bodyStart >= 0) {
      const headEnd = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      if (headEnd - start > MAX_HEADER_BYTES) break;
      return { start, headEnd, bodyStart };
    }
    nl = buf.indexOf(0x0a, nl + 1);
  }
  if (len - start > MAX_HEADER_BYTES) throw new SipParseError('Header section too large');
  return { start, headEnd: len, bodyStart: len };
}
