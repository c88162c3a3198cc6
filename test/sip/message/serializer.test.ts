import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Headers,
  parseMessage,
  parseUri,
  serializeMessage,
  SipRequest,
  SipResponse,
  type SipMessage,
} from '../../../src/sip/message/index.js';
import { SEEDS, SDP, wire } from './samples.js';

function parse(data: Buffer | string): SipMessage {
  const r = parseMessage(data);
  if (!r.ok) assert.fail(r.error.message);
  return r.message;
}

test('serialises start line, headers as held, Content-Length and body', () => {
  const h = new Headers()
    .append('Via', 'SIP/2.0/UDP h;branch=z9hG4bK1')
    .append('f', '<sip:a@example.com>;tag=1')
    .append('To', '<sip:b@example.com>')
    .append('Call-ID', 'c1')
    .append('CSeq', '1 MESSAGE')
    .append('X-Unknown', 'kept as is ;;,,')
    .append('Content-Type', 'text/plain');
  const m = new SipRequest('MESSAGE', parseUri('sip:b@example.com'), h, Buffer.from('héllo'));
  assert.equal(
    serializeMessage(m).toString(),
    wire(
      [
        'MESSAGE sip:b@example.com SIP/2.0',
        'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
        'f: <sip:a@example.com>;tag=1',
        'To: <sip:b@example.com>',
        'Call-ID: c1',
        'CSeq: 1 MESSAGE',
        'X-Unknown: kept as is ;;,,',
        'Content-Type: text/plain',
        'Content-Length: 6',
      ],
      'héllo',
    ),
  );
});

test('Content-Length is fixed in place, keeping its spelling, and repeats are dropped', () => {
  const h = new Headers()
    .append('Via', 'SIP/2.0/UDP h')
    .append('l', '999')
    .append('X', '1')
    .append('Content-Length', '5');
  const m = new SipResponse(200, 'OK', h, Buffer.from('abc'));
  assert.equal(
    serializeMessage(m).toString(),
    wire(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h', 'l: 3', 'X: 1'], 'abc'),
  );
});

test('binary bodies are written byte for byte', () => {
  const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]);
  const m = new SipResponse(200, 'OK', new Headers(), body);
  const out = serializeMessage(m);
  assert.deepEqual(out.subarray(out.length - body.length), body);
  assert.ok(out.toString('latin1').startsWith('SIP/2.0 200 OK\r\nContent-Length: 9\r\n\r\n'));
});

test('CR and LF inside values cannot inject header lines', () => {
  const h = new Headers().append('Subject', 'a\r\nInjected: yes').append('Via', 'SIP/2.0/UDP h');
  const m = new SipResponse(200, 'O\r\nK', h);
  const text = serializeMessage(m).toString();
  assert.ok(!text.includes('\r\nInjected'));
  assert.ok(text.startsWith('SIP/2.0 200 O  K\r\nSubject: a  Injected: yes\r\n'));
});

test('serialise(parse(m)) is stable for every seed message', () => {
  for (const seed of SEEDS) {
    const once = serializeMessage(parse(seed));
    const twice = serializeMessage(parse(once));
    assert.deepEqual(twice, once);
  }
});

test('well-formed seed messages serialise back to the same bytes', () => {
  for (const seed of SEEDS) assert.equal(serializeMessage(parse(seed)).toString(), seed);
});

test('serialise(parse(m)) normalises folding, compact names, scheme case and stays stable', () => {
  const input = wire(
    [
      'INVITE SIP:bob@Example.COM;Transport=UDP SIP/2.0',
      'v:  SIP / 2.0 / UDP h',
      '  ;branch=z9hG4bK1',
      'f: <sip:a@example.com>;tag=1',
      't: <sip:bob@example.com>',
      'i: x',
      'CSeq: 1 INVITE',
      'X-Custom:   spaced   value   ',
      'l: 999',
    ],
    SDP,
  ).replace('l: 999', `l: ${SDP.length}`);
  const once = serializeMessage(parse(input));
  const text = once.toString();
  assert.ok(
    text.startsWith(
      'INVITE sip:bob@Example.COM;transport=UDP SIP/2.0\r\nv: SIP / 2.0 / UDP h ;branch=z9hG4bK1\r\n',
    ),
  );
  assert.ok(text.includes('\r\nX-Custom: spaced   value\r\n'));
  assert.deepEqual(serializeMessage(parse(once)), once);
});

test('a body longer than Content-Length is cut on parse and the length fixed on write', () => {
  const input = wire(
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP h',
      'From: <sip:a@b>;tag=1',
      'To: <sip:b@c>',
      'Call-ID: x',
      'CSeq: 1 BYE',
      'Content-Length: 2',
    ],
    'abcdef',
  );
  const once = serializeMessage(parse(input));
  assert.ok(once.toString().endsWith('Content-Length: 2\r\n\r\nab'));
});

test('a missing Content-Length is added after the other headers', () => {
  const input =
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n';
  assert.equal(serializeMessage(parse(input)).toString(), input + 'Content-Length: 0\r\n\r\n');
});
