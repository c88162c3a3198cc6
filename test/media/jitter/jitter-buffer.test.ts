import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../support/manual-clock.js';
import {
  JitterBuffer,
  type JitterBufferOptions,
  type JitterPop,
} from '../../../src/media/jitter/index.js';

interface Arrival {
  at: number;
  seq: number;
  ssrc?: number;
}

/** A frame whose first sample names its sequence number, so output order is visible. */
function frame(seq: number): Int16Array {
  return Int16Array.of(seq & 0xffff, 0, 0);
}

/**
 * Runs a stream through a jitter buffer on a ManualClock: arrivals are pushed
 * at their times, and the consumer pops every 20 ms (5 ms out of phase with
 * the sender) until `untilMs`.
 */
function simulate(
  arrivals: Arrival[],
  untilMs: number,
  opts: JitterBufferOptions = {},
): { jb: JitterBuffer<Int16Array>; out: JitterPop<Int16Array>[]; played: number[] } {
  const clock = new ManualClock();
  const jb = new JitterBuffer<Int16Array>(opts);
  const pending = [...arrivals].sort((a, b) => a.at - b.at);
  const out: JitterPop<Int16Array>[] = [];
  let next = 0;
  for (let popAt = 5; popAt <= untilMs; popAt += 20) {
    while (next < pending.length && pending[next].at <= popAt) {
      const a = pending[next++];
      clock.advance(a.at - clock.now());
      jb.push(a.seq & 0xffff, (a.seq * 160) >>> 0, frame(a.seq), clock.now(), a.ssrc);
    }
    clock.advance(popAt - clock.now());
    out.push(jb.pop(clock.now()));
  }
  const played = out.flatMap((p) => (p.kind === 'frame' ? [p.payload[0] & 0xffff] : []));
  return { jb, out, played };
}

/** `count` packets from `firstSeq`, sent every 20 ms from t=0, each delayed by `delay(i)`. */
function stream(
  count: number,
  delay: (i: number) => number = () => 10,
  firstSeq = 1000,
): Arrival[] {
  return Array.from({ length: count }, (_, i) => ({ at: i * 20 + delay(i), seq: firstSeq + i }));
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => (from + i) & 0xffff);

