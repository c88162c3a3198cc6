/**
 * The dialog layer (RFC 3261 §12): dialog state from the INVITE and the
 * response that creates it (UAC §12.1.2, UAS §12.1.1), route sets, CSeq
 * rules for in-dialog requests (§12.2.1.1, §12.2.2) and request building
 * with loose and strict routing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatUri,
  isSipUri,
  parseMessage,
  parseUri,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import { Dialog, dialogKey } from '../../../src/sip/dialog/index.js';

function parse(lines: string[], body = ''): SipMessage {
  const text = [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
  const result = parseMessage(text);
  if (!result.ok) throw new Error(`test message does not parse: ${result.error.message}`);
  return result.message;
}

function request(lines: string[], body = ''): SipRequest {
  const m = parse(lines, body);
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

function response(lines: string[], body = ''): SipResponse {
  const m = parse(lines, body);
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

/** The INVITE we (alice) sent to bob, as a UAC. */
const ourInvite = (): SipRequest =>
  request([
    'INVITE sip:bob@biloxi.example SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@atlanta.example>;tag=a-tag',
    'To: <sip:bob@biloxi.example>',
    'Call-ID: call-1@atlanta.example',
    'CSeq: 314 INVITE',
    'Contact: <sip:alice@192.0.2.1:5060>',
  ]);

/** Bob's 2xx, through two record-routing proxies (p1 nearest to Bob, p2 nearest to us). */
const bobsAnswer = (status = 200, contact = '<sip:bob@192.0.2.4:5062>'): SipResponse =>
  response([
    `SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Ringing'}`,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8',
    'Record-Route: <sip:p1.biloxi.example;lr>',
    'Record-Route: <sip:p2.atlanta.example;lr>',
    'From: "Alice" <sip:alice@atlanta.example>;tag=a-tag',
    'To: <sip:bob@biloxi.example>;tag=b-tag',
    'Call-ID: call-1@atlanta.example',
    'CSeq: 314 INVITE',
    `Contact: ${contact}`,
  ]);

/** The INVITE bob sent us, as a UAS. */
const theirInvite = (
  recordRoute = ['<sip:p2.atlanta.example;lr>', '<sip:p1.biloxi.example;lr>'],
): SipRequest =>
  request([
    'INVITE sip:alice@192.0.2.1 SIP/2.0',
    'Via: SIP/2.0/UDP p2.atlanta.example;branch=z9hG4bK-p2',
    'Via: SIP/2.0/UDP 192.0.2.4:5062;branch=z9hG4bK-bob',
    ...recordRoute.map((r) => `Record-Route: ${r}`),
    'Max-Forwards: 68',
    'From: <sip:bob@biloxi.example>;tag=b-tag',
    'To: "Alice" <sip:alice@atlanta.example>',
    'Call-ID: call-2@biloxi.example',
    'CSeq: 101 INVITE',
    'Contact: <sip:bob@192.0.2.4:5062>',
  ]);

const ourContact = {
  displayName: null,
  uri: parseUri('sip:alice@192.0.2.1:5060'),
  params: new Map(),
};

function routeUris(req: SipRequest): string[] {
  return req.routes().map((r) => formatUri(r.uri));
}

describe('Dialog.asUac (RFC 3261 §12.1.2)', () => {
  it('takes the route set from Record-Route in reverse order and the remote target from Contact', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    assert.deepEqual(
      d.routeSet.map((r) => formatUri(r.uri)),
      ['sip:p2.atlanta.example;lr', 'sip:p1.biloxi.example;lr'],
    );
    assert.equal(formatUri(d.remoteTarget), 'sip:bob@192.0.2.4:5062');
    assert.equal(d.callId, 'call-1@atlanta.example');
    assert.equal(d.localTag, 'a-tag');
    assert.equal(d.remoteTag, 'b-tag');
    assert.equal(d.localSeq, 314);
    assert.equal(d.remoteSeq, null);
    assert.equal(d.state, 'confirmed');
    assert.equal(d.id, dialogKey('call-1@atlanta.example', 'a-tag', 'b-tag'));
  });

  it('is early for a 1xx with a To tag', () => {
    assert.equal(Dialog.asUac(ourInvite(), bobsAnswer(180)).state, 'early');
  });

  it('keeps local and remote URIs without their tags', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    assert.equal(d.localUri.params.has('tag'), false);
    assert.equal(d.remoteUri.params.has('tag'), false);
    assert.equal(d.localUri.displayName, 'Alice');
  });

  it('without Contact in the response, targets the Request-URI', () => {
    const res = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8',
      'From: <sip:alice@atlanta.example>;tag=a-tag',
      'To: <sip:bob@biloxi.example>;tag=b-tag',
      'Call-ID: call-1@atlanta.example',
      'CSeq: 314 INVITE',
    ]);
    assert.equal(formatUri(Dialog.asUac(ourInvite(), res).remoteTarget), 'sip:bob@biloxi.example');
  });
});

