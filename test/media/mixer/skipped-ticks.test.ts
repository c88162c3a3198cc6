// Ticks the MixerClock skips after a stall are still media time: the rooms
// are told, their ports move their RTP clocks on, and the recording gets the
// silence, so neither loses duration (RFC 3550 §5.1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock, TimerHandle } from '../../../src/clock/index.js';
import { MixerClock, Room, type RoomRecorder } from '../../../src/media/mixer/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { constPort, TestPort } from './helpers.js';

/** Timers fire `lateBy` ms late: a blocked event loop. */
class LateClock implements Clock {
  lateBy = 0;
  constructor(readonly manual: ManualClock) {}
  now(): number {
    return this.manual.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.manual.setTimeout(fn, ms + this.lateBy);
  }
  clearTimeout(handle: TimerHandle | undefined): void {
    this.manual.clearTimeout(handle);
  }
}

class SkipPort extends TestPort {
  readonly skipped: number[] = [];
  skipFrames(frames: number): void {
    this.skipped.push(frames);
  }
}

class FrameCounter implements RoomRecorder {
  frames = 0;
  write(): void {
    this.frames++;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** 1 s of wall clock in which the process stalls once for 300 ms. */
function stalledSecond(room: Room): { mc: MixerClock } {
  const manual = new ManualClock();
  const clock = new LateClock(manual);
  const mc = new MixerClock({ clock, maxCatchUpTicks: 5 });
  mc.add(room);
  manual.advance(200);
  clock.lateBy = 300; // the next timer fires 300 ms late
  manual.advance(20);
  clock.lateBy = 0;
  manual.advance(780);
  mc.close();
  return { mc };
}

describe('skipped mixer ticks keep wall-clock time', () => {
  it('the clock tells each tickable how many ticks it skipped', () => {
    const room = new Room();
    const port = new SkipPort((out) => {
      out.fill(100);
      return true;
    });
    room.addMember('a', port);
    room.addMember('b', constPort(0));
    const { mc } = stalledSecond(room);
    const st = mc.stats();
    assert.ok(st.skippedTicks > 0, 'the stall skipped ticks');
    assert.deepEqual(port.skipped, [st.skippedTicks]);
    // Frames written plus frames skipped: the whole second.
    assert.equal(port.sent.length + st.skippedTicks, 1000 / 20);
  });

  it('the recording holds one frame per 20 ms of the call, stall included', () => {
    const room = new Room();
    room.addMember('a', constPort(100));
    const rec = new FrameCounter();
    room.startRecording(rec);
    const { mc } = stalledSecond(room);
    assert.ok(mc.stats().skippedTicks > 0);
    assert.equal(rec.frames, 1000 / 20);
  });

  it('a port that fails to skip is a fault, not a crash; the others are told', () => {
    const room = new Room();
    const bad = new SkipPort(() => false);
    bad.skipFrames = () => {
      throw new Error('boom');
    };
    const good = new SkipPort(() => false);
    room.addMember('bad', bad);
    room.addMember('good', good);
    const faults: string[] = [];
    room.on('fault', (f) => faults.push(f.kind));
    room.skip(3);
    assert.deepEqual(good.skipped, [3]);
    assert.deepEqual(faults, ['port-write']);
  });
});
