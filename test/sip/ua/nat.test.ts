/**
 * Peers behind NAT at the SIP level (src/sip/ua/nat.ts): which peers count
 * as NATed in each mode, and a NATed phone on TCP whose Contact names a
 * private address gets our in-dialog BYE on the very connection its
 * INVITE came in on (RFC 3261 §18.2.2 reuse, RFC 3581 in spirit).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Headers, SipRequest, SipResponse, parseUri } from '../../../src/sip/message/index.js';
import type { IncomingCall } from '../../../src/sip/ua/index.js';
import { flowOfAnswer, flowOfRequest, isPrivateAddress } from '../../../src/sip/ua/nat.js';
import type { Source } from '../../../src/sip/transport/index.js';
import { next, sdp, startUa, uaPort } from '../../e2e/helpers.js';

const source: Source = {
  protocol: 'udp',
  address: '203.0.113.7',
  port: 40123,
  local: { address: '198.51.100.1', port: 5060 },
};

function invite(vias: string[], contact: string): SipRequest {
  const h = new Headers();
  for (const v of vias) h.append('Via', v);
  h.append('From', '<sip:a@example.com>;tag=1');
  h.append('To', '<sip:b@example.com>');
  h.append('Call-ID', 'c');
  h.append('CSeq', '1 INVITE');
  h.append('Contact', contact);
  return new SipRequest('INVITE', parseUri('sip:b@198.51.100.1'), h);
}

describe('who is behind NAT', () => {
  it('auto: a direct peer whose Via or Contact is not its packet source; never behind a proxy', () => {
    const natted = invite(
      ['SIP/2.0/UDP 192.168.1.20:5060;rport;branch=z9hG4bK-1'],
      '<sip:a@192.168.1.20:5060>',
    );
    assert.deepEqual(flowOfRequest(natted, source, 'auto'), {
      endpoint: { protocol: 'udp', address: '203.0.113.7', port: 40123 },
      mediaHost: '203.0.113.7',
    });
    const contactOnly = invite(
      ['SIP/2.0/UDP 203.0.113.7:40123;branch=z9hG4bK-1'],
      '<sip:a@203.0.113.7:5999>',
    );
    assert.ok(flowOfRequest(contactOnly, source, 'auto'));
    const direct = invite(
      ['SIP/2.0/UDP 203.0.113.7:40123;branch=z9hG4bK-1'],
      '<sip:a@203.0.113.7:40123>',
    );
    assert.equal(flowOfRequest(direct, source, 'auto'), null);
    const proxied = invite(
      ['SIP/2.0/UDP 203.0.113.7;branch=z9hG4bK-p', 'SIP/2.0/UDP 192.168.1.20;branch=z9hG4bK-1'],
      '<sip:a@192.168.1.20>',
    );
    assert.equal(flowOfRequest(proxied, source, 'auto'), null);
    assert.equal(flowOfRequest(natted, source, 'never'), null);
    assert.ok(flowOfRequest(direct, source, 'always'));
  });

  it('over TCP the source port is ephemeral: only the host is compared', () => {
    const tcp: Source = { ...source, protocol: 'tcp', port: 51000 };
    const direct = invite(
      ['SIP/2.0/TCP 203.0.113.7:5060;branch=z9hG4bK-1'],
      '<sip:a@203.0.113.7;transport=tcp>',
    );
    assert.equal(flowOfRequest(direct, tcp, 'auto'), null);
  });

  it('a 2xx to our INVITE: a private Contact other than where we sent means NAT; a public one does not', () => {
    const res = (contact: string): SipResponse => {
      const h = new Headers();
      h.append('Contact', contact);
      return new SipResponse(200, 'OK', h);
    };
    const sentTo = { protocol: 'udp' as const, address: '203.0.113.7', port: 5060 };
    assert.ok(flowOfAnswer(res('<sip:b@10.0.0.5:5060>'), sentTo, 'auto'));
    assert.equal(flowOfAnswer(res('<sip:b@198.51.100.99:5060>'), sentTo, 'auto'), null);
    assert.ok(isPrivateAddress('[fd00::1]') && isPrivateAddress('100.64.0.1'));
    assert.ok(!isPrivateAddress('8.8.8.8') && !isPrivateAddress('example.com'));
  });
});

describe('a NATed phone on TCP', () => {
  it('gets our BYE on the connection its INVITE came in on, not at its private Contact', async (t) => {
    const ua = await startUa();
    t.after(() => ua.close());
    const port = uaPort(ua, 'tcp');
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    t.after(() => socket.destroy());
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    const body = sdp(41_000);
    const incoming = next<IncomingCall>(ua, 'invite');
    socket.write(
      [
        `INVITE sip:partyline@127.0.0.1:${port};transport=tcp SIP/2.0`,
        'Via: SIP/2.0/TCP 10.255.255.1:5062;rport;branch=z9hG4bK-nat-tcp',
        'From: <sip:nat@10.255.255.1>;tag=nat-tcp',
        `To: <sip:partyline@127.0.0.1:${port}>`,
        'Call-ID: nat-tcp@10.255.255.1',
        'CSeq: 1 INVITE',
        'Contact: <sip:nat@10.255.255.1:5062;transport=tcp>',
        'Max-Forwards: 70',
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
    );
    const call = await incoming;
    assert.ok(call.flow, 'the call knows the phone is behind NAT');
    call.answer(sdp());
    await until(() => /SIP\/2\.0 200 OK/.test(received));
    const toTag = /^To:.*;tag=([^;\s]+)/im.exec(received)![1]!;
    socket.write(
      [
        `ACK sip:partyline@127.0.0.1:${port};transport=tcp SIP/2.0`,
        'Via: SIP/2.0/TCP 10.255.255.1:5062;rport;branch=z9hG4bK-nat-tcp-ack',
        'From: <sip:nat@10.255.255.1>;tag=nat-tcp',
        `To: <sip:partyline@127.0.0.1:${port}>;tag=${toTag}`,
        'Call-ID: nat-tcp@10.255.255.1',
        'CSeq: 1 ACK',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await next(call, 'confirmed', 5_000);
    call.hangup();
    await until(() => /^BYE /m.test(received));
    assert.match(received, /^BYE sip:nat@10\.255\.255\.1:5062;transport=tcp SIP\/2\.0/m);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
