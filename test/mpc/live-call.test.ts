/**
 * LiveCall's index of live members: a long call keeps every member that
 * ever left (their records), and what each action looks through is only
 * the live ones, in the order they were added. The store is a stand-in
 * that accepts every commit (the SQLite store has its own contract suite).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { LiveCall } from '../../src/mpc/live-call.js';
import type { ConferenceHandle } from '../../src/mpc/ports.js';
import type { NodeSettings } from '../../src/mpc/types.js';
import type { CallRecord, ChangeSet, MemberRecord, Store } from '../../src/store/index.js';

const CALL: CallRecord = {
  callId: 'c1',
  authId: 'MA0000000000000000001',
  phloId: 'p1',
  nodeId: 'n1',
  runId: null,
  state: 'active',
  createdOn: '2026-12-03T08:00:00.000Z',
  startedOn: null,
  endedOn: null,
  endReason: null,
};

function member(memberId: string, state: MemberRecord['state']): MemberRecord {
  return {
    memberId,
    callId: CALL.callId,
    address: `sip:${memberId}@127.0.0.1`,
    role: 'customer',
    state,
    muted: false,
    held: false,
    createdOn: CALL.createdOn,
    joinedOn: null,
    leftOn: null,
    hangupCause: null,
    sipStatus: null,
    sipCallId: null,
  };
}

function liveCall(): LiveCall {
  const store = {
    commit: (_c: ChangeSet, written?: () => void) => {
      written?.();
      return Promise.resolve();
    },
  } as unknown as Store;
  return new LiveCall(
    CALL,
    {} as NodeSettings,
    {} as ConferenceHandle,
    store,
    () => '2026-12-03T08:00:01.000Z',
    pino({ level: 'silent' }),
  );
}

const ids = (live: LiveCall) => live.liveMembers().map((m) => m.record.memberId);

test('members that leave drop out of the live ones; every record stays', async () => {
  const live = liveCall();
  await live.change({ members: ['a', 'b', 'c'].map((id) => member(id, 'dialing')) });
  assert.deepEqual(ids(live), ['a', 'b', 'c']);
  await live.change({ members: [member('b', 'connected'), member('a', 'failed')] });
  assert.deepEqual(ids(live), ['b', 'c'], 'order of adding kept, the failed one gone');
  assert.equal(live.liveMembers()[0]!.record.state, 'connected', 'the new record is the one seen');
  assert.equal(live.isLiveMember('a'), false);
  assert.equal(live.isLiveMember('b'), true);
  await live.change({ members: [member('c', 'disconnected'), member('d', 'dialing')] });
  assert.deepEqual(ids(live), ['b', 'd']);
  assert.deepEqual([...live.members.keys()], ['a', 'b', 'c', 'd']);
  assert.equal(live.member('c')?.record.state, 'disconnected');
  assert.deepEqual(
    live.joined().map((m) => m.record.memberId),
    ['b'],
  );
});

test('a thousand members that came and went leave the live ones as few as they are', async () => {
  const live = liveCall();
  await live.change({ members: [member('agent', 'connected')] });
  for (let i = 0; i < 1000; i++) {
    await live.change({ members: [member(`m${i}`, 'dialing')] });
    await live.change({ members: [member(`m${i}`, 'disconnected')] });
  }
  assert.equal(live.members.size, 1001);
  assert.deepEqual(ids(live), ['agent']);
});
