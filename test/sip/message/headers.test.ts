import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  headerKey,
  Headers,
  parseMessage,
  parseUri,
  SipParseError,
  SipRequest,
  splitTopLevelCommas,
} from '../../../src/sip/message/index.js';
import { INVITE } from './samples.js';

test('headerKey: case-insensitive, compact forms, RFC spellings, unknown names', () => {
  assert.equal(headerKey('Via'), 'via');
  assert.equal(headerKey('VIA'), 'via');
  assert.equal(headerKey('v'), 'via');
  assert.equal(headerKey('V'), 'via');
  assert.equal(headerKey('Call-ID'), 'call-id');
  assert.equal(headerKey('call-Id'), 'call-id');
  assert.equal(headerKey('i'), 'call-id');
  assert.equal(headerKey('CSeq'), 'cseq');
  assert.equal(headerKey('WWW-Authenticate'), 'www-authenticate');
  assert.equal(headerKey('l'), 'content-length');
  assert.equal(headerKey('m'), 'contact');
  assert.equal(headerKey('o'), 'event');
  assert.equal(headerKey('u'), 'allow-events');
  assert.equal(headerKey('r'), 'refer-to');
  assert.equal(headerKey('X-Custom-Thing'), 'x-custom-thing');
  assert.equal(headerKey('q'), 'q');
});

test('Headers: append, get, lines, values, has, delete keep order and spelling', () => {
  const h = new Headers()
    .append('Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2')
    .append('X-A', '1')
    .append('v', 'SIP/2.0/UDP c;branch=z9hG4bK3');
  assert.equal(h.get('VIA'), 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2');
  assert.equal(h.lines('via').length, 2);
  assert.deepEqual(h.values('via'), [
    'SIP/2.0/UDP a;branch=z9hG4bK1',
    'SIP/2.0/UDP b;branch=z9hG4bK2',
    'SIP/2.0/UDP c;branch=z9hG4bK3',
  ]);
  assert.equal(h.entries[2]!.name, 'v');
  assert.ok(h.has('x-a'));
  h.delete('Via');
  assert.deepEqual(
    h.entries.map((e) => e.name),
    ['X-A'],
  );
  assert.equal(h.get('via'), undefined);
});

test('Headers: prepend goes before the first line of that name; set replaces all in place', () => {
  const h = new Headers()
    .append('From', 'f')
    .append('Via', 'v1')
    .append('To', 't')
    .append('Via', 'v2');
  h.prepend('Via', 'v0');
  assert.deepEqual(
    h.entries.map((e) => e.value),
    ['f', 'v0', 'v1', 't', 'v2'],
  );
  h.set('via', 'only');
  assert.deepEqual(
    h.entries.map((e) => `${e.name}:${e.value}`),
    ['From:f', 'Via:only', 'To:t'],
  );
  h.set('Contact', '<sip:x@y>');
  assert.equal(h.entries.at(-1)!.name, 'Contact');
});

test('Headers.values does not split headers whose values contain commas', () => {
  const h = new Headers()
    .append('Authorization', 'Digest username="a", realm="b"')
    .append('Date', 'Sat, 13 Nov 2010 23:29:00 GMT');
  assert.equal(h.values('authorization').length, 1);
  assert.equal(h.values('date').length, 1);
});

test('splitTopLevelCommas ignores commas in quotes (with escapes) and angle brackets', () => {
  assert.deepEqual(splitTopLevelCommas('"a, \\"b, c" <sip:x;p=1,2>;q=1, <sip:y> , ,z'), [
    '"a, \\"b, c" <sip:x;p=1,2>;q=1',
    '<sip:y>',
    'z',
  ]);
  assert.deepEqual(splitTopLevelCommas('single'), ['single']);
});

test('clone copies entries so changes do not leak', () => {
  const h = new Headers().append('X', '1');
  const c = h.clone();
  c.set('X', '2');
  assert.equal(h.get('x'), '1');
  assert.equal(c.get('x'), '2');
});

test('accessors reflect header changes (no stale cache) and return fresh arrays', () => {
  const r = parseMessage(INVITE);
  assert.ok(r.ok && r.message instanceof SipRequest);
  const m = r.message;
  assert.equal(m.topVia().host, 'pc33.atlanta.example.com');
  m.headers.prepend('Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp');
  assert.equal(m.topVia().host, 'proxy.example.com');
  m.headers.set('To', '<sip:carol@example.com>;tag=9');
  assert.equal(m.to().params.get('tag'), '9');
  const vias = m.vias();
  vias.pop();
  assert.equal(m.vias().length, 2);
});

test('accessors on messages built by hand throw SipParseError for missing or bad headers', () => {
  const m = new SipRequest('OPTIONS', parseUri('sip:a@b'), new Headers().append('Contact', '*'));
  assert.throws(() => m.topVia(), SipParseError);
  assert.throws(() => m.from(), SipParseError);
  assert.throws(() => m.callId(), SipParseError);
  assert.throws(() => m.contacts(), SipParseError);
  assert.deepEqual(m.routes(), []);
});
