import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_ADDRESS_LENGTH,
  isAddressError,
  matchKey,
  normalizeAddress,
  sameAddress,
  type NormalizedAddress,
} from '../../src/address/index.js';

function ok(raw: string): NormalizedAddress {
  const r = normalizeAddress(raw);
  if (isAddressError(r)) assert.fail(`expected ${JSON.stringify(raw)} to be valid: ${r.error}`);
  return r;
}

function err(raw: string, field?: string): string {
  const r = normalizeAddress(raw, field);
  if (!isAddressError(r)) assert.fail(`expected ${JSON.stringify(raw)} to be rejected`);
  return r.error;
}

describe('normalizeAddress: phone numbers', () => {
  const cases: [string, string][] = [
    ['+14155550100', '+14155550100'],
    ['14155550100', '14155550100'],
    ['+1 (415) 555-0100', '+14155550100'],
    ['+1.415.555.0100', '+14155550100'],
    ['(415) 555-0100', '4155550100'],
    ['1111111111', '1111111111'],
    ['+3000', '+3000'],
    ['  +14155550100  ', '+14155550100'],
    ['+44 20 7946 0958', '+442079460958'],
    ['112', '112'],
    ['123456789012345', '123456789012345'],
    ['+123456789012345', '+123456789012345'],
    ['0044 20 7946 0958', '00442079460958'],
  ];
  for (const [raw, address] of cases) {
    it(`${JSON.stringify(raw)} → ${address}`, () => {
      assert.deepEqual(ok(raw), { kind: 'phone', address, dial: address });
    });
  }

  const rejected: [string, RegExp][] = [
    ['12', /has 2 digits; a number has 3 to 15/],
    ['+1', /has 1 digit;/],
    ['1234567890123456', /has 16 digits/],
    ['+', /neither a phone number nor a SIP address|has 0 digits/],
    ['1-800-FLOWERS', /contains letters/],
    ['+1415555abcd', /contains letters/],
    ['14155550100x12', /contains letters/],
    ['1+4155550100', /'\+' is only allowed at the start/],
    ['++14155550100', /'\+' is only allowed at the start/],
    ['+1415#5550100', /'#' is not allowed/],
    ['+1415*5550100', /'\*' is not allowed/],
    ['+1415,5550100', /',' is not allowed/],
    ['+1415/5550100', /'\/' is not allowed/],
    ['+1415\u00a05550100', /is not allowed/],
  ];
  for (const [raw, re] of rejected) {
    it(`rejects ${JSON.stringify(raw)}`, () => assert.match(err(raw), re));
  }
});

