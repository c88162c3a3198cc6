/**
 * A stowed message (a lingering transaction's response or ACK, kept as its
 * bytes) comes back as the same message: the same bytes on the wire again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Stowed,
  createResponse,
  parseMessage,
  serializeMessage,
  type SipRequest,
} from '../../../src/sip/message/index.js';

const INVITE = [
  'INVITE sip:bob@127.0.0.1:5062 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-stow-1;rport',
  'Max-Forwards: 70',
  'From: "Alice, Front Desk" <sip:alice@127.0.0.1>;tag=a1',
  'To: <sip:bob@127.0.0.1:5062>',
  'Call-ID: stow-1@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@127.0.0.1:5060>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
].join('\r\n');

function invite(): SipRequest {
  const parsed = parseMessage(INVITE);
  assert.ok(parsed.ok);
  return parsed.message as SipRequest;
}

describe('Stowed', () => {
  it('gives back a request and a response that serialize to the same bytes', () => {
    const req = invite();
    const stowedReq = Stowed.of(req);
    assert.equal(stowedReq.size, serializeMessage(req).length);
    const back = stowedReq.message();
    assert.equal(back.method, 'INVITE');
    assert.deepEqual(serializeMessage(back), serializeMessage(req));

    const res = createResponse(req, 486, 'Busy Here');
    const stowedRes = Stowed.of(res);
    assert.deepEqual(serializeMessage(stowedRes.message()), serializeMessage(res));
    assert.equal(stowedRes.message().status, 486);
  });

  it('gives a new object each time: the message a retransmission gets is never shared', () => {
    const stowed = Stowed.of(invite());
    assert.notEqual(stowed.message(), stowed.message());
  });

  it('throws for a message its parser cannot read back, not a half-message', () => {
    const req = invite();
    req.headers.delete('call-id');
    assert.throws(() => Stowed.of(req).message(), /Call-ID/);
  });

  it('messageOr logs such a message, with the context given, and gives nothing back', () => {
    const req = invite();
    req.headers.delete('call-id');
    const logged: { obj: object; msg: string }[] = [];
    const logger = { error: (obj: object, msg: string) => logged.push({ obj, msg }) };
    assert.equal(Stowed.of(req).messageOr(logger, { tx: 'z9hG4bK-1' }), undefined);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!.msg, /does not parse/);
    assert.equal((logged[0]!.obj as { tx: string }).tx, 'z9hG4bK-1');
    assert.equal(Stowed.of(invite()).messageOr(logger, {})?.method, 'INVITE');
  });
});
