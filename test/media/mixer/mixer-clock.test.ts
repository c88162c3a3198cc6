import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock, TimerHandle } from '../../../src/clock/index.js';
import { MixerClock, type MixerTickable } from '../../../src/media/mixer/index.js';
import { ManualClock } from '../../support/manual-clock.js';

/** Records each tick: its scheduled time and when it actually ran. */
class Recorder implements MixerTickable {
  readonly deadlines: number[] = [];
  readonly ranAt: number[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly onTick?: (n: number) => void,
  ) {}
  tick(nowMs: number): void {
    this.deadlines.push(nowMs);
    this.ranAt.push(this.clock.now());
    this.onTick?.(this.deadlines.length);
  }
}

/**
 * A ManualClock whose timers fire late by `lateBy()` ms: what a busy event
 * loop does to setTimeout. `now()` stays honest, so lateness is measurable.
 */
class LateClock implements Clock {
  lateBy: () => number = () => 0;
  constructor(readonly manual: ManualClock) {}
  now(): number {
    return this.manual.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.manual.setTimeout(fn, ms + this.lateBy());
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    this.manual.clearTimeout(handle);
  }
}

describe('MixerClock', () => {
  it('runs tick n at start + 20n however irregularly time advances', () => {
    const clock = new ManualClock();
    clock.advance(1234.5);
    const start = clock.now();
    const mc = new MixerClock({ clock });
    const r = new Recorder(clock);
    mc.add(r);
    const steps = [7, 13, 1, 19, 40, 3, 0.5, 61, 26.5, 9, 100, 20, 20, 180];
    let total = 0;
    for (let k = 0; k < 20; k++) {
      for (const s of steps) {
        clock.advance(s);
        total += s;
      }
    }
    const expected = Math.floor(total / 20);
    assert.equal(r.deadlines.length, expected);
    r.deadlines.forEach((d, i) => assert.equal(d, start + 20 * (i + 1), `tick ${i + 1}`));
    // The ManualClock fires each timer exactly at its deadline: never early.
    r.ranAt.forEach((t, i) => assert.equal(t, r.deadlines[i]));
    assert.equal(mc.stats().ticks, expected);
    assert.equal(mc.stats().skippedTicks, 0);
  });

  it('does not drift when every timer fires late (no chaining of delays)', () => {
    const manual = new ManualClock();
    const clock = new LateClock(manual);
    let seed = 1;
    // Late by 0..15 ms, pseudo-randomly (a chained timer would lose ~7 ms a tick).
    clock.lateBy = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 16;
    };
    const mc = new MixerClock({ clock });
    const r = new Recorder(clock);
    mc.add(r);
    manual.advance(10_000 + 15);
    assert.equal(r.deadlines.length, 500);
    r.deadlines.forEach((d, i) => assert.equal(d, 20 * (i + 1)));
    r.ranAt.forEach((t, i) => assert.ok(t >= r.deadlines[i] - 1, `tick ${i + 1} ran early`));
    assert.equal(mc.stats().skippedTicks, 0);
  });

  it('measures lateness per tick', () => {
    const manual = new ManualClock();
    const clock = new LateClock(manual);
    clock.lateBy = () => 5;
    const mc = new MixerClock({ clock });
    mc.add(new Recorder(clock));
    manual.advance(2000);
    const { latenessMs, ticks } = mc.stats();
    assert.equal(latenessMs.count, ticks);
    assert.equal(latenessMs.p50, 5);
    assert.equal(latenessMs.p99, 5);
    assert.equal(latenessMs.max, 5);
  });

  it('catches up missed ticks after a stall, each with its own deadline', () => {
    const manual = new ManualClock();
    const clock = new LateClock(manual);
    const mc = new MixerClock({ clock });
    const r = new Recorder(clock);
    mc.add(r);
    manual.advance(90); // ticks 1..4 on time; tick 5's timer is armed
    clock.lateBy = () => 70; // tick 5 arms tick 6's timer (due 120), which fires at 190
    manual.advance(10);
    clock.lateBy = () => 0;
    manual.advance(90); // to 190
    assert.equal(r.deadlines.length, 9);
    assert.deepEqual(r.deadlines.slice(5), [120, 140, 160, 180]);
    assert.deepEqual(r.ranAt.slice(5), [190, 190, 190, 190]);
    assert.equal(mc.stats().skippedTicks, 0);
    assert.equal(mc.stats().latenessMs.max, 70);
    manual.advance(100);
    assert.deepEqual(r.deadlines.slice(9), [200, 220, 240, 260, 280]);
  });

  it('runs at most maxCatchUpTicks after a long stall, skips and counts the rest', () => {
    const manual = new ManualClock();
    const clock = new LateClock(manual);
    const mc = new MixerClock({ clock, maxCatchUpTicks: 5 });
    const r = new Recorder(clock);
    mc.add(r);
    clock.lateBy = () => 200; // tick 1 arms tick 2's timer (due 40), which fires at 240
    manual.advance(20);
    clock.lateBy = () => 0;
    manual.advance(220); // at 240, ticks 2..12 are due
    assert.equal(mc.stats().skippedTicks, 6);
    // The five most recent deadlines ran; the six oldest were skipped.
    assert.deepEqual(r.deadlines, [20, 160, 180, 200, 220, 240]);
    manual.advance(40);
    assert.deepEqual(r.deadlines.slice(6), [260, 280]);
    assert.equal(mc.stats().ticks + mc.stats().skippedTicks, 280 / 20);
  });

  it('drives many rooms with one timer, in the same tick', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const rooms = [new Recorder(clock), new Recorder(clock), new Recorder(clock)];
    for (const room of rooms) mc.add(room);
    mc.add(rooms[0]); // twice: still driven once
    assert.equal(clock.armed(), 1);
    clock.advance(200);
    assert.equal(clock.armed(), 1);
    for (const room of rooms) assert.equal(room.deadlines.length, 10);
    assert.equal(mc.stats().tickables, 3);
    assert.equal(mc.stats().ticks, 10);
  });

  it('joins a room added later to the running schedule', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const a = new Recorder(clock);
    mc.add(a);
    clock.advance(55);
    const b = new Recorder(clock);
    mc.add(b);
    clock.advance(45);
    assert.deepEqual(b.deadlines, [60, 80, 100]);
  });

  it('stops when the last room leaves and starts a fresh schedule when one comes', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const a = new Recorder(clock);
    mc.add(a);
    clock.advance(50);
    mc.remove(a);
    assert.equal(mc.running, false);
    assert.equal(clock.armed(), 0);
    clock.advance(1000);
    assert.equal(a.deadlines.length, 2);
    mc.add(a);
    clock.advance(40);
    assert.deepEqual(a.deadlines, [20, 40, 1070, 1090]);
  });

  it('keeps the other rooms running when one throws', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const good = new Recorder(clock);
    mc.add({
      tick() {
        throw new Error('boom');
      },
    });
    mc.add(good);
    clock.advance(100);
    assert.equal(good.deadlines.length, 5);
    assert.equal(mc.stats().faults, 5);
  });

  it('copes with rooms removed and added from inside a tick', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const late = new Recorder(clock);
    const self: Recorder = new Recorder(clock, (n) => {
      if (n === 2) {
        mc.remove(self);
        mc.add(late);
      }
    });
    mc.add(self);
    clock.advance(100);
    assert.deepEqual(self.deadlines, [20, 40]);
    assert.deepEqual(late.deadlines, [60, 80, 100]);
  });

  it('restarts cleanly when a tick removes the last room and adds one back', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const other = new Recorder(clock);
    const self: Recorder = new Recorder(clock, (n) => {
      if (n === 1) {
        mc.remove(self);
        mc.add(other);
      }
    });
    mc.add(self);
    clock.advance(30);
    clock.advance(50);
    // The new schedule started at 20 (when `other` was added): 40, 60, 80.
    assert.deepEqual(other.deadlines, [40, 60, 80]);
    assert.equal(clock.armed(), 1);
  });

  it('close() stops everything', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const a = new Recorder(clock);
    mc.add(a);
    clock.advance(20);
    mc.close();
    clock.advance(100);
    assert.equal(a.deadlines.length, 1);
    assert.equal(mc.stats().tickables, 0);
    assert.equal(clock.armed(), 0);
  });
});
