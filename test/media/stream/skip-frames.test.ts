// A stream told that the mixer skipped ticks (MixerPort.skipFrames) keeps
// its RTP clock on wall-clock time: the next packet's timestamp covers the
// skipped frames and carries the marker (RFC 3550 §5.1, RFC 3551 §4.1).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseRtp, type RtpPacket } from '../../../src/media/rtp/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import {
  closeSocket,
  HOST,
  mediaTowards,
  portOf,
  rawSocket,
  testPool,
  ToneFrames,
  waitFor,
} from './helpers.js';

const pool = testPool(10);
after(() => assert.equal(pool.available(), pool.size, 'every test returned its ports'));

describe('RtpStream: skipped mixer ticks', () => {
  it('the timestamp moves on by the skipped frames; sequence numbers do not', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const got: RtpPacket[] = [];
    peer.on('message', (m) => {
      const p = parseRtp(m);
      if (p) got.push(p);
    });
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      s.start(mediaTowards(portOf(peer)));
      const tone = new ToneFrames(1000);
      s.writeFrame(tone.next());
      s.writeFrame(tone.next());
      s.skipFrames(15);
      s.writeFrame(tone.next());
      await waitFor(() => got.length === 3, 'three packets');
      const [a, b, c] = got;
      assert.equal((b.timestamp - a.timestamp) >>> 0, 160);
      assert.equal((c.timestamp - b.timestamp) >>> 0, 16 * 160, '15 skipped frames + one');
      assert.equal((c.sequenceNumber - b.sequenceNumber) & 0xffff, 1);
      assert.equal(c.marker, true, 'a new talkspurt for the peer');
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });
});