describe('normalizeAddress: SIP addresses', () => {
  const cases: [string, string, string][] = [
    ['sip:alice@example.com', 'sip:alice@example.com', 'sip:alice@example.com'],
    ['alice@example.com', 'sip:alice@example.com', 'sip:alice@example.com'],
    ['SIP:Alice@Example.COM', 'sip:Alice@example.com', 'sip:Alice@example.com'],
    [
      'Sip:bob@PBX.example.com:5070',
      'sip:bob@pbx.example.com:5070',
      'sip:bob@pbx.example.com:5070',
    ],
    ['sip:bob@127.0.0.1:5060', 'sip:bob@127.0.0.1:5060', 'sip:bob@127.0.0.1:5060'],
    ['sip:bob@127.0.0.1:05060', 'sip:bob@127.0.0.1:5060', 'sip:bob@127.0.0.1:5060'],
    ['sip:bob@[::1]:5060', 'sip:bob@[::1]:5060', 'sip:bob@[::1]:5060'],
    ['sip:bob@[2001:DB8::1]', 'sip:bob@[2001:db8::1]', 'sip:bob@[2001:db8::1]'],
    [
      'sip:alice@example.com;transport=TCP',
      'sip:alice@example.com',
      'sip:alice@example.com;transport=tcp',
    ],
    [
      'alice@example.com:5080;Transport=udp;lr',
      'sip:alice@example.com:5080',
      'sip:alice@example.com:5080;transport=udp;lr',
    ],
    [
      'sip:alice@example.com;maddr=10.0.0.1?Subject=hi&Priority=urgent',
      'sip:alice@example.com',
      'sip:alice@example.com;maddr=10.0.0.1',
    ],
    ['sip:alice@example.com?Subject=hi', 'sip:alice@example.com', 'sip:alice@example.com'],
    [
      'sip:+14155550100@trunk.example.com',
      'sip:+14155550100@trunk.example.com',
      'sip:+14155550100@trunk.example.com',
    ],
    ['sip:%61lice@example.com', 'sip:alice@example.com', 'sip:alice@example.com'],
    ['sip:a%2fb@example.com', 'sip:a%2Fb@example.com', 'sip:a%2Fb@example.com'],
    [
      "sip:john.doe-1_x!~*'()@example.com",
      "sip:john.doe-1_x!~*'()@example.com",
      "sip:john.doe-1_x!~*'()@example.com",
    ],
    ['sip:1000@localhost', 'sip:1000@localhost', 'sip:1000@localhost'],
    ['  sip:alice@example.com  ', 'sip:alice@example.com', 'sip:alice@example.com'],
  ];
  for (const [raw, address, dial] of cases) {
    it(`${JSON.stringify(raw)} → ${address}`, () => {
      assert.deepEqual(ok(raw), { kind: 'sip', address, dial });
    });
  }

  const rejected: [string, RegExp][] = [
    ['sips:alice@example.com', /sips: \(SIP over TLS\) is not supported/],
    ['SIPS:alice@example.com', /sips:/],
    ['tel:+14155550100', /tel: URIs are not accepted; give the number itself/],
    ['http://example.com/x', /the scheme 'http:' is not supported/],
    ['mailto:a', /the scheme 'mailto:' is not supported/],
    ['sip:', /has no user part/],
    ['sip:example.com', /has no user part \(sip:user@host\)/],
    ['sip:@example.com', /has no user part/],
    ['sip:alice@', /has no host/],
    ['alice@', /has no host/],
    ['sip:alice@exa mple.com', /cannot contain whitespace/],
    ['sip:al ice@example.com', /cannot contain whitespace/],
    ['alice smith@example.com', /cannot contain whitespace/],
    ['sip:alice:secret@example.com', /passwords are not accepted/],
    ['alice:secret@example.com', /passwords are not accepted/],
    ['sip:alice@example.com:0', /port '0' must be a number from 1 to 65535/],
    ['sip:alice@example.com:70000', /port '70000'/],
    ['sip:alice@example.com:', /port ''/],
    ['sip:alice@example.com:50a', /port '50a'/],
    ['sip:alice@2001:db8::1', /IPv6 host must be in brackets/],
    ['sip:alice@[zz::1]', /not a valid \[IPv6\] host/],
    ['sip:alice@[::1', /not a valid \[IPv6\] host/],
    ['sip:alice@[::1]x', /unexpected 'x' after the host/],
    ['sip:alice@999.1.1.1', /not a valid IPv4 address/],
    ['sip:alice@exa_mple.com', /not a valid host/],
    ['sip:alice@-example.com', /not a valid host/],
    ['sip:alice@example..com', /not a valid host/],
    ['sip:alice@example.123', /not a valid host/],
    ['sip:al<ice@example.com', /contains '<', which must be percent-encoded \(e.g. %3C\)/],
    ['sip:alicé@example.com', /contains 'é'/],
    ['sip:al%4@example.com', /'%' not followed by two hex digits/],
    ['sip:alice@example.com;transport=tls', /transport=tls is not supported \(use udp or tcp\)/],
    ['sip:alice@example.com;transport=', /has no value/],
    ['sip:alice@example.com;;lr', /empty URI parameter/],
    ['sip:alice@example.com;lr;LR', /'lr' appears twice/],
    ['sip:alice@example.com?', /malformed URI headers/],
    ['sip:alice@example.com?x', /malformed URI headers/],
  ];
  for (const [raw, re] of rejected) {
    it(`rejects ${JSON.stringify(raw)}`, () => assert.match(err(raw), re));
  }
});

