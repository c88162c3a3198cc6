/**
 * Checks a parsed message has what every SIP message must have (RFC 3261
 * §8.1.1: Via, From, To, Call-ID, CSeq; Max-Forwards is only a SHOULD for
 * UACs, §8.1.1.6, so it may be absent) and parses the headers upper layers
 * read on every message, so that their accessors cannot throw later.
 */
import type { SipMessage } from './message.js';
import type { Headers } from './headers.js';
import { SipParseError } from './errors.js';
import { parseDecimal } from './syntax.js';

/** Headers that may appear once only (§20: their grammar allows a single value; RFC 4475 §3.3.8). */
const SINGLE: ReadonlyArray<readonly [SingleKey, string]> = [
  ['from', 'From'],
  ['to', 'To'],
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
  ['max-forwards', 'Max-Forwards'],
];

type SingleKey = 'from' | 'to' | 'call-id' | 'cseq' | 'max-forwards';

/** Presence counts of the mandatory headers, gathered in one pass. */
interface Census {
  via: number;
  from: number;
  to: number;
  'call-id': number;
  cseq: number;
  'max-forwards': number;
  contact: number;
  route: number;
  'record-route': number;
  /** Content-Length value (-1 when absent). */
  contentLength: number;
}

/** Largest body length we take from Content-Length; far above any datagram. */
const MAX_CONTENT_LENGTH = 0x7fffffff;

function census(headers: Headers): Census {
  const c: Census = {
    via: 0,
    from: 0,
    to: 0,
    'call-id': 0,
    cseq: 0,
    'max-forwards': 0,
    contact: 0,
    route: 0,
    'record-route': 0,
    contentLength: -1,
  };
  for (const e of headers.entries) {
    switch (e.key) {
      case 'via':
      case 'from':
      case 'to':
      case 'call-id':
      case 'cseq':
      case 'max-forwards':
      case 'contact':
      case 'route':
      case 'record-route':
        c[e.key]++;
        break;
      case 'content-length': {
        const v = e.value;
        const n = parseDecimal(v, 0, v.length, MAX_CONTENT_LENGTH);
        if (n < 0) throw new SipParseError('Bad Content-Length header');
        // §20.14 allows one value; identical repeats are harmless, differing ones ambiguous (RFC 4475 §3.3.9).
        if (c.contentLength >= 0 && c.contentLength !== n) {
          throw new SipParseError('Multiple Content-Length headers');
        }
        c.contentLength = n;
        break;
      }
      default:
        break;
    }
  }
  return c;
}

/** Prefixes of the value parsers' messages that the header name replaces. */
const VALUE_PREFIXES = ['Bad Via header: ', 'Bad CSeq header: ', 'Bad address: '];

/** "Bad From header: <detail>" from the error a value parser threw. */
function rethrow(header: string, e: unknown): never {
  let detail = e instanceof Error ? e.message : 'malformed';
  for (const p of VALUE_PREFIXES) {
    if (detail.startsWith(p)) {
      detail = detail.slice(p.length);
      break;
    }
  }
  detail = detail.charAt(0).toLowerCase() + detail.slice(1);
  // A value parser's own SipParseError is bad input; anything else is a bug, kept as the cause.
  const cause = e instanceof SipParseError ? (e.cause as unknown) : e;
  throw new SipParseError(`Bad ${header} header: ${detail}`, cause === undefined ? {} : { cause });
}

function parseOrThrow(header: string, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    rethrow(header, e);
  }
}

/**
 * Validates headers (without the body); returns the Content-Length (-1 if
 * absent) for the framing step. Throws SipParseError with a message fit for
 * a 400 reason phrase.
 */
export function validateHeaders(m: SipMessage): number {
  const h = m.headers;
  const c = census(h);
  if (c.via === 0) throw new SipParseError('Missing Via header');
  if (c.from === 0) throw new SipParseError('Missing From header');
  if (c.to === 0) throw new SipParseError('Missing To header');
  if (c['call-id'] === 0) throw new SipParseError('Missing Call-ID header');
  if (c.cseq === 0) throw new SipParseError('Missing CSeq header');
  for (const [key, name] of SINGLE) {
    if (c[key] > 1) throw new SipParseError(`Multiple ${name} headers`);
  }
  checkCallId(h.get('call-id')!);
  if (c['max-forwards'] > 0) {
    const mf = h.get('max-forwards')!;
    // §20.22: Max-Forwards is an integer in the range 0-255.
    if (parseDecimal(mf, 0, mf.length, 255) < 0) throw new SipParseError('Bad Max-Forwards header');
  }
  parseOrThrow('Via', () => m.vias());
  parseOrThrow('From', () => m.from());
  parseOrThrow('To', () => m.to());
  parseOrThrow('CSeq', () => m.cseq());
  if (m.kind === 'request' && m.cseq().method !== m.method) {
    throw new SipParseError('Bad CSeq: method does not match request method');
  }
  // Contact "*" is only meaningful in REGISTER (§10.2.2) and is not a name-addr.
  if (c.contact > 0 && !(c.contact === 1 && h.get('contact') === '*')) {
    parseOrThrow('Contact', () => m.contacts());
  }
  if (c.route > 0) parseOrThrow('Route', () => m.routes());
  if (c['record-route'] > 0) parseOrThrow('Record-Route', () => m.recordRoutes());
  return c.contentLength;
}

/** Call-ID = word [ "@" word ] (§25.1): visible ASCII, no whitespace. */
function checkCallId(v: string): void {
  if (v.length === 0) throw new SipParseError('Bad Call-ID header');
  for (let i = 0; i < v.length; i++) {
    const ch = v.charCodeAt(i);
    if (ch <= 0x20 || ch >= 0x7f) throw new SipParseError('Bad Call-ID header');
  }
}
