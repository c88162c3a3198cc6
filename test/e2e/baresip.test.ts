/**
 * Partyline and baresip, a real softphone: we call it (it auto-answers)
 * and hang up; it calls us (driven by its /dial command) and we answer,
 * then hang up. Assertions are on both sides: baresip's SIP trace (it got
 * our ACK and BYE, it answered the BYE 200) and the UserAgent's events.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingCall, UserAgent } from '../../src/sip/ua/index.js';
import { Baresip, type TracedMessage } from '../support/baresip.js';
import { next, recordEvents, sdp, startUa, uaPort } from './helpers.js';

function cseqOf(m: TracedMessage): string {
  return /^CSeq:\s*(.+)$/im.exec(m.text)?.[1]?.trim() ?? '';
}

describe('Partyline and baresip', () => {
  let ua: UserAgent;
  before(async () => {
    ua = await startUa();
  });
  after(async () => {
    await ua.close();
  });

  it('we call baresip, it auto-answers; we hang up and it answers our BYE with 200', async (t) => {
    const baresip = await Baresip.start({ autoAnswer: true });
    t.after(() => baresip.stop());

    const call = ua.call(baresip.uri(), { sdp: sdp() });
    const events = recordEvents(call);
    const answered = await baresip.during(
      next<{ sdp: string | null }>(call, 'answered', 5_000, ['failed']),
    );
    assert.match(answered.sdp ?? '', /m=audio \d+ RTP\/AVP 0/);
    await baresip.waitFor(/Call established/);
    await baresip.waitForMessage(
      (m) => m.direction === 'received' && m.startLine.startsWith('ACK '),
      'ACK received',
    );

    const ended = next<{ by: string }>(call, 'ended');
    call.hangup();
    assert.equal((await ended).by, 'local');
    const byeOk = await baresip.waitForMessage(
      (m) =>
        m.direction === 'sent' && m.startLine.startsWith('SIP/2.0 200') && / BYE$/.test(cseqOf(m)),
      '200 OK for our BYE',
    );
    assert.match(cseqOf(byeOk), /^2 BYE$/);
    await baresip.waitFor(/session closed/);
    assert.deepEqual(events, ['progress', 'answered', 'ended']);
  });

  it('baresip calls us, we ring and answer, then hang up', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite', 10_000);
    const baresip = await Baresip.start({
      commands: [`/dial sip:partyline@127.0.0.1:${uaPort(ua)}`],
    });
    t.after(() => baresip.stop());

    const call = await baresip.during(incoming);
    const events = recordEvents(call);
    assert.match(call.remoteSdp ?? '', /m=audio \d+ RTP\/AVP/);
    // baresip's trace reaches us through a buffered pipe, possibly after our own events: wait for it.
    const invite = await baresip.waitForMessage(
      (m) => m.direction === 'sent' && m.startLine.startsWith('INVITE '),
      'its INVITE in the trace',
    );
    assert.equal(invite.startLine, `INVITE sip:partyline@127.0.0.1:${uaPort(ua)} SIP/2.0`);
    assert.equal(call.callId, /^Call-ID:\s*(\S+)/im.exec(invite.text)?.[1]);
    const confirmed = next(call, 'confirmed', 5_000, ['failed', 'ended']);
    call.ring();
    await baresip.waitForMessage(
      (m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 180'),
      '180 Ringing',
    );
    call.answer(sdp());
    await baresip.during(confirmed);
    await baresip.waitFor(/Call established/);

    const ended = next<{ by: string }>(call, 'ended');
    call.hangup();
    assert.equal((await ended).by, 'local');
    await baresip.waitForMessage(
      (m) => m.direction === 'received' && m.startLine.startsWith('BYE '),
      'our BYE',
    );
    await baresip.waitForMessage(
      (m) =>
        m.direction === 'sent' && m.startLine.startsWith('SIP/2.0 200') && / BYE$/.test(cseqOf(m)),
      '200 OK for our BYE',
    );
    assert.deepEqual(events, ['answered', 'confirmed', 'ended']);
  });
});

describe('baresip calls a Partyline that authenticates callers', () => {
  it('answers our 401 with its account credentials; we answer the authenticated INVITE', async (t) => {
    const ua = await startUa({
      inboundAuth: { realm: 'partyline.test', users: { alice: 'wonderland' } },
    });
    t.after(() => ua.close());
    const incoming = next<IncomingCall>(ua, 'invite', 10_000);
    const baresip = await Baresip.start({
      commands: [`/dial sip:partyline@127.0.0.1:${uaPort(ua)}`],
      credentials: { username: 'alice', password: 'wonderland' },
    });
    t.after(() => baresip.stop());

    const call = await baresip.during(incoming);
    assert.match(call.invite.headers.get('authorization') ?? '', /username="alice"/);
    const challenge = await baresip.waitForMessage(
      (m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 401'),
      'our 401 in the trace',
    );
    assert.match(challenge.text, /WWW-Authenticate: Digest realm="partyline.test"/);
    const confirmed = next(call, 'confirmed', 5_000, ['failed', 'ended']);
    call.answer(sdp());
    await baresip.during(confirmed);
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await baresip.waitForMessage(
      (m) =>
        m.direction === 'sent' && m.startLine.startsWith('SIP/2.0 200') && / BYE$/.test(cseqOf(m)),
      '200 OK for our BYE',
    );
  });
});
