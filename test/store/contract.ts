import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  StoreConflictError,
  StoreError,
  type ChangeSet,
  type EventRecord,
  type Store,
} from '../../src/store/index.js';
import { account, at, call, event, member, phlo, request, run } from './fixtures.js';

/**
 * The behaviour every Store backend owes the domain (DESIGN.md §5: "One
 * store contract test suite runs against every backend"). `makeStore`
 * resolves to an opened, empty store; the suite closes it after each test.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** An account, a PHLO of it, and a fresh node id. */
    async function setup() {
      const acct = account();
      await store.createAccount(acct);
      const p = phlo(acct.authId);
      await store.createPhlo(p);
      return { acct, authId: acct.authId, phlo: p, phloId: p.phloId, nodeId: randomUUID() };
    }

    /** What a store holds for one call, to show a failed commit left nothing. */
    async function snapshot(callId: string) {
      return {
        call: await store.getCall(callId),
        members: await store.members(callId),
        events: await store.events(callId),
        requests: await store.requests(callId),
      };
    }

    describe('accounts', () => {
      it('creates, gets, lists (oldest first) and counts', async () => {
        assert.equal(await store.countAccounts(), 0);
        assert.deepEqual(await store.listAccounts(), []);
        const a = account({ createdOn: at(20) });
        const b = account({ createdOn: at(10), name: 'second' });
        await store.createAccount(a);
        await store.createAccount(b);
        assert.deepEqual(await store.getAccount(a.authId), a);
        assert.deepEqual(await store.getAccount(b.authId), b);
        assert.equal(await store.getAccount('MA0000000000000000XX'), null);
        assert.deepEqual(await store.listAccounts(), [b, a]);
        assert.equal(await store.countAccounts(), 2);
      });

      it('refuses a second account with the same AUTH_ID and keeps the first', async () => {
        const a = account();
        await store.createAccount(a);
        await assert.rejects(
          store.createAccount({ ...a, name: 'impostor', tokenHash: 'other' }),
          StoreConflictError,
        );
        assert.deepEqual(await store.getAccount(a.authId), a);
        assert.equal(await store.countAccounts(), 1);
      });
    });

    describe('phlos', () => {
      it('creates and gets a PHLO only for its own account', async () => {
        const { authId, phlo: p } = await setup();
        const other = account();
        await store.createAccount(other);
        assert.deepEqual(await store.getPhlo(authId, p.phloId), p);
        assert.equal(await store.getPhlo(other.authId, p.phloId), null);
        assert.equal(await store.getPhlo(authId, randomUUID()), null);
        assert.deepEqual(await store.listPhlos(other.authId), []);
      });

      it('lists an account’s PHLOs oldest first, never another account’s', async () => {
        const { authId, phlo: first } = await setup();
        const second = phlo(authId, { createdOn: at(30), updatedOn: at(30) });
        await store.createPhlo(second);
        const other = account();
        await store.createAccount(other);
        const theirs = phlo(other.authId);
        await store.createPhlo(theirs);
        assert.deepEqual(await store.listPhlos(authId), [first, second]);
        assert.deepEqual(await store.listPhlos(other.authId), [theirs]);
      });

      it('refuses a duplicate PHLO id with StoreConflictError, from any account', async () => {
        const { authId, phlo: p } = await setup();
        await assert.rejects(store.createPhlo({ ...p, name: 'again' }), StoreConflictError);
        const other = account();
        await store.createAccount(other);
        await assert.rejects(
          store.createPhlo({ ...p, authId: other.authId, name: 'theirs' }),
          StoreConflictError,
        );
        assert.deepEqual(await store.getPhlo(authId, p.phloId), p);
        assert.equal(await store.getPhlo(other.authId, p.phloId), null);
      });

      it('replaces name, document, version and updatedOn; keeps createdOn', async () => {
        const { authId, phlo: p } = await setup();
        const replaced = {
          ...p,
          name: 'renamed',
          document: JSON.stringify({ nodes: [{ id: 'mpc1', type: 'multi_party_call' }] }),
          version: 2,
          createdOn: at(999),
          updatedOn: at(40),
        };
        assert.equal(await store.replacePhlo(replaced), true);
        assert.deepEqual(await store.getPhlo(authId, p.phloId), {
          ...replaced,
          createdOn: p.createdOn,
        });
        assert.equal(await store.replacePhlo({ ...replaced, version: 3, updatedOn: at(50) }), true);
        const third = await store.getPhlo(authId, p.phloId);
        assert.equal(third?.version, 3);
        assert.equal(third?.updatedOn, at(50));
      });

      it('does not replace another account’s PHLO, nor one that does not exist', async () => {
        const { authId, phlo: p } = await setup();
        const other = account();
        await store.createAccount(other);
        assert.equal(
          await store.replacePhlo({ ...p, authId: other.authId, name: 'hijack', version: 2 }),
          false,
        );
        assert.equal(await store.replacePhlo(phlo(authId)), false);
        assert.deepEqual(await store.getPhlo(authId, p.phloId), p);
      });

      it('deletes only its own account’s PHLO, once', async () => {
        const { authId, phlo: p } = await setup();
        const other = account();
        await store.createAccount(other);
        assert.equal(await store.deletePhlo(other.authId, p.phloId), false);
        assert.deepEqual(await store.getPhlo(authId, p.phloId), p);
        assert.equal(await store.deletePhlo(authId, p.phloId), true);
        assert.equal(await store.getPhlo(authId, p.phloId), null);
        assert.deepEqual(await store.listPhlos(authId), []);
        assert.equal(await store.deletePhlo(authId, p.phloId), false);
      });

      it('keeps the runs, calls, members, events and requests of a deleted PHLO', async () => {
        const { authId, phloId, nodeId } = await setup();
        const r = run(authId, phloId);
        const c = call(authId, phloId, nodeId, { runId: r.runId, state: 'ended', endedOn: at(9) });
        const m = member(c.callId);
        const q = request(authId, phloId, { callId: c.callId });
        await store.commit({
          run: r,
          calls: [c],
          members: [m],
          events: [event(c.callId, 'call.created')],
          request: q,
        });
        assert.equal(await store.deletePhlo(authId, phloId), true);
        assert.deepEqual(await store.getRun(r.runId), r);
        assert.deepEqual(await store.getCall(c.callId), c);
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId), [c]);
        assert.deepEqual(await store.members(c.callId), [m]);
        assert.equal((await store.events(c.callId)).length, 1);
        assert.deepEqual(await store.requests(c.callId), [q]);
        // The id may be used again (a PHLO re-created from its document).
        await store.createPhlo(phlo(authId, { phloId }));
      });
    });

    describe('commit', () => {
      it('writes a run with its call, members, events and request together', async () => {
        const { authId, phloId, nodeId } = await setup();
        const r = run(authId, phloId);
        const c = call(authId, phloId, nodeId, { runId: r.runId });
        const m1 = member(c.callId, { address: '+14155550100', role: 'agent' });
        const m2 = member(c.callId, {
          address: 'sip:alice@example.com:5070',
          role: 'customer',
          muted: true,
          held: true,
          sipStatus: 180,
          sipCallId: 'a84b4c76e66710@pc33.example.com',
        });
        const q = request(authId, phloId, { nodeId, callId: c.callId, params: '{"a":1}' });
        await store.commit({
          request: q,
          run: r,
          calls: [c],
          members: [m1, m2],
          events: [
            event(c.callId, 'call.created', { at: at(10) }),
            event(c.callId, 'member.dialing', {
              at: at(11),
              memberId: m1.memberId,
              data: JSON.stringify({ address: m1.address }),
            }),
          ],
        });
        assert.deepEqual(await store.getRun(r.runId), r);
        assert.deepEqual(await store.getCall(c.callId), c);
        assert.deepEqual(await store.members(c.callId), [m1, m2]);
        assert.deepEqual(await store.events(c.callId), [
          {
            callId: c.callId,
            seq: 1,
            at: at(10),
            type: 'call.created',
            memberId: null,
            data: '{}',
          },
          {
            callId: c.callId,
            seq: 2,
            at: at(11),
            type: 'member.dialing',
            memberId: m1.memberId,
            data: JSON.stringify({ address: m1.address }),
          },
        ] satisfies EventRecord[]);
        assert.deepEqual(await store.getRequest(q.apiId), q);
        assert.deepEqual(await store.requests(c.callId), [q]);
        assert.equal(await store.getRun(randomUUID()), null);
        assert.equal(await store.getCall(randomUUID()), null);
        assert.equal(await store.getRequest(randomUUID()), null);
        assert.deepEqual(await store.members(randomUUID()), []);
        assert.deepEqual(await store.events(randomUUID()), []);
      });

      it('accepts an empty change set', async () => {
        await store.commit({});
        await store.commit({ calls: [], members: [], events: [] });
      });

      it('writes nothing when the last row names a call that does not exist', async () => {
        const { authId, phloId, nodeId } = await setup();
        const r = run(authId, phloId);
        const c = call(authId, phloId, nodeId, { runId: r.runId });
        const q = request(authId, phloId, { callId: c.callId });
        const orphan = member(randomUUID());
        const err = await store
          .commit({
            request: q,
            run: r,
            calls: [c],
            members: [member(c.callId), orphan],
            events: [event(c.callId, 'call.created')],
          })
          .then(
            () => assert.fail('commit resolved'),
            (e: unknown) => e,
          );
        assert.ok(err instanceof StoreError, String(err));
        assert.equal(err.kind, 'constraint');
        assert.equal(await store.getRun(r.runId), null);
        assert.equal(await store.getRequest(q.apiId), null);
        assert.deepEqual(await snapshot(c.callId), {
          call: null,
          members: [],
          events: [],
          requests: [],
        });
        assert.deepEqual(await store.members(orphan.callId), []);
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId), []);
        assert.deepEqual(await store.liveCalls(), []);
      });

      it('writes nothing when an event names a call that does not exist', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        await assert.rejects(
          store.commit({
            calls: [c],
            events: [event(c.callId, 'call.created'), event(randomUUID(), 'call.created')],
          }),
          (e: unknown) => e instanceof StoreError && e.kind === 'constraint',
        );
        assert.equal(await store.getCall(c.callId), null);
        assert.deepEqual(await store.events(c.callId), []);
      });

      it('writes nothing of a change set whose request id exists (StoreConflictError)', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c1 = call(authId, phloId, nodeId);
        const m1 = member(c1.callId);
        const q = request(authId, phloId, { callId: c1.callId, action: 'call' });
        await store.commit({
          calls: [c1],
          members: [m1],
          events: [event(c1.callId, 'call.created')],
          request: q,
        });
        const before = await snapshot(c1.callId);

        const c2 = call(authId, phloId, nodeId);
        await assert.rejects(
          store.commit({
            calls: [c2, { ...c1, state: 'active', startedOn: at(12) }],
            members: [member(c2.callId), { ...m1, state: 'connected' }],
            events: [event(c1.callId, 'member.connected'), event(c2.callId, 'call.created')],
            request: { ...q, callId: c2.callId, action: 'hangup' },
          }),
          StoreConflictError,
        );
        assert.deepEqual(await snapshot(c1.callId), before);
        assert.deepEqual(await snapshot(c2.callId), {
          call: null,
          members: [],
          events: [],
          requests: [],
        });
        assert.deepEqual(await store.getRequest(q.apiId), q);
        // The seq the failed commit took is free again.
        await store.commit({ events: [event(c1.callId, 'member.ringing')] });
        assert.deepEqual(
          (await store.events(c1.callId)).map((e) => [e.seq, e.type]),
          [
            [1, 'call.created'],
            [2, 'member.ringing'],
          ],
        );
      });

      it('writes nothing of a change set whose run id exists (StoreConflictError)', async () => {
        const { authId, phloId, nodeId } = await setup();
        const r = run(authId, phloId);
        await store.commit({ run: r });
        const c = call(authId, phloId, nodeId, { runId: r.runId });
        await assert.rejects(
          store.commit({ run: { ...r, payload: '{"again":true}' }, calls: [c] }),
          StoreConflictError,
        );
        assert.deepEqual(await store.getRun(r.runId), r);
        assert.equal(await store.getCall(c.callId), null);
      });

      it('refuses rows the schema forbids, writing nothing', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        const cases: [string, ChangeSet][] = [
          [
            'invalid JSON payload',
            { run: run(authId, phloId, { payload: 'not json' }), calls: [c] },
          ],
          [
            'a call of an unknown account',
            { calls: [c, call('MA00000000000000000X', phloId, nodeId)] },
          ],
          [
            'a call of an unknown run',
            { calls: [c, call(authId, phloId, nodeId, { runId: randomUUID() })] },
          ],
          [
            'invalid JSON event data',
            { calls: [c], events: [event(c.callId, 'x', { data: '{' })] },
          ],
          [
            'a request naming an unknown call',
            { calls: [c], request: request(authId, phloId, { callId: randomUUID() }) },
          ],
          ['an unknown call state', { calls: [{ ...c, state: 'exploded' as 'ended' }] }],
          [
            'an unknown member role',
            { calls: [c], members: [member(c.callId, { role: 'boss' as 'agent' })] },
          ],
        ];
        for (const [what, changes] of cases) {
          await assert.rejects(
            store.commit(changes),
            (e: unknown) => e instanceof StoreError && e.kind === 'constraint',
            what,
          );
          assert.equal(await store.getCall(c.callId), null, what);
        }
      });
    });

    describe('events', () => {
      it('numbers events 1..n per call in commit order, across commits', async () => {
        const { authId, phloId, nodeId } = await setup();
        const a = call(authId, phloId, nodeId);
        const b = call(authId, phloId, nodeId);
        await store.commit({
          calls: [a, b],
          events: [event(a.callId, 'a1'), event(b.callId, 'b1'), event(a.callId, 'a2')],
        });
        await store.commit({
          // A seq given by the caller is ignored.
          events: [
            { ...event(b.callId, 'b2'), seq: 99 } as EventRecord,
            event(a.callId, 'a3'),
            event(b.callId, 'b3'),
          ],
        });
        await store.commit({ events: [event(a.callId, 'a4')] });
        const seqs = async (callId: string) =>
          (await store.events(callId)).map((e) => [e.seq, e.type]);
        assert.deepEqual(await seqs(a.callId), [
          [1, 'a1'],
          [2, 'a2'],
          [3, 'a3'],
          [4, 'a4'],
        ]);
        assert.deepEqual(await seqs(b.callId), [
          [1, 'b1'],
          [2, 'b2'],
          [3, 'b3'],
        ]);
      });

      it('orders by seq, not by the time an event carries', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        await store.commit({
          calls: [c],
          events: [
            event(c.callId, 'late', { at: at(90) }),
            event(c.callId, 'early', { at: at(1) }),
          ],
        });
        assert.deepEqual(
          (await store.events(c.callId)).map((e) => e.type),
          ['late', 'early'],
        );
      });
    });

    describe('calls', () => {
      it('lists a node’s calls most recent first, with limit and live filter', async () => {
        const { authId, phloId, nodeId } = await setup();
        const oldest = call(authId, phloId, nodeId, { createdOn: at(100), state: 'ended' });
        const middle = call(authId, phloId, nodeId, { createdOn: at(200), state: 'active' });
        const newest = call(authId, phloId, nodeId, { createdOn: at(300) });
        const ended = call(authId, phloId, nodeId, { createdOn: at(400), state: 'ended' });
        const otherNode = call(authId, phloId, randomUUID(), { createdOn: at(500) });
        const otherPhlo = phlo(authId);
        await store.createPhlo(otherPhlo);
        const otherPhloCall = call(authId, otherPhlo.phloId, nodeId, { createdOn: at(600) });
        await store.commit({ calls: [middle, ended, oldest, newest, otherNode, otherPhloCall] });

        assert.deepEqual(await store.listCalls(authId, phloId, nodeId), [
          ended,
          newest,
          middle,
          oldest,
        ]);
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId, { limit: 2 }), [
          ended,
          newest,
        ]);
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId, { live: true }), [
          newest,
          middle,
        ]);
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId, { live: true, limit: 1 }), [
          newest,
        ]);
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId, { live: false }), [
          ended,
          newest,
          middle,
          oldest,
        ]);
        assert.deepEqual(await store.listCalls(authId, phloId, randomUUID()), []);
      });

      it('lists 50 calls by default and at most 500', async () => {
        const { authId, phloId, nodeId } = await setup();
        const calls = Array.from({ length: 501 }, (_, i) =>
          call(authId, phloId, nodeId, { createdOn: at(1000 + i) }),
        );
        await store.commit({ calls });
        const byDefault = await store.listCalls(authId, phloId, nodeId);
        assert.equal(byDefault.length, 50);
        assert.equal(byDefault[0].callId, calls[500].callId);
        assert.equal(byDefault[49].callId, calls[451].callId);
        assert.equal(
          (await store.listCalls(authId, phloId, nodeId, { limit: 10_000 })).length,
          500,
        );
        assert.equal((await store.listCalls(authId, phloId, nodeId, { limit: 500 })).length, 500);
      });

      it('never lists another account’s calls, even on the same PHLO and node ids', async () => {
        const { authId, phloId, nodeId } = await setup();
        const other = account();
        await store.createAccount(other);
        const mine = call(authId, phloId, nodeId);
        const theirs = call(other.authId, phloId, nodeId);
        await store.commit({ calls: [mine, theirs] });
        assert.deepEqual(await store.listCalls(authId, phloId, nodeId), [mine]);
        assert.deepEqual(await store.listCalls(other.authId, phloId, nodeId), [theirs]);
        assert.deepEqual(await store.listCalls(other.authId, phloId, nodeId, { live: true }), [
          theirs,
        ]);
      });

      it('lists the live calls of every account, oldest first', async () => {
        const { authId, phloId, nodeId } = await setup();
        const other = account();
        await store.createAccount(other);
        const a = call(authId, phloId, nodeId, { createdOn: at(30), state: 'active' });
        const b = call(other.authId, randomUUID(), randomUUID(), { createdOn: at(10) });
        const done = call(authId, phloId, nodeId, { createdOn: at(20), state: 'ended' });
        await store.commit({ calls: [a, b, done] });
        assert.deepEqual(await store.liveCalls(), [b, a]);
        await store.commit({ calls: [{ ...b, state: 'ended', endedOn: at(40) }] });
        assert.deepEqual(await store.liveCalls(), [a]);
      });

      it('replaces whole call and member rows on upsert, nulls included', async () => {
        const { authId, phloId, nodeId } = await setup();
        const r = run(authId, phloId);
        const c = call(authId, phloId, nodeId, { runId: r.runId });
        const m = member(c.callId);
        await store.commit({ run: r, calls: [c], members: [m] });

        const ended = {
          ...c,
          state: 'ended' as const,
          startedOn: at(10),
          endedOn: at(20),
          endReason: 'last-agent-left',
        };
        const left = {
          ...m,
          state: 'disconnected' as const,
          muted: true,
          held: true,
          joinedOn: at(10),
          leftOn: at(20),
          hangupCause: 'hangup',
          sipStatus: 200,
          sipCallId: 'abc@host',
        };
        await store.commit({ calls: [ended], members: [left] });
        assert.deepEqual(await store.getCall(c.callId), ended);
        assert.deepEqual(await store.members(c.callId), [left]);

        const cleared = {
          ...ended,
          runId: null,
          state: 'active' as const,
          endedOn: null,
          endReason: null,
        };
        const back = {
          ...left,
          role: 'supervisor' as const,
          state: 'on_hold' as const,
          muted: false,
          held: false,
          leftOn: null,
          hangupCause: null,
          sipStatus: null,
          sipCallId: null,
        };
        await store.commit({ calls: [cleared], members: [back] });
        assert.deepEqual(await store.getCall(c.callId), cleared);
        assert.deepEqual(await store.members(c.callId), [back]);
      });

      it('keeps members in the order they were first written', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        const first = member(c.callId, { createdOn: at(50) });
        const second = member(c.callId, { createdOn: at(40), address: '+14155550199' });
        await store.commit({ calls: [c], members: [first, second] });
        const third = member(c.callId, { createdOn: at(60), address: 'sip:bob@example.com' });
        await store.commit({ members: [third, { ...first, state: 'connected' }] });
        assert.deepEqual(
          (await store.members(c.callId)).map((x) => x.memberId),
          [first.memberId, second.memberId, third.memberId],
        );
      });
    });

    describe('requests', () => {
      it('lists the requests that named a call, in commit order', async () => {
        const { authId, phloId, nodeId } = await setup();
        const r = run(authId, phloId);
        const c = call(authId, phloId, nodeId, { runId: r.runId });
        const other = call(authId, phloId, nodeId);
        const m = member(c.callId);
        const started = request(authId, phloId, { action: 'run', callId: c.callId });
        const dial = request(authId, phloId, {
          action: 'call',
          nodeId,
          callId: c.callId,
          params: JSON.stringify({ to: '+14155550102', role: 'agent' }),
          receivedOn: at(20),
        });
        const hold = request(authId, phloId, {
          action: 'hold',
          nodeId,
          callId: c.callId,
          memberId: m.memberId,
          receivedOn: at(10),
        });
        const elsewhere = request(authId, phloId, { action: 'call', callId: other.callId });
        const unattached = request(authId, phloId, { action: 'run' });
        await store.commit({ run: r, calls: [c, other], members: [m], request: started });
        await store.commit({ request: dial });
        await store.commit({ request: elsewhere });
        await store.commit({ request: hold });
        await store.commit({ request: unattached });
        assert.deepEqual(await store.requests(c.callId), [started, dial, hold]);
        assert.deepEqual(await store.requests(other.callId), [elsewhere]);
        assert.deepEqual(await store.getRequest(unattached.apiId), unattached);
        assert.deepEqual(await store.requests(randomUUID()), []);
      });
    });

    describe('lifecycle', () => {
      it('rejects every call after close(), and close() is idempotent', async () => {
        const { authId } = await setup();
        await store.close();
        await store.close();
        const closed = (e: unknown) => e instanceof StoreError && e.kind === 'closed';
        await assert.rejects(store.getAccount(authId), closed);
        await assert.rejects(store.countAccounts(), closed);
        await assert.rejects(store.createAccount(account()), closed);
        await assert.rejects(store.commit({}), closed);
        await assert.rejects(store.liveCalls(), closed);
        await assert.rejects(store.open(), closed);
      });
    });
  });
}
