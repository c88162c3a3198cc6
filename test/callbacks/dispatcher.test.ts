import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { callbackSigningKey } from '../../src/account/index.js';
import {
  CallbackDispatcher,
  callbackDeliveries,
  type CallbackDispatcherOptions,
  type CallbackStore,
  type DeliveryOutcome,
  verifyCallbackSignature,
} from '../../src/callbacks/index.js';
import { isoFromMs } from '../../src/callbacks/time.js';
import {
  SqliteStore,
  StoreError,
  type CallRecord,
  type MemberRecord,
} from '../../src/store/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { account, call, event, member, phlo } from '../store/fixtures.js';
import { Receiver, type Received } from './receiver.js';

const TOKEN = 'Cb7tokenForTheCallbackTests0123456789abcdef';
/** The dispatcher's wall clock at ManualClock time 0. */
const BASE = Date.parse('2026-12-01T12:00:00.000Z');

const tmp = mkdtempSync(join(tmpdir(), 'partyline-callbacks-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

/** Collects one kind of dispatcher outcome; next() waits for the next one not yet taken. */
function outcomes(d: CallbackDispatcher, name: 'delivered' | 'retry' | 'gave-up') {
  const seen: DeliveryOutcome[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  d.on(name, (o) => {
    seen.push(o);
    wake?.();
  });
  return {
    seen,
    async next(): Promise<DeliveryOutcome> {
      while (seen.length <= taken) await new Promise<void>((resolve) => (wake = resolve));
      return seen[taken++];
    },
    /** Once `n` have been seen (and recorded in the store). */
    async until(n: number): Promise<void> {
      while (seen.length < n) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('CallbackDispatcher', { timeout: 30_000 }, () => {
  let path: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let receiver: Receiver;
  let authId: string;
  let phloId: string;
  let cleanups: (() => Promise<void>)[];
  const now = (): number => BASE + clock.now();

  async function openStore(): Promise<SqliteStore> {
    const s = new SqliteStore({ path });
    await s.open();
    cleanups.push(() => s.close());
    return s;
  }

  beforeEach(async () => {
    cleanups = [];
    path = join(tmp, `callbacks-${++files}.db`);
    clock = new ManualClock();
    store = await openStore();
    receiver = await Receiver.start(TOKEN, now);
    cleanups.push(() => receiver.close());
    const acct = account({ signingKey: callbackSigningKey(TOKEN) });
    await store.createAccount(acct);
    const p = phlo(acct.authId);
    await store.createPhlo(p);
    authId = acct.authId;
    phloId = p.phloId;
  });

  afterEach(async () => {
    // Dispatchers first (pushed last), then the receiver and the stores.
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  function dispatcher(
    options: Partial<CallbackDispatcherOptions> = {},
    over: { store?: CallbackStore } = {},
  ): CallbackDispatcher {
    const d = new CallbackDispatcher({
      store: over.store ?? store,
      clock,
      now,
      random: () => 0,
      // Wake-ups only from commits, outcomes and back-off deadlines: a poll
      // firing inside one advance() would re-arm after it returned.
      pollIntervalMs: 3_600_000,
      ...options,
    });
    cleanups.push(() => d.stop());
    d.start();
    return d;
  }

  async function newCall(owner = authId): Promise<CallRecord> {
    const c = call(owner, phloId, 'mpc1', { state: 'active' });
    await store.commit({ calls: [c] });
    return c;
  }

  /** Commits events of `c` as LiveCall.change will, with their deliveries, and wakes `d`. */
  async function emit(
    c: CallRecord,
    types: string[],
    url: string,
    d?: CallbackDispatcher,
    members: MemberRecord[] = [],
  ): Promise<string[]> {
    const events = types.map((type) =>
      event(c.callId, type, {
        at: isoFromMs(now()),
        memberId: members[0]?.memberId ?? null,
        data: JSON.stringify({ n: type }),
      }),
    );
    const deliveries = callbackDeliveries({
      url,
      call: c,
      events,
      member: (id) => members.find((m) => m.memberId === id),
      createdOn: isoFromMs(now()),
    });
    await store.commit({ members, events, deliveries });
    d?.wake();
    return deliveries.map((x) => x.deliveryId);
  }

  const byCall = (rs: Received[], callId: string) => rs.filter((r) => r.payload.call_id === callId);
  const allVerified = () =>
    assert.ok(
      receiver.received.every((r) => r.verified),
      'every request carries a good signature',
    );

  it('delivers every event once, in order per call, signed, with the documented body', async () => {
    const d = dispatcher();
    const delivered = outcomes(d, 'delivered');
    const calls = [await newCall(), await newCall(), await newCall()];
    const m = member(calls[0].callId, {
      address: '+14155550100',
      role: 'customer',
      state: 'connected',
      joinedOn: '2026-12-01T12:00:00.500000Z',
    });
    const ids = new Map<string, string[]>();
    for (let round = 0; round < 4; round++) {
      for (const c of calls) {
        const types = [`r${round}.a`, `r${round}.b`];
        const got = await emit(
          c,
          types,
          receiver.url('/hook'),
          d,
          round === 0 && c === calls[0] ? [m] : [],
        );
        ids.set(c.callId, [...(ids.get(c.callId) ?? []), ...got]);
      }
    }
    await delivered.until(24);
    allVerified();
    for (const c of calls) {
      const got = byCall(receiver.received, c.callId);
      assert.deepEqual(
        got.map((r) => r.payload.seq),
        [1, 2, 3, 4, 5, 6, 7, 8],
        'sent in seq order, each once',
      );
      assert.deepEqual(
        got.map((r) => r.payload.event_id),
        ids.get(c.callId),
      );
      const stored = await store.deliveries(c.callId);
      assert.ok(stored.every((x) => x.deliveredOn !== null && x.attempts === 1));
    }

    const first = receiver.received.find(
      (r) => r.payload.event_id === ids.get(calls[0].callId)![0],
    )!;
    assert.equal(first.method, 'POST');
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.headers['x-partyline-event-id'], first.payload.event_id);
    assert.match(String(first.headers['x-partyline-nonce']), /^[0-9a-f]{32}$/);
    assert.equal(first.headers['x-partyline-timestamp'], String(Math.floor(BASE / 1000)));
    assert.match(String(first.headers['x-partyline-signature']), /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(Object.keys(first.payload), [
      'event_id',
      'call_id',
      'phlo_id',
      'node_id',
      'seq',
      'type',
      'at',
      'member',
      'data',
    ]);
    assert.deepEqual(first.payload, {
      event_id: ids.get(calls[0].callId)![0],
      call_id: calls[0].callId,
      phlo_id: phloId,
      node_id: 'mpc1',
      seq: 1,
      type: 'r0.a',
      at: '2026-12-01 12:00:00.000000+00:00',
      member: {
        member_id: m.memberId,
        address: '+14155550100',
        role: 'customer',
        state: 'connected',
        muted: false,
        held: false,
        joined_on: '2026-12-01 12:00:00.500000+00:00',
        left_on: null,
        hangup_cause: null,
      },
      data: { n: 'r0.a' },
    });
    const other = byCall(receiver.received, calls[1].callId)[0];
    assert.equal(other.payload.member, null);
    assert.deepEqual(d.stats(), {
      running: true,
      inFlight: 0,
      delivered: 24,
      retried: 0,
      gaveUp: 0,
    });
  });

  it('gets every event once to a receiver failing the first 3, with one event id across retries', async () => {
    const d = dispatcher();
    const retries = outcomes(d, 'retry');
    const delivered = outcomes(d, 'delivered');
    receiver.reply = () => (receiver.received.length <= 3 ? 500 : 200);
    const c = await newCall();
    const ids = await emit(c, ['a', 'b', 'c'], receiver.url('/flaky'), d);
    for (const wait of [1000, 2000, 4000]) {
      const r = await retries.next();
      assert.equal(r.deliveryId, ids[0]);
      assert.equal(r.error, 'HTTP 500');
      assert.equal(r.nextAttemptAt, isoFromMs(now() + wait), 'exponential back-off');
      await d.settled();
      // Not due a moment before its time; sent when it comes.
      clock.advance(wait - 1);
      await d.settled();
      assert.deepEqual(await store.dueDeliveries({ now: isoFromMs(now()), limit: 10 }), []);
      const sent = receiver.received.length;
      clock.advance(1);
      await receiver.until(() => receiver.received.length === sent + 1);
    }
    await delivered.until(3);
    allVerified();
    const got = receiver.received;
    assert.deepEqual(
      got.map((r) => [r.payload.event_id, r.status]),
      [
        [ids[0], 500],
        [ids[0], 500],
        [ids[0], 500],
        [ids[0], 200],
        [ids[1], 200],
        [ids[2], 200],
      ],
    );
    // The same bytes on every retry; a fresh nonce (and here a later timestamp) each time.
    for (const r of got.slice(1, 4)) assert.deepEqual(r.body, got[0].body);
    assert.equal(new Set(got.slice(0, 4).map((r) => r.headers['x-partyline-nonce'])).size, 4);
    assert.deepEqual(
      got.slice(0, 4).map((r) => r.headers['x-partyline-event-id']),
      [ids[0], ids[0], ids[0], ids[0]],
    );
    const [first, second] = await store.deliveries(c.callId);
    assert.equal(first.attempts, 4);
    assert.equal(first.lastError, 'HTTP 500');
    assert.ok(first.deliveredOn);
    assert.equal(second.attempts, 1);
    assert.equal(second.lastError, null);
  });

  it('does not let a receiver that never answers delay other calls’ deliveries', async () => {
    const d = dispatcher({ concurrency: 4, perUrlConcurrency: 2 });
    const delivered = outcomes(d, 'delivered');
    receiver.reply = (r) => (r.path === '/slow' ? 'hang' : 200);
    const slow: CallRecord[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await newCall();
      slow.push(c);
      await emit(c, ['s1', 's2'], receiver.url('/slow'), d);
    }
    const fast = await newCall();
    const fastIds = await emit(fast, ['f1', 'f2', 'f3', 'f4', 'f5'], receiver.url('/fast'), d);
    await delivered.until(5);
    allVerified();
    assert.deepEqual(
      receiver.delivered.map((r) => r.payload.event_id),
      fastIds,
    );
    // The slow URL holds at most its share of the slots, one head per call.
    const hung = receiver.received.filter((r) => r.path === '/slow');
    assert.equal(hung.length, 2);
    assert.ok(hung.every((r) => r.payload.seq === 1));
    assert.equal(new Set(hung.map((r) => r.payload.call_id)).size, 2);
    assert.equal(d.stats().inFlight, 2);

    // Stopped with those in flight: cut short, not counted, still pending.
    await d.stop();
    for (const c of slow) {
      for (const x of await store.deliveries(c.callId)) {
        assert.deepEqual([x.attempts, x.deliveredOn, x.gaveUpOn], [0, null, null]);
      }
    }
  });

  it('counts a request with no answer within the timeout as failed, and retries it', async () => {
    const d = dispatcher({ requestTimeoutMs: 5000 });
    const retries = outcomes(d, 'retry');
    const delivered = outcomes(d, 'delivered');
    receiver.reply = (_r, n) => (n === 0 ? 'hang' : 200);
    const c = await newCall();
    const [id] = await emit(c, ['a'], receiver.url('/late'), d);
    await receiver.until(() => receiver.received.length === 1);
    clock.advance(5000);
    const r = await retries.next();
    assert.equal(r.deliveryId, id);
    assert.equal(r.error, 'no answer within 5000 ms');
    await d.settled();
    clock.advance(1000);
    await delivered.until(1);
    allVerified();
    const [x] = await store.deliveries(c.callId);
    assert.equal(x.attempts, 2);
    assert.equal(x.lastError, 'no answer within 5000 ms');
  });

  it('gives up after the retry limit, then goes on with the call’s next delivery', async () => {
    const d = dispatcher({ maxAttempts: 3, backoff: { baseDelayMs: 100 } });
    const retries = outcomes(d, 'retry');
    const gaveUp = outcomes(d, 'gave-up');
    const delivered = outcomes(d, 'delivered');
    receiver.reply = (r) => (r.payload.type === 'doomed' ? 503 : 200);
    const c = await newCall();
    const [doomed, next] = await emit(c, ['doomed', 'fine'], receiver.url('/limit'), d);
    await retries.next();
    await d.settled();
    clock.advance(100);
    await retries.next();
    await d.settled();
    clock.advance(200);
    const g = await gaveUp.next();
    assert.equal(g.deliveryId, doomed);
    assert.equal(g.attempts, 3);
    assert.equal(g.status, 503);
    await delivered.until(1);
    allVerified();
    assert.deepEqual(
      receiver.received.map((r) => [r.payload.event_id, r.status]),
      [
        [doomed, 503],
        [doomed, 503],
        [doomed, 503],
        [next, 200],
      ],
    );
    const [x, y] = await store.deliveries(c.callId);
    assert.equal(x.attempts, 3);
    assert.equal(x.deliveredOn, null);
    assert.ok(x.gaveUpOn);
    assert.equal(x.lastError, 'HTTP 503; gave up after 3 attempts');
    assert.ok(y.deliveredOn);
    assert.equal(d.stats().gaveUp, 1);
    // Never due again.
    clock.advance(60_000);
    assert.deepEqual(await store.dueDeliveries({ now: isoFromMs(now()), limit: 10 }), []);
    assert.equal(await store.nextDeliveryAt(isoFromMs(0)), null);
  });

  it('delivers, after a restart, everything a stopped dispatcher left pending', async () => {
    receiver.reply = () => 'hang';
    const first = dispatcher();
    const calls = [await newCall(), await newCall()];
    const ids = new Map<string, string[]>();
    for (const c of calls)
      ids.set(c.callId, await emit(c, ['a', 'b', 'c'], receiver.url('/r'), first));
    await receiver.until(() => receiver.received.length === 2);
    await first.stop();
    await store.close();

    // A new process: the same file, a new store and dispatcher.
    receiver.reply = () => 200;
    const reopened = await openStore();
    const second = dispatcher({}, { store: reopened });
    await outcomes(second, 'delivered').until(6);
    allVerified();
    for (const c of calls) {
      assert.deepEqual(
        byCall(receiver.delivered, c.callId).map((r) => r.payload.event_id),
        ids.get(c.callId),
        'each once, in order',
      );
      // The head went out twice (cut short, then again), with one event id.
      assert.deepEqual(
        byCall(receiver.received, c.callId).map((r) => r.payload.seq),
        [1, 1, 2, 3],
      );
      const rows = await reopened.deliveries(c.callId);
      assert.deepEqual(
        rows.map((x) => [x.attempts, x.deliveredOn !== null]),
        [
          [1, true],
          [1, true],
          [1, true],
        ],
      );
    }
    assert.equal(second.stats().delivered, 6);
  });

  it('delivers nothing of a commit that was rolled back', async () => {
    const d = dispatcher();
    const delivered = outcomes(d, 'delivered');
    const c = await newCall();
    const events = [event(c.callId, 'lost.1'), event(c.callId, 'lost.2')];
    await assert.rejects(
      store.commit({
        members: [member('no-such-call')],
        events,
        deliveries: callbackDeliveries({
          url: receiver.url('/rb'),
          call: c,
          events,
          createdOn: isoFromMs(now()),
        }),
      }),
      StoreError,
    );
    d.wake();
    const [kept] = await emit(c, ['kept'], receiver.url('/rb'), d);
    await delivered.until(1);
    assert.equal(await store.nextDeliveryAt(isoFromMs(0)), null, 'nothing else pending');
    allVerified();
    assert.deepEqual(
      receiver.received.map((r) => [r.payload.event_id, r.payload.seq, r.payload.type]),
      [[kept, 1, 'kept']],
    );
    assert.deepEqual(
      (await store.deliveries(c.callId)).map((x) => x.deliveryId),
      [kept],
    );
  });

  it('gives up, unsent and logged, the callbacks of an account without a signing key', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const d = dispatcher({ logger });
    const gaveUp = outcomes(d, 'gave-up');
    const old = account();
    await store.createAccount(old);
    const c = await newCall(old.authId);
    const ids = await emit(c, ['a', 'b'], receiver.url('/old'), d);
    assert.equal((await gaveUp.next()).deliveryId, ids[0]);
    const g = await gaveUp.next();
    assert.equal(g.deliveryId, ids[1]);
    assert.equal(g.attempts, 0);
    assert.match(g.error ?? '', /has no callback signing key/);
    assert.equal(receiver.received.length, 0);
    const rows = await store.deliveries(c.callId);
    assert.ok(rows.every((x) => x.gaveUpOn !== null && x.attempts === 0));
    assert.match(
      rows[0].lastError ?? '',
      new RegExp(`account ${old.authId} has no callback signing key`),
    );
    const logged = lines.map(
      (l) => JSON.parse(l) as { level: number; msg: string; delivery_id?: string },
    );
    assert.ok(
      logged.some(
        (l) => l.level === 40 && l.delivery_id === ids[0] && /no callback signing key/.test(l.msg),
      ),
      lines.join(''),
    );
  });

  it('does not follow redirects', async () => {
    const d = dispatcher({ maxAttempts: 1 });
    const gaveUp = outcomes(d, 'gave-up');
    receiver.reply = (r) => (r.path === '/moved' ? { redirect: receiver.url('/elsewhere') } : 200);
    const c = await newCall();
    await emit(c, ['a'], receiver.url('/moved'), d);
    const g = await gaveUp.next();
    assert.equal(g.status, 302);
    assert.equal(g.error, 'HTTP 302 (redirects are not followed); gave up after 1 attempts');
    assert.deepEqual(
      receiver.received.map((r) => r.path),
      ['/moved'],
    );
  });

  it('sends only to http(s) URLs, and counts a refused connection as a failed attempt', async () => {
    const d = dispatcher();
    const gaveUp = outcomes(d, 'gave-up');
    const retries = outcomes(d, 'retry');
    const ftp = await newCall();
    await emit(ftp, ['a'], 'ftp://127.0.0.1/callbacks', d);
    const g = await gaveUp.next();
    assert.equal(g.attempts, 0);
    assert.match(g.error ?? '', /not http\(s\)/);

    const refused = await newCall();
    await emit(refused, ['a'], `http://127.0.0.1:${await closedPort()}/x`, d);
    const r = await retries.next();
    assert.match(r.error ?? '', /ECONNREFUSED/);
    assert.equal(r.attempts, 1);
  });

  it('resolves a host name, and signs the URL exactly as the PHLO names it', async () => {
    const d = dispatcher({ maxDnsLookups: 1 });
    const delivered = outcomes(d, 'delivered');
    const c = await newCall();
    const url = `http://localhost:${receiver.port}/named?x=1`;
    const ids = await emit(c, ['a', 'b', 'c'], url, d);
    await delivered.until(3);
    assert.deepEqual(
      receiver.received.map((r) => r.payload.event_id),
      ids,
    );
    for (const r of receiver.received) {
      assert.equal(r.headers.host, `localhost:${receiver.port}`);
      const header = (name: string) => String(r.headers[name]);
      assert.equal(
        verifyCallbackSignature(
          {
            url,
            nonce: header('x-partyline-nonce'),
            timestamp: header('x-partyline-timestamp'),
            body: r.body,
            signature: header('x-partyline-signature'),
          },
          TOKEN,
          { now },
        ),
        true,
      );
    }
  });

  it('finds what it was not woken for by polling', async () => {
    const d = dispatcher({ pollIntervalMs: 2000 });
    const delivered = outcomes(d, 'delivered');
    await d.settled();
    const c = await newCall();
    const [id] = await emit(c, ['unannounced'], receiver.url('/poll'));
    await d.settled();
    assert.equal(receiver.received.length, 0, 'not woken: not looked at yet');
    clock.advance(2000);
    await delivered.until(1);
    assert.equal(delivered.seen[0].deliveryId, id);
    allVerified();
  });

  it('sends again, with the same event id, what it could not record as delivered', async () => {
    let failures = 0;
    let failed: () => void = () => {};
    const recordFailed = new Promise<void>((resolve) => (failed = resolve));
    const flaky: CallbackStore = {
      dueDeliveries: (q) => store.dueDeliveries(q),
      nextDeliveryAt: (after) => store.nextDeliveryAt(after),
      markAttemptFailed: (id, f) => store.markAttemptFailed(id, f),
      giveUpDelivery: (id, g) => store.giveUpDelivery(id, g),
      getAccount: (authId) => store.getAccount(authId),
      markDelivered: async (id, at) => {
        if (failures++ === 0) {
          failed();
          throw new StoreError('failed', 'database is locked');
        }
        return store.markDelivered(id, at);
      },
    };
    const d = dispatcher({ pollIntervalMs: 2000 }, { store: flaky });
    const delivered = outcomes(d, 'delivered');
    const c = await newCall();
    const [id] = await emit(c, ['a'], receiver.url('/again'), d);
    await recordFailed;
    await d.settled();
    assert.equal(delivered.seen.length, 0);
    // Held back until the next poll rather than re-sent in a loop.
    assert.equal(receiver.received.length, 1);
    clock.advance(2000);
    await delivered.until(1);
    assert.deepEqual(
      receiver.received.map((r) => [r.payload.event_id, r.status]),
      [
        [id, 200],
        [id, 200],
      ],
    );
    const [x] = await store.deliveries(c.callId);
    assert.equal(x.attempts, 1);
    assert.ok(x.deliveredOn);
  });

  it('starts once, stops idempotently, and ignores wake() when not running', async () => {
    const d = new CallbackDispatcher({ store, clock, now });
    d.wake();
    d.start();
    d.start();
    await d.stop();
    await d.stop();
    d.wake();
    assert.throws(() => d.start(), /stopped/);
    assert.equal(d.stats().running, false);
    assert.equal(clock.armed(), 0, 'no timer left behind');
  });
});
