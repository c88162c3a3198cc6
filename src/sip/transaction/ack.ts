/**
 * The ACK an INVITE client transaction sends for a 3xx–6xx final response
 * (RFC 3261 §17.1.1.3). (The ACK for a 2xx is the TU's job, §13.2.2.4.)
 */
import { Headers, SipRequest, type SipResponse } from '../message/index.js';

export function buildAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new Headers();
  // "The ACK MUST contain a single Via header field, and this MUST be equal to
  // the top Via header field of the original request" — same branch, so the
  // server transaction of the INVITE absorbs it (§17.2.3).
  const topVia = invite.headers.values('via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  // §8.1.1.6: every request carries Max-Forwards.
  headers.append('Max-Forwards', '70');
  // "If the INVITE request ... had Route header fields, those header fields MUST appear in the ACK."
  for (const route of invite.headers.lines('route')) headers.append('Route', route);
  // "The To header field in the ACK MUST equal the To header field in the
  // response being acknowledged" (it carries the UAS's tag).
  const to = response.headers.get('to') ?? invite.headers.get('to');
  if (to !== undefined) headers.append('To', to);
  // "The Call-ID, From, and Request-URI ... MUST be equal to the values in the original request."
  const from = invite.headers.get('from');
  if (from !== undefined) headers.append('From', from);
  const callId = invite.headers.get('call-id');
  if (callId !== undefined) headers.append('Call-ID', callId);
  // "the CSeq header field's number ... MUST equal that of the original request, but the method MUST be ACK."
  headers.append('CSeq', `${invite.cseq().seq} ACK`);
  return new SipRequest('ACK', invite.uri, headers);
}
