import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../support/manual-clock.js';
import {
  RtpSession,
  SdesItemType,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  parseRtp,
  rtcpIntervalMs,
  serializeRtp,
  type RtpPacket,
  type RtpSessionOptions,
} from '../../../src/media/rtp/index.js';

const OFFSET = Date.UTC(2025, 5, 1); // wall clock = ManualClock + OFFSET
const FRAME = Buffer.alloc(160, 0xff);

function session(clock: ManualClock, extra: Partial<RtpSessionOptions> = {}): RtpSession {
  return new RtpSession({ clock, cname: 'test@127.0.0.1', wallClockOffsetMs: OFFSET, ...extra });
}

/** Random values handed out in order (SSRC, first seq, first timestamp). */
function fixedRandom(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

function packet(ssrc: number, seq: number, timestamp: number, payload: Buffer = FRAME): RtpPacket {
  const p = parseRtp(
    serializeRtp({
      payloadType: 0,
      sequenceNumber: seq & 0xffff,
      timestamp: timestamp >>> 0,
      ssrc,
      payload,
    }),
  );
  assert.ok(p);
  return p;
}

/** Feeds `count` packets 20 ms apart starting at seq/ts, skipping those `drop` selects. */
function feed(
  s: RtpSession,
  clock: ManualClock,
  opts: {
    ssrc: number;
    seq: number;
    ts: number;
    count: number;
    drop?: (i: number) => boolean;
    delay?: (i: number) => number;
  },
): void {
  const start = clock.now();
  for (let i = 0; i < opts.count; i++) {
    if (opts.drop?.(i)) continue;
    const arrival = start + i * 20 + (opts.delay?.(i) ?? 0);
    s.receive(packet(opts.ssrc, opts.seq + i, opts.ts + i * 160), arrival);
  }
  clock.advance(opts.count * 20);
}

describe('RtpSession sender', () => {
  it('starts from random SSRC, sequence number and timestamp, advancing per packet', () => {
    const clock = new ManualClock();
    const s = session(clock, { randomUint32: fixedRandom(0xabcdef01, 0x1234fffe, 0xfffffff0) });
    assert.equal(s.ssrc, 0xabcdef01);
    const seqs: number[] = [];
    const stamps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const p = parseRtp(s.nextPacket(FRAME, 0, 160));
      assert.ok(p);
      assert.equal(p.ssrc, 0xabcdef01);
      seqs.push(p.sequenceNumber);
      stamps.push(p.timestamp);
    }
    // The sequence number is 16 bits (0xfffe from the random value) and wraps.
    assert.deepEqual(seqs, [0xfffe, 0xffff, 0, 1]);
    assert.deepEqual(stamps, [0xfffffff0, 0x90, 0x130, 0x1d0]);
    assert.equal(s.stats().packetsSent, 4);
    assert.equal(s.stats().bytesSent, 640);
  });

  it('sets the marker on the first packet and the first after silence', () => {
    const s = session(new ManualClock());
    const marker = () => parseRtp(s.nextPacket(FRAME, 0, 160))?.marker;
    assert.equal(marker(), true);
    assert.equal(marker(), false);
    const before = s.nextTimestamp;
    s.advanceTimestamp(800);
    assert.equal(s.nextTimestamp, (before + 800) >>> 0);
    assert.equal(marker(), true);
    assert.equal(marker(), false);
    assert.equal(parseRtp(s.nextPacket(FRAME, 0, 160, true))?.marker, true);
  });

  it('sends packets with an explicit timestamp without moving the media clock', () => {
    const s = session(new ManualClock());
    const ts = s.nextTimestamp;
    const seq = s.nextSequenceNumber;
    const a = parseRtp(s.nextPacketAt(Buffer.alloc(4), 101, ts, true));
    const b = parseRtp(s.nextPacketAt(Buffer.alloc(4), 101, ts, false));
    assert.equal(a?.timestamp, ts);
    assert.equal(b?.timestamp, ts);
    assert.equal(b?.sequenceNumber, (seq + 1) & 0xffff);
    assert.equal(s.nextTimestamp, ts);
  });
});

