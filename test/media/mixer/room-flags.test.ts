import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room } from '../../../src/media/mixer/index.js';
import { ConstSource, constPort, level, ticks, type TestPort } from './helpers.js';

/** A room of a=100, b=200, c=300, ticked past the join ramps. */
function threeRoom(): { room: Room; a: TestPort; b: TestPort; c: TestPort } {
  const room = new Room();
  const a = constPort(100);
  const b = constPort(200);
  const c = constPort(300);
  room.addMember('a', a);
  room.addMember('b', b);
  room.addMember('c', c);
  ticks(room, 2);
  return { room, a, b, c };
}

/** Largest step between consecutive samples of everything a port was sent. */
function maxStep(p: TestPort): number {
  const all = p.all();
  let max = 0;
  for (let i = 1; i < all.length; i++) max = Math.max(max, Math.abs(all[i] - all[i - 1]));
  return max;
}

describe('Room: mute, hold, deaf', () => {
  it('mute: nobody hears the member, it still hears everyone', () => {
    const { room, a, b, c } = threeRoom();
    assert.equal(room.setFlags('c', { muted: true }), true);
    ticks(room, 3, 40);
    // The switch frame fades c out over 5 ms: no click, no gap.
    const fade = a.sent[2];
    assert.ok(fade[0] > 450 && fade[39] < 250 && fade[40] === 200, `fade ${fade[0]}..${fade[39]}`);
    assert.equal(level(a.last()), 200);
    assert.equal(level(b.last()), 100);
    assert.equal(level(c.last()), 300);
    room.setFlags('c', { muted: false });
    ticks(room, 2, 100);
    assert.equal(level(a.last()), 500);
    assert.equal(room.member('c')?.muted, false);
  });

  it('hold: the member hears its hold source and not the room; the room no longer hears it', () => {
    const { room, a, b, c } = threeRoom();
    const music = new ConstSource(7);
    room.setHoldSource('c', music);
    assert.equal(music.reads, 0, 'not played before the hold');
    room.setFlags('c', { held: true });
    ticks(room, 3, 40);
    assert.equal(level(c.last()), 7);
    assert.equal(level(a.last()), 200);
    assert.equal(level(b.last()), 100);
    room.setFlags('c', { held: false });
    ticks(room, 3, 100);
    assert.equal(level(c.last()), 300);
    assert.equal(level(a.last()), 500);
    const readsAfterUnhold = music.reads;
    ticks(room, 5, 160);
    assert.equal(music.reads, readsAfterUnhold, 'hold music pauses while not held');
    assert.equal(music.closed, false, 'kept for the next hold');
  });

  it('hold without a hold source is silence', () => {
    const room = new Room();
    const a = constPort(100);
    room.addMember('a', a, { held: true });
    room.addMember('b', constPort(200));
    ticks(room, 3);
    for (const f of a.sent) assert.equal(level(f), 0);
  });

  it('a hold source given at join plays when held', () => {
    const room = new Room();
    const a = constPort(100);
    room.addMember('a', a, { held: true, holdSource: new ConstSource(9) });
    room.addMember('b', constPort(200));
    ticks(room, 3);
    assert.equal(level(a.last()), 9);
  });

  it('deaf: the member hears silence, everyone still hears it', () => {
    const { room, a, b, c } = threeRoom();
    room.setFlags('c', { deaf: true });
    ticks(room, 3, 40);
    assert.equal(level(c.last()), 0);
    assert.equal(level(a.last()), 500);
    assert.equal(level(b.last()), 400);
  });

  it('deaf wins over held', () => {
    const { room, c } = threeRoom();
    room.setHoldSource('c', new ConstSource(7));
    room.setFlags('c', { deaf: true, held: true });
    ticks(room, 3, 40);
    assert.equal(level(c.last()), 0);
  });

  it('closes a replaced hold source after the tick that fades away from it', () => {
    const { room, c } = threeRoom();
    const first = new ConstSource(7);
    const second = new ConstSource(8);
    room.setHoldSource('c', first);
    room.setFlags('c', { held: true });
    ticks(room, 2, 40);
    room.setHoldSource('c', second);
    assert.equal(first.closed, false);
    ticks(room, 1, 80);
    assert.equal(first.closed, true);
    ticks(room, 1, 100);
    assert.equal(level(c.last()), 8);
  });

  it('rejects flags and hold sources for unknown members (and closes the source)', () => {
    const room = new Room();
    assert.equal(room.setFlags('x', { muted: true }), false);
    const s = new ConstSource(1);
    assert.equal(room.setHoldSource('x', s), false);
    assert.equal(s.closed, true);
  });

  it('changes flags every tick without a gap or a click', () => {
    const room = new Room();
    const ports = [constPort(100), constPort(200), constPort(300), constPort(400)];
    ports.forEach((p, i) => room.addMember(`m${i}`, p, { holdSource: new ConstSource(50 + i) }));
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const total = 600;
    for (let t = 0; t < total; t++) {
      for (let i = 0; i < ports.length; i++) {
        if (rand() < 0.1) room.setFlags(`m${i}`, { muted: rand() < 0.5 });
        if (rand() < 0.1) room.setFlags(`m${i}`, { held: rand() < 0.5 });
        if (rand() < 0.05) room.setFlags(`m${i}`, { deaf: rand() < 0.3 });
      }
      if (rand() < 0.05)
        room.setPrivateGroup(rand() < 0.5 ? ['m0', 'm2'] : null, () => new ConstSource(20));
      room.tick(t * 20);
    }
    for (const p of ports) {
      assert.equal(p.sent.length, total, 'exactly one frame per tick');
      // A hard switch between these levels would step by up to ~1000 in one
      // sample; the 5 ms ramps keep every step small.
      assert.ok(maxStep(p) < 150, `largest step ${maxStep(p)}`);
    }
  });
});

