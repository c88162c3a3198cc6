import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCSeq,
  formatNameAddr,
  formatVia,
  isSipUri,
  parseCSeq,
  parseNameAddr,
  parseVia,
  SipParseError,
  type SipUri,
} from '../../../src/sip/message/index.js';

test('parseVia: transport upper-cased, host, port and params in order', () => {
  const v = parseVia(
    'SIP/2.0/udp pc33.atlanta.example.com:5066;branch=z9hG4bK776;received=192.0.2.1;rport=5060;maddr=239.1.1.1;ttl=16;x-extra',
  );
  assert.equal(v.protocol, 'SIP/2.0');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, 'pc33.atlanta.example.com');
  assert.equal(v.port, 5066);
  assert.deepEqual(
    [...v.params],
    [
      ['branch', 'z9hG4bK776'],
      ['received', '192.0.2.1'],
      ['rport', '5060'],
      ['maddr', '239.1.1.1'],
      ['ttl', '16'],
      ['x-extra', null],
    ],
  );
});

test('parseVia: rport as a flag, IPv6 sent-by', () => {
  const v = parseVia('SIP/2.0/TCP [2001:db8::9:1]:5070;branch=z9hG4bKas;rport');
  assert.equal(v.host, '[2001:db8::9:1]');
  assert.equal(v.port, 5070);
  assert.equal(v.params.get('rport'), null);
  assert.ok(v.params.has('rport'));
  assert.equal(
    parseVia('SIP/2.0/UDP [::1];branch=z9hG4bK1;received=::1').params.get('received'),
    '::1',
  );
});

test('parseVia: whitespace around / : ; = (RFC 4475 §3.1.1.1)', () => {
  const v = parseVia('SIP  /   2.0 /UDP    192.0.2.2 : 5062  ;  branch  =   z9hG4bK9ikj8  ;rport');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, '192.0.2.2');
  assert.equal(v.port, 5062);
  assert.equal(v.params.get('branch'), 'z9hG4bK9ikj8');
  assert.equal(formatVia(v), 'SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bK9ikj8;rport');
});

test('parseVia: protocol name is case-insensitive, other transports are accepted', () => {
  const v = parseVia('sip/2.0/ws df7jal23ls0d.invalid;branch=z9hG4bKasudf');
  assert.equal(v.protocol, 'SIP/2.0');
  assert.equal(v.transport, 'WS');
});

test('parseVia: malformed values throw SipParseError with a clear message', () => {
  const cases: [string, RegExp][] = [
    ['', /missing protocol/],
    ['SIP/2.0 host', /sent-protocol/],
    ['SIP/3.0/UDP host', /unsupported protocol/],
    ['HTTP/2.0/UDP host', /unsupported protocol/],
    ['SIP/2.0/UDP', /missing sent-by/],
    ['SIP/2.0/UDP ', /missing host/i],
    ['SIP/2.0/UDP host:', /bad port/],
    ['SIP/2.0/UDP host:70000', /bad port/],
    ['SIP/2.0/UDP [2001:db8::1;branch=x', /IPv6/],
    ['SIP/2.0/UDP host;branch', /empty branch/],
    ['SIP/2.0/UDP host;ttl=256', /bad ttl/],
    ['SIP/2.0/UDP host;rport=abc', /bad rport/],
    ['SIP/2.0/UDP host;branch=', /parameter value/i],
    ['SIP/2.0/UDP host junk', /unexpected/],
    ['SIP/2.0/UDP host, SIP/2.0/UDP other', /unexpected/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseVia(text),
      (e: unknown) => e instanceof SipParseError && re.test(e.message),
      text,
    );
  }
});

test('formatVia round trips', () => {
  for (const text of [
    'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
    'SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKx;received=2001:db8::2;rport=5062',
    'SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74b43;alias',
  ]) {
    assert.equal(formatVia(parseVia(text)), text);
  }
});

function uriOf(value: string): SipUri {
  const u = parseNameAddr(value).uri;
  assert.ok(isSipUri(u));
  return u;
}

test('parseNameAddr: quoted display name with escapes and header params', () => {
  const na = parseNameAddr(
    '"J Rosenberg \\\\\\"" <sip:jdrosen@example.com;transport=tcp> ; tag = 98asjd8;x',
  );
  assert.equal(na.displayName, 'J Rosenberg \\"');
  assert.equal((na.uri as SipUri).user, 'jdrosen');
  assert.equal((na.uri as SipUri).params.get('transport'), 'tcp');
  assert.deepEqual(
    [...na.params],
    [
      ['tag', '98asjd8'],
      ['x', null],
    ],
  );
});

