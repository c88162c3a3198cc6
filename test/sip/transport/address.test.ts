import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalHost,
  ipFamily,
  isWildcard,
  peerKey,
  sameHost,
} from '../../../src/sip/transport/address.js';

describe('address helpers', () => {
  it('canonicalises IPv6, strips brackets and unmaps IPv4-mapped addresses', () => {
    assert.equal(canonicalHost('[0:0:0:0:0:0:0:1]'), '::1');
    assert.equal(canonicalHost('2001:DB8::0:1'), '2001:db8::1');
    assert.equal(canonicalHost('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(canonicalHost('Example.COM'), 'example.com');
  });

  it('compares hosts as addresses', () => {
    assert.ok(sameHost('[::1]', '0::1'));
    assert.ok(sameHost('::ffff:10.0.0.1', '10.0.0.1'));
    assert.ok(!sameHost('127.0.0.1', '127.0.0.2'));
  });

  it('tells the family of a literal, 0 for a name', () => {
    assert.equal(ipFamily('127.0.0.1'), 4);
    assert.equal(ipFamily('[::1]'), 6);
    assert.equal(ipFamily('::ffff:1.2.3.4'), 4);
    assert.equal(ipFamily('sip.example.com'), 0);
  });

  it('recognises wildcard binds and builds stable peer keys', () => {
    assert.ok(isWildcard('0.0.0.0'));
    assert.ok(isWildcard('::'));
    assert.ok(!isWildcard('::1'));
    assert.equal(peerKey('[::1]', 5060), peerKey('0:0::1', 5060));
  });
});
