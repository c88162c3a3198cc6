// Hold and resume through real re-offers (RFC 3264 §8.4): the peer (A, the
// offerer) re-INVITEs; we (B) answer with reanswer() and update() our
// stream, and A applies our answer. What each side then sends and plays is
// measured on real sockets.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createOffer,
  holdOffer,
  negotiateAnswer,
  readAnswer,
  reanswer,
  reoffer,
  SdpError,
  unholdOffer,
  type AnswerOptions,
  type Direction,
  type NegotiatedMedia,
} from '../../../src/media/sdp/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { concat, HOST, levelDb, testPool, ToneFrames, waitFor } from './helpers.js';

const pool = testPool(20);
after(() => assert.equal(pool.available(), pool.size, 'every test returned its ports'));

/** A call: A offers and re-offers, B answers; both keep the last SDP they sent. */
class Call {
  offerA = '';
  answerB = '';
  private readonly toneA = new ToneFrames(1000);
  private readonly toneB = new ToneFrames(440);

  private constructor(
    readonly clock: ManualClock,
    readonly a: RtpStream,
    readonly b: RtpStream,
  ) {}

  static async open(): Promise<Call> {
    const clock = new ManualClock();
    const a = await RtpStream.open({ pool, localAddress: HOST, clock, rtcpIntervalMs: 1000 });
    const b = await RtpStream.open({ pool, localAddress: HOST, clock, rtcpIntervalMs: 1000 });
    const call = new Call(clock, a, b);
    call.offerA = createOffer({
      address: HOST,
      port: a.localPort,
      codecs: ['PCMU'],
      telephoneEvent: true,
      sessionId: '1000',
    });
    const r = negotiateAnswer(call.offerA, call.local());
    if ('error' in r) throw r.error;
    call.answerB = r.answer;
    b.start(r.media);
    a.start(call.readB());
    return call;
  }

  local(): AnswerOptions {
    return { address: HOST, port: this.b.localPort, codecs: ['PCMU'], telephoneEvent: true };
  }

  private readB(): NegotiatedMedia {
    const m = readAnswer(this.offerA, this.answerB);
    if (m instanceof SdpError) throw m;
    return m;
  }

  /** A re-offers `offer`; B answers it and both apply the outcome. Returns what B runs. */
  reinvite(offer: string | SdpError): NegotiatedMedia {
    if (offer instanceof SdpError) throw offer;
    this.offerA = offer;
    const r = reanswer(offer, this.answerB, this.local());
    if ('error' in r) throw r.error;
    this.answerB = r.answer;
    this.b.update(r.media);
    this.a.update(this.readB());
    return r.media;
  }

  /**
   * `ticks` of conversation: both write a tone frame (A 1 kHz, B 440 Hz),
   * the packets arrive, time moves 20 ms, both read.
   */
  async talk(ticks: number): Promise<{ atA: Int16Array; atB: Int16Array; audioAtB: number }> {
    const outA: Int16Array[] = [];
    const outB: Int16Array[] = [];
    let audioAtB = 0;
    for (let i = 0; i < ticks; i++) {
      this.a.writeFrame(this.toneA.next());
      this.b.writeFrame(this.toneB.next());
      await waitFor(
        () =>
          this.a.stats().datagramsReceived >=
            this.b.stats().packetsSent + this.b.stats().rtcpSent &&
          this.b.stats().datagramsReceived >= this.a.stats().packetsSent + this.a.stats().rtcpSent,
        'packets both ways',
      );
      this.clock.advance(20);
      const fa = new Int16Array(160);
      const fb = new Int16Array(160);
      this.a.readFrame(fa, this.clock.now());
      if (this.b.readFrame(fb, this.clock.now())) audioAtB++;
      outA.push(fa);
      outB.push(fb);
    }
    // Skip the first frames: the jitter buffer's start (or the end of what was playing before).
    return { atA: concat(outA.slice(5)), atB: concat(outB.slice(5)), audioAtB };
  }

  async close(): Promise<void> {
    await Promise.all([this.a.close(), this.b.close()]);
  }
}

function hears(samples: Int16Array, freq: number): boolean {
  return levelDb(samples, freq) > -25;
}

function silent(samples: Int16Array): boolean {
  return samples.every((x) => x === 0);
}

