/**
 * Partyline calls SIPp (SIPp is the callee, RFC 3261 §13.2 from our side):
 * answer and BYE, busy, decline, ring timeout → CANCEL, early media, remote
 * BYE, remote re-INVITE, a lost first INVITE over UDP, and TCP. Each test
 * checks both what SIPp saw (its scenario passed: exit code 0) and what the
 * UserAgent reported (events, their order, causes).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallFailure, UserAgent } from '../../src/sip/ua/index.js';
import { isSipUri } from '../../src/sip/message/index.js';
import { SipPeer } from '../support/sipp.js';
import { next, recordEvents, scenario, sdp, startUa } from './helpers.js';

describe('Partyline calls SIPp', () => {
  let ua: UserAgent;
  before(async () => {
    ua = await startUa();
  });
  after(async () => {
    await ua.close();
  });

  it('answered call: 180, 200, our ACK, our BYE', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-answer.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    const progress = await next<{ status: number }>(call, 'progress', 5_000, ['failed']);
    assert.equal(progress.status, 180);
    const answered = await next<{ sdp: string | null }>(call, 'answered', 5_000, ['failed']);
    assert.match(answered.sdp ?? '', /m=audio \d+ RTP\/AVP 0/);
    assert.equal(call.state, 'confirmed');

    const ended = next(call, 'ended');
    call.hangup();
    assert.deepEqual(await ended, { by: 'local', reason: 'hangup' });
    await sipp.passed();
    assert.deepEqual(events, ['progress', 'answered', 'ended']);
  });

  for (const [status, reason, cause] of [
    [486, 'Busy Here', 'busy'],
    [603, 'Decline', 'declined'],
  ] as const) {
    it(`${status} ${reason} → failed with cause ${cause}, and we ACK it`, async (t) => {
      const sipp = await SipPeer.start({
        scenario: scenario(status === 486 ? 'uas-busy.xml' : 'uas-decline.xml'),
      });
      t.after(() => sipp.stop());

      const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
      const events = recordEvents(call);
      const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
      assert.equal(failure.cause, cause);
      assert.equal(failure.status, status);
      await sipp.passed();
      assert.deepEqual(events, ['progress', 'failed']);
      assert.equal(call.state, 'terminated');
    });
  }
  it('ring timeout: CANCEL, 200 for it, 487 for the INVITE, our ACK → cause no-answer', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-no-answer.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp(), ringTimeoutMs: 500 });
    const events = recordEvents(call);
    const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
    assert.equal(failure.cause, 'no-answer');
    assert.equal(failure.status, 487);
    await sipp.passed();
    assert.deepEqual(events, ['progress', 'failed']);
  });

  it('cancel() while ringing → cause canceled', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-no-answer.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    await next(call, 'progress', 5_000, ['failed']);
    call.cancel();
    const failure = await next<CallFailure>(call, 'failed', 5_000, ['answered']);
    assert.equal(failure.cause, 'canceled');
    assert.equal(failure.status, 487);
    await sipp.passed();
  });

  it('183 with SDP (early media), then 200: progress carries the SDP', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-early-media.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    const progress = await next<{ status: number; sdp: string | null }>(call, 'progress', 5_000, [
      'failed',
    ]);
    assert.equal(progress.status, 183);
    assert.match(progress.sdp ?? '', /s=early/);
    assert.equal(call.state, 'early');
    const answered = await next<{ sdp: string | null }>(call, 'answered', 5_000, ['failed']);
    assert.match(answered.sdp ?? '', /m=audio/);

    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
    assert.deepEqual(events, ['progress', 'answered', 'ended']);
  });

  it('SIPp hangs up: we answer its BYE with 200 and end by remote', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-remote-bye.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    const ended = next<{ by: string; reason: string }>(call, 'ended', 5_000, ['failed']);
    assert.equal((await ended).by, 'remote');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
    assert.equal(call.state, 'terminated');
  });

  it('SIPp re-INVITEs with sendonly SDP: we answer 200 with SDP, take its ACK, emit reinvited', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-reinvite.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    // The media layer decides the answer: to a sendonly offer, recvonly (RFC 3264 §6.1).
    const offers: Array<string | null> = [];
    call.onReinvite = (offer) => {
      offers.push(offer);
      return sdp(40_000, 'recvonly');
    };
    const reinvited = await next<{ offer: string | null; answer: string }>(
      call,
      'reinvited',
      5_000,
      ['failed', 'ended'],
    );
    assert.match(reinvited.offer ?? '', /a=sendonly/);
    assert.match(reinvited.answer, /a=recvonly/);
    assert.equal(offers.length, 1);
    assert.equal(call.remoteSdp, reinvited.offer);
    assert.equal(call.localSdp, reinvited.answer);

    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'reinvited', 'ended']);
  });

  it('first INVITE lost over UDP: Timer A retransmits it and the call connects', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-lost-invite.xml'), args: ['-nr'] });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    await sipp.during(next(call, 'answered', 5_000, ['failed']));
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });

  it('a retransmitted 200 gets the same ACK again (§13.2.2.4)', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-answer-twice.xml'), args: ['-nr'] });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    const ended = next<{ by: string }>(call, 'ended', 5_000, ['failed']);
    assert.equal((await sipp.during(ended)).by, 'remote');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
  });

  it('an answer that crosses our CANCEL is ACKed and ended with a BYE; the call fails as canceled', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-answer-after-cancel.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    await sipp.during(next(call, 'progress', 5_000, ['failed']));
    const failed = next<CallFailure>(call, 'failed', 5_000, ['answered']);
    call.cancel();
    assert.equal((await sipp.during(failed)).cause, 'canceled');
    await sipp.passed();
    assert.deepEqual(events, ['progress', 'failed']);
  });

  it('two forks answer: we keep the first, ACK and BYE the second at its own Contact', async (t) => {
    const sipp = await SipPeer.start({
      scenario: scenario('uas-forked-answer.xml'),
      args: ['-nr'],
    });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const events = recordEvents(call);
    const ended = next<{ by: string }>(call, 'ended', 5_000, ['failed']);
    assert.equal((await sipp.during(ended)).by, 'remote');
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
  });

  it('TCP: sip:…;transport=tcp reaches SIPp over TCP, ACK and BYE too', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-answer.xml'), transport: 'tcp' });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address};transport=tcp`, { sdp: sdp() });
    const events = recordEvents(call);
    await next(call, 'answered', 5_000, ['failed']);
    assert.equal(call.lastInvite?.topVia().transport, 'TCP');
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
    assert.deepEqual(events, ['progress', 'answered', 'ended']);
  });
  it('our re-INVITE is a target refresh: ACK, OPTIONS and BYE go to the new Contact', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-target-refresh.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    await sipp.during(next(call, 'answered', 5_000, ['failed']));
    const answer = await sipp.during(call.reinvite(sdp(40_000, 'sendonly')));
    assert.match(answer ?? '', /a=recvonly/);
    assert.equal(call.remoteSdp, answer);
    assert.match(call.localSdp ?? '', /a=sendonly/);
    const target = call.dialog?.remoteTarget;
    assert.equal(target && isSipUri(target) ? target.user : null, 'moved');
    assert.equal(await sipp.during(call.options()), 200);
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });

  it('close() hangs up a connected call with a BYE before the sockets close', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-answer.xml') });
    t.after(() => sipp.stop());
    const own = await startUa();
    t.after(() => own.close());

    const call = own.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    await sipp.during(next(call, 'answered', 5_000, ['failed']));
    assert.equal(own.callCount(), 1);
    const ended = next<{ by: string; reason: string }>(call, 'ended');
    await own.close();
    assert.deepEqual(await ended, { by: 'local', reason: 'shutdown' });
    assert.equal(own.callCount(), 0);
    await sipp.passed();
  });

  it('close() cancels a call that is still ringing', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-no-answer.xml') });
    t.after(() => sipp.stop());
    const own = await startUa();
    t.after(() => own.close());

    const call = own.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    await sipp.during(next(call, 'progress', 5_000, ['failed']));
    const failed = next<CallFailure>(call, 'failed', 5_000, ['answered']);
    await own.close();
    assert.equal((await failed).cause, 'canceled');
    await sipp.passed();
  });
});
