/**
 * The mix survives a bad network, and strangers are not heard: 5 % loss
 * plus reordering from one peer leave its tone audible to the others (the
 * jitter buffer reorders, concealment fills the holes) with the loss counted
 * by its stream; RTP from a port nobody signalled is dropped.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RtpTestPeer } from '../../support/rtp-peer.js';
import {
  ABSENT_MARGIN_DB,
  HEARD_DB,
  levels,
  listen,
  openConference,
  show,
  sleep,
  type Conference,
} from './conference.js';

const A = 440;
const B = 1000;
const C = 1800;
const STRANGER = 2600;

describe('e2e mixer: loss, reordering, strangers', () => {
  let conf: Conference | undefined;
  let stranger: RtpTestPeer | undefined;
  afterEach(async () => {
    await stranger?.close();
    await conf?.close();
    stranger = conf = undefined;
  });

  it('5 % loss and reordering from one peer do not break the mix, and are counted', async () => {
    conf = await openConference('PCMU', ['a', 'b', 'c'], {
      c: { loss: 0.05, reorder: 0.05, seed: 42 },
    });
    conf.leg('a').peer.startTone(A);
    conf.leg('b').peer.startTone(B);
    conf.leg('c').peer.startTone(C);
    const [a, b] = await Promise.all(
      ['a', 'b'].map(async (id) => levels(await listen(conf!.leg(id), 2500), [A, B, C])),
    );
    assert.ok(a[C] > HEARD_DB, `a hears the lossy peer: ${show(a)}`);
    assert.ok(b[C] > HEARD_DB, `b hears the lossy peer: ${show(b)}`);
    assert.ok(
      a[B] > HEARD_DB && b[A] > HEARD_DB,
      `a and b hear each other: ${show(a)} / ${show(b)}`,
    );
    assert.ok(a[A] < a[C] - ABSENT_MARGIN_DB, `a does not hear itself: ${show(a)}`);

    conf.leg('c').peer.stop();
    await sleep(200);
    const sent = conf.leg('c').peer.stats();
    const s = conf.leg('c').stream.stats();
    assert.ok(sent.dropped > 0 && sent.reordered > 0, JSON.stringify(sent));
    const lossRate = s.packetsLost / s.packetsExpected;
    assert.ok(
      lossRate > 0.02 && lossRate < 0.09,
      `stream loss ${(lossRate * 100).toFixed(1)} % (${s.packetsLost}/${s.packetsExpected}); peer dropped ${sent.dropped}/${sent.sent + sent.dropped}`,
    );
    // The stream counts as lost what the peer dropped (a drop after the last
    // packet received is not yet known to be a loss).
    assert.ok(
      Math.abs(s.packetsLost - sent.dropped) <= 1,
      `lost ${s.packetsLost}, dropped ${sent.dropped}`,
    );
    assert.ok(s.concealed > 0, 'the holes were concealed');
  });

  it('drops RTP from a port that was not signalled', async () => {
    conf = await openConference('PCMU', ['a', 'b', 'c']);
    conf.leg('a').peer.startTone(A);
    conf.leg('b').peer.startTone(B);
    conf.leg('c').peer.startTone(C);
    const target = conf.leg('a');
    const droppedBefore = target.stream.stats().dropped;
    stranger = await RtpTestPeer.open({ codec: 'PCMU' });
    stranger.setRemote(target.stream.localPort);
    stranger.startTone(STRANGER);
    await sleep(300);
    const b = levels(await listen(conf.leg('b'), 1000, 0), [A, C, STRANGER]);
    stranger.stop();
    assert.ok(b[STRANGER] < b[A] - ABSENT_MARGIN_DB, `b must not hear the stranger: ${show(b)}`);
    const s = target.stream.stats();
    assert.ok(s.dropped - droppedBefore > 40, `dropped ${s.dropped - droppedBefore}`);
    assert.equal(s.remoteSsrc, target.peer.ssrc, 'the signalled peer is still the source');
  });
});
