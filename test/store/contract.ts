import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  StoreConflictError,
  StoreError,
  type ChangeSet,
  type DeliveryRecord,
  type DueDelivery,
  type DueDeliveryQuery,
  type EventRecord,
  type NewDelivery,
  type Store,
} from '../../src/store/index.js';
import { account, at, call, delivery, event, member, phlo, request, run } from './fixtures.js';

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

    describe('account signing keys', () => {
      it('keeps an account’s signing key, and reads an account without one as it was', async () => {
        const keyed = account({ signingKey: 'q3Zl7Ob2m0aJ4Kx2cYp1x7lQ9q0s0s9yQ8bqv3n7Jz4=' });
        const plain = account();
        await store.createAccount(keyed);
        await store.createAccount(plain);
        assert.deepEqual(await store.getAccount(keyed.authId), keyed);
        const read = await store.getAccount(plain.authId);
        assert.deepEqual(read, plain);
        assert.equal(read?.signingKey, undefined);
        assert.ok(read && !('signingKey' in read), 'no signingKey property at all');
        assert.deepEqual(await store.listAccounts(), [keyed, plain]);
      });

      it('sets the signing key of an existing account only', async () => {
        const a = account();
        await store.createAccount(a);
        assert.equal(await store.setAccountSigningKey(a.authId, 'a2V5'), true);
        assert.deepEqual(await store.getAccount(a.authId), { ...a, signingKey: 'a2V5' });
        assert.equal(await store.setAccountSigningKey(a.authId, 'bmV3'), true);
        assert.equal((await store.getAccount(a.authId))?.signingKey, 'bmV3');
        assert.equal(await store.setAccountSigningKey('MA0000000000000000XX', 'a2V5'), false);
        assert.equal(await store.getAccount('MA0000000000000000XX'), null);
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

      it('tells `written` once the change is written, before it resolves; not for a commit that fails', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        const m = member(c.callId);
        let seen: unknown = 'not called';
        let resolved = false;
        const committed = store
          .commit({ calls: [c], members: [m], events: [event(c.callId, 'call.created')] }, () => {
            seen = resolved ? 'after it resolved' : 'before it resolved';
          })
          .then(() => (resolved = true));
        await committed;
        assert.equal(seen, 'before it resolved');
        assert.deepEqual(await store.getCall(c.callId), c);
        let calls = 0;
        await assert.rejects(
          // A member of a call that does not exist: the schema refuses it.
          store.commit({ members: [member('no-such-call')] }, () => calls++),
          (e: unknown) => e instanceof Error,
        );
        assert.equal(calls, 0, '`written` of a commit that wrote nothing');
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

    describe('callback outbox', () => {
      /** A call with `n` events committed, each with a delivery (URL `url`). */
      async function callWithDeliveries(
        n: number,
        over: { url?: string; createdOn?: (i: number) => string } = {},
      ) {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        const events = Array.from({ length: n }, (_, i) =>
          event(c.callId, `e${i + 1}`, { at: at(10 + i) }),
        );
        const deliveries = events.map((_, i) =>
          delivery(authId, i, {
            url: over.url ?? 'http://127.0.0.1:9/cb',
            createdOn: over.createdOn?.(i) ?? at(10 + i),
          }),
        );
        await store.commit({ calls: [c], events, deliveries });
        return { authId, call: c, callId: c.callId, deliveries };
      }

      const ids = (due: DueDelivery[]) => due.map((d) => d.delivery.deliveryId);
      const dueNow = (over: Partial<DueDeliveryQuery> = {}) =>
        store.dueDeliveries({ now: at(1_000_000), limit: 100, ...over });

      it('commits a delivery with its event, filling in the event’s call and seq', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        await store.commit({ calls: [c], events: [event(c.callId, 'call.created')] });
        const d = delivery(authId, 1, { createdOn: at(20), body: '{"phlo_id":"x"}' });
        await store.commit({
          events: [event(c.callId, 'member.dialing'), event(c.callId, 'member.ringing')],
          deliveries: [d],
        });
        assert.deepEqual(await store.deliveries(c.callId), [
          {
            deliveryId: d.deliveryId,
            callId: c.callId,
            seq: 3,
            url: d.url,
            authId,
            body: '{"phlo_id":"x"}',
            attempts: 0,
            nextAttemptAt: at(20),
            lastAttemptOn: null,
            deliveredOn: null,
            lastError: null,
            gaveUpOn: null,
            createdOn: at(20),
          },
        ] satisfies DeliveryRecord[]);
        assert.deepEqual(await store.deliveries(randomUUID()), []);
      });

      it('gives each delivery the seq of its own event, calls mixed in one commit', async () => {
        const { authId, phloId, nodeId } = await setup();
        const a = call(authId, phloId, nodeId);
        const b = call(authId, phloId, nodeId);
        await store.commit({ calls: [a, b], events: [event(a.callId, 'a1')] });
        const events = [event(b.callId, 'b1'), event(a.callId, 'a2'), event(b.callId, 'b2')];
        const ds = [delivery(authId, 2), delivery(authId, 0), delivery(authId, 1)];
        await store.commit({ events, deliveries: ds });
        const seqOf = async (callId: string) =>
          (await store.deliveries(callId)).map((d) => [d.deliveryId, d.seq]);
        assert.deepEqual(await seqOf(a.callId), [[ds[2].deliveryId, 2]]);
        assert.deepEqual(await seqOf(b.callId), [
          [ds[1].deliveryId, 1],
          [ds[0].deliveryId, 2],
        ]);
        const due = await dueNow();
        const byId = new Map(due.map((d) => [d.delivery.deliveryId, d.event]));
        assert.equal(byId.get(ds[2].deliveryId)?.type, 'a2');
        assert.equal(byId.get(ds[1].deliveryId)?.type, 'b1');
      });

      it('writes neither event nor delivery when any row of the commit fails', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        const q = request(authId, phloId, { callId: c.callId });
        await store.commit({ calls: [c], events: [event(c.callId, 'call.created')], request: q });
        const before = await snapshot(c.callId);
        const cases: [string, ChangeSet, (e: unknown) => boolean][] = [
          [
            'a request id that exists',
            {
              events: [event(c.callId, 'member.dialing')],
              deliveries: [delivery(authId, 0)],
              request: q,
            },
            (e) => e instanceof StoreConflictError,
          ],
          [
            'a member of an unknown call',
            {
              members: [member(randomUUID())],
              events: [event(c.callId, 'member.dialing')],
              deliveries: [delivery(authId, 0)],
            },
            (e) => e instanceof StoreError && e.kind === 'constraint',
          ],
        ];
        for (const [what, changes, check] of cases) {
          await assert.rejects(store.commit(changes), check, what);
          assert.deepEqual(await snapshot(c.callId), before, what);
          assert.deepEqual(await store.deliveries(c.callId), [], what);
          assert.deepEqual(await dueNow(), [], what);
        }
      });

      it('refuses deliveries the schema forbids, writing nothing of the commit', async () => {
        const { authId, phloId, nodeId } = await setup();
        const c = call(authId, phloId, nodeId);
        await store.commit({ calls: [c], events: [event(c.callId, 'call.created')] });
        const taken = delivery(authId, 0);
        await store.commit({ events: [event(c.callId, 'member.dialing')], deliveries: [taken] });
        const before = await snapshot(c.callId);
        const constraint = (e: unknown) => e instanceof StoreError && e.kind === 'constraint';
        const conflict = (e: unknown) => e instanceof StoreConflictError;
        const cases: [string, NewDelivery[], (e: unknown) => boolean][] = [
          ['an event index past the end', [delivery(authId, 1)], constraint],
          ['a negative event index', [delivery(authId, -1)], constraint],
          ['a fractional event index', [delivery(authId, 0.5)], constraint],
          ['an unknown account', [delivery('MA00000000000000000X', 0)], constraint],
          ['a body that is not JSON', [delivery(authId, 0, { body: '{' })], constraint],
          [
            'a delivery id that exists',
            [delivery(authId, 0, { deliveryId: taken.deliveryId })],
            conflict,
          ],
          ['two deliveries of one event', [delivery(authId, 0), delivery(authId, 0)], conflict],
        ];
        for (const [what, deliveries, check] of cases) {
          await assert.rejects(
            store.commit({ events: [event(c.callId, 'member.ringing')], deliveries }),
            check,
            what,
          );
          assert.deepEqual(await snapshot(c.callId), before, what);
          assert.deepEqual(
            (await store.deliveries(c.callId)).map((d) => d.deliveryId),
            [taken.deliveryId],
            what,
          );
        }
        // A change set without events cannot carry a delivery.
        await assert.rejects(store.commit({ deliveries: [delivery(authId, 0)] }), constraint);
      });

      it('makes only the head of each call due, and the next once the head is done', async () => {
        const a = await callWithDeliveries(3);
        const b = await callWithDeliveries(2);
        const [a1, a2, a3] = a.deliveries;
        const [b1, b2] = b.deliveries;
        assert.deepEqual(ids(await dueNow()), [a1.deliveryId, b1.deliveryId]);
        const [first] = await dueNow({ limit: 1 });
        assert.deepEqual(first.event, {
          callId: a.callId,
          seq: 1,
          at: at(10),
          type: 'e1',
          memberId: null,
          data: '{}',
        } satisfies EventRecord);
        assert.equal(first.delivery.seq, 1);

        assert.equal(await store.markDelivered(a1.deliveryId, at(100)), true);
        assert.deepEqual(ids(await dueNow()), [b1.deliveryId, a2.deliveryId]);
        assert.equal(
          await store.giveUpDelivery(b1.deliveryId, { at: at(101), error: 'x', attempted: true }),
          true,
        );
        assert.deepEqual(ids(await dueNow()), [a2.deliveryId, b2.deliveryId]);
        await store.markDelivered(a2.deliveryId, at(102));
        await store.markDelivered(b2.deliveryId, at(103));
        assert.deepEqual(ids(await dueNow()), [a3.deliveryId]);
        await store.markDelivered(a3.deliveryId, at(104));
        assert.deepEqual(await dueNow(), []);
        assert.equal(await store.nextDeliveryAt(at(0)), null);
      });

      it('is not due before its next attempt time; a failing head holds back only its call', async () => {
        const a = await callWithDeliveries(2);
        const b = await callWithDeliveries(1, { createdOn: () => at(50) });
        const [a1, a2] = a.deliveries;
        const [b1] = b.deliveries;
        assert.deepEqual(ids(await dueNow({ now: at(9) })), []);
        assert.deepEqual(ids(await dueNow({ now: at(10) })), [a1.deliveryId]);
        assert.deepEqual(ids(await dueNow({ now: at(50) })), [a1.deliveryId, b1.deliveryId]);

        assert.equal(
          await store.markAttemptFailed(a1.deliveryId, {
            at: at(60),
            error: 'HTTP 503',
            nextAttemptAt: at(2_000),
          }),
          true,
        );
        const [failed] = await store.deliveries(a.callId);
        assert.equal(failed.attempts, 1);
        assert.equal(failed.lastError, 'HTTP 503');
        assert.equal(failed.lastAttemptOn, at(60));
        assert.equal(failed.nextAttemptAt, at(2_000));
        assert.equal(failed.deliveredOn, null);
        // a2 waits behind a1; b1 is independent.
        assert.deepEqual(ids(await dueNow({ now: at(1_999) })), [b1.deliveryId]);
        assert.deepEqual(ids(await dueNow({ now: at(2_000) })), [b1.deliveryId, a1.deliveryId]);
        assert.equal(await store.nextDeliveryAt(at(1_000)), at(2_000));

        await store.markAttemptFailed(a1.deliveryId, {
          at: at(2_001),
          error: 'timeout',
          nextAttemptAt: at(3_000),
        });
        assert.equal((await store.deliveries(a.callId))[0].attempts, 2);
        await store.markDelivered(a1.deliveryId, at(3_001));
        const [done, next] = await store.deliveries(a.callId);
        assert.equal(done.attempts, 3);
        assert.equal(done.deliveredOn, at(3_001));
        assert.equal(done.lastAttemptOn, at(3_001));
        assert.equal(done.lastError, 'timeout', 'the last error stays as history');
        assert.deepEqual(ids(await dueNow({ now: at(3_001), skipCalls: [b.callId] })), [
          a2.deliveryId,
        ]);
        assert.equal(next.attempts, 0);
      });

      it('passes over the calls and URLs it is told to skip, and keeps to the limit', async () => {
        const a = await callWithDeliveries(1, { url: 'http://127.0.0.1:9/a' });
        const b = await callWithDeliveries(1, { url: 'http://127.0.0.1:9/b' });
        const c = await callWithDeliveries(1, { url: 'http://127.0.0.1:9/a' });
        const [a1, b1, c1] = [a.deliveries[0], b.deliveries[0], c.deliveries[0]];
        assert.deepEqual(ids(await dueNow()), [a1.deliveryId, b1.deliveryId, c1.deliveryId]);
        assert.deepEqual(ids(await dueNow({ skipCalls: [a.callId] })), [
          b1.deliveryId,
          c1.deliveryId,
        ]);
        assert.deepEqual(ids(await dueNow({ skipUrls: ['http://127.0.0.1:9/a'] })), [
          b1.deliveryId,
        ]);
        assert.deepEqual(
          ids(await dueNow({ skipCalls: [b.callId], skipUrls: ['http://127.0.0.1:9/a'] })),
          [],
        );
        assert.deepEqual(ids(await dueNow({ limit: 2 })), [a1.deliveryId, b1.deliveryId]);
        assert.deepEqual(ids(await dueNow({ skipCalls: [], skipUrls: [] })), ids(await dueNow()));
      });

      it('orders due deliveries of different calls by next attempt time', async () => {
        const late = await callWithDeliveries(1, { createdOn: () => at(30) });
        const early = await callWithDeliveries(1, { createdOn: () => at(20) });
        assert.deepEqual(ids(await dueNow()), [
          early.deliveries[0].deliveryId,
          late.deliveries[0].deliveryId,
        ]);
        await store.markAttemptFailed(early.deliveries[0].deliveryId, {
          at: at(40),
          error: 'HTTP 500',
          nextAttemptAt: at(45),
        });
        assert.deepEqual(ids(await dueNow()), [
          late.deliveries[0].deliveryId,
          early.deliveries[0].deliveryId,
        ]);
      });

      it('counts an attempt in a give-up only when one was made', async () => {
        const a = await callWithDeliveries(2);
        const [a1, a2] = a.deliveries;
        await store.giveUpDelivery(a1.deliveryId, {
          at: at(70),
          error: 'account has no signing key',
          attempted: false,
        });
        await store.markAttemptFailed(a2.deliveryId, {
          at: at(71),
          error: 'HTTP 500',
          nextAttemptAt: at(72),
        });
        await store.giveUpDelivery(a2.deliveryId, {
          at: at(73),
          error: 'HTTP 502',
          attempted: true,
        });
        const [g1, g2] = await store.deliveries(a.callId);
        assert.deepEqual(
          [g1.attempts, g1.lastAttemptOn, g1.gaveUpOn, g1.lastError, g1.deliveredOn],
          [0, null, at(70), 'account has no signing key', null],
        );
        assert.deepEqual(
          [g2.attempts, g2.lastAttemptOn, g2.gaveUpOn, g2.lastError, g2.deliveredOn],
          [2, at(73), at(73), 'HTTP 502', null],
        );
        assert.deepEqual(await dueNow(), []);
      });

      it('changes nothing of a delivery that is done, or does not exist', async () => {
        const a = await callWithDeliveries(2);
        const [a1, a2] = a.deliveries;
        await store.markDelivered(a1.deliveryId, at(80));
        await store.giveUpDelivery(a2.deliveryId, { at: at(81), error: 'x', attempted: false });
        const before = await store.deliveries(a.callId);
        for (const id of [a1.deliveryId, a2.deliveryId, randomUUID()]) {
          assert.equal(await store.markDelivered(id, at(90)), false);
          assert.equal(
            await store.markAttemptFailed(id, { at: at(91), error: 'y', nextAttemptAt: at(92) }),
            false,
          );
          assert.equal(
            await store.giveUpDelivery(id, { at: at(93), error: 'z', attempted: true }),
            false,
          );
        }
        assert.deepEqual(await store.deliveries(a.callId), before);
      });

      it('finds the next attempt time among call heads only', async () => {
        assert.equal(await store.nextDeliveryAt(at(0)), null);
        const a = await callWithDeliveries(2, { createdOn: (i) => at(100 + i * 1000) });
        // a2 (at 1100) is not a head: only a1 (at 100) counts.
        assert.equal(await store.nextDeliveryAt(at(0)), at(100));
        assert.equal(await store.nextDeliveryAt(at(100)), null, 'strictly after');
        await store.markAttemptFailed(a.deliveries[0].deliveryId, {
          at: at(150),
          error: 'HTTP 500',
          nextAttemptAt: at(5_000),
        });
        assert.equal(await store.nextDeliveryAt(at(200)), at(5_000));
        await store.markDelivered(a.deliveries[0].deliveryId, at(5_001));
        assert.equal(await store.nextDeliveryAt(at(200)), at(1100));
        assert.equal(await store.nextDeliveryAt(at(5_001)), null, 'a2 is already due');
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
        await assert.rejects(store.dueDeliveries({ now: at(1), limit: 1 }), closed);
        await assert.rejects(store.markDelivered(randomUUID(), at(1)), closed);
        await assert.rejects(store.open(), closed);
      });
    });
  });
}
