import assert from 'node:assert/strict';
import {
  createResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import { parseCredentials, type DigestCredentials } from '../../../src/sip/auth/index.js';

/** A request as a UA would send it to a trunk (parsed from wire text, as the stack sees it). */
export function request(
  opts: { method?: string; uri?: string; cseq?: number; callId?: string; body?: string } = {},
): SipRequest {
  const method = opts.method ?? 'INVITE';
  const uri = opts.uri ?? 'sip:+15551234567@trunk.example.com';
  const body = opts.body ?? '';
  const text = [
    `${method} ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-test-1;rport',
    'Max-Forwards: 70',
    'From: <sip:partyline@example.com>;tag=abc',
    `To: <${uri}>`,
    `Call-ID: ${opts.callId ?? 'call-1@example.com'}`,
    `CSeq: ${opts.cseq ?? 1} ${method}`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  const r = parseMessage(text);
  assert.ok(r.ok, 'test request parses');
  assert.equal(r.message.kind, 'request');
  return r.message as SipRequest;
}

/** A 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) to `req` with the given challenge values. */
export function challengeTo(
  req: SipRequest,
  status: 401 | 407,
  ...challenges: string[]
): SipResponse {
  const res = createResponse(req, status, undefined, { toTag: 'srv' });
  const name = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  for (const c of challenges) res.headers.append(name, c);
  return res;
}

/** The parsed credentials lines of `name` on `req`. */
export function credentialsOf(req: SipRequest, name = 'Authorization'): DigestCredentials[] {
  return req.headers.lines(name).map((line) => {
    const c = parseCredentials(line);
    assert.ok(c, `parseable ${name}: ${line}`);
    return c;
  });
}

/** The single credentials line of `name` on `req`. */
export function onlyCredentials(req: SipRequest, name = 'Authorization'): DigestCredentials {
  const all = credentialsOf(req, name);
  assert.equal(all.length, 1, `exactly one ${name}`);
  return all[0]!;
}

/** A deterministic cnonce source: c1, c2, ... */
export function counterCnonce(): () => string {
  let n = 0;
  return () => `c${++n}`;
}
