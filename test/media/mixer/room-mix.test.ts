import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MixerClock, Room, type RoomRecorder } from '../../../src/media/mixer/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { ConstSource, constPort, level, N, TestPort, ticks } from './helpers.js';

class MemoryRecorder implements RoomRecorder {
  readonly frames: Int16Array[] = [];
  closed = false;
  write(frame: Int16Array): void {
    this.frames.push(frame.slice());
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('Room: N−1 mix', () => {
  it('sends each member the sum of everyone else', () => {
    const room = new Room();
    const a = constPort(100);
    const b = constPort(200);
    const c = constPort(300);
    room.addMember('a', a);
    room.addMember('b', b);
    room.addMember('c', c);
    ticks(room, 5);
    // The first frame fades everyone in (5 ms ramp); from then on it is steady.
    for (let i = 1; i < 5; i++) {
      assert.equal(level(a.sent[i]), 500);
      assert.equal(level(b.sent[i]), 400);
      assert.equal(level(c.sent[i]), 300);
    }
  });

  it('fades a joining member in over the first 5 ms, then holds the level', () => {
    const room = new Room();
    const a = constPort(0);
    room.addMember('a', a);
    room.addMember('b', constPort(1000));
    ticks(room, 2);
    const first = a.sent[0];
    assert.ok(first[0] < 100, `starts near silence, got ${first[0]}`);
    for (let i = 1; i < 40; i++) assert.ok(first[i] >= first[i - 1], 'rises monotonically');
    assert.ok(first.subarray(40).every((s) => s === 1000));
    assert.equal(level(a.sent[1]), 1000);
  });

  it('saturates a loud sum instead of wrapping around', () => {
    const room = new Room();
    const a = constPort(0);
    const z = constPort(0);
    room.addMember('a', a);
    room.addMember('p', constPort(30000));
    room.addMember('q', constPort(20000));
    room.addMember('n1', constPort(-30000));
    room.addMember('z', z);
    ticks(room, 3);
    // a hears 30000 + 20000 - 30000 = 20000: no clipping in 32 bits.
    assert.equal(level(a.last()), 20000);
    room.removeMember('n1');
    ticks(room, 2, 60);
    assert.equal(level(a.last()), 32767);
    const neg = new Room();
    const x = constPort(0);
    neg.addMember('x', x);
    neg.addMember('m1', constPort(-30000));
    neg.addMember('m2', constPort(-30000));
    ticks(neg, 3);
    assert.equal(level(x.last()), -32768);
  });

  it('gives a member alone in the room silence, never its own voice', () => {
    const room = new Room();
    const a = constPort(1234);
    room.addMember('a', a);
    ticks(room, 10);
    for (const f of a.sent) assert.equal(level(f), 0);
  });

  it('gives a member alone the wait music, never its own voice', () => {
    const room = new Room();
    const a = constPort(1234);
    room.addMember('a', a);
    room.setWaitMusic(new ConstSource(77));
    ticks(room, 10);
    for (const f of a.sent.slice(1)) assert.equal(level(f), 77);
  });

  it('sends every member exactly one frame per tick and reads one per tick with the tick time', () => {
    const clock = new ManualClock();
    const mc = new MixerClock({ clock });
    const room = new Room({ mixerClock: mc });
    const ports = [constPort(1), constPort(2), constPort(3)];
    ports.forEach((p, i) => room.addMember(`m${i}`, p));
    clock.advance(1000);
    for (const p of ports) {
      assert.equal(p.sent.length, 50);
      assert.deepEqual(
        p.readTimes,
        Array.from({ length: 50 }, (_, i) => 20 * (i + 1)),
      );
    }
    assert.equal(room.stats().ticks, 50);
    assert.equal(room.stats().members, 3);
    void room.close();
    clock.advance(100);
    assert.equal(ports[0].sent.length, 50);
    assert.equal(mc.running, false);
  });

  it('mixes real signals sample by sample', () => {
    const room = new Room();
    const sine = (f: number) =>
      new TestPort((out, k) => {
        for (let i = 0; i < N; i++)
          out[i] = Math.round(8000 * Math.sin((2 * Math.PI * f * (k * N + i)) / 8000));
        return true;
      });
    const a = sine(440);
    const b = sine(1000);
    const c = new TestPort((out) => {
      out.fill(0);
      return false;
    });
    room.addMember('a', a);
    room.addMember('b', b);
    room.addMember('c', c);
    ticks(room, 4);
    for (let i = 0; i < N; i++) {
      const t = 3 * N + i;
      // `| 0` turns Math.round's -0 into the 0 an Int16Array holds.
      const sa = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / 8000)) | 0;
      const sb = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * t) / 8000)) | 0;
      assert.equal(c.sent[3][i], sa + sb);
      assert.equal(a.sent[3][i], sb);
      assert.equal(b.sent[3][i], sa);
    }
  });

  it('refuses a duplicate member id and works again after removal', () => {
    const room = new Room();
    assert.equal(room.addMember('a', constPort(1)), true);
    assert.equal(room.addMember('a', constPort(2)), false);
    assert.deepEqual(room.memberIds(), ['a']);
    assert.equal(room.removeMember('a'), true);
    assert.equal(room.removeMember('a'), false);
    assert.equal(room.hasMember('a'), false);
    assert.equal(room.addMember('a', constPort(2)), true);
  });

  it('stops sending to a member removed, and the others stop hearing it', () => {
    const room = new Room();
    const a = constPort(100);
    const b = constPort(200);
    room.addMember('a', a);
    room.addMember('b', b);
    ticks(room, 3);
    room.removeMember('b');
    ticks(room, 3, 60);
    assert.equal(b.sent.length, 3);
    assert.equal(level(a.last()), 0);
  });

  it('records the mix of everything heard, one frame per tick', async () => {
    const room = new Room();
    room.addMember('a', constPort(100));
    room.addMember('b', constPort(200));
    room.addMember('m', constPort(400), { muted: true });
    ticks(room, 2);
    const rec = new MemoryRecorder();
    assert.equal(room.startRecording(rec), true);
    assert.equal(room.startRecording(new MemoryRecorder()), false);
    room.play(new ConstSource(5)); // room-wide, mixed
    room.play(new ConstSource(9), { to: 'a' }); // one member's: not recorded
    ticks(room, 3, 40);
    assert.equal(rec.frames.length, 3);
    for (const f of rec.frames) assert.equal(level(f), 305);
    await room.stopRecording();
    assert.equal(rec.closed, true);
    assert.equal(room.recording, false);
    ticks(room, 1, 100);
    assert.equal(rec.frames.length, 3);
  });

  it('reports stats', () => {
    const room = new Room({ id: 'r1' });
    room.addMember('a', constPort(1));
    room.addMember('b', constPort(1), { held: true });
    room.setWaitMusic(new ConstSource(1));
    ticks(room, 4);
    const s = room.stats();
    assert.equal(s.id, 'r1');
    assert.equal(s.ticks, 4);
    assert.equal(s.members, 2);
    assert.equal(s.talking, 1);
    assert.equal(s.waitMusicPlaying, true);
    assert.equal(s.tickCpuUs.count, 4);
    assert.ok(s.tickCpuUs.max >= s.tickCpuUs.p50);
    const info = room.member('b');
    assert.equal(info?.held, true);
    assert.equal(info?.framesRead, 4);
    assert.equal(info?.framesWritten, 4);
    assert.equal(room.member('nobody'), undefined);
  });
});
