/**
 * UserAgent entry points on 127.0.0.1: what call() refuses synchronously
 * (RoutingError / RangeError, nothing sent), how it writes the caller ID
 * for a trunk, and that close() answers a caller we never answered.
 * A plain UDP socket plays the peer, so the tests see the exact bytes.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import {
  formatUri,
  parseMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import { RoutingError, UserAgent, type IncomingCall } from '../../../src/sip/ua/index.js';

async function udpPeer(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function nextMessage(socket: Socket, timeoutMs = 5_000): Promise<SipRequest | SipResponse> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no SIP message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('message', (data) => {
      clearTimeout(timer);
      const parsed = parseMessage(data);
      if (parsed.ok) resolve(parsed.message);
      else reject(parsed.error);
    });
  });
}

function udpOnly(): Promise<UserAgent> {
  return UserAgent.create({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
}

describe('UserAgent.call: refused before anything is sent', () => {
  let ua: UserAgent;
  beforeEach(async () => {
    ua = await udpOnly();
  });
  afterEach(async () => {
    await ua.close();
  });

  it('an address that is neither a SIP URI nor a number is a RoutingError', () => {
    assert.throws(() => ua.call('alice smith'), RoutingError);
    assert.throws(() => ua.call('+14155550100'), /no SIP trunk is configured/);
  });

  it('a destination we have no listener for (IPv6, TCP) is a RoutingError, not a crash', () => {
    assert.throws(() => ua.call('sip:bob@[::1]:5060'), RoutingError);
    assert.throws(() => ua.call('sip:bob@127.0.0.1:5060;transport=tcp'), RoutingError);
    assert.equal(ua.callCount(), 0);
  });

  it('a caller ID that is no number, user name or sip: URI is a RoutingError', () => {
    assert.throws(() => ua.call('sip:bob@127.0.0.1:5060', { from: 'Alice <evil>' }), RoutingError);
    assert.throws(() => ua.call('sip:bob@127.0.0.1:5060', { from: 'sip:alice@' }), RoutingError);
  });

  it('extra headers that could split the request are a RangeError', () => {
    const target = 'sip:bob@127.0.0.1:5060';
    assert.throws(
      () => ua.call(target, { headers: { 'X-Tag': 'a\r\nVia: SIP/2.0/UDP evil' } }),
      RangeError,
    );
    assert.throws(() => ua.call(target, { headers: { 'Bad Name': 'x' } }), RangeError);
    assert.equal(ua.callCount(), 0);
  });

  it('after close() every call is a RoutingError', async () => {
    await ua.close();
    assert.throws(() => ua.call('sip:bob@127.0.0.1:5060'), /closed/);
  });
});

describe('UserAgent.call through a trunk', () => {
  it('writes the number and caller ID in the trunk’s format and the trunk’s From domain', async (t) => {
    const trunk = await udpPeer();
    t.after(() => trunk.close());
    const ua = await UserAgent.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      trunks: [
        {
          name: 't',
          host: '127.0.0.1',
          port: trunk.address().port,
          numberFormat: 'digits',
          fromDomain: 'pbx.example',
        },
      ],
    });
    t.after(() => ua.close());

    const invite = nextMessage(trunk);
    const call = ua.call('+1 415 555 0100', {
      from: '+1 (555) 123-0000',
      fromName: 'Front "Desk"',
    });
    const req = (await invite) as SipRequest;
    assert.equal(req.method, 'INVITE');
    assert.equal(formatUri(req.uri), `sip:14155550100@127.0.0.1:${trunk.address().port}`);
    const from = req.from();
    assert.equal(formatUri(from.uri), 'sip:15551230000@pbx.example');
    assert.equal(from.displayName, 'Front "Desk"');
    assert.ok(from.params.get('tag'));
    // Nobody answers: close() cannot CANCEL before a provisional (§9.1), so after its grace period
    // it gives the call up — and says so.
    const failed = new Promise<{ cause: string }>((resolve) => call.once('failed', resolve));
    await ua.close();
    assert.equal((await failed).cause, 'canceled');
    assert.equal(call.state, 'terminated');
  });
});

describe('UserAgent.close', () => {
  it('answers a caller we never answered with 480 before closing', async (t) => {
    const ua = await udpOnly();
    t.after(() => ua.close());
    const caller = await udpPeer();
    t.after(() => caller.close());
    const uaPort = ua.bindings()[0]!.port;
    const port = caller.address().port;

    const invited = new Promise<IncomingCall>((resolve) => ua.once('invite', resolve));
    const invite = [
      `INVITE sip:partyline@127.0.0.1:${uaPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-close-1`,
      `From: <sip:caller@127.0.0.1:${port}>;tag=c1`,
      `To: <sip:partyline@127.0.0.1:${uaPort}>`,
      'Call-ID: close-test@127.0.0.1',
      'CSeq: 1 INVITE',
      `Contact: <sip:caller@127.0.0.1:${port}>`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    caller.send(invite, uaPort, '127.0.0.1');
    const call = await invited;
    assert.equal(ua.callCount(), 1);

    // Skip the 100 Trying the transaction may send first.
    const final = new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no final response within 5000 ms')), 5_000);
      caller.on('message', (data) => {
        const parsed = parseMessage(data);
        if (parsed.ok && parsed.message.kind === 'response' && parsed.message.status >= 200) {
          clearTimeout(timer);
          resolve(parsed.message);
        }
      });
    });
    await ua.close();
    const res = await final;
    assert.equal(res.status, 480);
    assert.equal(res.to().params.get('tag'), call.localTag);
    assert.equal(call.state, 'terminated');
    assert.equal(ua.callCount(), 0);
  });
});

describe('UserAgent.call: a peer that never responds', () => {
  it('is unreachable (Timer B) even when the ring timeout ran out first', async () => {
    // T1 = 20 ms: Timer B (64·T1) fires 1.28 s in, after the 300 ms ring timeout.
    const ua = await UserAgent.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      timers: { T1: 20, T2: 80, T4: 100 },
    });
    const silent = await udpPeer();
    try {
      const call = ua.call(`sip:nobody@127.0.0.1:${silent.address().port}`, { ringTimeoutMs: 300 });
      const failure = await new Promise<{ cause: string }>((resolve) =>
        call.once('failed', resolve),
      );
      assert.equal(failure.cause, 'unreachable');
    } finally {
      silent.close();
      await ua.close();
    }
  });
});
