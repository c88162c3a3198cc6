/**
 * Audiences ("heard by"): who hears a member — everyone, nobody, or a list
 * of members (a supervisor coaching an agent). Constant levels that are
 * powers of two make every sum say who is in it: customer 100, agent 200,
 * supervisor 400, another agent 800.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room, type RoomRecorder } from '../../../src/media/mixer/index.js';
import { ConstSource, constPort, level, settle, TestPort, ticks } from './helpers.js';

const CU = 100;
const AG = 200;
const SU = 400;
const AG2 = 800;

class MemoryRecorder implements RoomRecorder {
  readonly frames: Int16Array[] = [];
  write(frame: Int16Array): void {
    this.frames.push(frame.slice());
  }
  async close(): Promise<void> {}
}

/** customer, agent and supervisor, ticked past the join ramps. */
function callRoom(supervisorAudience?: Parameters<Room['setAudience']>[1]) {
  const room = new Room();
  const cu = constPort(CU);
  const ag = constPort(AG);
  const su = constPort(SU);
  room.addMember('cu', cu);
  room.addMember('ag', ag);
  room.addMember('su', su);
  if (supervisorAudience !== undefined)
    assert.equal(room.setAudience('su', supervisorAudience), true);
  ticks(room, 2);
  return { room, cu, ag, su };
}

/** Largest step between consecutive samples of everything a port was sent. */
function maxStep(p: TestPort): number {
  const all = p.all();
  let max = 0;
  for (let i = 1; i < all.length; i++) max = Math.max(max, Math.abs(all[i] - all[i - 1]));
  return max;
}

