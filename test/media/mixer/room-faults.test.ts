import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AudioSource } from '../../../src/media/audio/index.js';
import { Room, type RoomRecorder } from '../../../src/media/mixer/index.js';
import { constPort, faultsOf, level, settle, TestPort, ticks } from './helpers.js';

class ThrowingSource implements AudioSource {
  readonly name = 'bad';
  reads = 0;
  closed = false;
  read(out: Int16Array): boolean {
    this.reads++;
    if (this.reads > 2) throw new Error('decoder exploded');
    out.fill(50);
    return true;
  }
  close(): void {
    this.closed = true;
  }
}

describe('Room: exception isolation', () => {
  it('a port whose readFrame throws contributes silence; everyone keeps getting frames', () => {
    const room = new Room();
    const faults = faultsOf(room);
    const a = constPort(100);
    let failing = true;
    const b = new TestPort((out) => {
      if (failing) throw new Error('socket gone');
      out.fill(200);
      return true;
    });
    const c = constPort(300);
    room.addMember('a', a);
    room.addMember('b', b);
    room.addMember('c', c);
    ticks(room, 5);
    assert.equal(level(a.last()), 300);
    assert.equal(level(b.last()), 400, 'it still hears the others');
    assert.equal(level(c.last()), 100);
    assert.equal(a.sent.length, 5);
    assert.equal(b.sent.length, 5);
    assert.equal(faults.length, 1, 'one fault per run of failures');
    assert.equal(faults[0].kind, 'port-read');
    assert.equal(faults[0].memberId, 'b');
    assert.equal(room.stats().faults, 5);
    assert.equal(room.member('b')?.readErrors, 5);
    failing = false;
    ticks(room, 3, 100);
    assert.equal(level(a.last()), 500);
    failing = true;
    ticks(room, 2, 160);
    assert.equal(faults.length, 2, 'a new run of failures is a new fault');
  });

  it('a port whose writeFrame throws does not disturb the others', () => {
    const room = new Room();
    const faults = faultsOf(room);
    const a = constPort(100);
    const b = constPort(200);
    b.writeFrame = () => {
      throw new Error('EHOSTUNREACH');
    };
    room.addMember('a', a);
    room.addMember('b', b);
    ticks(room, 4);
    assert.equal(a.sent.length, 4);
    assert.equal(level(a.last()), 200, 'it is still heard');
    assert.deepEqual(
      faults.map((f) => f.kind),
      ['port-write'],
    );
    assert.equal(room.member('b')?.writeErrors, 4);
  });

  it('a playback whose source throws ends with "error"; the member gets silence from it', () => {
    const room = new Room();
    const faults = faultsOf(room);
    const a = constPort(100);
    room.addMember('a', a);
    room.addMember('b', constPort(200));
    const bad = new ThrowingSource();
    const p = room.play(bad, { to: 'a' });
    ticks(room, 5);
    assert.equal(p.endReason, 'error');
    assert.equal(bad.closed, true);
    assert.equal(level(a.sent[1]), 250);
    assert.equal(level(a.last()), 200);
    assert.equal(faults[0].kind, 'source');
    assert.equal(faults[0].sourceName, 'bad');
    assert.equal(faults[0].memberId, 'a');
  });

  it('a hold source that throws is silent from then on, and reported once', () => {
    const room = new Room();
    const faults = faultsOf(room);
    const a = constPort(100);
    const bad = new ThrowingSource();
    room.addMember('a', a, { held: true, holdSource: bad });
    room.addMember('b', constPort(200));
    ticks(room, 6);
    assert.equal(level(a.last()), 0);
    assert.equal(bad.reads, 3, 'not read again once broken');
    assert.equal(faults.length, 1);
  });

  it('a factory that throws ends the playback with "error"', async () => {
    const room = new Room();
    room.addMember('a', constPort(1));
    const p = room.play(
      () => {
        throw new Error('no such file');
      },
      { loop: true },
    );
    await settle();
    assert.equal(p.endReason, 'error');
  });

  it('a recorder that throws stops the recording and is closed; the room goes on', async () => {
    const room = new Room();
    const faults = faultsOf(room);
    const a = constPort(100);
    room.addMember('a', a);
    room.addMember('b', constPort(200));
    let closed = false;
    const rec: RoomRecorder = {
      write() {
        throw new Error('ENOSPC');
      },
      async close() {
        closed = true;
      },
    };
    room.startRecording(rec);
    ticks(room, 3);
    await settle();
    assert.equal(room.recording, false);
    assert.equal(closed, true);
    assert.equal(faults[0].kind, 'recorder');
    assert.equal(a.sent.length, 3);
  });

  it('a listener that throws is reported as a fault and the room keeps mixing', () => {
    const room = new Room();
    const faults = faultsOf(room);
    room.on('speaking-start', () => {
      throw new Error('app bug');
    });
    const a = constPort(10000);
    const b = constPort(0);
    room.addMember('a', a);
    room.addMember('b', b);
    ticks(room, 5);
    assert.equal(b.sent.length, 5);
    assert.equal(level(b.last()), 10000);
    assert.deepEqual(
      faults.map((f) => f.kind),
      ['listener'],
    );
  });

  it('close() resolves even when the recorder fails to close', async () => {
    const room = new Room();
    const faults = faultsOf(room);
    room.startRecording({
      write() {},
      close: () => Promise.reject(new Error('EIO')),
    });
    await room.close();
    await settle();
    assert.deepEqual(
      faults.map((f) => f.kind),
      ['recorder'],
    );
  });

  it('bad input from an untyped caller never throws', async () => {
    const room = new Room();
    const a = constPort(100);
    room.addMember('a', a);
    room.addMember('b', constPort(200));
    const untyped = room as unknown as {
      setFlags(id: string, f: unknown): boolean;
      setPrivateGroup(ids: unknown): boolean;
      play(s: unknown): { endReason: string | null };
    };
    assert.equal(untyped.setFlags('a', null), false);
    assert.equal(untyped.setPrivateGroup('a'), false);
    assert.equal(room.privateGroup(), null);
    const p = untyped.play({ name: 'not a source' });
    ticks(room, 3);
    assert.equal(p.endReason, 'error');
    assert.equal(level(a.last()), 200);
    assert.equal(room.addMember('c', {} as never), true);
    ticks(room, 2, 60);
    assert.equal(level(a.last()), 200);
    assert.equal(room.member('c')?.readErrors, 2);
  });
});
