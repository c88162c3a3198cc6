import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createResponse,
  generateBranch,
  generateCallId,
  generateTag,
  parseMessage,
  serializeMessage,
  SipRequest,
} from '../../../src/sip/message/index.js';
import { INVITE, wire } from './samples.js';

function request(data: string): SipRequest {
  const r = parseMessage(data);
  if (!r.ok) assert.fail(r.error.message);
  assert.ok(r.message instanceof SipRequest);
  return r.message;
}

const MULTI_VIA = wire([
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bK2, SIP/2.0/UDP p1.example.com;branch=z9hG4bK1',
  'Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bK0;received=192.0.2.1',
  'Max-Forwards: 68',
  'From: Alice <sip:alice@example.com>;tag=a1',
  'To: Bob <sip:bob@example.com>',
  'Call-ID: call-1',
  'CSeq: 7 INVITE',
  'Timestamp: 54.2',
  'Contact: <sip:alice@192.0.2.1>',
  'Content-Length: 0',
]);

test('createResponse copies Via (all, in order), From, To, Call-ID, CSeq (§8.2.6.2)', () => {
  const req = request(MULTI_VIA);
  const res = createResponse(req, 486, undefined, { toTag: 'b2' });
  assert.equal(res.status, 486);
  assert.equal(res.reason, 'Busy Here');
  assert.deepEqual(
    res.vias().map((v) => v.host),
    ['p2.example.com', 'p1.example.com', 'pc.example.com'],
  );
  assert.equal(res.headers.get('from'), 'Alice <sip:alice@example.com>;tag=a1');
  assert.equal(res.headers.get('to'), 'Bob <sip:bob@example.com>;tag=b2');
  assert.equal(res.to().params.get('tag'), 'b2');
  assert.equal(res.callId(), 'call-1');
  assert.deepEqual(res.cseq(), { seq: 7, method: 'INVITE' });
  assert.equal(res.headers.has('contact'), false);
  assert.equal(res.headers.has('timestamp'), false);
  assert.equal(res.headers.has('max-forwards'), false);
  // The response serialises and parses back.
  const back = parseMessage(serializeMessage(res));
  assert.ok(back.ok);
});

test('createResponse never tags a 100 and copies Timestamp into it (§8.2.6.1)', () => {
  const res = createResponse(request(MULTI_VIA), 100, undefined, { toTag: 'b2' });
  assert.equal(res.reason, 'Trying');
  assert.equal(res.headers.get('to'), 'Bob <sip:bob@example.com>');
  assert.equal(res.headers.get('timestamp'), '54.2');
});

test('createResponse keeps an existing To tag', () => {
  const inDialog = MULTI_VIA.replace(
    'To: Bob <sip:bob@example.com>',
    'To: Bob <sip:bob@example.com>;tag=old',
  );
  const res = createResponse(request(inDialog), 200, undefined, { toTag: 'new' });
  assert.equal(res.to().params.get('tag'), 'old');
  const untagged = createResponse(request(MULTI_VIA), 200);
  assert.equal(untagged.to().params.has('tag'), false);
});

test('createResponse: explicit and default reason phrases', () => {
  const req = request(INVITE);
  assert.equal(createResponse(req, 404, 'Nobody Here').reason, 'Nobody Here');
  const defaults: [number, string][] = [
    [180, 'Ringing'],
    [181, 'Call Is Being Forwarded'],
    [182, 'Queued'],
    [183, 'Session Progress'],
    [200, 'OK'],
    [300, 'Multiple Choices'],
    [301, 'Moved Permanently'],
    [302, 'Moved Temporarily'],
    [305, 'Use Proxy'],
    [380, 'Alternative Service'],
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [402, 'Payment Required'],
    [403, 'Forbidden'],
    [405, 'Method Not Allowed'],
    [406, 'Not Acceptable'],
    [407, 'Proxy Authentication Required'],
    [408, 'Request Timeout'],
    [410, 'Gone'],
    [413, 'Request Entity Too Large'],
    [414, 'Request-URI Too Long'],
    [415, 'Unsupported Media Type'],
    [416, 'Unsupported URI Scheme'],
    [420, 'Bad Extension'],
    [421, 'Extension Required'],
    [423, 'Interval Too Brief'],
    [480, 'Temporarily Unavailable'],
    [481, 'Call/Transaction Does Not Exist'],
    [482, 'Loop Detected'],
    [483, 'Too Many Hops'],
    [484, 'Address Incomplete'],
    [485, 'Ambiguous'],
    [486, 'Busy Here'],
    [487, 'Request Terminated'],
    [488, 'Not Acceptable Here'],
    [491, 'Request Pending'],
    [493, 'Undecipherable'],
    [500, 'Server Internal Error'],
    [501, 'Not Implemented'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
    [504, 'Server Time-out'],
    [505, 'Version Not Supported'],
    [513, 'Message Too Large'],
    [600, 'Busy Everywhere'],
    [603, 'Decline'],
    [604, 'Does Not Exist Anywhere'],
    [606, 'Not Acceptable'],
  ];
  for (const [code, phrase] of defaults)
    assert.equal(createResponse(req, code).reason, phrase, String(code));
  // Unknown codes take their class's x00 phrase (§8.1.3.2).
  assert.equal(createResponse(req, 299).reason, 'OK');
  assert.equal(createResponse(req, 499).reason, 'Bad Request');
});

test('createResponse rejects status codes outside 100-699', () => {
  const req = request(INVITE);
  for (const bad of [99, 700, 200.5, NaN])
    assert.throws(() => createResponse(req, bad), RangeError);
});

test('generateBranch: magic cookie, URL-safe, at least 64 random bits, unique', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const b = generateBranch();
    assert.match(b, /^z9hG4bK[A-Za-z0-9_-]{11,}$/);
    seen.add(b);
  }
  assert.equal(seen.size, 1000);
});

test('generateTag and generateCallId: token characters, unique', () => {
  const tags = new Set<string>();
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const t = generateTag();
    const c = generateCallId();
    assert.match(t, /^[A-Za-z0-9_-]{8,}$/);
    assert.match(c, /^[A-Za-z0-9_-]{16,}$/);
    tags.add(t);
    ids.add(c);
  }
  assert.equal(tags.size, 1000);
  assert.equal(ids.size, 1000);
});
