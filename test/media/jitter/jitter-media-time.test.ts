// The jitter buffer against what a real sender puts in one sequence space:
// RFC 4733 events and RFC 3389 comfort noise between the audio packets, a
// network stall, talkspurts with the marker bit. Each case measures the
// delay every played frame waited (pop time − arrival), on a simulated clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer, type JitterBufferOptions } from '../../../src/media/jitter/index.js';

interface Packet {
  /** Arrival time, ms. */
  at: number;
  seq: number;
  ts: number;
  /** 'audio' (loud or quiet) or another payload type (a telephone-event, comfort noise). */
  kind: 'loud' | 'quiet' | 'other';
  marker?: boolean;
}

const FRAME = 160;
const LOUD = 1000;

/** The payload names its sequence number and says whether it is loud. */
function payload(p: Packet): Int16Array {
  return Int16Array.of(p.seq & 0xffff, p.kind === 'loud' ? LOUD : 0);
}

const quietOpts: JitterBufferOptions<Int16Array> = { isQuiet: (f) => f[1] < LOUD };

interface Played {
  seq: number;
  at: number;
  delayMs: number;
}

/**
 * Pops every 20 ms (5 ms out of phase with the sender) until `untilMs`,
 * except at the pop times `missed` names (a mixer clock that skipped them).
 */
function simulate(
  packets: Packet[],
  untilMs: number,
  opts: JitterBufferOptions<Int16Array> = {},
  missed: (popAt: number) => boolean = () => false,
) {
  const jb = new JitterBuffer<Int16Array>({ ...quietOpts, ...opts });
  const pending = [...packets].sort((a, b) => a.at - b.at);
  const arrival = new Map<number, number>();
  const played: Played[] = [];
  const kinds: string[] = [];
  let next = 0;
  for (let popAt = 5; popAt <= untilMs; popAt += 20) {
    while (next < pending.length && pending[next].at <= popAt) {
      const p = pending[next++];
      arrival.set(p.seq, p.at);
      if (p.kind === 'other') jb.pushNonAudio(p.seq, p.ts, p.at, 7);
      else jb.push(p.seq, p.ts, payload(p), p.at, 7, p.marker ?? false);
    }
    if (missed(popAt)) continue;
    const pop = jb.pop(popAt);
    kinds.push(pop.kind);
    if (pop.kind === 'frame') {
      const seq = pop.payload[0] & 0xffff;
      played.push({ seq, at: popAt, delayMs: popAt - (arrival.get(seq) ?? NaN) });
    }
  }
  return { jb, played, kinds };
}

/** Audio every 20 ms from t=0 (arrival 10 ms after sending), `kind(i)` for frame i. */
function audio(
  count: number,
  kind: (i: number) => Packet['kind'] = () => 'loud',
  delay: (i: number) => number = () => 10,
): Packet[] {
  return Array.from({ length: count }, (_, i) => ({
    at: i * 20 + delay(i),
    seq: 1000 + i,
    ts: 8000 + i * FRAME,
    kind: kind(i),
  }));
}

function delayOf(played: Played[], seq: number): number {
  const p = played.find((x) => x.seq === seq);
  assert.ok(p, `seq ${seq} was played`);
  return p.delayMs;
}

