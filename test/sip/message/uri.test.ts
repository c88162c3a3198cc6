import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatUri,
  isSipUri,
  isTelUri,
  parseUri,
  SipParseError,
  type SipUri,
  type TelUri,
} from '../../../src/sip/message/index.js';

function sip(text: string): SipUri {
  const u = parseUri(text);
  assert.ok(isSipUri(u), `${text} should be a SIP URI`);
  return u;
}

test('sip URI with user, password, host, port, params and headers', () => {
  const u = sip(
    'sip:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
  );
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, 'atlanta.example.com');
  assert.equal(u.port, 5061);
  assert.deepEqual(
    [...u.params],
    [
      ['transport', 'tcp'],
      ['lr', null],
    ],
  );
  assert.deepEqual(
    [...u.headers],
    [
      ['subject', 'project%20x'],
      ['priority', 'urgent'],
    ],
  );
});

test('host-only URI and sips scheme', () => {
  const u = sip('sips:example.com');
  assert.equal(u.scheme, 'sips');
  assert.equal(u.user, null);
  assert.equal(u.password, null);
  assert.equal(u.host, 'example.com');
  assert.equal(u.port, null);
  assert.equal(u.params.size, 0);
});

test('host:port without user is not mistaken for user:password', () => {
  const u = sip('sip:192.0.2.4:5070;maddr=239.255.255.1');
  assert.equal(u.user, null);
  assert.equal(u.host, '192.0.2.4');
  assert.equal(u.port, 5070);
  assert.equal(u.params.get('maddr'), '239.255.255.1');
});

test('scheme is case-insensitive and normalised to lower case', () => {
  assert.equal(parseUri('SIP:bob@example.com').scheme, 'sip');
  assert.equal(parseUri('SiPs:bob@example.com').scheme, 'sips');
  assert.equal(parseUri('TEL:+1-201-555-0123').scheme, 'tel');
  assert.equal(formatUri(parseUri('SIP:bob@example.com')), 'sip:bob@example.com');
});

test('parameter names are lower-cased, values kept as written', () => {
  const u = sip('sip:bob@example.com;Transport=TCP;LR');
  assert.deepEqual(
    [...u.params],
    [
      ['transport', 'TCP'],
      ['lr', null],
    ],
  );
});

test('IPv6 references keep their brackets', () => {
  const u = sip('sip:[2001:db8::10]:5070;transport=udp');
  assert.equal(u.host, '[2001:db8::10]');
  assert.equal(u.port, 5070);
  const v = sip('sip:user@[2001:db8::9:255.255.255.255]');
  assert.equal(v.host, '[2001:db8::9:255.255.255.255]');
  assert.equal(sip('sip:[::1]').host, '[::1]');
  // RFC 4475 §4.3: the ":5070" inside the brackets is part of the address.
  const w = sip('sip:[2001:db8::10:5070]');
  assert.equal(w.host, '[2001:db8::10:5070]');
  assert.equal(w.port, null);
});

test('bad IPv6 references are rejected', () => {
  for (const bad of [
    'sip:[2001:db8::10',
    'sip:[2001:db8:::10]',
    'sip:[1:2:3:4:5:6:7:8:9]',
    'sip:[12345::1]',
    'sip:[2001:db8::1::2]',
    'sip:[g::1]',
    'sip:[]',
    'sip:[1.2.3.4]',
  ]) {
    assert.throws(() => parseUri(bad), SipParseError, bad);
  }
});

test('%-escapes are kept as written so round trips are stable', () => {
  const text = 'sip:%61lice@atlanta.example.com;transport=TCP%20x?Route=%3Csip:example.com%3E';
  const u = sip(text);
  assert.equal(u.user, '%61lice');
  assert.equal(u.params.get('transport'), 'TCP%20x');
  assert.equal(u.headers.get('Route'), '%3Csip:example.com%3E');
  assert.equal(formatUri(u), text);
});

test('user part may hold ; = and escaped @ (RFC 4475 §3.1.1.9)', () => {
  const u = sip('sip:user;par=u%40example.net@example.com');
  assert.equal(u.user, 'user;par=u%40example.net');
  assert.equal(u.host, 'example.com');
});

test('telephone-subscriber user with password and user=phone', () => {
  const u = sip('sip:+1-212-555-1212:1234@gateway.com;user=phone');
  assert.equal(u.user, '+1-212-555-1212');
  assert.equal(u.password, '1234');
  assert.equal(u.params.get('user'), 'phone');
});

test('malformed SIP URIs throw SipParseError', () => {
  for (const bad of [
    'sip:',
    'sip:@example.com',
    'sip:bob@',
    'sip:bob@example.com:',
    'sip:bob@example.com:99999',
    'sip:bob@example.com;',
    'sip:bob@example.com;transport=',
    'sip:bob@example.com?',
    'sip:bob@example.com?x',
    'sip:b%zzob@example.com',
    'sip:bob@exa mple.com',
    'sip:bob@example.com>',
    '<sip:bob@example.com>',
    ':bob',
    '1sip:bob',
    '',
  ]) {
    assert.throws(() => parseUri(bad), SipParseError, JSON.stringify(bad));
  }
});

test('tel URIs: global and local numbers with parameters', () => {
  const g = parseUri('tel:+1-201-555-0123;ext=1234;Phone-Context=example.com');
  assert.ok(isTelUri(g));
  assert.equal((g as TelUri).number, '+1-201-555-0123');
  assert.deepEqual(
    [...(g as TelUri).params],
    [
      ['ext', '1234'],
      ['phone-context', 'example.com'],
    ],
  );
  const l = parseUri('tel:7042;phone-context=+1-212') as TelUri;
  assert.equal(l.number, '7042');
  assert.equal(l.params.get('phone-context'), '+1-212');
  assert.equal(formatUri(g), 'tel:+1-201-555-0123;ext=1234;phone-context=example.com');
  assert.throws(() => parseUri('tel:'), SipParseError);
  assert.throws(() => parseUri('tel:+'), SipParseError);
  assert.throws(() => parseUri('tel:+1;'), SipParseError);
});

test('other schemes are kept opaque', () => {
  const u = parseUri('mailto:alice@example.com?subject=hi');
  assert.deepEqual(u, { scheme: 'mailto', opaque: 'alice@example.com?subject=hi' });
  assert.equal(formatUri(u), 'mailto:alice@example.com?subject=hi');
  const urn = parseUri('URN:service:sos');
  assert.deepEqual(urn, { scheme: 'urn', opaque: 'service:sos' });
  assert.throws(() => parseUri('http:'), SipParseError);
  assert.throws(() => parseUri('http:a b'), SipParseError);
});

test('format(parse(x)) round trips', () => {
  for (const text of [
    'sip:alice@atlanta.example.com',
    'sip:alice:pw@atlanta.example.com:5060;transport=udp;lr;maddr=10.0.0.1',
    'sips:[2001:db8::1]:5061',
    'sip:%75se%72@example.com?Subject=x&Priority=',
    'tel:+44(0)20-7946-0000;isub=1234',
    'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  ]) {
    assert.equal(formatUri(parseUri(text)), text);
  }
});
