/**
 * The 400 a server returns for a request it cannot parse (RFC 3261 §8.2 /
 * §16.3 reject malformed requests; §21.4.1 says the reason phrase should
 * tell what was wrong). It is built from the raw header lines the parser
 * recovered, since the typed accessors of a broken request cannot be trusted.
 */
import { Headers, SipResponse, generateTag, parseNameAddr, parsedOr } from '../message/index.js';
import { stampReceived } from './via.js';

/** What the parser recovered from a malformed request. */
export interface PartialRequest {
  method: string;
  headers: Headers;
}

/** Headers §8.2.6.2 copies into a response. */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];

const MAX_REASON_LENGTH = 200;

/**
 * Returns the 400, or null when none may or can be sent: ACK is never
 * answered (§17.2.1 / §17.2.3), and without a parsable top Via there is
 * nowhere to send a response (§18.2.2).
 */
export function buildBadRequest(
  partial: PartialRequest,
  reason: string,
  source: { address: string; port: number },
): SipResponse | null {
  if (partial.method.toUpperCase() === 'ACK') return null;
  const received = partial.headers.clone();
  // The 400 follows the same routing as any response, so the top Via gets
  // received/rport exactly as a well-formed request would (§18.2.1, RFC 3581).
  if (!stampReceived(received, source.address, source.port)) return null;

  const headers = new Headers();
  for (const entry of received.entries) {
    if (!COPIED.includes(entry.key)) continue;
    const value = entry.key === 'to' ? withToTag(entry.value) : entry.value;
    headers.append(entry.name, value);
  }
  return new SipResponse(400, reasonPhrase(reason), headers);
}

/** §8.2.6.2: the UAS adds a To tag when the request had none. */
function withToTag(to: string): string {
  // An unparsable To is echoed untouched: adding a tag could only make it worse.
  const hasTag = parsedOr(() => parseNameAddr(to).params.has('tag'), true);
  return hasTag ? to : `${to};tag=${generateTag()}`;
}

/** A reason phrase is TEXT-UTF8 on one line (§25.1 Reason-Phrase): no control characters. */
export function reasonPhrase(message: string): string {
  const text = message
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return 'Bad Request';
  return text.length > MAX_REASON_LENGTH ? text.slice(0, MAX_REASON_LENGTH) : text;
}