describe('Dialog.asUas (RFC 3261 §12.1.1)', () => {
  it('takes the route set from Record-Route in order, the remote CSeq from the INVITE', () => {
    const d = Dialog.asUas(theirInvite(), 'our-tag', ourContact, 'confirmed');
    assert.deepEqual(
      d.routeSet.map((r) => formatUri(r.uri)),
      ['sip:p2.atlanta.example;lr', 'sip:p1.biloxi.example;lr'],
    );
    assert.equal(formatUri(d.remoteTarget), 'sip:bob@192.0.2.4:5062');
    assert.equal(d.localTag, 'our-tag');
    assert.equal(d.remoteTag, 'b-tag');
    assert.equal(d.remoteSeq, 101);
    assert.equal(d.localUri.displayName, 'Alice');
  });

  it('starts our CSeq at a random value in 1 … 2^30 (§8.1.1.5 wants it below 2^31)', () => {
    for (let i = 0; i < 200; i++) {
      const seq = Dialog.asUas(theirInvite(), 't', ourContact, 'confirmed').localSeq;
      assert.ok(Number.isInteger(seq) && seq >= 1 && seq <= 2 ** 30, `CSeq ${seq}`);
    }
  });
});

describe('Dialog.createRequest (RFC 3261 §12.2.1.1)', () => {
  it('loose routing: Request-URI is the remote target, Route is the route set in order', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    const bye = d.createRequest('BYE');
    assert.equal(formatUri(bye.uri), 'sip:bob@192.0.2.4:5062');
    assert.deepEqual(routeUris(bye), ['sip:p2.atlanta.example;lr', 'sip:p1.biloxi.example;lr']);
    assert.equal(formatUri(d.nextHopUri()), 'sip:p2.atlanta.example;lr');
  });

  it('strict routing: the first route becomes the Request-URI and the remote target the last Route', () => {
    const res = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8',
      'Record-Route: <sip:p1.biloxi.example;lr>',
      'Record-Route: <sip:strict.atlanta.example>',
      'From: <sip:alice@atlanta.example>;tag=a-tag',
      'To: <sip:bob@biloxi.example>;tag=b-tag',
      'Call-ID: call-1@atlanta.example',
      'CSeq: 314 INVITE',
      'Contact: <sip:bob@192.0.2.4:5062>',
    ]);
    const d = Dialog.asUac(ourInvite(), res);
    const bye = d.createRequest('BYE');
    assert.equal(formatUri(bye.uri), 'sip:strict.atlanta.example');
    assert.deepEqual(routeUris(bye), ['sip:p1.biloxi.example;lr', 'sip:bob@192.0.2.4:5062']);
    assert.equal(formatUri(d.nextHopUri()), 'sip:strict.atlanta.example');
  });

  it('without a route set, the request goes straight to the remote target', () => {
    const d = Dialog.asUas(theirInvite([]), 'our-tag', ourContact, 'confirmed');
    const bye = d.createRequest('BYE');
    assert.equal(formatUri(bye.uri), 'sip:bob@192.0.2.4:5062');
    assert.deepEqual(bye.routes(), []);
    assert.equal(formatUri(d.nextHopUri()), 'sip:bob@192.0.2.4:5062');
  });

  it('From carries our tag, To theirs, Call-ID the dialog’s; UAS side swaps From and To', () => {
    const d = Dialog.asUas(theirInvite(), 'our-tag', ourContact, 'confirmed');
    const bye = d.createRequest('BYE');
    assert.equal(bye.from().params.get('tag'), 'our-tag');
    assert.equal(formatUri(bye.from().uri), 'sip:alice@atlanta.example');
    assert.equal(bye.to().params.get('tag'), 'b-tag');
    assert.equal(formatUri(bye.to().uri), 'sip:bob@biloxi.example');
    assert.equal(bye.callId(), 'call-2@biloxi.example');
    assert.equal(bye.headers.get('max-forwards'), '70');
    assert.equal(bye.headers.has('via'), false, 'Via is the sender’s to add');
  });

  it('each new request takes the next CSeq; ACK reuses the INVITE’s number without consuming one', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    const ack = d.createRequest('ACK', { cseq: 314 });
    assert.deepEqual(ack.cseq(), { seq: 314, method: 'ACK' });
    const reinvite = d.createRequest('INVITE', { body: Buffer.from('v=0\r\n') });
    assert.deepEqual(reinvite.cseq(), { seq: 315, method: 'INVITE' });
    const bye = d.createRequest('BYE');
    assert.deepEqual(bye.cseq(), { seq: 316, method: 'BYE' });
    assert.equal(d.localSeq, 316);
  });

  it('INVITE and OPTIONS carry our Contact; BYE and ACK do not; a body gets its Content-Type', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    const reinvite = d.createRequest('INVITE', { body: Buffer.from('v=0\r\n') });
    assert.equal(formatUri(reinvite.contacts()[0]!.uri), 'sip:alice@192.0.2.1:5060');
    assert.equal(reinvite.contentType(), 'application/sdp');
    assert.equal(reinvite.body.toString(), 'v=0\r\n');
    assert.equal(d.createRequest('OPTIONS').contacts().length, 1);
    assert.equal(d.createRequest('BYE').headers.has('contact'), false);
    assert.equal(d.createRequest('ACK', { cseq: 314 }).headers.has('contact'), false);
    assert.equal(d.createRequest('BYE').headers.has('content-type'), false);
  });
});

