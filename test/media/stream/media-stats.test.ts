// The negotiated media of a stream (RtpStream.media) and the playout figures
// in its stats: codec, ptime, direction, depthMs, lost, discarded.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { serializeRtp } from '../../../src/media/rtp/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import {
  closeSocket,
  HOST,
  mediaTowards,
  negotiatedPair,
  portOf,
  rawSocket,
  sendTo,
  testPool,
  waitFor,
} from './helpers.js';

const pool = testPool(20);
after(() => assert.equal(pool.available(), pool.size, 'every test returned its ports'));

const SSRC = 0x1234;
const packet = (seq: number): Buffer =>
  serializeRtp({
    payloadType: 0,
    sequenceNumber: seq,
    timestamp: seq * 160,
    ssrc: SSRC,
    payload: Buffer.alloc(160, 0xff),
  });

describe('RtpStream: negotiated media', () => {
  it('media is null before start, then what start() / update() applied; stats name it', async () => {
    const clock = new ManualClock();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      assert.equal(s.media, null);
      const before = s.stats();
      assert.deepEqual(
        {
          codec: before.codec,
          ptime: before.ptime,
          direction: before.direction,
          depthMs: before.depthMs,
          lost: before.lost,
          discarded: before.discarded,
        },
        { codec: null, ptime: null, direction: null, depthMs: 0, lost: 0, discarded: 0 },
      );
      const media = mediaTowards(9);
      s.start(media);
      assert.equal(s.media, media);
      const st = s.stats();
      assert.equal(st.codec, 'PCMU');
      assert.equal(st.ptime, 20);
      assert.equal(st.direction, 'sendrecv');
      const held = mediaTowards(9, { direction: 'recvonly', remoteDirection: 'sendonly' });
      s.update(held);
      assert.equal(s.media, held);
      assert.equal(s.stats().direction, 'recvonly');
      await s.close();
      assert.equal(s.media, held, 'kept after close, like the stats');
    } finally {
      await s.close();
    }
  });

  it('reports the codec and ptime negotiated through SDP (PCMA, 30 ms)', async () => {
    const clock = new ManualClock();
    const pair = await negotiatedPair({ pool, clock, codecsA: ['PCMA'], ptimeA: 30 });
    try {
      assert.equal(pair.b.media, pair.mediaB);
      const b = pair.b.stats();
      assert.equal(b.codec, 'PCMA');
      assert.equal(b.ptime, 30);
      assert.equal(b.direction, 'sendrecv');
      assert.equal(pair.a.stats().codec, 'PCMA');
      assert.equal(pair.a.stats().ptime, pair.mediaA.ptime);
    } finally {
      await pair.close();
    }
  });
});

describe('RtpStream: playout stats', () => {
  it('depthMs is the audio waiting to be played; lost counts a packet that never came', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      s.start(mediaTowards(portOf(peer)));
      // seq 0 validates the source (RFC 3550 A.1 probation) and is not played; 4 is missing.
      for (const seq of [0, 1, 2, 3, 5, 6]) await sendTo(peer, packet(seq), s.localPort);
      await waitFor(() => s.stats().datagramsReceived === 6, 'the packets');
      assert.equal(s.stats().depthMs, 5 * 20);
      const out = new Int16Array(160);
      const depths: number[] = [];
      for (let i = 0; i < 10; i++) {
        s.readFrame(out, clock.now());
        depths.push(s.stats().depthMs);
        clock.advance(20);
      }
      // Buffering for the 40 ms target delay, then one packet per tick; 4 is concealed.
      assert.deepEqual(depths, [100, 100, 80, 60, 40, 40, 20, 0, 0, 0]);
      const st = s.stats();
      assert.equal(st.played, 5);
      assert.equal(st.lost, 1);
      assert.equal(st.late, 0);
      assert.equal(st.discarded, 0);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });

  it('discarded counts packets dropped unplayed beyond the reorder window', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      s.start(mediaTowards(portOf(peer)));
      // 1..20 reach the jitter buffer at once; it holds 16 packets (its reorder window).
      for (let seq = 0; seq <= 20; seq++) await sendTo(peer, packet(seq), s.localPort);
      await waitFor(() => s.stats().datagramsReceived === 21, 'the packets');
      const st = s.stats();
      assert.equal(st.discarded, 4);
      assert.equal(st.depthMs, 16 * 20);
      assert.equal(st.lost, 0);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });
});