describe('JitterBuffer: telephone-events in the sequence space (RFC 4733)', () => {
  // A sender like Asterisk: from frame 50 for 140 ms, seven event packets in
  // place of audio (each a sequence number, all with the event's timestamp);
  // the audio after them carries on with the media clock.
  function keyPress(pressFrames = 7, endRepeats = 0): Packet[] {
    const before = audio(50);
    const press: Packet[] = [];
    for (let i = 0; i < pressFrames + endRepeats; i++) {
      const sent = (50 + Math.min(i, pressFrames - 1)) * 20;
      press.push({ at: sent + 10, seq: 1050 + i, ts: 8000 + 50 * FRAME, kind: 'other' });
    }
    const after = Array.from({ length: 100 }, (_, i) => ({
      at: (50 + pressFrames + i) * 20 + 10,
      seq: 1050 + pressFrames + endRepeats + i,
      ts: 8000 + (50 + pressFrames + i) * FRAME,
      kind: 'loud' as const,
    }));
    return [...before, ...press, ...after];
  }

  it('a key press leaves the delay where it was, and nothing counted lost', () => {
    const { jb, played } = simulate(keyPress(), 4000);
    const before = delayOf(played, 1049);
    assert.equal(delayOf(played, 1057), before, 'first frame after the press');
    assert.equal(delayOf(played, 1156), before, 'two seconds later');
    const st = jb.stats();
    assert.equal(st.lost, 0);
    assert.equal(st.nonAudio, 7);
    assert.equal(st.played, 150);
  });

  it('the three end packets sent back to back add no delay either', () => {
    const { jb, played } = simulate(keyPress(7, 2), 4000);
    assert.equal(delayOf(played, 1059), delayOf(played, 1049));
    assert.equal(jb.stats().lost, 0);
  });

  it('a press longer than resyncGapMs does not re-buffer: events keep the stream alive', () => {
    const { jb, played } = simulate(keyPress(25), 5000);
    assert.equal(delayOf(played, 1075), delayOf(played, 1049));
    assert.equal(jb.stats().lost, 0);
  });

  it('the press is silence, not concealment of the audio before it', () => {
    const { jb, kinds } = simulate(keyPress(), 2000);
    assert.equal(jb.stats().concealed, 0);
    assert.ok(!kinds.includes('lost'));
  });

  it('events sent alongside the audio (same sequence space, no gap in the media clock) add no delay', () => {
    const packets: Packet[] = [];
    let seq = 1000;
    for (let i = 0; i < 150; i++) {
      packets.push({ at: i * 20 + 10, seq: seq++, ts: 8000 + i * FRAME, kind: 'loud' });
      if (i >= 50 && i < 57) {
        packets.push({ at: i * 20 + 11, seq: seq++, ts: 8000 + 50 * FRAME, kind: 'other' });
      }
    }
    const { jb, played } = simulate(packets, 4000);
    const delays = new Set(played.map((p) => p.delayMs));
    assert.deepEqual([...delays], [played[0].delayMs]);
    assert.equal(jb.stats().lost, 0);
    assert.equal(jb.stats().played, 150);
  });
});

describe('JitterBuffer: comfort noise and talkspurts (RFC 3389, RFC 3551 §4.1)', () => {
  it('a CN packet then silence, then a talkspurt with the marker: nothing lost, delay as at the start', () => {
    const packets: Packet[] = [
      ...audio(50),
      { at: 50 * 20 + 10, seq: 1050, ts: 8000 + 50 * FRAME, kind: 'other' },
      // 600 ms later the next talkspurt, its first packet marked.
      ...Array.from({ length: 50 }, (_, i) => ({
        at: (80 + i) * 20 + 10,
        seq: 1051 + i,
        ts: 8000 + (80 + i) * FRAME,
        kind: 'loud' as const,
        marker: i === 0,
      })),
    ];
    const { jb, played } = simulate(packets, 4000);
    assert.equal(delayOf(played, 1051), delayOf(played, 1000));
    assert.equal(jb.stats().lost, 0);
    assert.equal(jb.stats().played, 100);
  });

  it('the marker bit re-syncs a talkspurt that follows a stall', () => {
    // A stall at frame 20 that adds 100 ms of delay, 120 ms of silence from
    // frame 40 (nothing sent; less than resyncGapMs), a marked talkspurt from
    // frame 46: it plays at the starting delay again.
    const first = audio(
      40,
      () => 'loud',
      (i) => (i >= 20 && i < 27 ? 10 + (27 - i) * 20 : 10),
    );
    const second = Array.from({ length: 40 }, (_, i) => ({
      at: (46 + i) * 20 + 10,
      seq: 1040 + i,
      ts: 8000 + (46 + i) * FRAME,
      kind: 'loud' as const,
      marker: i === 0,
    }));
    const { jb, played } = simulate([...first, ...second], 3000);
    const start = delayOf(played, 1000);
    assert.equal(delayOf(played, 1030), start + 100, 'the stall added 100 ms');
    assert.equal(delayOf(played, 1040), start, 'the talkspurt plays at the starting delay');
    assert.equal(jb.stats().talkspurts, 1);
    assert.equal(jb.stats().lost, 0);
  });
});