describe('Room: private group', () => {
  function fourRoom() {
    const room = new Room();
    const p = { a: constPort(100), b: constPort(200), c: constPort(300), d: constPort(400) };
    for (const [id, port] of Object.entries(p)) room.addMember(id, port);
    ticks(room, 2);
    return { room, ...p };
  }

  it('its members hear only each other; the others hear their own hold source and are not heard', () => {
    const { room, a, b, c, d } = fourRoom();
    const given: string[] = [];
    room.setPrivateGroup(['a', 'c'], (id) => {
      given.push(id);
      return new ConstSource(id === 'b' ? 11 : 13);
    });
    assert.deepEqual(given.sort(), ['b', 'd']);
    ticks(room, 3, 40);
    assert.equal(level(a.last()), 300);
    assert.equal(level(c.last()), 100);
    assert.equal(level(b.last()), 11);
    assert.equal(level(d.last()), 13);
    assert.deepEqual(room.privateGroup(), ['a', 'c']);
    assert.equal(room.member('b')?.parked, true);
    assert.equal(room.member('a')?.inPrivateGroup, true);
  });

  it('joins everyone again when the group ends, and closes the hold sources', () => {
    const { room, a, b, c, d } = fourRoom();
    const sources: ConstSource[] = [];
    room.setPrivateGroup(['a', 'c'], () => {
      const s = new ConstSource(11);
      sources.push(s);
      return s;
    });
    ticks(room, 3, 40);
    room.setPrivateGroup(null);
    ticks(room, 3, 100);
    assert.equal(level(a.last()), 900);
    assert.equal(level(b.last()), 800);
    assert.equal(level(c.last()), 700);
    assert.equal(level(d.last()), 600);
    assert.ok(sources.every((s) => s.closed));
    assert.equal(room.privateGroup(), null);
  });

  it('counts a member that joins later by its id (the consulted party of a warm transfer)', () => {
    const { room, a, b } = fourRoom();
    room.setPrivateGroup(['a', 'x'], () => new ConstSource(5));
    const x = constPort(1000);
    const late = constPort(2000);
    room.addMember('x', x);
    room.addMember('late', late);
    ticks(room, 3, 40);
    assert.equal(level(a.last()), 1000);
    assert.equal(level(x.last()), 100);
    assert.equal(level(b.last()), 5);
    assert.equal(level(late.last()), 5, 'a newcomer outside the group is parked');
  });

  it('a held member of the group hears its own hold source and is not heard by the group', () => {
    const { room, a, c } = fourRoom();
    room.setPrivateGroup(['a', 'c'], () => null);
    room.setHoldSource('c', new ConstSource(3));
    room.setFlags('c', { held: true });
    ticks(room, 3, 40);
    assert.equal(level(a.last()), 0);
    assert.equal(level(c.last()), 3);
  });

  it('survives a hold-source function that throws: that member hears silence', () => {
    const { room, b } = fourRoom();
    room.setPrivateGroup(['a'], () => {
      throw new Error('no music');
    });
    ticks(room, 3, 40);
    assert.equal(level(b.last()), 0);
    assert.equal(room.stats().faults, 3);
  });
});
