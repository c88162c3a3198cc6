/**
 * Routing of the addresses users dial (src/sip/ua/routing.ts): phone
 * numbers to trunks, sip: URIs and user@host directly (UDP or TCP, IPv4 or
 * IPv6), tel: URIs, and RoutingError for everything else, before any packet.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatUri, parseUri } from '../../../src/sip/message/index.js';
import {
  RoutingError,
  normalisePhoneNumber,
  routeAddress,
  selectTrunk,
  type TrunkConfig,
} from '../../../src/sip/ua/index.js';
import { nextHopOf, resolveEndpoint } from '../../../src/sip/ua/routing.js';

const carrier: TrunkConfig = {
  name: 'carrier',
  host: 'sip.carrier.example',
  port: 5080,
  username: 'u',
  password: 'p',
};
const uk: TrunkConfig = {
  name: 'uk',
  host: '198.51.100.20',
  prefixes: ['+44'],
  numberFormat: 'digits',
  transport: 'tcp',
};
const us: TrunkConfig = { name: 'us', host: '198.51.100.10', prefixes: ['+1'] };
const usTollFree: TrunkConfig = { name: 'us-800', host: '198.51.100.11', prefixes: ['+1800'] };

describe('normalisePhoneNumber', () => {
  it('strips spaces, dashes, dots and parentheses', () => {
    assert.equal(normalisePhoneNumber('+1 (415) 555-0100'), '+14155550100');
    assert.equal(normalisePhoneNumber('415.555.0100'), '4155550100');
    assert.equal(normalisePhoneNumber(' 0044 20 7946 0958 '), '00442079460958');
  });

  it('refuses what is not a number', () => {
    for (const text of [
      '',
      '+',
      '1',
      'alice',
      '+1 415 CALL-NOW',
      '++14155550100',
      '1+2',
      '123456789012345678901',
    ]) {
      assert.equal(normalisePhoneNumber(text), null, text);
    }
  });
});

describe('routeAddress: phone numbers', () => {
  it('sends a number to the trunk as sip:NUMBER@host:port with its transport', () => {
    const route = routeAddress('+1 (415) 555-0100', [carrier]);
    assert.equal(formatUri(route.requestUri), 'sip:+14155550100@sip.carrier.example:5080');
    assert.deepEqual(route.next, { host: 'sip.carrier.example', port: 5080, protocol: 'udp' });
    assert.equal(route.trunk, carrier);
  });

  it('writes the number as the trunk wants it: E.164 (default) or bare digits', () => {
    assert.equal(routeAddress('14155550100', [carrier]).requestUri.user, '+14155550100');
    const route = routeAddress('+44 20 7946 0958', [uk]);
    assert.equal(route.requestUri.user, '442079460958');
    assert.equal(route.requestUri.params.get('transport'), 'tcp');
    assert.deepEqual(route.next, { host: '198.51.100.20', port: 5060, protocol: 'tcp' });
  });

  it('picks the trunk with the longest matching prefix; a trunk without prefixes takes the rest', () => {
    const trunks = [carrier, us, usTollFree, uk];
    assert.equal(routeAddress('+18005550100', trunks).trunk, usTollFree);
    assert.equal(routeAddress('+14155550100', trunks).trunk, us);
    assert.equal(routeAddress('+442079460958', trunks).trunk, uk);
    assert.equal(routeAddress('+33142685300', trunks).trunk, carrier);
    assert.equal(selectTrunk('+33142685300', [us, uk]), undefined);
  });

  it('routes tel: URIs like numbers', () => {
    const route = routeAddress('tel:+1-415-555-0100', [carrier]);
    assert.equal(route.requestUri.user, '+14155550100');
  });

  it('is a RoutingError without a trunk for the number', () => {
    assert.throws(() => routeAddress('+14155550100', []), RoutingError);
    assert.throws(
      () => routeAddress('+33142685300', [us, uk]),
      /No SIP trunk takes the number \+33142685300/,
    );
  });
});

describe('routeAddress: SIP addresses', () => {
  it('dials a sip: URI directly; a host name without port or transport is located by NAPTR/SRV (RFC 3263)', () => {
    const route = routeAddress('sip:alice@example.com', [carrier]);
    assert.equal(formatUri(route.requestUri), 'sip:alice@example.com');
    assert.deepEqual(route.next, {
      host: 'example.com',
      port: 5060,
      protocol: 'udp',
      locate: 'naptr',
    });
    assert.equal(route.trunk, undefined);
    assert.equal(routeAddress('sip:alice@example.com;transport=tcp', []).next.locate, 'srv');
    assert.equal(routeAddress('sip:alice@example.com:5080', []).next.locate, undefined);
  });

  it('takes transport=tcp and the port from the URI', () => {
    const route = routeAddress('sip:alice@127.0.0.1:5070;transport=TCP', []);
    assert.deepEqual(route.next, { host: '127.0.0.1', port: 5070, protocol: 'tcp' });
  });

  it('reads user@host[:port] as a sip: URI', () => {
    const route = routeAddress('alice@127.0.0.1:5070', []);
    assert.equal(formatUri(route.requestUri), 'sip:alice@127.0.0.1:5070');
    assert.deepEqual(route.next, { host: '127.0.0.1', port: 5070, protocol: 'udp' });
  });

  it('takes a bare IPv4 address as a host, not as a phone number with dots', () => {
    const route = routeAddress('127.0.0.1', [carrier]);
    assert.equal(route.trunk, undefined);
    assert.equal(formatUri(route.requestUri), 'sip:127.0.0.1');
  });

  it('handles IPv6 references, with and without the scheme', async () => {
    const route = routeAddress('sip:alice@[::1]:5070', []);
    assert.deepEqual(route.next, { host: '[::1]', port: 5070, protocol: 'udp' });
    assert.deepEqual(await resolveEndpoint(route.next), {
      protocol: 'udp',
      address: '::1',
      port: 5070,
    });
    const bare = routeAddress('bob@[2001:db8::1]', []);
    assert.equal(bare.next.port, 5060);
    assert.deepEqual(await resolveEndpoint(bare.next), {
      protocol: 'udp',
      address: '2001:db8::1',
      port: 5060,
    });
  });

  it('sends to maddr when the URI has one', () => {
    const route = routeAddress('sip:alice@example.com;maddr=127.0.0.1', []);
    assert.equal(route.next.host, '127.0.0.1');
  });

  it('is a RoutingError for anything it cannot dial', () => {
    const bad = [
      '',
      '   ',
      'sips:alice@example.com',
      'sip:alice@example.com;transport=sctp',
      'sip:alice@example.com;transport=tls',
      'mailto:alice@example.com',
      'http://example.com/',
      'alice smith',
      'sip:',
      'sip:alice@',
      'sip:alice@[::1',
      'tel:call-me',
    ];
    for (const address of bad) {
      assert.throws(() => routeAddress(address, [carrier]), RoutingError, JSON.stringify(address));
    }
  });
});

describe('nextHopOf (in-dialog next hop, §8.1.2 / §12.2.1.1)', () => {
  it('reads host, port, transport and maddr of the target URI', () => {
    assert.deepEqual(nextHopOf(parseUri('sip:bob@192.0.2.4:5062')), {
      host: '192.0.2.4',
      port: 5062,
      protocol: 'udp',
    });
    assert.deepEqual(nextHopOf(parseUri('sip:bob@192.0.2.4;transport=tcp')), {
      host: '192.0.2.4',
      port: 5060,
      protocol: 'tcp',
    });
    assert.deepEqual(nextHopOf(parseUri('sip:p1.example;lr;maddr=192.0.2.9')).host, '192.0.2.9');
  });

  it('refuses a non-SIP target', () => {
    assert.throws(() => nextHopOf(parseUri('tel:+14155550100')), RoutingError);
  });
});