describe('JitterBuffer: delay after a stall comes back down during quiet frames', () => {
  /**
   * Nothing arrives for 140 ms from frame 50, then frames 50..56 together:
   * 40 ms of it the target delay absorbs, the other 100 ms are added delay.
   */
  const stalled = (i: number) => (i >= 50 && i < 57 ? 10 + (57 - i) * 20 : 10);

  it('continuous quiet audio: back to the starting delay within 2 s, only quiet frames dropped', () => {
    const { jb, played } = simulate(
      audio(300, () => 'quiet', stalled),
      6500,
    );
    const start = delayOf(played, 1000);
    assert.equal(delayOf(played, 1060), start + 100, 'the stall adds its 100 ms first');
    // Frame 157 is sent 2 s after the stall ended.
    assert.equal(delayOf(played, 1157), start);
    assert.equal(delayOf(played, 1299), start);
    assert.equal(jb.stats().quietDropped, 5);
    assert.equal(jb.stats().lost, 0);
  });

  it('loud frames are never dropped: a continuous tone keeps the extra delay', () => {
    const { jb, played } = simulate(
      audio(300, () => 'loud', stalled),
      6500,
    );
    const start = delayOf(played, 1000);
    assert.equal(delayOf(played, 1299), start + 100);
    assert.equal(jb.stats().quietDropped, 0);
    assert.equal(jb.stats().played, 300);
  });

  it('speech-like (loud 400 ms, quiet 400 ms): the delay comes back in the pauses', () => {
    const speech = (i: number): Packet['kind'] => (Math.floor(i / 20) % 2 === 0 ? 'loud' : 'quiet');
    const { jb, played } = simulate(audio(300, speech, stalled), 6500);
    const start = delayOf(played, 1000);
    assert.equal(delayOf(played, 1157), start);
    // Every dropped frame was a quiet one.
    const playedSeqs = new Set(played.map((p) => p.seq));
    for (let i = 0; i < 300; i++) if (speech(i) === 'loud') assert.ok(playedSeqs.has(1000 + i));
    assert.equal(jb.stats().quietDropped, 5);
  });

  it('on a jittery line it comes back to the delay the jitter needed, not deeper', () => {
    // Every 10th packet 50 ms late all along (more than the 40 ms target:
    // only just in time at the starting delay), and the stall at frame 150.
    const late = (i: number) => (i % 10 === 5 ? 60 : 10);
    const jittery = (i: number) => (i >= 150 && i < 157 ? 10 + (157 - i) * 20 : late(i));
    const { jb, played } = simulate(
      audio(400, () => 'quiet', jittery),
      8500,
    );
    // Steady before the stall (frames 100..149) and 2 s after it (from 257 on).
    const onTime = (from: number, to: number) =>
      played.filter((p) => p.seq >= 1000 + from && p.seq < 1000 + to && late(p.seq - 1000) === 10);
    const before = new Set(onTime(100, 150).map((p) => p.delayMs));
    const after = new Set(onTime(257, 400).map((p) => p.delayMs));
    assert.equal(before.size, 1, 'a steady delay before the stall');
    assert.deepEqual([...after], [...before]);
    assert.equal(jb.stats().lost, 0);
    assert.ok(jb.stats().quietDropped > 0);
  });

  it('jitter that keeps coming is not excess: nothing is dropped', () => {
    // Every 10th packet 30 ms late, all along.
    const { jb } = simulate(
      audio(
        300,
        () => 'quiet',
        (i) => (i % 10 === 5 ? 40 : 10),
      ),
      6500,
    );
    assert.equal(jb.stats().quietDropped, 0);
  });

  it('without isQuiet nothing is dropped (only maxDelayMs bounds the delay)', () => {
    const { jb, played } = simulate(
      audio(300, () => 'quiet', stalled),
      6500,
      {
        isQuiet: undefined,
      },
    );
    assert.equal(delayOf(played, 1299), delayOf(played, 1000) + 100);
    assert.equal(jb.stats().quietDropped, 0);
  });
});

