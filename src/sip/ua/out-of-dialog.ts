/**
 * The answers a UAS gives on its own, before a request reaches a call
 * (RFC 3261 §8.2): checks of the Request-URI, Require and body, and the
 * responses to OPTIONS and to methods we do not implement.
 */
import { isSipUri, type SipRequest, type SipResponse } from '../message/index.js';
import { statelessResponse } from '../transaction/index.js';
import { unreadableBody } from './session-body.js';

/** Methods we implement (§20.5 Allow). */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE';
/**
 * Body types we take (§20.1; RFC 5621 §9: a UA that takes multipart lists it):
 * multipart/mixed as the wrapper SIP-I / SIP-T carriers put around the SDP.
 */
export const ACCEPT = 'application/sdp, multipart/mixed';
/** Option tags we support: session timers (RFC 4028) only; any other Require gets 420 (§8.2.2.3). */
const SUPPORTED = new Set<string>(['timer']);

/**
 * A response of ours outside any dialog. §8.2.6.2: the UAS adds a To tag
 * (createResponse keeps the tag an in-dialog request already has, and
 * leaves a 100 untagged). These are sent statelessly (§8.2.7), so the tag is
 * derived from the request: a retransmission gets the very same answer.
 */
export function reply(req: SipRequest, status: number, reason?: string): SipResponse {
  return statelessResponse(req, status, reason);
}

/** §21.5.4: 503 with Retry-After, for load we will not take on (caps). */
export function overloaded(req: SipRequest, reason: string, retryAfterS: number): SipResponse {
  const res = reply(req, 503, reason);
  res.headers.append('Retry-After', String(retryAfterS));
  return res;
}

/**
 * §8.2.2: the response refusing a new request before its method is looked
 * at, or undefined when it may go on: 416 for a Request-URI scheme we do not
 * route (§8.2.2.1: only sip:, sips: and tel:), 420 listing the Require
 * option tags we do not support (§8.2.2.3).
 */
export function refuseRequest(req: SipRequest): SipResponse | undefined {
  if (!isSipUri(req.uri) && req.uri.scheme !== 'tel') return reply(req, 416);
  // §8.2.2.3 exempts CANCEL (and ACK, which never comes here).
  if (req.method === 'CANCEL') return undefined;
  const unsupported = req.headers.values('require').filter((t) => !SUPPORTED.has(t.toLowerCase()));
  if (unsupported.length === 0) return undefined;
  const res = reply(req, 420);
  res.headers.append('Unsupported', unsupported.join(', '));
  return res;
}

/**
 * §8.2.3: 415 for an INVITE body we cannot take — no SDP in it (a
 * multipart/mixed with an SDP part is fine, RFC 5621), or a part marked
 * required that we do not understand — else undefined.
 */
export function refuseBody(req: SipRequest): SipResponse | undefined {
  if (unreadableBody(req) === null) return undefined;
  const res = reply(req, 415);
  res.headers.append('Accept', ACCEPT);
  return res;
}

/** §11.2: what we are and accept, in answer to an out-of-dialog OPTIONS. */
export function optionsResponse(req: SipRequest, server: string): SipResponse {
  const res = reply(req, 200);
  res.headers.append('Allow', ALLOW);
  res.headers.append('Accept', ACCEPT);
  res.headers.append('Accept-Encoding', 'identity');
  res.headers.append('Accept-Language', 'en');
  res.headers.append('Server', server);
  return res;
}

/** §8.2.1: 405 with the methods we do implement. */
export function methodNotAllowed(req: SipRequest): SipResponse {
  const res = reply(req, 405);
  res.headers.append('Allow', ALLOW);
  return res;
}