describe('JitterBuffer', () => {
  it('plays an in-order stream in order, starting after the target delay', () => {
    const { jb, out, played } = simulate(stream(100), 2200);
    assert.deepEqual(played, range(1000, 100));
    // First packet at 10 ms; with a 40 ms target the first pop that plays is at 65 ms.
    assert.deepEqual(
      out.slice(0, 4).map((p) => p.kind),
      ['empty', 'empty', 'empty', 'frame'],
    );
    const st = jb.stats();
    assert.equal(st.received, 100);
    assert.equal(st.played, 100);
    assert.equal(st.lost, 0);
    assert.equal(st.late, 0);
    assert.equal(st.reordered, 0);
    assert.equal(st.depthMs, 0);
  });

  it('puts pairwise-swapped packets back in order', () => {
    // Packets 0,1 arrive as 1,0; 2,3 as 3,2...
    const arrivals = stream(100, (i) => (i % 2 === 0 ? 30 : 5));
    const { jb, played } = simulate(arrivals, 2200);
    assert.deepEqual(played, range(1000, 100));
    assert.equal(jb.stats().reordered, 50);
    assert.equal(jb.stats().lost, 0);
    assert.equal(jb.stats().late, 0);
  });

  it('counts 5 % loss when every 20th packet is dropped', () => {
    const arrivals = stream(1000).filter((_, i) => i % 20 !== 7);
    // Packet i is played at 65 + 20·i ms; stop at the last one so no tail underrun is concealed.
    const { jb, out, played } = simulate(arrivals, 65 + 20 * 999);
    const st = jb.stats();
    assert.equal(st.lost, 50);
    assert.equal(st.lost / 1000, 0.05);
    assert.equal(st.played, 950);
    assert.equal(st.concealed, 50);
    assert.deepEqual(
      out.filter((p) => p.kind === 'lost').map((p) => (p.kind === 'lost' ? p.seq : -1)),
      Array.from({ length: 50 }, (_, k) => 1000 + 20 * k + 7),
    );
    assert.deepEqual(
      played,
      range(1000, 1000).filter((s) => (s - 1000) % 20 !== 7),
    );
  });

  it('drops a packet that arrives after its playout time and counts it late, not lost', () => {
    const arrivals = stream(50, (i) => (i === 20 ? 300 : 10));
    const { jb, out, played } = simulate(arrivals, 65 + 20 * 49);
    const st = jb.stats();
    assert.equal(st.late, 1);
    assert.equal(st.lost, 0);
    assert.equal(st.concealed, 1);
    assert.equal(st.played, 49);
    assert.ok(!played.includes(1020));
    assert.ok(out.some((p) => p.kind === 'lost' && p.seq === 1020));
  });

  it('drops and counts duplicates, before and after playout', () => {
    const arrivals = stream(60);
    // Every 10th packet is duplicated 1 ms later (queued), and packet 5 again 500 ms later (played).
    for (let i = 0; i < 60; i += 10) arrivals.push({ at: i * 20 + 11, seq: 1000 + i });
    arrivals.push({ at: 600, seq: 1005 });
    const { jb, played } = simulate(arrivals, 1400);
    assert.deepEqual(played, range(1000, 60));
    assert.equal(jb.stats().duplicate, 7);
    assert.equal(jb.stats().late, 0);
    assert.equal(jb.stats().received, 67);
  });

  it('plays across the 65535 → 0 wrap', () => {
    const arrivals = stream(100, (i) => (i % 2 === 0 ? 30 : 5), 65500);
    const { jb, played } = simulate(arrivals, 2200);
    assert.deepEqual(played, range(65500, 100));
    assert.equal(played[36], 0);
    assert.equal(jb.stats().lost, 0);
  });

  it('starts over on an SSRC change', () => {
    const a = stream(20).map((x) => ({ ...x, ssrc: 1 }));
    // B starts after A's last frame was played (a new SSRC flushes whatever A left queued).
    const b = stream(20, () => 10, 7).map((x) => ({ ...x, at: x.at + 600, ssrc: 2 }));
    const { jb, played } = simulate([...a, ...b], 1200);
    assert.deepEqual(played, [...range(1000, 20), ...range(7, 20)]);
    assert.equal(jb.stats().resyncs, 1);
    assert.equal(jb.stats().lost, 0);
    assert.equal(jb.stats().late, 0);
  });

  it('starts over after a large sequence jump', () => {
    const a = stream(20);
    const b = stream(20, () => 10, 30000).map((x) => ({ ...x, at: x.at + 600 }));
    const { jb, played } = simulate([...a, ...b], 1200);
    assert.deepEqual(played, [...range(1000, 20), ...range(30000, 20)]);
    assert.equal(jb.stats().resyncs, 1);
    assert.equal(jb.stats().lost, 0);
  });

  it('rides out a pause (silence suppression) without counting loss, then rebuffers', () => {
    // 20 packets, a 1 s pause, 20 more with contiguous sequence numbers.
    const arrivals = [
      ...stream(20),
      ...stream(20, () => 10, 1020).map((x) => ({ ...x, at: x.at + 1400 })),
    ];
    // The second talkspurt plays from 1465 ms (first arrival 1410 + 40 ms target) to 1845 ms.
    const { jb, out, played } = simulate(arrivals, 1845);
    assert.deepEqual(played, range(1000, 40));
    const st = jb.stats();
    assert.equal(st.lost, 0);
    // Underrun pops conceal until resyncGapMs (200 ms), then the buffer goes quiet.
    assert.equal(st.concealed, 9);
    const afterPause = out.slice(25, 60).map((p) => p.kind);
    assert.ok(afterPause.includes('empty'));
    assert.equal(st.resyncs, 0);
  });

  it('counts the packets lost during an outage when the stream comes back', () => {
    const arrivals = stream(70).filter((_, i) => i < 20 || i >= 50);
    const { jb, played } = simulate(arrivals, 1800);
    assert.deepEqual(played, [...range(1000, 20), ...range(1050, 20)]);
    assert.equal(jb.stats().lost, 30);
  });

  it('discards the oldest frames when a burst exceeds the maximum delay', () => {
    // A 400 ms stall, then everything queued arrives at once.
    const arrivals = stream(60, (i) => (i >= 10 && i < 30 ? 600 - i * 20 + 10 : 10));
    const { jb, played } = simulate(arrivals, 1600, { maxDelayMs: 100 });
    const st = jb.stats();
    assert.ok(st.discarded > 0, 'latency was cut');
    assert.equal(st.played + st.discarded + st.late + st.lost, 60);
    // Whatever was played came out in order.
    for (let i = 1; i < played.length; i++) assert.ok(played[i] > played[i - 1]);
  });

  it('moves the playout point when a packet lands beyond the reorder window', () => {
    const jb = new JitterBuffer<Int16Array>({ windowPackets: 16 });
    jb.push(100, 0, frame(100), 0);
    jb.push(101, 160, frame(101), 20);
    jb.push(130, 30 * 160, frame(130), 40);
    const st = jb.stats();
    // 100..114 left the window: two queued frames discarded, 13 missing ones lost.
    assert.equal(st.discarded, 2);
    assert.equal(st.lost, 13);
    assert.equal(st.depthMs, 20);
  });

  it('returns empty before any packet and while buffering', () => {
    const jb = new JitterBuffer<Uint8Array>({ targetDelayMs: 60 });
    assert.deepEqual(jb.pop(0), { kind: 'empty' });
    jb.push(1, 160, new Uint8Array(160), 100);
    assert.deepEqual(jb.pop(120), { kind: 'empty' });
    assert.deepEqual(jb.pop(159), { kind: 'empty' });
    const p = jb.pop(160);
    assert.equal(p.kind, 'frame');
    jb.flush();
    assert.deepEqual(jb.pop(180), { kind: 'empty' });
    assert.equal(jb.stats().depthMs, 0);
  });
});