describe('Room: audiences', () => {
  it("is 'all' by default: everyone hears everyone else", () => {
    const { room, cu, ag, su } = callRoom();
    assert.equal(level(cu.last()), AG + SU);
    assert.equal(level(ag.last()), CU + SU);
    assert.equal(level(su.last()), CU + AG);
    assert.equal(room.member('su')?.audience, 'all');
    assert.equal(room.stats().restrictedAudiences, 0);
  });

  it('coaching: a member heard by a list is heard by those members only', () => {
    const { room, cu, ag, su } = callRoom(['ag']);
    ticks(room, 2, 40);
    assert.equal(level(ag.last()), CU + SU, 'the agent hears the customer and the coach');
    assert.equal(level(cu.last()), AG, 'the customer never hears the coach');
    assert.equal(level(su.last()), CU + AG, 'the coach hears everyone (not itself)');
    assert.deepEqual(room.member('su')?.audience, ['ag']);
    assert.equal(room.stats().restrictedAudiences, 1);
  });

  it("'none' (listening in): heard by nobody, hears everyone", () => {
    const { room, cu, ag, su } = callRoom('none');
    ticks(room, 2, 40);
    assert.equal(level(ag.last()), CU);
    assert.equal(level(cu.last()), AG);
    assert.equal(level(su.last()), CU + AG);
    assert.equal(room.member('su')?.audience, 'none');
  });

  it('an empty list is heard by nobody, and the member’s own id is ignored', () => {
    const { room, cu, ag, su } = callRoom([]);
    ticks(room, 2, 40);
    assert.equal(level(cu.last()), AG);
    assert.equal(level(ag.last()), CU);
    room.setAudience('su', ['su', 'ag']);
    ticks(room, 2, 80);
    assert.deepEqual(room.member('su')?.audience, ['ag']);
    assert.equal(level(su.last()), CU + AG, 'never hears itself');
    assert.equal(level(ag.last()), CU + SU);
  });

  it('takes a Set as well as an array, and can be given when the member joins', () => {
    const room = new Room();
    const cu = constPort(CU);
    const ag = constPort(AG);
    room.addMember('cu', cu);
    room.addMember('ag', ag);
    assert.equal(room.addMember('su', constPort(SU), { audience: new Set(['ag']) }), true);
    ticks(room, 3);
    assert.equal(level(ag.last()), CU + SU);
    assert.equal(level(cu.last()), AG);
    assert.deepEqual(room.member('su')?.audience, ['ag']);
  });

  it('several members in an audience, and several restricted members at once', () => {
    const room = new Room();
    const p = { cu: constPort(CU), ag: constPort(AG), su: constPort(SU), ag2: constPort(AG2) };
    for (const [id, port] of Object.entries(p)) room.addMember(id, port);
    room.setAudience('su', ['ag', 'ag2']);
    room.setAudience('ag2', ['su']);
    ticks(room, 3);
    assert.equal(level(p.cu.last()), AG);
    assert.equal(level(p.ag.last()), CU + SU);
    assert.equal(level(p.ag2.last()), CU + AG + SU);
    assert.equal(level(p.su.last()), CU + AG + AG2);
    assert.equal(room.stats().restrictedAudiences, 2);
  });

  it('counts ids not yet in the room when they join', () => {
    const { room, cu, su } = callRoom(['ag2']);
    ticks(room, 2, 40);
    assert.equal(level(cu.last()), AG, 'nobody in the room hears the coach yet');
    const ag2 = constPort(AG2);
    room.addMember('ag2', ag2);
    ticks(room, 3, 80);
    assert.equal(level(ag2.last()), CU + AG + SU);
    assert.equal(level(su.last()), CU + AG + AG2);
    assert.equal(level(cu.last()), AG + AG2);
  });

  it('a member who leaves drops out of every audience (back again, it no longer hears the coach)', () => {
    const { room, ag } = callRoom(['ag', 'cu']);
    assert.equal(room.removeMember('ag'), true);
    assert.deepEqual(room.member('su')?.audience, ['cu']);
    const back = constPort(AG);
    room.addMember('ag', back);
    ticks(room, 3, 40);
    assert.equal(level(back.last()), CU);
    assert.equal(ag.sent.length, 2, 'nothing is sent to the departed port');
  });

  it('removing the restricted member itself leaves the others as they were', () => {
    const { room, cu, ag } = callRoom(['ag']);
    room.removeMember('su');
    ticks(room, 2, 40);
    assert.equal(level(ag.last()), CU);
    assert.equal(level(cu.last()), AG);
    assert.equal(room.stats().restrictedAudiences, 0);
  });

  it('muted or held, a restricted member is heard by nobody', () => {
    const { room, ag, su } = callRoom(['ag']);
    room.setFlags('su', { muted: true });
    ticks(room, 2, 40);
    assert.equal(level(ag.last()), CU);
    assert.equal(level(su.last()), CU + AG, 'muted, it still hears');
    room.setFlags('su', { muted: false, held: true });
    room.setHoldSource('su', new ConstSource(7));
    ticks(room, 2, 80);
    assert.equal(level(ag.last()), CU);
    assert.equal(level(su.last()), 7);
    room.setFlags('su', { held: false });
    ticks(room, 2, 120);
    assert.equal(level(ag.last()), CU + SU);
  });

  it('a deaf listener hears nothing, coach included; a deaf coach still coaches', () => {
    const { room, ag, su } = callRoom(['ag']);
    room.setFlags('ag', { deaf: true });
    ticks(room, 2, 40);
    assert.equal(level(ag.last()), 0);
    room.setFlags('ag', { deaf: false });
    room.setFlags('su', { deaf: true });
    ticks(room, 2, 80);
    assert.equal(level(su.last()), 0);
    assert.equal(level(ag.last()), CU + SU);
  });

  it('a restricted member and its listeners hear playbacks and wait music as before', () => {
    const { room, cu, ag, su } = callRoom(['ag']);
    room.play(new ConstSource(3));
    room.play(new ConstSource(5), { to: 'su' });
    ticks(room, 2, 40);
    assert.equal(level(cu.last()), AG + 3);
    assert.equal(level(ag.last()), CU + SU + 3);
    assert.equal(level(su.last()), CU + AG + 3 + 5);
  });

  it('a replacing room playback replaces the whisper too (it is part of the conversation)', () => {
    const { room, ag } = callRoom(['ag']);
    room.play(new ConstSource(3), { mix: false });
    ticks(room, 2, 40);
    assert.equal(level(ag.last()), 3);
  });

  it('wait music counts only members heard by all: the customer with a coach alone hears it', () => {
    const room = new Room();
    const cu = constPort(CU);
    const su = constPort(SU);
    room.addMember('cu', cu);
    room.addMember('su', su, { audience: ['ag'] });
    room.setWaitMusic(new ConstSource(9));
    ticks(room, 3);
    assert.equal(level(cu.last()), 9, 'the coach is not heard by the customer');
    assert.equal(level(su.last()), CU + 9);
    assert.equal(room.stats().talking, 1);
    assert.equal(room.stats().waitMusicPlaying, true);
    const ag = constPort(AG);
    room.addMember('ag', ag);
    ticks(room, 3, 60);
    assert.equal(level(cu.last()), AG);
    assert.equal(level(ag.last()), CU + SU);
    assert.equal(room.stats().waitMusicPlaying, false);
  });

  it('the recording holds the voices heard by all, never a whisper nor a listener', () => {
    const { room, cu } = callRoom(['ag']);
    const rec = new MemoryRecorder();
    room.startRecording(rec);
    ticks(room, 2, 40);
    assert.equal(level(rec.frames.at(-1)!), CU + AG);
    room.setAudience('su', 'none');
    ticks(room, 2, 80);
    assert.equal(level(rec.frames.at(-1)!), CU + AG);
    room.setAudience('su', 'all');
    ticks(room, 2, 120);
    assert.equal(level(rec.frames.at(-1)!), CU + AG + SU, 'barging in, it is in the conversation');
    assert.equal(level(cu.last()), AG + SU);
  });

  it('reports speaking for a coach (someone hears it), not for a listener', async () => {
    const room = new Room({ speaking: { thresholdDbfs: -40, attackFrames: 1, hangoverMs: 100 } });
    const loud = () => constPort(8000);
    room.addMember('cu', constPort(0));
    room.addMember('ag', constPort(0));
    room.addMember('coach', loud(), { audience: ['ag'] });
    room.addMember('listener', loud(), { audience: 'none' });
    room.addMember('nobody-yet', loud(), { audience: ['later'] });
    const started: string[] = [];
    room.on('speaking-start', (e) => started.push(e.memberId));
    ticks(room, 5);
    await settle();
    assert.deepEqual(started, ['coach']);
  });

  it("switches crossfade: 'all' → a list fades the voice out for those who lose it, and back in", () => {
    const { room, cu, ag, su } = callRoom();
    room.setAudience('su', ['ag']);
    ticks(room, 2, 40);
    const out = cu.sent[2];
    assert.ok(out[0] > AG + SU - 20 && out[39] < AG + 20, `fade out ${out[0]}..${out[39]}`);
    assert.equal(out[40], AG);
    assert.equal(level(cu.sent[3]), AG);
    for (const f of ag.sent.slice(2)) assert.equal(level(f), CU + SU, 'the agent hears no change');
    for (const f of su.sent.slice(2)) assert.equal(level(f), CU + AG, 'nor does the coach');
    room.setAudience('su', 'all');
    ticks(room, 2, 80);
    const back = cu.sent[4];
    assert.ok(back[0] < AG + 20 && back[39] > AG + SU - 20, `fade in ${back[0]}..${back[39]}`);
    assert.equal(back[40], AG + SU);
    assert.equal(level(cu.last()), AG + SU);
    for (const f of ag.sent.slice(4)) assert.equal(level(f), CU + SU);
  });

  it("switches crossfade: a list → 'none', and 'none' → another list", () => {
    const { room, cu, ag } = callRoom(['ag']);
    room.setAudience('su', 'none');
    ticks(room, 2, 40);
    const out = ag.sent[2];
    assert.ok(out[0] > CU + SU - 20 && out[39] < CU + 20, `fade out ${out[0]}..${out[39]}`);
    assert.equal(level(ag.last()), CU);
    room.setAudience('su', ['cu']);
    ticks(room, 2, 80);
    const into = cu.sent[4];
    assert.ok(into[0] < AG + 20 && into[39] > AG + SU - 20, `fade in ${into[0]}..${into[39]}`);
    assert.equal(level(cu.last()), AG + SU);
    assert.equal(level(ag.last()), CU);
  });

  it('setting the same audience again changes nothing, not even for one frame', () => {
    const { room, cu, ag } = callRoom(['ag']);
    ticks(room, 2, 40);
    room.setAudience('su', new Set(['ag']));
    room.setAudience('cu', 'all');
    ticks(room, 2, 80);
    for (const f of ag.sent.slice(1)) assert.equal(level(f), CU + SU);
    for (const f of cu.sent.slice(1)) assert.equal(level(f), AG);
  });

  it('changes of audience, flags and group every tick never leave a gap or a click', () => {
    const room = new Room();
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const ports = ids.map((_, i) => constPort(100 * (i + 1)));
    ports.forEach((p, i) => room.addMember(ids[i], p, { holdSource: new ConstSource(50 + i) }));
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = () => ids.filter(() => rand() < 0.4);
    const total = 800;
    for (let t = 0; t < total; t++) {
      for (const id of ids) {
        const r = rand();
        if (r < 0.04) room.setAudience(id, 'all');
        else if (r < 0.08) room.setAudience(id, 'none');
        else if (r < 0.16) room.setAudience(id, pick());
        if (rand() < 0.04) room.setFlags(id, { muted: rand() < 0.5 });
        if (rand() < 0.03) room.setFlags(id, { held: rand() < 0.5 });
        if (rand() < 0.02) room.setFlags(id, { deaf: rand() < 0.3 });
      }
      if (rand() < 0.03)
        room.setPrivateGroup(rand() < 0.5 ? pick() : null, () => new ConstSource(20));
      room.tick(t * 20);
    }
    for (const p of ports) {
      assert.equal(p.sent.length, total, 'exactly one frame per tick');
      // A hard switch between these levels steps by up to ~1500 in one sample.
      assert.ok(maxStep(p) < 200, `largest step ${maxStep(p)}`);
    }
    // And once things settle, each hears exactly the rule.
    room.setPrivateGroup(null);
    for (const id of ids) room.setFlags(id, { muted: false, held: false, deaf: false });
    room.setAudience('m0', ['m1']);
    room.setAudience('m1', 'none');
    for (const id of ['m2', 'm3', 'm4']) room.setAudience(id, 'all');
    ticks(room, 3, total * 20);
    assert.equal(level(ports[1].last()), 100 + 300 + 400 + 500);
    assert.equal(level(ports[2].last()), 400 + 500);
    assert.equal(level(ports[0].last()), 300 + 400 + 500);
  });
});