describe('JitterBuffer: media time from the timestamps', () => {
  it('a timestamp jump beyond maxDelayMs is a discontinuity: played at once, not waited for', () => {
    const packets = audio(40).map((p, i) => (i >= 20 ? { ...p, ts: p.ts + 8000 * 60 } : p));
    const { played } = simulate(packets, 1500);
    assert.equal(delayOf(played, 1020), delayOf(played, 1019));
  });

  it('40 ms packets in a 20 ms buffer are not taken for a timestamp gap', () => {
    const packets = audio(40).map((p, i) => ({ ...p, ts: 8000 + i * 320 }));
    const { played, jb } = simulate(packets, 1500);
    assert.equal(jb.stats().played, 40);
    assert.equal(delayOf(played, 1039), delayOf(played, 1001));
  });
});

describe('JitterBuffer: a consumer that misses ticks (a mixer clock skipping them under CPU load)', () => {
  // A continuous tone (never quiet, so no quiet frame gives delay back), and
  // for the first 2 s one pop in four missed: each missed pop leaves one
  // frame more queued, until maxDelayMs cuts the oldest. A buffer that then
  // waited for the media time of the frames it had cut stayed full and
  // silent for good (the agent a customer did not hear after unhold, in
  // test/server/sdk-members under CPU load).
  const missedFor = (untilMs: number) => (popAt: number) => popAt < untilMs && popAt % 80 === 45;

  /** The longest run of pops without a frame, between the first frame and the last. */
  function longestGap(kinds: string[]): number {
    let longest = 0;
    let run = 0;
    for (const k of kinds.slice(kinds.indexOf('frame'), kinds.lastIndexOf('frame'))) {
      run = k === 'frame' ? 0 : run + 1;
      longest = Math.max(longest, run);
    }
    return longest;
  }

  it('frames cut to bound the delay are not waited for: the tone plays on, at most maxDelayMs late', () => {
    const { jb, played, kinds } = simulate(audio(300), 6500, {}, missedFor(2000));
    assert.ok(jb.stats().discarded > 0, 'the missed pops filled the buffer up to maxDelayMs');
    assert.equal(longestGap(kinds), 0, 'a frame at every pop');
    assert.ok(delayOf(played, 1299) <= 200, `delay at the end: ${delayOf(played, 1299)} ms`);
    assert.equal(jb.stats().lost, 0);
  });

  it('a frame waiting for its media time still gives way to the delay bound', () => {
    // The same missed pops, and 60 ms of telephone-events in place of audio
    // at frame 70 (while the buffer is full): the audio after the press
    // waits for its timestamp only until the bound cuts, then plays on.
    const packets = audio(300).map((p, i) =>
      i >= 70 && i < 73 ? { ...p, kind: 'other' as const, ts: 8000 + 70 * FRAME } : p,
    );
    const { jb, kinds } = simulate(packets, 6500, {}, missedFor(2000));
    assert.equal(jb.stats().nonAudio, 3);
    assert.ok(longestGap(kinds) <= 3, `longest run of pops without a frame: ${longestGap(kinds)}`);
    assert.ok(jb.stats().played > 200, `played ${jb.stats().played}`);
  });
});
