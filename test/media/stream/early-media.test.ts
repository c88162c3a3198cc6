// A leg whose stream starts on a 183 (early media) receives RTP for seconds
// before anyone reads it (it joins a room only when answered). What it
// buffered meanwhile must not make it play late once it is read: measured
// over real sockets, by frame counting on a shared ManualClock — a tone
// change sent at a known tick, and the tick at which it comes out of
// readFrame.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { codecByName } from '../../../src/media/codec/index.js';
import { serializeRtp } from '../../../src/media/rtp/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { RtpTestPeer } from '../../support/rtp-peer.js';
import {
  closeSocket,
  HOST,
  levelDb,
  mediaTowards,
  portOf,
  rawSocket,
  sendTo,
  testPool,
  waitFor,
} from './helpers.js';

const pool = testPool(20);
after(() => assert.equal(pool.available(), pool.size, 'every test returned its ports'));

const FRAME_MS = 20;
/** RtpStream's default jitter buffer target. */
const TARGET_DELAY_MS = 40;
const BEFORE = 1000;
const AFTER = 2000;

interface Leg {
  peer: RtpTestPeer;
  stream: RtpStream;
  /** One decoded frame per read, once reading started. */
  reads: Int16Array[];
  close(): Promise<void>;
}

async function leg(clock: ManualClock): Promise<Leg> {
  const peer = await RtpTestPeer.open({ codec: 'PCMU', clock });
  const stream = await RtpStream.open({ pool, localAddress: HOST, clock });
  stream.start(mediaTowards(peer.port));
  peer.setRemote(stream.localPort);
  return {
    peer,
    stream,
    reads: [],
    close: async () => {
      await peer.close();
      await stream.close();
    },
  };
}

/** Waits until every leg got what its peer sent. */
async function arrived(legs: Leg[]): Promise<void> {
  await waitFor(
    () => legs.every((l) => l.stream.stats().datagramsReceived >= l.peer.stats().sent),
    'the packets to arrive',
  );
}

/** Moves the shared clock one frame on (each peer sends one packet) and waits for the packets. */
async function step(clock: ManualClock, legs: Leg[]): Promise<void> {
  clock.advance(FRAME_MS);
  await arrived(legs);
}

function read(clock: ManualClock, l: Leg): void {
  const out = new Int16Array(160);
  l.stream.readFrame(out, clock.now());
  l.reads.push(out);
}

/** Index of the first read that carries the new tone (louder at AFTER than at BEFORE). */
function firstAfter(reads: Int16Array[]): number {
  return reads.findIndex((f) => levelDb(f, AFTER) > -30 && levelDb(f, AFTER) > levelDb(f, BEFORE));
}

/**
 * Runs `early` (not read for `unreadMs` of tone) beside `control` (read
 * every tick from the first packet), then changes the tone on both peers at
 * one tick after `readTicks` of reading, and returns each leg's latency of
 * the change: ticks from sending to playing, in ms.
 */
async function latencies(
  clock: ManualClock,
  early: Leg,
  control: Leg,
  opts: { unreadMs: number; beforeReading?: () => void },
): Promise<{ early: number; control: number; depthAtFirstRead: number }> {
  const legs = [early, control];
  early.peer.startTone(BEFORE);
  control.peer.startTone(BEFORE);
  await arrived(legs);
  for (let t = 0; t < opts.unreadMs / FRAME_MS; t++) {
    await step(clock, legs);
    read(clock, control);
  }
  opts.beforeReading?.();
  let depthAtFirstRead = -1;
  const readTicks = 10;
  for (let t = 0; t < readTicks; t++) {
    await step(clock, legs);
    read(clock, early);
    if (t === 0) depthAtFirstRead = early.stream.stats().depthMs;
    read(clock, control);
  }
  // The next packet each peer sends (at the next step) is the new tone.
  early.peer.startTone(AFTER);
  control.peer.startTone(AFTER);
  const changeEarly = early.reads.length;
  const changeControl = control.reads.length;
  for (let t = 0; t < 20; t++) {
    await step(clock, legs);
    read(clock, early);
    read(clock, control);
  }
  const e = firstAfter(early.reads.slice(changeEarly));
  const c = firstAfter(control.reads.slice(changeControl));
  assert.ok(e >= 0 && c >= 0, 'the new tone came out of both legs');
  return { early: e * FRAME_MS, control: c * FRAME_MS, depthAtFirstRead };
}