describe('RtpSession receiver (RFC 3550 A.1)', () => {
  it('holds a new source on probation until MIN_SEQUENTIAL packets arrive in order', () => {
    const clock = new ManualClock();
    const s = session(clock);
    assert.equal(s.receive(packet(7, 100, 0)), 'probation');
    assert.equal(s.stats().remoteSsrc, null);
    assert.equal(s.receive(packet(7, 102, 320)), 'probation', 'out of order restarts probation');
    assert.equal(s.receive(packet(7, 103, 480)), 'valid');
    assert.equal(s.stats().remoteSsrc, 7);
    assert.equal(s.stats().packetsReceived, 1);
    assert.equal(s.stats().ssrcChanges, 0);
  });

  it('extends the sequence number across the 65535 → 0 wrap', () => {
    const clock = new ManualClock();
    const s = session(clock);
    feed(s, clock, { ssrc: 7, seq: 65530, ts: 0, count: 20 });
    const st = s.stats();
    // Validated on 65531; 19 packets counted, none lost.
    assert.equal(st.packetsReceived, 19);
    assert.equal(st.packetsExpected, 19);
    assert.equal(st.packetsLost, 0);
    const rr = parseRtcp(s.buildReport());
    assert.ok(rr && rr[0].type === 'RR');
    assert.equal(rr[0].reports[0].highestSeq, 0x10000 + 13, 'one cycle, max seq 13');
  });

  it('counts several wraps', () => {
    const clock = new ManualClock();
    const s = session(clock);
    feed(s, clock, { ssrc: 7, seq: 0, ts: 0, count: 3 * 65536 + 10 });
    const report = parseRtcp(s.buildReport());
    assert.ok(report && report[0].type === 'RR');
    assert.equal(report[0].reports[0].highestSeq, 3 * 65536 + 9);
    assert.equal(s.stats().packetsLost, 0);
  });

  it('treats a large jump as a restart only once a second packet confirms it', () => {
    const clock = new ManualClock();
    const s = session(clock);
    feed(s, clock, { ssrc: 7, seq: 1000, ts: 0, count: 10 });
    assert.equal(s.receive(packet(7, 30000, 9999)), 'bad-sequence');
    assert.equal(s.stats().packetsReceived, 9);
    assert.equal(s.receive(packet(7, 30001, 9999 + 160)), 'valid');
    // init_seq: statistics start over from the new base.
    assert.equal(s.stats().packetsReceived, 1);
    assert.equal(s.stats().packetsLost, 0);
    assert.equal(s.stats().ssrcChanges, 0);
  });

  it('switches to a new SSRC only once it is validated, and resets its statistics', () => {
    const clock = new ManualClock();
    const s = session(clock);
    feed(s, clock, { ssrc: 1, seq: 500, ts: 0, count: 50, drop: (i) => i === 10 });
    assert.equal(s.stats().packetsLost, 1);

    // A single stray packet from another SSRC changes nothing.
    assert.equal(s.receive(packet(2, 9000, 5)), 'probation');
    assert.equal(s.receive(packet(1, 550, 50 * 160)), 'valid');
    assert.equal(s.stats().remoteSsrc, 1);

    feed(s, clock, { ssrc: 3, seq: 40000, ts: 777, count: 10 });
    const st = s.stats();
    assert.equal(st.remoteSsrc, 3);
    assert.equal(st.ssrcChanges, 1);
    assert.equal(st.packetsReceived, 9);
    assert.equal(st.bytesReceived, 9 * 160);
    assert.equal(st.packetsLost, 0);
  });
});