describe('Room: audiences and the private group', () => {
  function fourRoom() {
    const room = new Room();
    const p = { cu: constPort(CU), ag: constPort(AG), su: constPort(SU), ag2: constPort(AG2) };
    for (const [id, port] of Object.entries(p)) room.addMember(id, port);
    ticks(room, 2);
    return { room, ...p };
  }

  it('outside the group a restricted member is parked like anyone else', () => {
    const { room, ag, su } = fourRoom();
    room.setAudience('su', ['ag']);
    room.setPrivateGroup(['cu', 'ag'], () => new ConstSource(11));
    ticks(room, 3, 40);
    assert.equal(level(ag.last()), CU, 'the parked coach is not heard');
    assert.equal(level(su.last()), 11);
    assert.equal(room.member('su')?.parked, true);
  });

  it('inside the group its audience applies within the group', () => {
    const { room, cu, ag, su, ag2 } = fourRoom();
    room.setAudience('su', ['ag', 'ag2']);
    room.setPrivateGroup(['ag', 'su', 'cu'], () => new ConstSource(11));
    ticks(room, 3, 40);
    assert.equal(level(ag.last()), CU + SU);
    assert.equal(level(cu.last()), AG);
    assert.equal(level(su.last()), CU + AG);
    assert.equal(level(ag2.last()), 11, 'in the audience but outside the group: parked');
    room.setPrivateGroup(null);
    ticks(room, 3, 100);
    assert.equal(level(ag2.last()), CU + AG + SU);
    assert.equal(level(cu.last()), AG + AG2);
  });
});

