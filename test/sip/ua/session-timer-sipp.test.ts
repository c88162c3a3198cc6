/**
 * Session timers (RFC 4028) against SIPp on 127.0.0.1, our timers on a
 * ManualClock (wire.ts) so minutes of session interval pass at once:
 * offered on our INVITE, granted to us, refreshed by us at half the
 * interval, and the call ended when the peer, now the refresher, never
 * refreshes; as the callee, 422 below our Min-SE, then granted and
 * refreshed by the peer's UPDATE; and a peer that takes no session timer
 * probed with OPTIONS, whose 481 ends the dialog.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingCall, Session } from '../../../src/sip/ua/index.js';
import { SipPeer } from '../../support/sipp.js';
import { next, sdp, uaPort } from '../../e2e/helpers.js';
import { request, response, settled, wiredUa, type WiredUa } from './wire.js';

const scenario = (name: string): string =>
  join(dirname(fileURLToPath(import.meta.url)), 'scenarios', name);

async function setup(t: TestContext, file: string, callsUs = false): Promise<[WiredUa, SipPeer]> {
  const w = await wiredUa();
  t.after(() => w.close());
  const peer = await SipPeer.start({
    scenario: scenario(file),
    ...(callsUs ? { remote: `127.0.0.1:${uaPort(w.ua)}`, service: 'partyline' } : {}),
  });
  t.after(() => peer.stop());
  return [w, peer];
}

const S = 1000;

describe('session timers (RFC 4028)', () => {
  it('granted to us: we refresh at half the interval; the peer takes over and never refreshes — our BYE at 60 s of 90', async (t) => {
    const [w, peer] = await setup(t, 'uas-session-timer.xml');
    const call: Session = w.ua.call(`sip:service@${peer.address}`, { sdp: sdp() });
    await peer.during(next(call, 'answered', 5_000, ['failed']));
    await settled();

    w.clock.advance(45 * S - 1);
    assert.equal(w.count(request('out', 'INVITE')), 1, 'no refresh before half the interval');
    w.clock.advance(1);
    await peer.during(w.seen((e) => response('in', 200, 'INVITE')(e) && e.message.cseq().seq > 1));
    await settled();

    // SIPp now refreshes (refresher=uas) but never does: §10, BYE at 90 − min(32, 30) s.
    const ended = next<{ by: string; reason: string }>(call, 'ended');
    w.clock.advance(60 * S - 1);
    assert.equal(call.state, 'confirmed');
    w.clock.advance(1);
    assert.deepEqual(await peer.during(ended), { by: 'local', reason: 'session expired' });
    await peer.passed();
  });

  it('as the callee: 422 below our Min-SE, then 90 s granted to the caller; its UPDATE refreshes the session', async (t) => {
    const [w, peer] = await setup(t, 'uac-session-timer.xml', true);
    const call = await peer.during(next<IncomingCall>(w.ua, 'invite'));
    assert.equal(call.invite.cseq().seq, 2, 'the 60 s INVITE never reached the application');
    call.answer(sdp());
    await peer.during(next(call, 'confirmed'));
    await settled();

    w.clock.advance(50 * S);
    await peer.during(w.seen(response('out', 200, 'UPDATE')));
    await settled();
    // 100 s since the answer, 50 s since the refresh: still alive (expiry at 60 s after it).
    w.clock.advance(50 * S);
    assert.equal(w.count(request('out', 'BYE')), 0);
    assert.deepEqual(await peer.during(next(call, 'ended')), { by: 'remote', reason: 'BYE' });
    await peer.passed();
  });

  it('a peer that takes no session timer is probed with OPTIONS; its 481 ends the dialog', async (t) => {
    const [w, peer] = await setup(t, 'uas-options-481.xml');
    const call: Session = w.ua.call(`sip:service@${peer.address}`, { sdp: sdp() });
    await peer.during(next(call, 'answered', 5_000, ['failed']));
    await settled();

    const ended = next<{ by: string; reason: string }>(call, 'ended');
    w.clock.advance(900 * S);
    assert.deepEqual(await peer.during(ended), { by: 'remote', reason: 'OPTIONS got 481' });
    assert.equal(w.count(request('out', 'BYE')), 0, 'the dialog is gone: no BYE');
    await peer.passed();
  });
});
