import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../support/manual-clock.js';
import {
  DtmfReceiver,
  DtmfSender,
  digitToEvent,
  eventToDigit,
  parseTelephoneEvent,
  serializeTelephoneEvent,
  type DtmfDigit,
  type DtmfPacket,
} from '../../../src/media/dtmf/index.js';

function receiver(
  clock: ManualClock,
  endTimeoutMs?: number,
): { rx: DtmfReceiver; digits: DtmfDigit[] } {
  const rx = new DtmfReceiver({ clock, ...(endTimeoutMs === undefined ? {} : { endTimeoutMs }) });
  const digits: DtmfDigit[] = [];
  rx.on('digit', (d) => digits.push(d));
  return { rx, digits };
}

/** Plays a packet train into the receiver 20 ms apart, as a stream owner would. */
function play(
  rx: DtmfReceiver,
  clock: ManualClock,
  train: DtmfPacket[],
  opts: { seq: number; ts: number; keep?: (i: number) => boolean },
): void {
  train.forEach((p, i) => {
    if (opts.keep && !opts.keep(i)) {
      clock.advance(20);
      return;
    }
    rx.feed((opts.seq + i) & 0xffff, opts.ts, p.marker, p.payload);
    clock.advance(20);
  });
}

const sender = new DtmfSender();

describe('telephone-event payload (RFC 4733 §2.3)', () => {
  it('parses event, E bit, volume and duration', () => {
    assert.deepEqual(parseTelephoneEvent(Buffer.from([11, 0x8a, 0x03, 0x20])), {
      event: 11,
      end: true,
      volume: 10,
      duration: 800,
    });
    assert.deepEqual(parseTelephoneEvent(Buffer.from([0, 0x4a, 0, 0])), {
      event: 0,
      end: false,
      volume: 10,
      duration: 0,
    });
  });

  it('rejects short payloads and non-DTMF events', () => {
    assert.equal(parseTelephoneEvent(Buffer.from([1, 0, 0])), null);
    assert.equal(parseTelephoneEvent(Buffer.from([16, 0, 0, 0])), null, 'flash is not a digit');
    assert.equal(parseTelephoneEvent(Buffer.alloc(0)), null);
  });

  it('round-trips through serializeTelephoneEvent', () => {
    const ev = { event: 15, end: false, volume: 63, duration: 65535 };
    assert.deepEqual(parseTelephoneEvent(serializeTelephoneEvent(ev)), ev);
  });

  it('maps digits to event codes and back', () => {
    const digits = '0123456789*#ABCD';
    for (let e = 0; e < 16; e++) {
      assert.equal(eventToDigit(e), digits[e]);
      assert.equal(digitToEvent(digits[e]), e);
    }
    assert.equal(digitToEvent('b'), 13);
    assert.equal(digitToEvent('E'), null);
    assert.equal(digitToEvent('12'), null);
    assert.equal(eventToDigit(16), null);
  });
});

describe('DtmfSender', () => {
  it('builds marker, growing updates and three end packets for 100 ms', () => {
    const train = sender.packets('5');
    assert.ok(train);
    const events = train.map((p) => parseTelephoneEvent(p.payload));
    assert.deepEqual(
      train.map((p) => p.marker),
      [true, false, false, false, false, false, false],
    );
    assert.deepEqual(
      events.map((e) => e?.duration),
      [160, 320, 480, 640, 800, 800, 800],
    );
    assert.deepEqual(
      train.map((p) => p.endOfEvent),
      [false, false, false, false, true, true, true],
    );
    assert.deepEqual(
      events.map((e) => e?.end),
      train.map((p) => p.endOfEvent),
    );
    assert.deepEqual(
      train.map((p) => p.timestampOffset),
      [0, 160, 320, 480, 640, 800, 960],
    );
    assert.ok(events.every((e) => e?.event === 5 && e.volume === 10));
  });

  it('rounds the duration up to whole packets and rejects non-digits', () => {
    const train = new DtmfSender({ packetIntervalMs: 20, volume: 7 }).packets('#', 50);
    assert.ok(train);
    assert.equal(train.length, 5);
    assert.equal(parseTelephoneEvent(train[4].payload)?.duration, 480);
    assert.equal(parseTelephoneEvent(train[0].payload)?.volume, 7);
    assert.equal(sender.packets('x'), null);
    assert.equal(sender.packets('1', 0), null);
    assert.equal(sender.packets('1', Number.NaN), null);
  });

  it('caps the duration at the 16-bit field', () => {
    const train = sender.packets('1', 20_000);
    assert.ok(train);
    assert.equal(parseTelephoneEvent(train[train.length - 1].payload)?.duration, 0xffff);
  });
});