describe('normalizeAddress: neither, and input hygiene', () => {
  it('names the field and says what to give', () => {
    assert.equal(
      err('abc', 'to'),
      "to: 'abc' is neither a phone number nor a SIP address (sip:user@host)",
    );
  });
  it('without a field the message starts with the value', () => {
    assert.equal(err('abc'), "'abc' is neither a phone number nor a SIP address (sip:user@host)");
  });
  const rejected: [string, RegExp][] = [
    ['', /^to: is empty; give a phone number \(\+14155550100\) or a SIP address/],
    ['   ', /^to: is empty/],
    ['+1415\n5550100', /contains control characters/],
    ['sip:alice@example.com\r\nX: y', /contains control characters/],
    ['\u0000', /contains control characters/],
    ['+1415\t5550100', /contains control characters/],
    ['x'.repeat(MAX_ADDRESS_LENGTH + 1), /is too long \(257 characters; at most 256\)/],
    ['alice', /neither a phone number nor a SIP address/],
    ['#123', /neither/],
    ['-14155550100', /neither/],
  ];
  for (const [raw, re] of rejected) {
    it(`rejects ${JSON.stringify(raw.slice(0, 40))}`, () => assert.match(err(raw, 'to'), re));
  }
  it('escapes control characters and quotes in the message', () => {
    const e = err("a'b\nc", 'to');
    assert.ok(e.includes("'a\\'b\\x0ac'"), e);
    assert.ok(!e.includes('\n'));
  });
  it('cuts long values short in the message', () => {
    const e = err('sip:' + 'a'.repeat(300) + '@example.com', 'to');
    assert.ok(e.length < 200, e);
    assert.ok(e.includes('…'));
  });
  it('accepts exactly MAX_ADDRESS_LENGTH characters', () => {
    const raw =
      'sip:' + 'a'.repeat(MAX_ADDRESS_LENGTH - 'sip:@example.com'.length) + '@example.com';
    assert.equal(raw.length, MAX_ADDRESS_LENGTH);
    assert.equal(ok(raw).kind, 'sip');
  });
  it('never throws on a non-string', () => {
    const r = normalizeAddress(42 as unknown as string, 'to');
    assert.ok(isAddressError(r));
    assert.match(r.error, /^to: must be a string/);
  });
});

describe('matchKey and sameAddress', () => {
  const same: [string, string][] = [
    ['14155550100', '+14155550100'],
    // A form decoder that turned the '+' into a space still finds the member.
    [' 14155550100', '+14155550100'],
    ['+1 (415) 555-0100', '14155550100'],
    ['sip:alice@example.com', 'alice@EXAMPLE.com'],
    ['sip:alice@example.com;transport=tcp', 'sip:alice@example.com'],
    ['sip:alice@example.com?Subject=x', 'SIP:alice@example.com'],
    ['sip:%61lice@example.com', 'sip:alice@example.com'],
  ];
  for (const [a, b] of same) {
    it(`${a} ≡ ${b}`, () => {
      assert.equal(sameAddress(a, b), true);
      assert.equal(sameAddress(b, a), true);
      assert.equal(matchKey(ok(a)), matchKey(ok(b)));
    });
  }
  const different: [string, string][] = [
    ['sip:Alice@example.com', 'sip:alice@example.com'],
    ['sip:alice@example.com', 'sip:alice@example.com:5060'],
    ['sip:+14155550100@trunk.example.com', '+14155550100'],
    ['14155550100', '4155550100'],
    ['abc', 'abc'],
    ['', ''],
  ];
  for (const [a, b] of different) {
    it(`${JSON.stringify(a)} ≢ ${JSON.stringify(b)}`, () => assert.equal(sameAddress(a, b), false));
  }
  it('keys phone numbers by digits and SIP by identity', () => {
    assert.equal(matchKey(ok('+14155550100')), 'phone:14155550100');
    assert.equal(matchKey(ok('alice@example.com;transport=tcp')), 'sip:alice@example.com');
  });
  it('accepts normalised values as well as raw strings', () => {
    assert.equal(sameAddress(ok('+14155550100'), '14155550100'), true);
  });
});