describe('RtpStream: hold and resume by re-offer (RFC 3264 §8.4)', () => {
  it('peer holds us (sendonly → we are recvonly): we stop sending, still play its audio; resume restores both', async () => {
    const call = await Call.open();
    try {
      let t = await call.talk(20);
      assert.ok(hears(t.atB, 1000) && hears(t.atA, 440), 'both ways before hold');

      const held = call.reinvite(holdOffer(call.offerA));
      assert.equal(held.direction, 'recvonly');
      assert.equal(call.b.stats().direction, 'recvonly');
      assert.equal(call.a.media?.direction, 'sendonly');
      const sent = call.b.stats().packetsSent;
      t = await call.talk(30);
      assert.equal(call.b.stats().packetsSent, sent, 'nothing sent while held');
      assert.ok(hears(t.atB, 1000), 'the peer (its music on hold) is still heard');
      assert.ok(silent(t.atA.subarray(160 * 5)), 'the peer hears nothing from us');

      const resumed = call.reinvite(unholdOffer(call.offerA));
      assert.equal(resumed.direction, 'sendrecv');
      t = await call.talk(30);
      assert.equal(call.b.stats().packetsSent, sent + 30, 'sending again, every frame');
      assert.ok(hears(t.atA, 440) && hears(t.atB, 1000), 'both ways after resume');
      // The RTP clock ran on while held (RFC 3550 §5.1) and sequence numbers did not jump:
      // the peer sees one continuous source.
      const atA = call.a.stats();
      assert.equal(atA.packetsLost, 0);
      assert.equal(atA.ssrcChanges, 0);
    } finally {
      await call.close();
    }
  });

  it('inactive: nothing sent, nothing played even if the peer sends, no timeout, RTCP goes on; resume restores both', async () => {
    const call = await Call.open();
    try {
      await call.talk(20);
      const inactive = call.reinvite(reoffer(call.offerA, 'inactive'));
      assert.equal(inactive.direction, 'inactive');
      assert.equal(call.a.media?.direction, 'inactive');
      // A peer that sends anyway (against its own SDP) is not played.
      call.a.update({ ...call.a.media!, direction: 'sendrecv' as Direction });
      const timeouts: number[] = [];
      call.b.on('timeout', (e) => timeouts.push(e.silentMs));
      const before = call.b.stats();
      const t = await call.talk(80);
      const during = call.b.stats();
      assert.equal(during.packetsSent, before.packetsSent);
      assert.equal(t.audioAtB, 0, 'received audio is ignored while inactive');
      assert.equal(during.played, before.played);
      assert.ok(during.rtcpSent > before.rtcpSent, 'RTCP is still sent (RFC 3264 §5.1)');

      // Quiet for a minute: while inactive no media is expected, so no timeout.
      call.a.update({ ...call.a.media!, direction: 'inactive' });
      call.clock.advance(60_000);
      assert.deepEqual(timeouts, []);

      const resumed = call.reinvite(unholdOffer(call.offerA));
      assert.equal(resumed.direction, 'sendrecv');
      const r = await call.talk(30);
      assert.ok(hears(r.atA, 440) && hears(r.atB, 1000), 'both ways after resume');
      assert.ok(r.audioAtB >= 25, `${r.audioAtB} of 30 ticks had audio`);
    } finally {
      await call.close();
    }
  });

  it('we hold the peer (sendonly): we play nothing while it still hears us; resume plays it again', async () => {
    const call = await Call.open();
    try {
      await call.talk(20);
      // Our own hold: B re-offers sendonly to A, A answers recvonly.
      const ourHold = holdOffer(call.answerB);
      if (ourHold instanceof SdpError) throw ourHold;
      const answerA = negotiateAnswer(ourHold, {
        address: HOST,
        port: call.a.localPort,
        codecs: ['PCMU'],
        telephoneEvent: true,
      });
      if ('error' in answerA) throw answerA.error;
      const mediaB = readAnswer(ourHold, answerA.answer);
      if (mediaB instanceof SdpError) throw mediaB;
      assert.equal(mediaB.direction, 'sendonly');
      call.b.update(mediaB);
      call.a.update(answerA.media);
      const t = await call.talk(20);
      assert.equal(t.audioAtB, 0);
      assert.ok(hears(t.atA, 440), 'the peer hears us (our music on hold)');
      // Resume: its audio is back (after the jitter buffer's target delay).
      call.b.update({ ...mediaB, direction: 'sendrecv' });
      call.a.update({ ...answerA.media, direction: 'sendrecv' });
      const r = await call.talk(20);
      assert.ok(hears(r.atB, 1000));
    } finally {
      await call.close();
    }
  });

  it('old-style hold c=0.0.0.0 (RFC 2543): we send nothing there, still take the peer’s RTP; resume', async () => {
    const call = await Call.open();
    try {
      await call.talk(20);
      const offer = call.offerA.replace(/^c=IN IP4 127\.0\.0\.1/m, 'c=IN IP4 0.0.0.0');
      assert.notEqual(offer, call.offerA);
      const held = call.reinvite(offer.replace(/^o=(\S+ \S+) (\d+)/m, 'o=$1 2'));
      assert.equal(held.remoteAddress, '0.0.0.0');
      assert.equal(held.direction, 'recvonly');
      const before = call.b.stats();
      const t = await call.talk(30);
      const during = call.b.stats();
      assert.equal(during.packetsSent, before.packetsSent, 'no RTP to 0.0.0.0');
      assert.equal(during.rtcpSent, before.rtcpSent, 'nor RTCP');
      assert.equal(during.sendErrors, before.sendErrors);
      assert.equal(during.dropped, before.dropped, 'the peer’s packets are still accepted');
      assert.ok(hears(t.atB, 1000), 'and played');

      call.reinvite(unholdOffer(call.offerA.replace('0.0.0.0', HOST)));
      assert.equal(call.b.media?.remoteAddress, HOST);
      const r = await call.talk(30);
      assert.equal(call.b.stats().packetsSent, during.packetsSent + 30);
      assert.ok(hears(r.atA, 440) && hears(r.atB, 1000), 'both ways after resume');
    } finally {
      await call.close();
    }
  });
});
