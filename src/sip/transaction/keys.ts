/**
 * Transaction identifiers: the keys by which responses find their client
 * transaction (RFC 3261 §17.1.3) and requests their server transaction
 * (§17.2.3). Every function here may throw a SipParseError when a header it
 * needs is missing or malformed; the layer catches that and drops the message.
 */
import {
  formatUri,
  formatVia,
  type NameAddr,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message/index.js';

/** §8.1.1.7: branches of RFC 3261 elements begin with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** The branch parameter of a Via, or undefined when absent or empty. */
export function branchOf(via: Via): string | undefined {
  const branch = via.params.get('branch');
  return branch ? branch : undefined;
}

/** The tag parameter of a From/To value, '' when absent. */
export function tagOf(na: NameAddr): string {
  return na.params.get('tag') ?? '';
}

/**
 * §17.1.3: a response matches a client transaction when its top Via branch
 * equals the branch of the request and its CSeq method equals the request's
 * method (the CSeq method tells a CANCEL's response from its INVITE's).
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

/** Key of the client transaction a response belongs to, or undefined if it has no branch to match. */
export function clientKeyOfResponse(res: SipResponse): string | undefined {
  const branch = branchOf(res.topVia());
  return branch === undefined ? undefined : clientKey(branch, res.cseq().method);
}

/** sent-by of a Via (§18.2.1 / §17.2.3): host case-insensitively, port as written. */
function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/** True when the request's top Via carries an RFC 3261 branch (§17.2.3 first half applies). */
export function hasRfc3261Branch(req: SipRequest): boolean {
  return branchOf(req.topVia())?.startsWith(MAGIC_COOKIE) ?? false;
}

/**
 * Key of the server transaction a request belongs to (§17.2.3).
 *
 * `method` is the method of the transaction looked for: the request's own,
 * except that an ACK (to a non-2xx) and a CANCEL looking for its target
 * (§9.2) look for 'INVITE'.
 *
 * With a magic-cookie branch: branch + sent-by + method. Otherwise the
 * RFC 2543 rules: Request-URI, To tag, From tag, Call-ID, CSeq number, top
 * Via and method. `toTag` overrides the request's To tag — an ACK carries
 * the tag of the response, not the one of the INVITE it matches.
 */
export function serverKey(req: SipRequest, method: string, toTag?: string): string {
  const via = req.topVia();
  const branch = branchOf(via);
  if (branch?.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy(via)}|${method}`;
  return [
    'rfc2543',
    formatUri(req.uri),
    toTag ?? tagOf(req.to()),
    tagOf(req.from()),
    req.callId(),
    req.cseq().seq,
    method,
    formatVia(via),
  ].join('|');
}
