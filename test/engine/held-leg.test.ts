/**
 * A leg on hold is still watched, not left alive forever (issue #10 §2):
 * - through RTCP (RFC 3550 §6, RFC 3264 §5.1: a held peer sends no RTP but
 *   goes on sending RTCP). The peer is our own UserAgent and RtpStream on
 *   127.0.0.1, which sends RTCP reports and never any audio: it holds us
 *   (a=inactive), its reports keep the leg past the hold timeout, and once
 *   it sends nothing at all the leg is ended with a BYE whose Reason says
 *   why (Q.850 102, media timeout);
 * - through session timers (RFC 4028): a SIPp peer holds us in a re-INVITE
 *   that refreshes the session and then dies; with the media timeouts off,
 *   the engine, on a manual clock, ends the leg when the session expires.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import {
  RtpStream,
  isSdpError,
  negotiateAnswer,
  readAnswer,
  reoffer,
} from '../../src/media/index.js';
import type { IncomingCall, RemoteReason, UserAgent } from '../../src/sip/ua/index.js';
import { next, startUa, uaPort } from '../e2e/helpers.js';
import { ManualClock } from '../support/manual-clock.js';
import { SipPeer } from '../support/sipp.js';
import { HOST, testPool } from '../media/stream/helpers.js';
import { SCENARIOS, nextEvent, startEngine } from './helpers.js';

const pool = testPool(4);

/** Our own UserAgent answering one call with an RtpStream that sends RTCP only (no audio is written). */
class RtcpOnlyPhone {
  call: IncomingCall | null = null;
  stream: RtpStream | null = null;

  private constructor(readonly ua: UserAgent) {}

  static async start(t: TestContext, rtcpIntervalMs: number): Promise<RtcpOnlyPhone> {
    const ua = await startUa();
    const phone = new RtcpOnlyPhone(ua);
    t.after(async () => {
      await phone.stream?.close();
      await ua.close();
    });
    ua.on('invite', (call) => {
      phone.call = call;
      void RtpStream.open({
        pool,
        localAddress: HOST,
        rtcpIntervalMs,
        inactivityTimeoutMs: 0,
        holdTimeoutMs: 0,
        logger: pino({ level: 'silent' }),
      }).then((stream) => {
        phone.stream = stream;
        const offer = call.remoteSdp ?? '';
        const result = negotiateAnswer(offer, {
          address: HOST,
          port: stream.localPort,
          codecs: ['PCMU'],
          telephoneEvent: false,
        });
        if ('error' in result) throw result.error;
        stream.start(result.media);
        call.answer(result.answer);
      });
    });
    return phone;
  }

  get uri(): string {
    return `sip:phone@127.0.0.1:${uaPort(this.ua)}`;
  }

  /** Holds the caller with a=inactive (RFC 3264 §8.4): nothing is sent either way, RTCP goes on. */
  async hold(): Promise<void> {
    const call = this.call!;
    const offer = reoffer(call.localSdp!, 'inactive');
    if (isSdpError(offer)) throw offer;
    const answer = await call.reinvite(offer);
    const media = readAnswer(offer, answer!);
    if (isSdpError(media)) throw media;
    this.stream!.update(media);
  }
}

test('held (a=inactive) by a peer that still sends RTCP: kept past the hold timeout; silent: BYE with Reason, ended media-timeout', async (t) => {
  const HOLD_TIMEOUT_MS = 2_000;
  const phone = await RtcpOnlyPhone.start(t, 300);
  const engine = await startEngine(t, {
    inactivityTimeoutMs: 1_500,
    holdTimeoutMs: HOLD_TIMEOUT_MS,
  });
  const conference = engine.createConference('held-rtcp');
  const leg = engine.dial(phone.uri, conference);
  await nextEvent(leg, 'answered', { failOn: ['failed'] });
  const held = nextEvent(leg, 'remote-hold', { failOn: ['ended'] });
  await phone.hold();
  await held;

  // 2.5 hold timeouts with RTCP only (no RTP ever came): the leg lives.
  const ended = nextEvent(leg, 'ended', { timeoutMs: 30_000 });
  let early: unknown = null;
  void ended.then((e) => (early = e)).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 2.5 * HOLD_TIMEOUT_MS));
  assert.equal(early, null, `ended while RTCP flowed: ${JSON.stringify(early)}`);
  assert.equal(leg.state, 'connected');
  const stats = leg.stats()!;
  assert.equal(stats.packetsReceived, 0, 'the phone sent RTP');
  assert.ok(stats.rtcpReceived >= 5, `${stats.rtcpReceived} RTCP packets received`);

  // The phone's media goes (its last RTCP is a BYE) while its SIP stays: nothing more arrives.
  const timedOut = nextEvent(leg, 'media-timeout', { timeoutMs: 30_000, failOn: ['ended'] });
  const phoneEnded = next<{ by: string; remote?: RemoteReason }>(phone.call!, 'ended', 30_000);
  await phone.stream!.close();
  const timeout = await timedOut;
  assert.equal(timeout.held, true);
  assert.ok(timeout.silentMs >= HOLD_TIMEOUT_MS, `silent for ${timeout.silentMs} ms`);
  assert.deepEqual(await ended, { by: 'local', reason: 'media-timeout' });
  const bye = await phoneEnded;
  assert.equal(bye.by, 'remote');
  assert.equal(bye.remote?.q850Cause, 102, 'the BYE carries Q.850 cause 102 (timer expiry)');
  assert.match(bye.remote?.reasons[0]?.text ?? '', /media timeout/i);
});

test('held in a session-refreshing re-INVITE by a peer that then dies: media timeouts off, the session timer ends the leg', async (t) => {
  const clock = new ManualClock();
  const peer = await SipPeer.start({ scenario: `${SCENARIOS}/uas-hold-then-die.xml` });
  t.after(() => peer.stop());
  const engine = await startEngine(t, { inactivityTimeoutMs: 0, holdTimeoutMs: 0, clock });
  const conference = engine.createConference('held-session-timer');
  const leg = engine.dial(`sip:service@${peer.address}`, conference);
  await peer.during(nextEvent(leg, 'answered', { failOn: ['failed'] }));
  await peer.during(nextEvent(leg, 'remote-hold', { failOn: ['ended'] }));
  // The scenario ends after the hold's ACK: SIPp exits, the peer is gone for good.
  await peer.passed();

  const ended = nextEvent(leg, 'ended', { timeoutMs: 5_000 });
  // The re-INVITE refreshed a 90 s session (refresher: the peer): §10 ends it at 60 s.
  clock.advance(60_000 - 1);
  assert.equal(leg.state, 'connected', 'ended before the session expired');
  clock.advance(1);
  assert.deepEqual(await ended, { by: 'local', reason: 'session expired' });
});
