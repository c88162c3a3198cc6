import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room, type PlaybackEndReason } from '../../../src/media/mixer/index.js';
import { ConstSource, constPort, level, settle, ticks } from './helpers.js';

function twoRoom() {
  const room = new Room();
  const a = constPort(100);
  const b = constPort(200);
  room.addMember('a', a);
  room.addMember('b', b);
  ticks(room, 2);
  return { room, a, b };
}

describe('Room: playbacks', () => {
  it('plays to one member, mixed over what it hears', async () => {
    const { room, a, b } = twoRoom();
    const p = room.play(new ConstSource(5, 3), { to: 'a' });
    const ended: PlaybackEndReason[] = [];
    p.on('ended', (r) => ended.push(r));
    ticks(room, 5, 40);
    assert.deepEqual(a.sent.slice(2).map(level), [205, 205, 205, 200, 200]);
    assert.deepEqual(b.sent.slice(2).map(level), [100, 100, 100, 100, 100]);
    assert.deepEqual(ended, ['finished']);
    assert.equal(p.playing, false);
    assert.equal(p.endReason, 'finished');
    assert.equal(room.stats().playbacks, 0);
    await settle();
    assert.deepEqual(ended, ['finished'], 'ended exactly once');
  });

  it('plays to one member replacing what it hears (e.g. a voicemail message)', () => {
    const { room, a, b } = twoRoom();
    room.play(new ConstSource(5, 4), { to: 'a', mix: false });
    ticks(room, 6, 40);
    // Crossfaded in, replaced, then crossfaded back to the room.
    assert.equal(level(a.sent[3]), 5);
    assert.equal(level(a.sent[4]), 5);
    assert.equal(a.sent[6][0] < 100 && a.sent[6][159] === 200, true);
    assert.equal(level(a.sent[7]), 200);
    assert.ok(b.sent.slice(2).every((f) => level(f) === 100));
  });

  it('plays to the room: everyone listening hears it, and the recording', () => {
    const { room, a, b } = twoRoom();
    const c = constPort(300);
    room.addMember('c', c, { held: true });
    room.play(new ConstSource(5));
    ticks(room, 3, 40);
    assert.equal(level(a.last()), 205);
    assert.equal(level(b.last()), 105);
    assert.equal(level(c.last()), 0, 'a held member hears its hold source, not the room');
  });

  it('a replacing room playback replaces the conversation for everyone', () => {
    const { room, a, b } = twoRoom();
    room.play(new ConstSource(5, 3), { mix: false });
    ticks(room, 6, 40);
    assert.equal(level(a.sent[3]), 5);
    assert.equal(level(b.sent[3]), 5);
    assert.equal(level(a.sent[7]), 200);
  });

  it('stop() fades out on the next tick and reports "stopped"', async () => {
    const { room, a } = twoRoom();
    const p = room.play(new ConstSource(1000), { to: 'a' });
    const ended: PlaybackEndReason[] = [];
    p.on('ended', (r) => ended.push(r));
    ticks(room, 2, 40);
    p.stop();
    p.stop();
    assert.equal(p.playing, true);
    ticks(room, 2, 80);
    const fade = a.sent[4];
    assert.ok(fade[0] > 1100 && fade[39] < 250 && fade[40] === 200);
    assert.equal(level(a.sent[5]), 200);
    assert.deepEqual(ended, ['stopped']);
  });

  it('loops a factory-made source until stopped', () => {
    const { room, a } = twoRoom();
    let made = 0;
    const p = room.play(
      () => {
        made++;
        return new ConstSource(5, 2);
      },
      { to: 'a', loop: true },
    );
    ticks(room, 7, 40);
    assert.equal(made, 4);
    // No hole at the restarts: every frame has the source in it.
    assert.ok(a.sent.slice(2).every((f) => level(f) === 205));
    assert.equal(p.loop, true);
    p.stop();
    ticks(room, 2, 200);
    assert.equal(p.endReason, 'stopped');
  });

  it('ends a looping playback whose fresh source is empty (instead of spinning)', () => {
    const { room } = twoRoom();
    let made = 0;
    const p = room.play(
      () => {
        made++;
        return new ConstSource(5, made === 1 ? 1 : 0);
      },
      { loop: true },
    );
    ticks(room, 3, 40);
    assert.equal(p.endReason, 'finished');
    assert.equal(made, 2);
  });

  it('a playback to an unknown member ends at once with "member-left" (asynchronously)', async () => {
    const { room } = twoRoom();
    const s = new ConstSource(1);
    const p = room.play(s, { to: 'nobody' });
    const ended: PlaybackEndReason[] = [];
    p.on('ended', (r) => ended.push(r));
    assert.equal(p.playing, false);
    await settle();
    assert.deepEqual(ended, ['member-left']);
    assert.equal(s.closed, true);
  });

  it('playbacks to a member end with "member-left" when it leaves', async () => {
    const { room } = twoRoom();
    const s = new ConstSource(1);
    const p = room.play(s, { to: 'a' });
    ticks(room, 1, 40);
    room.removeMember('a');
    await settle();
    assert.equal(p.endReason, 'member-left');
    assert.equal(s.closed, true);
  });

  it('closes the room: playbacks end with "closed", sources are closed, then "closed" is emitted', async () => {
    const { room } = twoRoom();
    const s1 = new ConstSource(1);
    const s2 = new ConstSource(2);
    const hold = new ConstSource(3);
    const wait = new ConstSource(4);
    room.setHoldSource('b', hold);
    room.setWaitMusic(wait);
    const p1 = room.play(s1);
    const p2 = room.play(s2, { to: 'a' });
    let closedEvents = 0;
    room.on('closed', () => closedEvents++);
    await room.close();
    await room.close();
    await settle();
    assert.equal(p1.endReason, 'closed');
    assert.equal(p2.endReason, 'closed');
    assert.ok([s1, s2, hold, wait].every((s) => s.closed));
    assert.equal(closedEvents, 1);
    assert.equal(room.closed, true);
    const late = room.play(new ConstSource(1));
    assert.equal(late.endReason, 'closed');
    assert.equal(room.addMember('z', constPort(1)), false);
  });
});

