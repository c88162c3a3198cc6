/**
 * The session description carried by a message (RFC 3261 §13.2.1, §20.15;
 * RFC 5621 for bodies with several parts). SIP-I / SIP-T carriers (RFC
 * 3204) send `multipart/mixed` with the SDP and an ISUP part, in INVITEs
 * and in their 18x / 200 answers: the `application/sdp` part is the
 * session. A body of any other type is never read as SDP.
 */
import { bodyLeaves, type SipMessage } from '../message/index.js';

const SDP = 'application/sdp';

/**
 * The SDP of a message, or null when it carries none. The whole body when
 * its Content-Type is application/sdp — or, leniently, when it has no
 * Content-Type at all (§20.15 requires one, some old UAs omit it); else
 * the first application/sdp part of a multipart body whose disposition is
 * `session` (the default for SDP, RFC 3261 §20.11) — an `early-session`
 * part (RFC 3959) or any other disposition is not this session.
 */
export function sdpOf(msg: SipMessage): string | null {
  if (msg.body.length === 0) return null;
  const contentType = msg.contentType();
  if (contentType === undefined) return msg.body.toString();
  for (const leaf of bodyLeaves(contentType, msg.body)) {
    if (leaf.type?.type !== SDP) continue;
    const disposition = leaf.disposition?.type ?? 'session';
    if (disposition === 'session' && leaf.body.length > 0) return leaf.body.toString();
  }
  return null;
}

/**
 * Why we cannot take this body, or null when we can (RFC 5621 §9): no SDP
 * in a non-empty body, or a part we do not understand that the sender
 * marked `handling=required`. An ISUP part without that mark (SIP-T
 * gateways send it `handling=optional`, RFC 3204 §4, and many send no
 * Content-Disposition at all) is ignored: we are an endpoint, not a
 * gateway to the PSTN, and have no use for it.
 */
export function unreadableBody(msg: SipMessage): string | null {
  if (msg.body.length === 0) return null;
  const contentType = msg.contentType();
  if (contentType === undefined) return null;
  const leaves = bodyLeaves(contentType, msg.body);
  for (const leaf of leaves) {
    if (leaf.type?.type === SDP) continue;
    if (leaf.disposition?.params.get('handling')?.toLowerCase() === 'required')
      return `required body part ${leaf.type?.type ?? 'of no type'} not understood`;
  }
  return sdpOf(msg) === null ? `no ${SDP} in a ${contentType.split(';')[0]!.trim()} body` : null;
}
