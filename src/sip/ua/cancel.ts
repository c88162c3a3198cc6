/**
 * CANCEL for an INVITE we sent (RFC 3261 §9.1), the initial one or a
 * re-INVITE: it copies the Request-URI, Call-ID, To, From, the CSeq number
 * and the top Via of the INVITE (so it matches the same server
 * transaction), and its Route headers. It is sent hop by hop to where the
 * INVITE went; its own response tells us nothing we act on.
 */
import { Headers, SipRequest } from '../message/index.js';
import type { ClientTransaction } from '../transaction/index.js';
import type { Endpoint } from '../transport/index.js';
import type { NextHop, UaCore } from './core.js';

export function buildCancel(invite: SipRequest, reason?: string): SipRequest {
  const h = new Headers();
  h.append('Via', invite.headers.values('via')[0]!);
  h.append('Max-Forwards', '70');
  for (const name of ['From', 'To', 'Call-ID']) h.append(name, invite.headers.get(name)!);
  h.append('CSeq', `${invite.cseq().seq} CANCEL`);
  for (const r of invite.headers.lines('Route')) h.append('Route', r);
  // RFC 3326: why the caller gives up, when it says.
  if (reason !== undefined) h.append('Reason', reason);
  return new SipRequest('CANCEL', invite.uri, h);
}

export function sendCancel(
  core: UaCore,
  invite: SipRequest,
  tx: ClientTransaction | null,
  fallback: NextHop | Endpoint,
  reason?: string,
): void {
  core
    .sendRequest(buildCancel(invite, reason), tx?.destination ?? fallback, {
      onResponse: () => {},
      onTimeout: () => {},
      onTransportError: () => {},
    })
    .catch(() => undefined);
}