describe('Room: audience input', () => {
  it('refuses unknown members and what is not an audience, and changes nothing', () => {
    const { room, cu } = callRoom(['ag']);
    assert.equal(room.setAudience('nobody', 'none'), false);
    for (const bad of [
      'some',
      42,
      null,
      undefined,
      { ids: ['ag'] },
      ['ag', 7],
      new Set([1]),
    ] as unknown[]) {
      assert.equal(room.setAudience('su', bad as 'all'), false, `accepted ${String(bad)}`);
    }
    assert.deepEqual(room.member('su')?.audience, ['ag']);
    ticks(room, 2, 40);
    assert.equal(level(cu.last()), AG);
  });

  it('refuses a member whose audience option is not an audience (and closes its hold source)', () => {
    const room = new Room();
    const hold = new ConstSource(1);
    assert.equal(
      room.addMember('x', constPort(1), { audience: 5 as unknown as 'all', holdSource: hold }),
      false,
    );
    assert.equal(room.hasMember('x'), false);
    assert.equal(hold.closed, true);
  });

  it('reports a copy: changing what member() returned changes nothing', () => {
    const { room, cu } = callRoom(['ag']);
    const info = room.member('su');
    (info?.audience as string[]).push('cu');
    ticks(room, 2, 40);
    assert.equal(level(cu.last()), AG);
    assert.deepEqual(room.member('su')?.audience, ['ag']);
  });

  it('keeps its own copy of the list it was given', () => {
    const { room, cu } = callRoom();
    const list = ['ag'];
    room.setAudience('su', list);
    list.push('cu');
    ticks(room, 3, 40);
    assert.equal(level(cu.last()), AG);
  });
});