describe('JitterBuffer: a stale backlog after a gap in pops', () => {
  /** Pushes `seq` as arriving at `at`. */
  const push = (jb: JitterBuffer<Int16Array>, seq: number, at: number): void =>
    jb.push(seq, seq * 160, frame(seq), at, 1);
  const seqOf = (p: JitterPop<Int16Array>): number | string =>
    p.kind === 'frame' ? p.payload[0] : p.kind;

  it('never popped for 2 s (early media): the first pop plays at the target delay', () => {
    const jb = new JitterBuffer<Int16Array>();
    // A packet every 20 ms, 0..100, arriving on time; nobody pops.
    for (let seq = 0; seq <= 100; seq++) push(jb, seq, seq * 20);
    assert.equal(jb.stats().depthMs, 16 * 20, 'the reorder window holds 16 packets');
    // Pops from now on, each right after that tick's packet: the played
    // packet is the one that arrived 40 ms (the target delay) before.
    const played: (number | string)[] = [];
    for (let t = 0; t < 10; t++) {
      const now = 2000 + t * 20;
      if (t > 0) push(jb, 100 + t, now);
      played.push(seqOf(jb.pop(now)));
      assert.ok(jb.stats().depthMs <= 40, `${jb.stats().depthMs} ms buffered`);
    }
    assert.deepEqual(played, range(98, 10));
    const st = jb.stats();
    assert.equal(st.discarded, 98, 'everything older, dropped unplayed');
    assert.equal(st.lost, 0);
  });

  it('pops that stop for 1 s mid-stream resume at the delay they had before', () => {
    const jb = new JitterBuffer<Int16Array>();
    const latencies: number[] = [];
    let seq = 0;
    for (let t = 0; t < 150; t++) {
      const now = t * 20;
      push(jb, seq++, now);
      // Pops at 0..980 ms, none for 1 s, then again from 2000 ms.
      if (now >= 1000 && now < 2000) continue;
      const p = jb.pop(now + 5);
      if (p.kind === 'frame') latencies.push(now - p.payload[0] * 20);
    }
    const before = latencies.slice(0, 40);
    const afterGap = latencies.slice(-50);
    assert.ok(
      before.every((l) => l === 40),
      before.join(),
    );
    assert.ok(
      afterGap.every((l) => l === 40),
      afterGap.join(),
    );
  });

  it('a gap up to staleReadMs is no gap: nothing is cut (a late tick, a catch-up)', () => {
    // A large maxDelayMs so that only the stale rule could drop anything.
    const opts: JitterBufferOptions = { maxDelayMs: 1000, windowPackets: 64 };
    for (const [gapMs, cut] of [
      [200, false],
      [220, true],
    ] as const) {
      const jb = new JitterBuffer<Int16Array>(opts);
      let seq = 0;
      let now = 0;
      for (; now < 400; now += 20) {
        push(jb, seq++, now);
        jb.pop(now);
      }
      const lastPop = now - 20;
      for (; now <= lastPop + gapMs; now += 20) push(jb, seq++, now);
      jb.pop(lastPop + gapMs);
      assert.equal(jb.stats().discarded > 0, cut, `gap of ${gapMs} ms`);
    }
  });

  it('staleReadMs is configurable', () => {
    const jb = new JitterBuffer<Int16Array>({ staleReadMs: 1000, maxDelayMs: 1000 });
    for (let seq = 0; seq < 10; seq++) push(jb, seq, seq * 20);
    assert.equal(seqOf(jb.pop(500)), 0, 'a 500 ms backlog is kept and played from its start');
    assert.equal(jb.stats().discarded, 0);
  });

  it('a stream that also paused meanwhile: the old frames all go, the next packets start afresh', () => {
    const jb = new JitterBuffer<Int16Array>();
    for (let seq = 0; seq < 10; seq++) push(jb, seq, seq * 20);
    // Last packet at 180 ms; the first pop comes 1 s later.
    assert.deepEqual(jb.pop(1200), { kind: 'empty' });
    const st = jb.stats();
    assert.equal(st.discarded, 10);
    assert.equal(st.depthMs, 0);
    assert.equal(st.resyncs, 1);
    // The peer talks again: played after the target delay, as for a new stream.
    push(jb, 60, 1210);
    assert.deepEqual(jb.pop(1220), { kind: 'empty' });
    push(jb, 61, 1230);
    assert.deepEqual(jb.pop(1240), { kind: 'empty' });
    push(jb, 62, 1250);
    assert.equal(seqOf(jb.pop(1260)), 60);
  });
});
