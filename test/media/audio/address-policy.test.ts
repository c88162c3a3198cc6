import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressRefusal,
  classifyAddress,
  type AddressRange,
} from '../../../src/media/audio/index.js';

/** [address, range, the IPv4 address it carries] — every range the policy refuses, at its edges. */
const REFUSED: [string, AddressRange, string?][] = [
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['0.255.255.255', 'reserved'],
  ['10.0.0.0', 'private'],
  ['10.0.0.5', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.0', 'shared'],
  ['100.127.255.255', 'shared'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.0.1', 'private'],
  ['192.168.255.255', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fec0::1', 'private'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['ff02::1', 'multicast'],
  ['ff0e::fb', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001::1', 'reserved'], // Teredo
  ['2001:10::1', 'reserved'], // ORCHID
  ['64:ff9b:1::1', 'private'], // local-use NAT64
  ['100::1', 'reserved'], // discard-only
  ['::127.0.0.1', 'reserved'], // IPv4-compatible (deprecated)
  ['::2', 'reserved'],
  ['4000::1', 'reserved'], // outside 2000::/3
  ['5f00::1', 'reserved'],
  // IPv4-mapped IPv6: judged by the IPv4 address inside, in every notation
  ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
  ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
  ['0:0:0:0:0:ffff:7f00:0001', 'loopback', '127.0.0.1'],
  ['::FFFF:10.0.0.5', 'private', '10.0.0.5'],
  ['::ffff:a9fe:a9fe', 'link-local', '169.254.169.254'],
  ['::ffff:0.0.0.0', 'unspecified', '0.0.0.0'],
  ['::ffff:192.168.1.1', 'private', '192.168.1.1'],
  ['::ffff:100.64.0.1', 'shared', '100.64.0.1'],
  ['::ffff:224.0.0.1', 'multicast', '224.0.0.1'],
  ['::ffff:255.255.255.255', 'broadcast', '255.255.255.255'],
  // NAT64 (RFC 6052) and 6to4 (RFC 3056)
  ['64:ff9b::127.0.0.1', 'loopback', '127.0.0.1'],
  ['64:ff9b::a00:5', 'private', '10.0.0.5'],
  ['64:ff9b::a9fe:a9fe', 'link-local', '169.254.169.254'],
  ['2002:7f00:1::', 'loopback', '127.0.0.1'],
  ['2002:c0a8:101::1', 'private', '192.168.1.1'],
  ['2002:a9fe:a9fe:1:2:3:4:5', 'link-local', '169.254.169.254'],
];

const PUBLIC: string[] = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.0.1.255',
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '2001:200::1', // just past 2001::/23
  '2003::1',
  '3ffe::1',
  '::ffff:8.8.8.8',
  '64:ff9b::8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

test('every refused range is classified, edges included, IPv6 forms judged by the IPv4 they carry', () => {
  for (const [address, range, v4] of REFUSED) {
    assert.deepEqual(
      classifyAddress(address),
      v4 === undefined ? { range } : { range, embeddedIPv4: v4 },
      address,
    );
    assert.notEqual(addressRefusal(address), undefined, `${address} must be refused by default`);
  }
});

test('public unicast addresses are allowed', () => {
  for (const address of PUBLIC) {
    assert.equal(classifyAddress(address)?.range, 'public', address);
    assert.equal(addressRefusal(address), undefined, address);
  }
});

test('allowPrivateNetworks opens loopback, private and shared ranges only', () => {
  const allow = { allowPrivateNetworks: true };
  for (const [address, range] of REFUSED) {
    const opened = range === 'loopback' || range === 'private' || range === 'shared';
    assert.equal(addressRefusal(address, allow) === undefined, opened, address);
  }
  for (const address of PUBLIC) assert.equal(addressRefusal(address, allow), undefined, address);
});

test('refusals say what the address is and what to do', () => {
  assert.equal(
    addressRefusal('10.0.0.5'),
    'address 10.0.0.5 is in a private range; set media.allowPrivateAudioUrls to allow it',
  );
  assert.equal(
    addressRefusal('10.0.0.5', {}, 'music.internal'),
    'address 10.0.0.5 of music.internal is in a private range; set media.allowPrivateAudioUrls to allow it',
  );
  assert.equal(
    addressRefusal('::ffff:7f00:1'),
    'address ::ffff:7f00:1 (IPv4 127.0.0.1) is a loopback address; set media.allowPrivateAudioUrls to allow it',
  );
  assert.match(
    addressRefusal('169.254.169.254', { allowPrivateNetworks: true }) ?? '',
    /^address 169\.254\.169\.254 is link-local .*never fetched from, even with media\.allowPrivateAudioUrls$/,
  );
});

test('text that is not an IP address is not classified, and refused', () => {
  for (const text of ['', 'localhost', '[::1]', '127.1', '1.2.3.4.5', '::ffff:1.2.3']) {
    assert.equal(classifyAddress(text), undefined, text);
    assert.match(addressRefusal(text) ?? '', /is not an IP address$/, text);
  }
});
