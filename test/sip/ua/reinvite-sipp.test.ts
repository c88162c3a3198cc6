/**
 * re-INVITEs that must not wedge a call (RFC 3261 §14), against SIPp on
 * 127.0.0.1, with our timers on a ManualClock (wire.ts): a re-INVITE
 * answered only with 100 is canceled and then the call ended; a 491 is
 * retried after §14.1's random wait, as the owner of the Call-ID and as
 * the other side, while the peer's crossing re-INVITE gets 491 and its
 * retry goes through; an offerless re-INVITE's answer, in the ACK, is
 * applied and reported.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingCall, Session } from '../../../src/sip/ua/index.js';
import { SipPeer } from '../../support/sipp.js';
import { next, sdp, uaPort } from '../../e2e/helpers.js';
import { TIMERS, request, response, settled, within, wiredUa, type WiredUa } from './wire.js';

const scenario = (name: string): string =>
  join(dirname(fileURLToPath(import.meta.url)), 'scenarios', name);

async function start(t: TestContext, opts: Parameters<typeof wiredUa>[0] = {}): Promise<WiredUa> {
  const w = await wiredUa(opts);
  t.after(() => w.close());
  return w;
}

async function sipp(t: TestContext, file: string, callee?: WiredUa): Promise<SipPeer> {
  const peer = await SipPeer.start({
    scenario: scenario(file),
    ...(callee ? { remote: `127.0.0.1:${uaPort(callee.ua)}`, service: 'partyline' } : {}),
  });
  t.after(() => peer.stop());
  return peer;
}

/** SIPp calls us; we answer. */
async function answered(w: WiredUa, peer: SipPeer): Promise<IncomingCall> {
  const call = await peer.during(next<IncomingCall>(w.ua, 'invite'));
  call.answer(sdp());
  await peer.during(next(call, 'confirmed'));
  return call;
}

const reinvitesOut = (w: WiredUa): number =>
  w.wire.filter((e) => request('out', 'INVITE')(e) && e.message.to().params.has('tag')).length;

describe('a re-INVITE answered only with 100 Trying', () => {
  it('is canceled after the re-INVITE timeout, and the call ended with a BYE when even that gets no answer', async (t) => {
    const w = await start(t, { reinviteTimeoutMs: 2_000 });
    const peer = await sipp(t, 'uas-reinvite-trying-only.xml');
    const call: Session = w.ua.call(`sip:service@${peer.address}`, { sdp: sdp() });
    await peer.during(next(call, 'answered', 5_000, ['failed']));

    const outcome = call.reinvite(sdp(40_000, 'sendonly')).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await peer.during(w.seen(response('in', 100, 'INVITE')));
    await settled();
    w.clock.advance(1_999);
    assert.equal(w.count(request('out', 'CANCEL')), 0, 'no CANCEL before the timeout');
    w.clock.advance(1);
    await peer.during(w.seen(request('out', 'CANCEL')));
    await peer.during(w.seen(response('in', 200, 'CANCEL')));
    await settled();
    assert.equal(call.state, 'confirmed', 'a canceled re-INVITE alone does not end the call');

    // §9.1: no final response within 64·T1 of the CANCEL — the dialog is dead.
    const ended = next<{ by: string; reason: string }>(call, 'ended');
    w.clock.advance(64 * TIMERS.T1);
    assert.deepEqual(await peer.during(ended), {
      by: 'local',
      reason: 're-INVITE got no final response',
    });
    assert.match(await outcome, /abandoned/);
    await peer.passed();
    // The re-INVITE's transaction, stuck in Proceeding, went with the call: once every
    // other transaction has run its course (Timer K, M, F...), none is left.
    await peer.during(w.seen(response('in', 200, 'BYE')));
    await settled();
    w.clock.advance(64 * TIMERS.T1 + 32_000);
    assert.equal(w.ua.transactions.size().client, 0, 'no client transaction left');
  });
});

describe('glare: 491 to our re-INVITE (RFC 3261 §14.1)', () => {
  it('as the owner of the Call-ID: crossing re-INVITEs — theirs gets 491, ours is retried 2.1 s later (random 0)', async (t) => {
    const w = await start(t, { random: () => 0 });
    const peer = await sipp(t, 'uas-reinvite-glare.xml');
    const call: Session = w.ua.call(`sip:service@${peer.address}`, { sdp: sdp() });
    await peer.during(next(call, 'answered', 5_000, ['failed']));
    call.onReinvite = (offer) => (offer?.includes('a=sendonly') ? sdp(40_000, 'recvonly') : null);

    const answer = call.reinvite(sdp(40_000, 'sendonly'));
    // SIPp's crossing re-INVITE got our 491, and SIPp's 491 for ours came in.
    await peer.during(w.seen(response('out', 491, 'INVITE')));
    await peer.during(w.seen(response('in', 491, 'INVITE')));
    // During our wait SIPp (not the owner) retries first; that one goes through.
    const reinvited = await peer.during(next<{ offer: string | null }>(call, 'reinvited'));
    assert.match(reinvited.offer ?? '', /a=sendonly/);
    await peer.during(w.seen((e) => request('in', 'ACK')(e) && e.message.cseq().seq === 2));
    await settled();

    const before = reinvitesOut(w);
    w.clock.advance(2_099);
    assert.equal(reinvitesOut(w), before, 'no retry before 2.1 s');
    w.clock.advance(1);
    assert.match((await peer.during(within(answer))) ?? '', /a=recvonly/);
    assert.equal(reinvitesOut(w), before + 1);
    assert.match(call.localSdp ?? '', /a=sendonly/);

    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await peer.passed();
  });

  it('not the owner: retried within 0–2 s (random 0.5 → 1 s), with a higher CSeq, unseen by the caller', async (t) => {
    const w = await start(t, { random: () => 0.5 });
    const peer = await sipp(t, 'uac-reinvite-491.xml', w);
    const call = await answered(w, peer);

    const answer = call.reinvite(sdp(40_000, 'sendonly'));
    const first = await peer.during(w.seen(request('out', 'INVITE')));
    await peer.during(w.seen(response('in', 491, 'INVITE')));
    await settled();
    w.clock.advance(999);
    assert.equal(reinvitesOut(w), 1, 'no retry before 1 s');
    w.clock.advance(1);
    assert.match((await peer.during(within(answer))) ?? '', /a=recvonly/);
    const invites = w.wire.filter(request('out', 'INVITE'));
    assert.equal(invites.length, 2);
    assert.ok(invites[1]!.message.cseq().seq > first.message.cseq().seq);
    await peer.during(next(call, 'ended'));
    await peer.passed();
  });
});

describe('an offerless re-INVITE (RFC 3261 §14.2)', () => {
  it('our 200 carries the offer; the answer in the ACK becomes the remote SDP and is reported', async (t) => {
    const w = await start(t);
    const peer = await sipp(t, 'uac-offerless-reinvite.xml', w);
    const call = await answered(w, peer);
    const before = call.remoteSdp;

    const reinvited = next<{ offer: string | null; answer: string }>(call, 'reinvited');
    const remoteAnswer = next<{ offer: string; answer: string }>(call, 'remote-answer');
    assert.equal((await peer.during(reinvited)).offer, null);
    const { offer, answer } = await peer.during(remoteAnswer);
    assert.match(offer, /m=audio 40000 RTP\/AVP 0/);
    assert.match(answer, /a=sendonly/);
    assert.equal(call.remoteSdp, answer);
    assert.notEqual(call.remoteSdp, before);
    assert.equal(call.offerAnswer.state, 'stable');
    await peer.during(next(call, 'ended'));
    await peer.passed();
  });
});
