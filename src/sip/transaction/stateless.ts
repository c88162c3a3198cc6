/**
 * Stateless responses (RFC 3261 §8.2.7 "stateless UAS behavior", §16.11 for
 * proxies; Kamailio's sl_send_reply): a final answer sent without creating a
 * server transaction. No state is kept and nothing is retransmitted; a
 * retransmitted request finds no transaction, is judged again and gets the
 * same answer again. This is what rejections of requests from unknown or
 * hostile senders must use: a server transaction would hold its request for
 * up to 64·T1 and retransmit a non-2xx INVITE answer eleven times (Timer G)
 * to whoever the sender claimed to be.
 */
import { createHash } from 'node:crypto';
import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import { branchOf, tagOf } from './keys.js';

/**
 * §8.2.7: a stateless UAS must give every retransmission of a request the
 * same To tag. The tag is a digest of what identifies the request (Call-ID,
 * From tag, top Via branch, CSeq), so no state is needed to repeat it.
 */
export function statelessToTag(req: SipRequest): string {
  const cseq = req.cseq();
  return createHash('sha1')
    .update(`${req.callId()}|${tagOf(req.from())}|${branchOf(req.topVia()) ?? ''}|${cseq.seq}`)
    .digest('base64url')
    .slice(0, 16);
}

/** A final response to `req` for stateless sending: the request's To tag if it had one, else statelessToTag. */
export function statelessResponse(req: SipRequest, status: number, reason?: string): SipResponse {
  return createResponse(req, status, reason, { toTag: statelessToTag(req) });
}
