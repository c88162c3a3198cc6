/**
 * Peers behind NAT at the SIP level (src/sip/ua/nat.ts): which peers count
 * as NATed in each mode, and a NATed phone on TCP whose Contact names a
 * private address gets our in-dialog BYE on the very connection its
 * INVITE came in on (RFC 3261 §18.2.2 reuse, RFC 3581 in spirit).
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
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

/** A phone behind NAT on TCP: raw connections to the UA, its private address in Via and Contact. */
class TcpNatPhone {
  private socket: Socket | null = null;
  /** What arrived on the current connection. */
  received = '';
  private toTag = '';

  constructor(
    private readonly t: TestContext,
    private readonly port: number,
  ) {}

  /** A new connection (a new NAT binding): what arrives later arrives here. */
  async connect(): Promise<void> {
    const socket = connect(this.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    this.t.after(() => socket.destroy());
    this.socket?.destroy();
    this.socket = socket;
    this.received = '';
    socket.on('data', (d) => (this.received += d.toString('latin1')));
  }

  /** INVITE (CSeq `seq`) and, once the 200 is in, its ACK. */
  async invite(seq: number, answer: () => void = () => undefined): Promise<void> {
    const body = sdp(41_000);
    this.write('INVITE', seq, [
      'Contact: <sip:nat@10.255.255.1:5062;transport=tcp>',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ]);
    answer();
    const ok = new RegExp(`SIP/2\\.0 200 OK[\\s\\S]*CSeq: ${seq} INVITE`);
    await until(() => ok.test(this.received));
    this.toTag ||= /^To:.*;tag=([^;\s]+)/im.exec(this.received)![1]!;
    this.write('ACK', seq, ['Content-Length: 0', '', '']);
  }

  private write(method: string, seq: number, rest: string[]): void {
    const port = this.port;
    this.socket!.write(
      [
        `${method} sip:partyline@127.0.0.1:${port};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP 10.255.255.1:5062;rport;branch=z9hG4bK-nat-tcp-${method}-${seq}`,
        'From: <sip:nat@10.255.255.1>;tag=nat-tcp',
        `To: <sip:partyline@127.0.0.1:${port}>${this.toTag ? `;tag=${this.toTag}` : ''}`,
        'Call-ID: nat-tcp@10.255.255.1',
        `CSeq: ${seq} ${method}`,
        'Max-Forwards: 70',
        ...rest,
      ].join('\r\n'),
    );
  }
}

/** A user agent on 127.0.0.1 that answered a TcpNatPhone's call (closed when the test ends). */
async function answeredTcpCall(
  t: TestContext,
): Promise<{ phone: TcpNatPhone; call: IncomingCall }> {
  const ua = await startUa();
  t.after(() => ua.close());
  const phone = new TcpNatPhone(t, uaPort(ua, 'tcp'));
  await phone.connect();
  const incoming = next<IncomingCall>(ua, 'invite');
  let call: IncomingCall | null = null;
  await phone.invite(1, () => {
    void incoming.then((c) => {
      call = c;
      c.answer(sdp());
    });
  });
  await next(call!, 'confirmed', 5_000);
  return { phone, call: call! };
}

/** We hang up: the BYE must arrive on the phone's current connection, for its Contact. */
async function byeReaches(phone: TcpNatPhone, call: IncomingCall): Promise<void> {
  call.hangup();
  await until(() => /^BYE /m.test(phone.received));
  assert.match(phone.received, /^BYE sip:nat@10\.255\.255\.1:5062;transport=tcp SIP\/2\.0/m);
}

describe('a NATed phone on TCP', () => {
  it('gets our BYE on the connection its INVITE came in on, not at its private Contact', async (t) => {
    const { phone, call } = await answeredTcpCall(t);
    assert.ok(call.flow, 'the call knows the phone is behind NAT');
    await byeReaches(phone, call);
  });

  it('that reconnects: its re-INVITE on a new connection moves the flow, and our BYE goes there', async (t) => {
    const { phone, call } = await answeredTcpCall(t);
    const first = call.flow!.endpoint.port;
    // The old connection is gone (its NAT binding expired); the phone comes back on a new one.
    await phone.connect();
    await phone.invite(2);
    assert.notEqual(call.flow!.endpoint.port, first, 'the flow is the new connection');
    await byeReaches(phone, call);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
