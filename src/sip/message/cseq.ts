/**
 * CSeq header values (RFC 3261 §20.16): CSeq = 1*DIGIT LWS Method. The
 * number must fit in 32 bits unsigned (§8.1.1.5).
 */
import type { CSeq } from './types.js';
import { SipParseError } from './errors.js';
import { isDigit, isWs, parseDecimal, scanToken, skipWs } from './syntax.js';

const MAX_SEQ = 0xffffffff;

export function parseCSeq(value: string): CSeq {
  const s = value;
  const end = s.length;
  let pos = skipWs(s, 0, end);
  let p = pos;
  while (p < end && isDigit(s.charCodeAt(p))) p++;
  if (p === pos) throw new SipParseError('Bad CSeq header: missing sequence number');
  const seq = parseDecimal(s, pos, p, MAX_SEQ);
  if (seq < 0) throw new SipParseError('Bad CSeq header: sequence number too large');
  if (p >= end) throw new SipParseError('Bad CSeq header: missing method');
  // "1x OPTIONS": the number itself is malformed, say so rather than blame the method.
  if (!isWs(s.charCodeAt(p)))
    throw new SipParseError('Bad CSeq header: sequence number is not a number');
  pos = skipWs(s, p, end);
  p = scanToken(s, pos, end);
  if (p === pos) throw new SipParseError('Bad CSeq header: missing method');
  const method = s.slice(pos, p);
  if (skipWs(s, p, end) !== end) throw new SipParseError('Bad CSeq header: unexpected characters');
  return { seq, method };
}

export function formatCSeq(c: CSeq): string {
  return c.seq + ' ' + c.method;
}
