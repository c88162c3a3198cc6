// What a peer sends in one RTP sequence space besides the negotiated codec:
// RFC 4733 key presses, RFC 3389 comfort noise, the other G.711 law (RFC 3264
// §5.1), telephone-event under the number we offered. A raw UDP peer sends
// each packet over loopback; the stream is read every 20 ms of a ManualClock.
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { encodeAlaw, encodeMulaw } from '../../../src/media/codec/index.js';
import { serializeTelephoneEvent } from '../../../src/media/dtmf/index.js';
import { serializeRtp } from '../../../src/media/rtp/index.js';
import {
  createOffer,
  readAnswer,
  SdpError,
  type NegotiatedMedia,
} from '../../../src/media/sdp/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import {
  closeSocket,
  concat,
  HOST,
  levelDb,
  mediaTowards,
  portOf,
  rawSocket,
  sendTo,
  testPool,
  ToneFrames,
  waitFor,
} from './helpers.js';

const pool = testPool(20);
after(() => assert.equal(pool.available(), pool.size, 'every test returned its ports'));

const SSRC = 0x4733;
const EVENT_PT = 101;

/** A peer that sends one packet per 20 ms step and the stream that reads one frame per step. */
class Session {
  seq = 1000;
  ts = 80_000;
  readonly heard: Int16Array[] = [];
  readonly depths: number[] = [];
  private readonly tone = new ToneFrames(1000);

  constructor(
    readonly clock: ManualClock,
    readonly peer: Socket,
    readonly stream: RtpStream,
  ) {}

  /** Sends `packets` (in one step, as they came), then reads one frame and moves the clock 20 ms. */
  async step(packets: Buffer[]): Promise<void> {
    const want = this.stream.stats().datagramsReceived + packets.length;
    for (const p of packets) await sendTo(this.peer, p, this.stream.localPort);
    await waitFor(() => this.stream.stats().datagramsReceived === want, 'the packets');
    const out = new Int16Array(160);
    this.stream.readFrame(out, this.clock.now());
    this.heard.push(out);
    this.depths.push(this.stream.stats().depthMs);
    this.clock.advance(20);
  }

  audio(pt = 0, marker = false): Buffer {
    const pcm = this.tone.next();
    const payload = pt === 8 ? encodeAlaw(pcm) : encodeMulaw(pcm);
    const p = serializeRtp({
      payloadType: pt,
      sequenceNumber: this.seq++ & 0xffff,
      timestamp: this.ts >>> 0,
      ssrc: SSRC,
      marker,
      payload,
    });
    this.ts += 160;
    return p;
  }

  /** One RFC 4733 report of an event that started at `startTs`; each report takes a sequence number. */
  event(startTs: number, durationUnits: number, end: boolean, pt = EVENT_PT): Buffer {
    return serializeRtp({
      payloadType: pt,
      sequenceNumber: this.seq++ & 0xffff,
      timestamp: startTs >>> 0,
      ssrc: SSRC,
      marker: durationUnits === 160,
      payload: serializeTelephoneEvent({ event: 5, end, volume: 10, duration: durationUnits }),
    });
  }

  /** A key press of `frames` × 20 ms in place of audio, then the three end reports (RFC 4733 §2.5.1.4). */
  async keyPress(frames: number, pt = EVENT_PT): Promise<void> {
    const start = this.ts;
    for (let i = 1; i <= frames; i++) {
      const end = i === frames;
      // The media clock runs on under the event; the end report goes three times.
      this.ts += 160;
      await this.step(
        end
          ? [0, 1, 2].map(() => this.event(start, i * 160, true, pt))
          : [this.event(start, i * 160, false, pt)],
      );
    }
  }
}

async function session(
  media: (peerPort: number) => NegotiatedMedia,
  body: (s: Session) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock();
  const peer = await rawSocket();
  const stream = await RtpStream.open({ pool, localAddress: HOST, clock });
  try {
    stream.start(media(portOf(peer)));
    await body(new Session(clock, peer, stream));
  } finally {
    await stream.close();
    await closeSocket(peer);
  }
}

