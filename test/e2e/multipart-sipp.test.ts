/**
 * SIP-I / SIP-T carriers (RFC 3204) send multipart/mixed bodies, SDP plus
 * an ISUP part (RFC 5621), in both directions of a call: the SDP part is
 * the session, in an INVITE we receive, a re-INVITE, and the 183 / 200 to
 * an INVITE we send. A body not typed as SDP is never read as SDP, however
 * much it looks like one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingCall, UserAgent } from '../../src/sip/ua/index.js';
import { SipPeer } from '../support/sipp.js';
import { next, recordEvents, scenario, sdp, startUa, uaPort } from './helpers.js';

describe('multipart bodies (SIP-I / SIP-T)', () => {
  let ua: UserAgent;
  before(async () => {
    ua = await startUa();
  });
  after(async () => {
    await ua.close();
  });

  it('a multipart INVITE: its SDP part is the offer; a multipart re-INVITE: its SDP part the new offer', async (t) => {
    const incoming = next<IncomingCall>(ua, 'invite');
    const sipp = await SipPeer.start({
      scenario: scenario('uac-multipart.xml'),
      remote: `127.0.0.1:${uaPort(ua)}`,
      service: 'partyline',
    });
    t.after(() => sipp.stop());

    const call = await sipp.during(incoming);
    const events = recordEvents(call);
    const offer = call.remoteSdp ?? '';
    assert.match(offer, /^v=0\r\n/);
    assert.match(offer, /s=sip-i-offer/);
    assert.match(offer, /m=audio \d+ RTP\/AVP 0/);
    assert.doesNotMatch(offer, /boundary|ISUP|01 00 60/i);
    const reinvited = next<{ offer: string | null }>(call, 'reinvited', 5_000, ['ended']);
    call.answer(sdp());
    const re = await sipp.during(reinvited);
    assert.match(re.offer ?? '', /^v=0\r\n/);
    assert.match(re.offer ?? '', /s=sip-i-reoffer[\s\S]*a=sendonly/);
    assert.doesNotMatch(re.offer ?? '', /--b2|isup/i);
    await next(call, 'ended', 5_000);
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'confirmed', 'reinvited', 'ended']);
  });

  it('bodies typed application/isup or text/plain are no offer: 415, no call offered', async (t) => {
    let offered = 0;
    const count = (): void => void offered++;
    ua.on('invite', count);
    t.after(() => ua.off('invite', count));
    const sipp = await SipPeer.start({
      scenario: scenario('uac-not-sdp.xml'),
      remote: `127.0.0.1:${uaPort(ua)}`,
      service: 'partyline',
    });
    t.after(() => sipp.stop());
    await sipp.passed();
    assert.equal(offered, 0);
  });

  it('multipart 183 and 200 from a carrier: the SDP parts are the early media and the answer', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-multipart.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const progress = await next<{ status: number; sdp: string | null }>(call, 'progress', 5_000, [
      'failed',
    ]);
    assert.equal(progress.status, 183);
    assert.match(progress.sdp ?? '', /^v=0\r\n[\s\S]*s=early/);
    assert.doesNotMatch(progress.sdp ?? '', /acm-boundary|ISUP/);
    const answered = await next<{ sdp: string | null }>(call, 'answered', 5_000, ['failed']);
    assert.match(answered.sdp ?? '', /^v=0\r\n[\s\S]*s=answer[\s\S]*m=audio \d+ RTP\/AVP 0/);
    assert.doesNotMatch(answered.sdp ?? '', /anm boundary|ISUP/);
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });

  it('a 200 whose body is typed application/isup carries no SDP answer', async (t) => {
    const sipp = await SipPeer.start({ scenario: scenario('uas-not-sdp.xml') });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, { sdp: sdp() });
    const answered = await next<{ sdp: string | null }>(call, 'answered', 5_000, ['failed']);
    assert.equal(answered.sdp, null);
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
  });
});
