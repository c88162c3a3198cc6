import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room } from '../../../src/media/mixer/index.js';
import { TestPort } from './helpers.js';

/** A peer that talks (a loud 440 Hz-ish square, about −12 dBFS) on the frames `talk` says. */
function talker(talk: (frame: number) => boolean, amplitude = 8000): TestPort {
  return new TestPort((out, k) => {
    if (!talk(k)) {
      out.fill(0);
      return false;
    }
    for (let i = 0; i < out.length; i++) out[i] = i % 18 < 9 ? amplitude : -amplitude;
    return true;
  });
}

function record(room: Room): string[] {
  const events: string[] = [];
  let tick = 0;
  const origTick = room.tick.bind(room);
  room.tick = (now: number) => {
    tick++;
    origTick(now);
  };
  room.on('speaking-start', (e) => events.push(`start ${e.memberId} @${tick}`));
  room.on('speaking-stop', (e) => events.push(`stop ${e.memberId} @${tick}`));
  return events;
}

function run(room: Room, count: number): void {
  for (let i = 0; i < count; i++) room.tick(i * 20);
}

describe('Room: speaking detection', () => {
  it('starts after the attack frames and stops after the hangover', () => {
    const room = new Room({ speaking: { thresholdDbfs: -40, attackFrames: 2, hangoverMs: 300 } });
    const events = record(room);
    // Talks on frames 10..29 (400 ms), silent after.
    room.addMember(
      'a',
      talker((k) => k >= 10 && k < 30),
    );
    room.addMember(
      'b',
      talker(() => false),
    );
    run(room, 80);
    // Voiced from tick 11 (frame 10); 2 frames of attack → start at tick 12.
    // Last voiced tick 30; 15 quiet frames (300 ms) → stop at tick 45.
    assert.deepEqual(events, ['start a @12', 'stop a @45']);
  });

  it('ignores a single loud frame (a click) and short pauses inside speech', () => {
    const room = new Room();
    const events = record(room);
    const speech = (k: number) => k === 3 || (k >= 20 && k < 40) || (k >= 45 && k < 60); // 100 ms pause at 40..44
    room.addMember('a', talker(speech));
    run(room, 100);
    assert.deepEqual(events, ['start a @22', 'stop a @75']);
  });

  it('does not count quiet noise below the threshold', () => {
    const room = new Room({ speaking: { thresholdDbfs: -30 } });
    const events = record(room);
    // RMS 300 ≈ −40.8 dBFS: below −30.
    room.addMember(
      'a',
      talker(() => true, 300),
    );
    run(room, 50);
    assert.deepEqual(events, []);
  });

  it('treats a muted member as not speaking (the room does not hear it)', () => {
    const room = new Room();
    const events = record(room);
    room.addMember(
      'a',
      talker(() => true),
    );
    run(room, 5);
    room.setFlags('a', { muted: true });
    for (let i = 5; i < 30; i++) room.tick(i * 20);
    assert.deepEqual(events, ['start a @2', 'stop a @20']);
    assert.equal(room.member('a')?.speaking, false);
  });

  it('emits speaking-stop when a speaking member leaves', async () => {
    const room = new Room();
    const events = record(room);
    room.addMember(
      'a',
      talker(() => true),
    );
    run(room, 5);
    room.removeMember('a');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['start a @2', 'stop a @5']);
  });
});