describe('RtpSession loss and jitter (RFC 3550 A.3, A.8)', () => {
  it('measures 5 % loss when every 20th packet is dropped', () => {
    const clock = new ManualClock();
    const s = session(clock);
    // i = 0 validates nothing alone; drop i % 20 === 10 so the last packet arrives.
    feed(s, clock, { ssrc: 9, seq: 100, ts: 0, count: 1001, drop: (i) => i % 20 === 10 });
    const st = s.stats();
    assert.equal(st.packetsExpected, 1000);
    assert.equal(st.packetsLost, 50);
    assert.equal(st.fractionLost, 0.05);
    assert.equal(st.bytesReceived, 950 * 160);
    const report = parseRtcp(s.buildReport());
    assert.ok(report && report[0].type === 'RR');
    assert.equal(report[0].reports[0].cumulativeLost, 50);
    assert.equal(report[0].reports[0].fractionLost, Math.floor(0.05 * 256));
    // The interval is closed: nothing lost since.
    feed(s, clock, { ssrc: 9, seq: 1101, ts: 1001 * 160, count: 10 });
    assert.equal(s.stats().fractionLost, 0);
    assert.equal(s.stats().packetsLost, 50);
  });

  it('reports zero jitter for a constant network delay', () => {
    const clock = new ManualClock();
    const s = session(clock);
    feed(s, clock, { ssrc: 9, seq: 0, ts: 1000, count: 500, delay: () => 37 });
    assert.equal(s.stats().jitterMs, 0);
  });

  it('converges to the mean deviation for alternating delay', () => {
    const clock = new ManualClock();
    const s = session(clock);
    // Delay alternates 0 / 10 ms: every transit difference is 10 ms.
    feed(s, clock, { ssrc: 9, seq: 0, ts: 0x7fffff00, count: 500, delay: (i) => (i % 2) * 10 });
    assert.ok(Math.abs(s.stats().jitterMs - 10) < 0.01, `jitter ${s.stats().jitterMs}`);
    const report = parseRtcp(s.buildReport());
    assert.ok(report && report[0].type === 'RR');
    assert.equal(report[0].reports[0].jitter, 80, '10 ms in 8 kHz timestamp units');
  });

  it('ignores repeated timestamps (RFC 4733 event updates) for jitter', () => {
    const clock = new ManualClock();
    const s = session(clock);
    for (let i = 0; i < 100; i++) s.receive(packet(9, i, 4000), i * 20);
    assert.equal(s.stats().jitterMs, 0);
  });
});