describe('Room: wait music', () => {
  it('plays while fewer than two members talk, and pauses by itself when a second joins', () => {
    const room = new Room();
    const customer = constPort(100);
    room.addMember('customer', customer);
    const music = new ConstSource(9);
    room.setWaitMusic(music);
    ticks(room, 3);
    assert.equal(level(customer.last()), 9);
    assert.equal(room.stats().waitMusicPlaying, true);
    const agent = constPort(200);
    room.addMember('agent', agent);
    ticks(room, 3, 60);
    assert.equal(level(customer.last()), 200);
    assert.equal(level(agent.last()), 100);
    assert.equal(room.stats().waitMusicPlaying, false);
    const reads = music.reads;
    ticks(room, 3, 120);
    assert.equal(music.reads, reads, 'paused, not read');
    // The agent leaves: the music resumes.
    room.removeMember('agent');
    ticks(room, 3, 180);
    assert.equal(level(customer.last()), 9);
  });

  it('counts muted and held members as not talking', () => {
    const room = new Room();
    const a = constPort(100);
    room.addMember('a', a);
    room.addMember('b', constPort(200), { muted: true });
    room.addMember('c', constPort(300), { held: true });
    room.setWaitMusic(new ConstSource(9));
    ticks(room, 3);
    assert.equal(level(a.last()), 9);
    room.setFlags('b', { muted: false });
    ticks(room, 3, 60);
    assert.equal(level(a.last()), 200);
  });

  it('is replaced smoothly, and removed with null', () => {
    const room = new Room();
    const a = constPort(100);
    room.addMember('a', a);
    const first = new ConstSource(9);
    room.setWaitMusic(first);
    ticks(room, 3);
    const second = new ConstSource(19);
    room.setWaitMusic(second);
    ticks(room, 3, 60);
    assert.equal(first.closed, true);
    assert.equal(level(a.last()), 19);
    room.setWaitMusic(null);
    ticks(room, 3, 120);
    assert.equal(second.closed, true);
    assert.equal(level(a.last()), 0);
  });

  it('is dropped when a non-looping source ends', () => {
    const room = new Room();
    const a = constPort(100);
    room.addMember('a', a);
    const music = new ConstSource(9, 2);
    room.setWaitMusic(music);
    ticks(room, 5);
    assert.equal(music.closed, true);
    assert.equal(level(a.last()), 0);
    assert.equal(room.stats().waitMusicPlaying, false);
  });
});
