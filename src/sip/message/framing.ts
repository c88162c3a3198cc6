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
const LFLF = Buffer.from('\n\n');
const LFCRLF = Buffer.from('\n\r\n');

/**
 * Locates the first empty line. Bare-LF line endings are tolerated, as many
 * stacks do, so the empty line may be spelt CRLF CRLF, LF LF or LF CRLF;
 * three native searches find the earliest without a byte loop in JS.
 * Without any empty line the whole datagram is taken as header section with
 * an empty body.
 */
export function frame(buf: Buffer): Frame {
  let start = 0;
  const len = buf.length;
  while (start < len && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start >= len) throw new SipParseError('Empty message');
  // Each candidate is identified by the LF ending the last header line.
  let lf = -1;
  let bodyStart = len;
  const crlf = buf.indexOf(CRLFCRLF, start);
  if (crlf >= 0) {
    lf = crlf + 1;
    bodyStart = crlf + 4;
  }
  const lflf = buf.indexOf(LFLF, start);
  if (lflf >= 0 && (lf < 0 || lflf < lf)) {
    lf = lflf;
    bodyStart = lflf + 2;
  }
  const lfcrlf = buf.indexOf(LFCRLF, start);
  if (lfcrlf >= 0 && (lf < 0 || lfcrlf < lf)) {
    lf = lfcrlf;
    bodyStart = lfcrlf + 3;
  }
  let headEnd = len;
  if (lf >= 0) headEnd = lf > start && buf[lf - 1] === 0x0d ? lf - 1 : lf;
  if (headEnd - start > MAX_HEADER_BYTES) throw new SipParseError('Header section too large');
  return { start, headEnd, bodyStart };
}