describe('RtpStream: early media backlog', () => {
  it('a leg first read after 2 s of early media plays as promptly as one read all along', async () => {
    const clock = new ManualClock();
    const early = await leg(clock);
    const control = await leg(clock);
    try {
      const r = await latencies(clock, early, control, { unreadMs: 2000 });
      // A stream read from its first packet plays it after the target delay.
      assert.equal(r.control, TARGET_DELAY_MS);
      // Frame counting, not wall-clock time: a stale backlog would show as
      // 180 ms (the 200 ms latency cap), here it is the control's delay.
      assert.ok(r.early <= r.control, `early-media leg ${r.early} ms, control ${r.control} ms`);
      assert.ok(
        r.depthAtFirstRead <= TARGET_DELAY_MS + FRAME_MS,
        `${r.depthAtFirstRead} ms buffered after the first read`,
      );
      assert.ok(early.stream.stats().discarded > 0, 'the backlog was discarded, and counted');
      assert.equal(control.stream.stats().discarded, 0);
    } finally {
      await early.close();
      await control.close();
    }
  });

  it('resync() when the leg is answered: the next packets play at the target delay', async () => {
    const clock = new ManualClock();
    const early = await leg(clock);
    const control = await leg(clock);
    try {
      const r = await latencies(clock, early, control, {
        unreadMs: 2000,
        beforeReading: () => {
          early.stream.resync();
          assert.equal(early.stream.stats().depthMs, 0, 'nothing buffered after resync()');
        },
      });
      assert.equal(r.early, TARGET_DELAY_MS);
      assert.equal(r.control, TARGET_DELAY_MS);
    } finally {
      await early.close();
      await control.close();
    }
  });

  it('reads that stop for a second mid-call (leg out of the room) resume at the target delay', async () => {
    const clock = new ManualClock();
    const paused = await leg(clock);
    const control = await leg(clock);
    try {
      const legs = [paused, control];
      paused.peer.startTone(BEFORE);
      control.peer.startTone(BEFORE);
      await arrived(legs);
      // Read both for a while: both play normally.
      for (let t = 0; t < 25; t++) {
        await step(clock, legs);
        read(clock, paused);
        read(clock, control);
      }
      // Then `paused` is not read for 1 s, while its peer goes on sending.
      const r = await latencies(clock, paused, control, { unreadMs: 1000 });
      assert.equal(r.control, TARGET_DELAY_MS);
      assert.ok(r.early <= r.control, `paused leg ${r.early} ms, control ${r.control} ms`);
    } finally {
      await paused.close();
      await control.close();
    }
  });

  it('40 ms packets: decoded samples left from before a gap in reads are not played after it', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    const pcmu = codecByName('PCMU');
    assert.ok(pcmu);
    // Every packet is one constant µ-law code, so each decoded frame names its packet.
    const code = (seq: number): number => 0x80 + (seq % 100);
    const valueOf = (seq: number): number => pcmu.decode(Uint8Array.of(code(seq)))[0];
    let seq = 0;
    const send = async (): Promise<void> => {
      const payload = Buffer.alloc(320, code(seq));
      await sendTo(
        peer,
        serializeRtp({
          payloadType: 0,
          sequenceNumber: seq,
          timestamp: seq * 320,
          ssrc: 9,
          payload,
        }),
        s.localPort,
      );
      seq++;
      await waitFor(() => s.stats().datagramsReceived === seq, 'the packet');
    };
    const out = new Int16Array(160);
    try {
      s.start(mediaTowards(portOf(peer), { ptime: 40 }));
      // Read every 20 ms (a packet every other tick) for 400 ms.
      for (let t = 0; t < 20; t++) {
        if (t % 2 === 0) await send();
        s.readFrame(out, clock.now());
        clock.advance(20);
      }
      // Half of the last packet is decoded and waiting.
      s.readFrame(out, clock.now());
      assert.equal(s.stats().depthMs % 40, 20);
      // No reads for 1 s, while the peer goes on.
      for (let t = 0; t < 50; t++) {
        clock.advance(20);
        if (t % 2 === 1) await send();
      }
      assert.equal(s.readFrame(out, clock.now()), true);
      const played = [...Array(seq).keys()].find((k) => valueOf(k) === out[0]);
      assert.ok(played !== undefined && played >= seq - 2, `played packet ${played} of ${seq}`);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });
});
