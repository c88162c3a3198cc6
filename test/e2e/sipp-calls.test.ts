/**
 * SIPp calls Partyline (we are the UAS, RFC 3261 §13.3): ring and answer,
 * either side hanging up, CANCEL before the answer, a malformed request,
 * OPTIONS, unknown methods, requests for unknown dialogs, and inbound
 * digest authentication. Each test checks what SIPp saw (exit code 0) and
 * what the UserAgent reported.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { CallFailure, IncomingCall, UserAgent } from '../../src/sip/ua/index.js';
import { isSipUri } from '../../src/sip/message/index.js';
import { SipPeer } from '../support/sipp.js';
import { next, recordEvents, scenario, sdp, startUa, uaPort } from './helpers.js';

describe('SIPp calls Partyline', () => {
  let ua: UserAgent;
  let invites = 0;
  before(async () => {
    ua = await startUa();
    ua.on('invite', () => invites++);
  });
  after(async () => {
    await ua.close();
  });

  function sippCalling(
    file: string,
    extra: { keys?: Record<string, string>; args?: string[] } = {},
  ): Promise<SipPeer> {
    return SipPeer.start({
      scenario: scenario(file),
      remote: `127.0.0.1:${uaPort(ua)}`,
      service: 'partyline',
      ...extra,
    });
  }

  it('we ring (180) and answer (200 + SDP); SIPp ACKs and hangs up; ended by remote', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await sippCalling('uac-call.xml');
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    assert.equal(call.caller.uri.scheme, 'sip');
    assert.match(call.remoteSdp ?? '', /m=audio \d+ RTP\/AVP 0/);
    const ended = next<{ by: string }>(call, 'ended', 5_000, ['failed']);
    call.ring();
    call.answer(sdp());
    assert.equal((await sipp.during(ended)).by, 'remote');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'confirmed', 'ended']);
  });

  it('we answer and hang up: our BYE in the dialog gets 200 from SIPp', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await sippCalling('uac-call-we-hang-up.xml');
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    const confirmed = next(call, 'confirmed', 5_000, ['ended', 'failed']);
    call.ring();
    call.answer(sdp());
    await sipp.during(confirmed);
    const ended = next<{ by: string }>(call, 'ended');
    call.hangup();
    assert.equal((await ended).by, 'local');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'confirmed', 'ended']);
  });

  it('through record-routing proxies: 180/200 copy Record-Route, our BYE follows the route set', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await sippCalling('uac-record-route.xml');
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const confirmed = next(call, 'confirmed', 5_000, ['ended', 'failed']);
    call.ring();
    call.answer(sdp());
    await sipp.during(confirmed);
    assert.deepEqual(
      call.dialog?.routeSet.map((r) => (isSipUri(r.uri) ? r.uri.user : null)),
      ['proxy-a', 'proxy-b'],
    );
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });

  it('over TCP: SIPp calls, we answer and hang up; the BYE goes back over TCP', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await SipPeer.start({
      scenario: scenario('uac-call-we-hang-up.xml'),
      remote: `127.0.0.1:${uaPort(ua, 'tcp')}`,
      service: 'partyline',
      transport: 'tcp',
    });
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    assert.equal(call.source.protocol, 'tcp');
    const confirmed = next(call, 'confirmed', 5_000, ['ended', 'failed']);
    call.ring();
    call.answer(sdp());
    await sipp.during(confirmed);
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });

  it('SIPp cancels while we ring: 200 for the CANCEL, 487 for the INVITE, failed with cause canceled', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await sippCalling('uac-cancel.xml');
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    const failed = next<CallFailure>(call, 'failed', 5_000, ['answered']);
    call.ring();
    assert.equal((await sipp.during(failed)).cause, 'canceled');
    await sipp.passed();
    assert.deepEqual(events, ['failed']);
    assert.equal(call.state, 'terminated');
    // Answering after the CANCEL is a no-op: the INVITE already got its 487.
    call.answer(sdp());
    assert.equal(call.state, 'terminated');
  });

  it('requests with a CSeq without number or Max-Forwards above 255 get 400 with a reason phrase; the next one is served', async (t) => {
    const before = invites;
    const sipp = await sippCalling('uac-malformed.xml');
    t.after(() => sipp.stop());
    await sipp.passed();
    assert.equal(invites, before);
  });

  it('OPTIONS gets 200 with Allow and Accept', async (t) => {
    const sipp = await sippCalling('uac-options.xml');
    t.after(() => sipp.stop());
    await sipp.passed();
  });

  it('unknown methods (FOO, SUBSCRIBE) get 405 with Allow', async (t) => {
    const sipp = await sippCalling('uac-unknown-method.xml');
    t.after(() => sipp.stop());
    await sipp.passed();
  });

  it('BYE and INFO for a dialog that does not exist get 481', async (t) => {
    const sipp = await sippCalling('uac-unknown-dialog.xml');
    t.after(() => sipp.stop());
    await sipp.passed();
  });

  it('SIPp holds back its ACK: we retransmit the same 200 until it comes', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await sippCalling('uac-late-ack.xml', { args: ['-nr'] });
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    const ended = next<{ by: string }>(call, 'ended', 5_000, ['failed']);
    call.answer(sdp());
    assert.equal((await sipp.during(ended)).by, 'remote');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'confirmed', 'ended']);
  });

  it('in-dialog INFO 200, out-of-order CSeq 500, UPDATE 200 (a refresh), re-INVITE answered, BYE 200', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await sippCalling('uac-in-dialog.xml');
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    call.onReinvite = (offer) => (offer?.includes('a=sendonly') ? sdp(40_000, 'recvonly') : null);
    const ended = next<{ by: string }>(call, 'ended', 5_000, ['failed']);
    call.answer(sdp());
    assert.equal((await sipp.during(ended)).by, 'remote');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'confirmed', 'reinvited', 'ended']);
  });

  it('Require: 100rel gets 420, a text/plain body 415, a stray CANCEL 481 — no invite event', async (t) => {
    const before = invites;
    const sipp = await sippCalling('uac-refused-invites.xml');
    t.after(() => sipp.stop());
    await sipp.passed();
    assert.equal(invites, before);
  });

  it('a request without Call-ID (valid Via) gets 400 back at its sender', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const port = socket.address().port;
      const request = [
        `OPTIONS sip:partyline@127.0.0.1:${uaPort(ua)} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-no-call-id`,
        'From: <sip:probe@127.0.0.1>;tag=probe',
        `To: <sip:partyline@127.0.0.1:${uaPort(ua)}>`,
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const reply = next<Buffer>(socket, 'message', 5_000);
      socket.send(request, uaPort(ua), '127.0.0.1');
      const text = (await reply).toString();
      assert.match(text, /^SIP\/2\.0 400 [A-Za-z]/);
      assert.match(text, /branch=z9hG4bK-no-call-id/);
    } finally {
      socket.close();
    }
  });
});

describe('SIPp calls a Partyline that authenticates callers', () => {
  let ua: UserAgent;
  before(async () => {
    // Default algorithms (MD5 only): SIPp 3.6.1 answers only the first challenge and knows no
    // SHA-256, so this is the default that interoperates (see InboundAuthConfig).
    ua = await startUa({
      inboundAuth: { realm: 'partyline.test', users: { alice: 'wonderland' } },
    });
  });
  after(async () => {
    await ua.close();
  });

  it('401 challenge, SIPp answers it with [authentication], we ring and answer', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await SipPeer.start({
      scenario: scenario('uac-auth.xml'),
      remote: `127.0.0.1:${uaPort(ua)}`,
      service: 'partyline',
      // -auth_uri: SIPp's digest-uri is host:port by default; ours must be the Request-URI (RFC 2617 §3.2.2.5).
      args: ['-au', 'alice', '-ap', 'wonderland', '-auth_uri', `partyline@127.0.0.1:${uaPort(ua)}`],
    });
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    assert.equal(call.invite.cseq().seq, 2);
    const ended = next<{ by: string }>(call, 'ended', 5_000, ['failed']);
    call.ring();
    call.answer(sdp());
    assert.equal((await sipp.during(ended)).by, 'remote');
    await sipp.passed();
  });
});

describe('SIPp never ACKs our 200', () => {
  it('after 64·T1 without ACK we end the call with a BYE (§13.3.1.4)', async (t) => {
    // T1 = 50 ms: the give-up comes after 3.2 s instead of 32 s.
    const ua = await startUa({ timers: { T1: 50, T2: 200, T4: 250 } });
    t.after(() => ua.close());
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await SipPeer.start({
      scenario: scenario('uac-no-ack.xml'),
      remote: `127.0.0.1:${uaPort(ua)}`,
      service: 'partyline',
    });
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    const ended = next<{ by: string; reason: string }>(call, 'ended', 10_000, ['failed']);
    call.answer(sdp());
    assert.deepEqual(await sipp.during(ended), { by: 'local', reason: 'no ACK' });
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
  });
});