test('parseNameAddr: token display names, with and without a space before <', () => {
  assert.equal(parseNameAddr('Bob Smith <sip:bob@example.com>').displayName, 'Bob Smith');
  assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName, 'caller');
  assert.equal(parseNameAddr('<sip:caller@example.com>').displayName, null);
  assert.equal(parseNameAddr('"" <sip:caller@example.com>').displayName, '');
});

test('parseNameAddr: UTF-8 display names', () => {
  assert.equal(parseNameAddr('"Jörg Ünal" <sip:j@example.com>').displayName, 'Jörg Ünal');
  assert.equal(parseNameAddr('Zoë <sip:z@example.com>').displayName, 'Zoë');
});

test('parseNameAddr: addr-spec form — parameters after the URI belong to the header (§20.10)', () => {
  const na = parseNameAddr('sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n');
  assert.equal(na.displayName, null);
  assert.equal((na.uri as SipUri).host, 'chair-dnrc.example.com');
  assert.equal((na.uri as SipUri).params.size, 0);
  assert.equal(na.params.get('tag'), '1918181833n');
  const c = parseNameAddr('sip:alice@192.0.2.4:5070;expires=60;q=0.5');
  assert.equal((c.uri as SipUri).port, 5070);
  assert.deepEqual(
    [...c.params],
    [
      ['expires', '60'],
      ['q', '0.5'],
    ],
  );
  const u = uriOf('sip:user;par=u%40example.net@example.com;tag=1');
  assert.equal(u.user, 'user;par=u%40example.net');
});

test('parseNameAddr: other URI schemes, in and out of brackets', () => {
  const a = parseNameAddr('<urn:service:sos>;x=1');
  assert.deepEqual(a.uri, { scheme: 'urn', opaque: 'service:sos' });
  assert.equal(a.params.get('x'), '1');
  const b = parseNameAddr('tel:+1-201-555-0123;tag=abc');
  assert.deepEqual(b.uri, { scheme: 'tel', number: '+1-201-555-0123', params: new Map() });
  assert.equal(b.params.get('tag'), 'abc');
  const c = parseNameAddr('"Jane" <tel:+1-201-555-0123;ext=22>');
  assert.equal(c.uri.scheme, 'tel');
});

test('parseNameAddr: quoted param values are kept with their quotes', () => {
  const na = parseNameAddr('<sip:a@b>;+sip.instance="<urn:uuid:1234>";methods="INVITE, BYE"');
  assert.equal(na.params.get('+sip.instance'), '"<urn:uuid:1234>"');
  assert.equal(na.params.get('methods'), '"INVITE, BYE"');
});

test('parseNameAddr: malformed values throw SipParseError', () => {
  for (const bad of [
    '',
    '"unterminated <sip:a@b>',
    '"Bob" sip:a@b',
    '<sip:a@b',
    '< sip:a@b >',
    'Bell, Alexander <sip:a.g.bell@bell-tel.com>',
    '<sip:a@b> junk',
    '<sip:a@b>;',
    '<sip:a@b>;tag=',
    'sip:a@b, sip:c@d',
    'sip:a@b?x=y',
    '*',
    '<>',
  ]) {
    assert.throws(() => parseNameAddr(bad), SipParseError, JSON.stringify(bad));
  }
});

test('formatNameAddr always writes the <> form and quotes display names', () => {
  assert.equal(
    formatNameAddr(parseNameAddr('Bob <sip:bob@example.com>;tag=a')),
    '"Bob" <sip:bob@example.com>;tag=a',
  );
  assert.equal(
    formatNameAddr(parseNameAddr('sip:bob@example.com;tag=a')),
    '<sip:bob@example.com>;tag=a',
  );
  const tricky = parseNameAddr('"a \\"quoted\\" \\\\ name" <sip:x@y>');
  assert.equal(tricky.displayName, 'a "quoted" \\ name');
  const again = parseNameAddr(formatNameAddr(tricky));
  assert.deepEqual(again, tricky);
});

test('parseCSeq / formatCSeq', () => {
  assert.deepEqual(parseCSeq('314159 INVITE'), { seq: 314159, method: 'INVITE' });
  assert.deepEqual(parseCSeq('0009 \t INVITE'), { seq: 9, method: 'INVITE' });
  assert.deepEqual(parseCSeq('4294967295 NEWMETHOD'), { seq: 4294967295, method: 'NEWMETHOD' });
  assert.equal(formatCSeq({ seq: 1, method: 'BYE' }), '1 BYE');
  for (const bad of [
    '',
    'INVITE',
    '1',
    '1INVITE',
    '-1 INVITE',
    '4294967296 INVITE',
    '36893488147419103232 INVITE',
    '1 INVITE x',
    '1 INV@TE',
  ]) {
    assert.throws(() => parseCSeq(bad), SipParseError, bad);
  }
});