describe('DtmfReceiver', () => {
  it('reports a key press once, whatever the redundant end packets', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    const train = sender.packets('7');
    assert.ok(train);
    play(rx, clock, train, { seq: 100, ts: 16000 });
    assert.deepEqual(digits, [
      { digit: '7', event: 7, durationMs: 100, timestamp: 16000, endedBy: 'end' },
    ]);
    clock.advance(5000);
    assert.equal(digits.length, 1);
    assert.equal(clock.armed(), 0, 'no timer left behind');
  });

  it('reports two presses of the same digit ("11") by their timestamps', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    const train = sender.packets('1');
    assert.ok(train);
    play(rx, clock, train, { seq: 1, ts: 8000 });
    play(rx, clock, train, { seq: 8, ts: 8000 + 2400 });
    assert.deepEqual(
      digits.map((d) => [d.digit, d.timestamp]),
      [
        ['1', 8000],
        ['1', 10400],
      ],
    );
  });

  it('ends a press whose end packets were all lost when the next press starts', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    const train = sender.packets('3');
    assert.ok(train);
    play(rx, clock, train, { seq: 1, ts: 1000, keep: (i) => !train[i].endOfEvent });
    assert.equal(digits.length, 0);
    play(rx, clock, train, { seq: 8, ts: 3000 });
    assert.deepEqual(
      digits.map((d) => [d.digit, d.durationMs, d.endedBy]),
      [
        ['3', 80, 'next-event'],
        ['3', 100, 'end'],
      ],
    );
  });

  it('ends a press whose reports stop, after the timeout, and ignores its late end', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock, 300);
    const train = sender.packets('9', 200);
    assert.ok(train);
    play(rx, clock, train.slice(0, 3), { seq: 1, ts: 500 });
    clock.advance(279);
    assert.equal(digits.length, 0, 'not before the timeout');
    clock.advance(1);
    assert.deepEqual(
      digits.map((d) => [d.digit, d.durationMs, d.endedBy]),
      [['9', 60, 'timeout']],
    );
    // The end packets arrive after all: the press was already reported.
    play(rx, clock, train.slice(-3), { seq: 20, ts: 500 });
    assert.equal(digits.length, 1);
  });

  it('detects a press whose first (marker) packet was lost, or of which only an end arrived', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    const train = sender.packets('*');
    assert.ok(train);
    play(rx, clock, train, { seq: 1, ts: 100, keep: (i) => i > 0 });
    play(rx, clock, train, { seq: 10, ts: 5000, keep: (i) => i === 6 });
    assert.deepEqual(
      digits.map((d) => [d.digit, d.durationMs]),
      [
        ['*', 100],
        ['*', 100],
      ],
    );
  });

  it('ignores reordered updates of a press already over', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    const train = sender.packets('0');
    assert.ok(train);
    play(rx, clock, train.slice(4), { seq: 5, ts: 700 }); // end packets first
    play(rx, clock, train.slice(0, 4), { seq: 1, ts: 700 }); // then the updates
    rx.feed(0, 300, true, train[0].payload); // an even older press's straggler
    assert.equal(digits.length, 1);
    assert.equal(clock.armed(), 0);
  });

  it('joins the segments of a long event into one press (RFC 4733 §2.5.1.3)', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    const ev = (duration: number, end = false) =>
      serializeTelephoneEvent({ event: 4, end, volume: 10, duration });
    rx.feed(1, 0, true, ev(160));
    rx.feed(2, 0, false, ev(65000));
    rx.feed(3, 0, false, ev(0xffff));
    rx.feed(4, 0xffff, false, ev(160));
    rx.feed(5, 0xffff, false, ev(800, true));
    rx.feed(6, 0xffff, false, ev(800, true));
    assert.equal(digits.length, 1);
    assert.equal(digits[0].digit, '4');
    assert.equal(digits[0].timestamp, 0);
    assert.equal(digits[0].durationMs, ((0xffff + 800) * 1000) / 8000);
  });

  it('ignores payloads that are not DTMF events, and flushes a press in progress', () => {
    const clock = new ManualClock();
    const { rx, digits } = receiver(clock);
    rx.feed(1, 10, true, Buffer.from([16, 0, 0, 160]));
    rx.feed(2, 10, true, Buffer.from([1, 2]));
    assert.equal(digits.length, 0);
    rx.feed(
      3,
      20,
      true,
      serializeTelephoneEvent({ event: 12, end: false, volume: 10, duration: 160 }),
    );
    rx.flush();
    assert.deepEqual(
      digits.map((d) => [d.digit, d.endedBy]),
      [['A', 'flush']],
    );
    assert.equal(clock.armed(), 0);
  });
});