describe('RtpSession reports', () => {
  it('sends an SR while sending, with packet/octet counts and a consistent RTP timestamp', () => {
    const clock = new ManualClock();
    clock.advance(1000);
    const s = session(clock, { randomUint32: fixedRandom(0x5555, 0, 1000) });
    for (let i = 0; i < 50; i++) {
      s.nextPacket(FRAME, 0, 160);
      clock.advance(20);
    }
    // Last packet (ts 1000 + 49*160) went at t=1980; the report is at 2000 + 5.
    clock.advance(5);
    const parsed = parseRtcp(s.buildReport());
    assert.ok(parsed);
    const [sr, sdes] = parsed;
    assert.ok(sr.type === 'SR');
    assert.equal(sr.ssrc, 0x5555);
    assert.equal(sr.packetCount, 50);
    assert.equal(sr.octetCount, 8000);
    assert.equal(sr.rtpTimestamp, 1000 + 49 * 160 + 25 * 8);
    const ntp = ntpFromUnixMs(OFFSET + 2005);
    assert.equal(sr.ntpSeconds, ntp.seconds);
    assert.equal(sr.ntpFraction, ntp.fraction);
    assert.equal(sr.reports.length, 0, 'nothing received, no report block');
    assert.ok(sdes.type === 'SDES');
    assert.deepEqual(sdes.chunks, [
      { ssrc: 0x5555, items: [{ type: SdesItemType.CNAME, value: 'test@127.0.0.1' }] },
    ]);
  });

  it('falls back to RR once nothing was sent for two report intervals', () => {
    const clock = new ManualClock();
    const s = session(clock);
    assert.equal(parseRtcp(s.buildReport())?.[0].type, 'RR', 'never sent');
    s.nextPacket(FRAME, 0, 160);
    assert.equal(parseRtcp(s.buildReport())?.[0].type, 'SR');
    assert.equal(parseRtcp(s.buildReport())?.[0].type, 'SR', 'sent during the previous interval');
    assert.equal(parseRtcp(s.buildReport())?.[0].type, 'RR');
  });

  it('echoes LSR/DLSR and lets the sender compute the round-trip time', () => {
    const clock = new ManualClock();
    clock.advance(10_000);
    const a = session(clock, { ssrc: 0xa });
    const b = session(clock, { ssrc: 0xb });
    const oneWay = 30;

    // A streams to B.
    for (let i = 0; i < 20; i++) {
      const wire = a.nextPacket(FRAME, 0, 160);
      const p = parseRtp(wire);
      assert.ok(p);
      b.receive(p, clock.now() + oneWay);
      clock.advance(20);
    }
    const srWire = a.buildReport();
    const srNtp = ntpMiddle32(ntpFromUnixMs(OFFSET + clock.now()));
    clock.advance(oneWay);
    assert.ok(b.receiveRtcp(srWire));

    // B reports 500 ms later.
    clock.advance(500);
    const rrWire = b.buildReport();
    const rr = parseRtcp(rrWire);
    assert.ok(rr && rr[0].type === 'RR');
    const blockAboutA = rr[0].reports[0];
    assert.equal(blockAboutA.ssrc, 0xa);
    assert.equal(blockAboutA.lsr, srNtp);
    assert.equal(blockAboutA.dlsr, Math.round(0.5 * 65536));
    assert.equal(blockAboutA.cumulativeLost, 0);

    clock.advance(oneWay);
    a.receiveRtcp(rrWire);
    const rtt = a.stats().roundTripMs;
    assert.ok(rtt !== null && Math.abs(rtt - 2 * oneWay) < 0.1, `rtt ${rtt}`);
    assert.deepEqual(a.stats().remote, { fractionLost: 0, packetsLost: 0, jitterMs: 0 });
  });

  it('builds a BYE compound and notices the peer’s BYE', () => {
    const clock = new ManualClock();
    const a = session(clock, { ssrc: 0xa });
    const b = session(clock, { ssrc: 0xb });
    for (let i = 0; i < 3; i++) {
      const p = parseRtp(a.nextPacket(FRAME, 0, 160));
      assert.ok(p);
      b.receive(p);
      clock.advance(20);
    }
    const bye = parseRtcp(a.buildBye('hangup'));
    assert.ok(bye);
    assert.deepEqual(
      bye.map((p) => p.type),
      ['SR', 'SDES', 'BYE'],
    );
    assert.deepEqual(bye[2], { type: 'BYE', ssrcs: [0xa], reason: 'hangup' });
    assert.equal(b.stats().byeReceived, false);
    b.receiveRtcp(a.buildBye());
    assert.equal(b.stats().byeReceived, true);
  });

  it('drops malformed RTCP without changing state', () => {
    const s = session(new ManualClock());
    assert.equal(s.receiveRtcp(Buffer.from([0x81, 201, 0, 9])), null);
    assert.equal(s.stats().roundTripMs, null);
  });
});

describe('rtcpIntervalMs', () => {
  it('randomises the 5 s base to 0.5–1.5× and halves the first interval', () => {
    assert.equal(
      rtcpIntervalMs(() => 0),
      2500,
    );
    assert.equal(
      rtcpIntervalMs(() => 0.5),
      5000,
    );
    assert.ok(rtcpIntervalMs(() => 0.9999) < 7500);
    assert.equal(
      rtcpIntervalMs(() => 0.5, { initial: true }),
      2500,
    );
    assert.equal(
      rtcpIntervalMs(() => 0.5, { baseMs: 1000 }),
      1000,
    );
    for (let i = 0; i < 100; i++) {
      const v = rtcpIntervalMs();
      assert.ok(v >= 2500 && v < 7500);
    }
  });
});