describe('RtpStream: a key press does not leave extra delay (RFC 4733 in the audio sequence space)', () => {
  it('seven event packets are not lost audio; the buffered delay is what it was before', async () => {
    await session(mediaTowards, async (s) => {
      const digits: string[] = [];
      s.stream.on('dtmf', (d) => digits.push(d.digit));
      for (let i = 0; i < 50; i++) await s.step([s.audio()]);
      const before = s.depths.at(-1);
      await s.keyPress(5);
      for (let i = 0; i < 100; i++) await s.step([s.audio()]);
      const st = s.stream.stats();
      assert.deepEqual(digits, ['5']);
      assert.equal(st.lost, 0, 'no event packet is taken for lost audio');
      assert.equal(st.nonAudio, 7);
      assert.equal(s.depths.at(-1), before, 'the delay is back where it was');
      // And the tone plays on after the press: the last second is all tone.
      assert.ok(levelDb(concat(s.heard.slice(-50)), 1000) > -25);
    });
  });

  it('comfort noise takes a sequence number too: not lost; the marked talkspurt plays at the first delay', async () => {
    await session(mediaTowards, async (s) => {
      for (let i = 0; i < 50; i++) await s.step([s.audio()]);
      const before = s.depths.at(-1);
      // RFC 3389: one CN packet (payload type 13, a noise level), then nothing for 100 ms.
      const cn = serializeRtp({
        payloadType: 13,
        sequenceNumber: s.seq++ & 0xffff,
        timestamp: s.ts >>> 0,
        ssrc: SSRC,
        payload: Uint8Array.of(70),
      });
      await s.step([cn]);
      s.ts += 5 * 160;
      for (let i = 0; i < 4; i++) await s.step([]);
      await s.step([s.audio(0, true)]);
      for (let i = 0; i < 50; i++) await s.step([s.audio()]);
      const st = s.stream.stats();
      assert.equal(st.lost, 0);
      assert.equal(st.comfortNoise, 1);
      assert.equal(s.depths.at(-1), before);
    });
  });
});

describe('RtpStream: every format we listed is decoded (RFC 3264 §5.1)', () => {
  /** We offered PCMU, PCMA and telephone-event 101; the answer picked PCMU and event number 96. */
  const asOfferer = (peerPort: number): NegotiatedMedia => {
    const offer = createOffer({
      address: HOST,
      port: 40000,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: true,
    });
    const answer = [
      'v=0',
      `o=peer 1 1 IN IP4 ${HOST}`,
      's=-',
      `c=IN IP4 ${HOST}`,
      't=0 0',
      `m=audio ${peerPort} RTP/AVP 0 8 96`,
      'a=rtpmap:96 telephone-event/8000',
      '',
    ].join('\r\n');
    const media = readAnswer(offer, answer);
    if (media instanceof SdpError) throw media;
    return media;
  };

  it('the peer switches PCMU → PCMA mid-call: the tone goes on, nothing unknown', async () => {
    await session(asOfferer, async (s) => {
      for (let i = 0; i < 50; i++) await s.step([s.audio(0)]);
      for (let i = 0; i < 50; i++) await s.step([s.audio(8)]);
      const st = s.stream.stats();
      assert.equal(st.unknownPayload, 0);
      assert.equal(st.lost, 0);
      assert.equal(st.played, 99 - 2, 'every packet played, but those still buffered');
      // The PCMA second decodes as the tone it is (µ-law decoding of A-law bytes is noise).
      assert.ok(levelDb(concat(s.heard.slice(-45)), 1000) > -25);
    });
  });

  it('telephone-event under the number we offered (101) though the answer said 96', async () => {
    await session(asOfferer, async (s) => {
      const digits: string[] = [];
      s.stream.on('dtmf', (d) => digits.push(d.digit));
      for (let i = 0; i < 20; i++) await s.step([s.audio(0)]);
      await s.keyPress(5, 101);
      for (let i = 0; i < 10; i++) await s.step([s.audio(0)]);
      await s.keyPress(5, 96);
      for (let i = 0; i < 10; i++) await s.step([s.audio(0)]);
      assert.deepEqual(digits, ['5', '5']);
      assert.equal(s.stream.stats().unknownPayload, 0);
      assert.equal(s.stream.stats().lost, 0);
    });
  });
});