describe('Dialog.acceptRemoteSeq (RFC 3261 §12.2.2)', () => {
  const inDialog = (method: string, seq: number): SipRequest =>
    request([
      `${method} sip:alice@192.0.2.1 SIP/2.0`,
      'Via: SIP/2.0/UDP 192.0.2.4:5062;branch=z9hG4bK-x',
      'From: <sip:bob@biloxi.example>;tag=b-tag',
      'To: <sip:alice@atlanta.example>;tag=our-tag',
      'Call-ID: call-2@biloxi.example',
      `CSeq: ${seq} ${method}`,
    ]);

  it('rejects a request whose CSeq is below the last one, and does not move backwards', () => {
    const d = Dialog.asUas(theirInvite(), 'our-tag', ourContact, 'confirmed');
    assert.equal(d.acceptRemoteSeq(inDialog('INFO', 100)), false);
    assert.equal(d.remoteSeq, 101);
    assert.equal(d.acceptRemoteSeq(inDialog('INFO', 102)), true);
    assert.equal(d.remoteSeq, 102);
    assert.equal(d.acceptRemoteSeq(inDialog('BYE', 101)), false);
  });

  it('accepts any first CSeq when the remote sequence is empty (UAC side)', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    assert.equal(d.remoteSeq, null);
    assert.equal(d.acceptRemoteSeq(inDialog('BYE', 1)), true);
    assert.equal(d.remoteSeq, 1);
  });

  it('does not apply the rule to ACK and CANCEL, which reuse an earlier number', () => {
    const d = Dialog.asUas(theirInvite(), 'our-tag', ourContact, 'confirmed');
    assert.equal(d.acceptRemoteSeq(inDialog('ACK', 101)), true);
    assert.equal(d.acceptRemoteSeq(inDialog('ACK', 5)), true);
    assert.equal(d.remoteSeq, 101);
  });
});

describe('Dialog.refreshTarget (RFC 3261 §12.2)', () => {
  it('replaces the remote target with a new Contact, keeps it without one', () => {
    const d = Dialog.asUac(ourInvite(), bobsAnswer());
    d.refreshTarget([]);
    assert.equal(formatUri(d.remoteTarget), 'sip:bob@192.0.2.4:5062');
    d.refreshTarget([
      { displayName: null, uri: parseUri('sip:bob@198.51.100.7:5070'), params: new Map() },
    ]);
    assert.ok(isSipUri(d.remoteTarget));
    assert.equal(formatUri(d.remoteTarget), 'sip:bob@198.51.100.7:5070');
    assert.equal(formatUri(d.createRequest('BYE').uri), 'sip:bob@198.51.100.7:5070');
  });
});
