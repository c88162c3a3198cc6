/**
 * The store's group commit (src/store/sqlite/wal-sync.ts): a write resolves
 * only after the WAL's fdatasync that covers it, a write made while one
 * sync runs gets its own (a call's own change, which no request waits on,
 * shares the next one instead), beyond two in flight writes share the next
 * one, and a failed sync fails the writes it covered.
 * A request's sync is waited for by the event loop itself when none runs on
 * the pool and the disk has been fast (InlineSyncPolicy), after the commit's
 * `written` callback; here that wait is a test's function run at once
 * (inlineSync), and WalSyncThread, what runs it in production, is tested
 * on its own in wal-sync-thread.test.ts.
 * The fdatasync is a test's own so it can be held open; it still calls the
 * real one, so the file really is synced.
 */
import assert from 'node:assert/strict';
import { fdatasync, fdatasyncSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { SqliteStore, StoreError } from '../../src/store/index.js';
import { InlineSyncPolicy } from '../../src/store/sqlite/inline-sync-policy.js';
import { WalSync, type BlockingSyncFactory } from '../../src/store/sqlite/wal-sync.js';
import { account, phlo, request } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'partyline-walsync-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

/** An fdatasync that waits for release() before calling the real one. */
function heldSync() {
  const held: Array<() => void> = [];
  let calls = 0;
  let fail: Error | null = null;
  return {
    fdatasync: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
      calls++;
      held.push(() => (fail ? done(fail) : fdatasync(fd, done)));
    },
    get calls() {
      return calls;
    },
    get waiting() {
      return held.length;
    },
    release: () => held.splice(0).forEach((go) => go()),
    failNext: (err: Error) => (fail = err),
  };
}

/** A store syncing through `sync` (and inline through `inline`, when given: by default never). */
async function openStore(
  sync: ReturnType<typeof heldSync>,
  inline?: (fd: number) => void,
): Promise<SqliteStore> {
  const store = new SqliteStore({
    path: join(tmp, `s-${++files}.db`),
    fdatasync: sync.fdatasync,
    blockingSync: inline && blockingNow(inline),
  });
  await store.open();
  return store;
}

/** An account written to `store`, its sync (on the pool) let through. */
async function syncedAccount(store: SqliteStore, sync: ReturnType<typeof heldSync>) {
  const a = account();
  const write = store.createAccount(a);
  sync.release();
  await write;
  return a;
}

/** A blocking sync that runs `sync` at once, on this thread, and is always ready. */
function blockingNow(sync: (fd: number) => void): BlockingSyncFactory {
  return (fd) => ({
    ready: () => true,
    syncWithin: () => (sync(fd), null),
    close: async () => undefined,
  });
}

/** An inline fdatasync that notes each call in `order` (then runs the real one, or throws `fail`). */
function inlineSync(order: string[], fail?: Error) {
  return (fd: number): void => {
    order.push('inline sync');
    if (fail) throw fail;
    fdatasyncSync(fd);
  };
}

/** One turn of the event loop: the store's sync calls have been made. */
const tick = (): Promise<unknown> => new Promise((r) => setImmediate(r));

/** A store whose first write (an account) is syncing, held open by `sync`. */
async function firstSyncRunning(sync: ReturnType<typeof heldSync>) {
  const store = await openStore(sync);
  const a = account();
  const first = store.createAccount(a);
  await tick();
  assert.equal(sync.calls, 1);
  return { store, a, first };
}

/** Whether `p` has settled after the pending I/O callbacks and microtasks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return done;
}

describe('SqliteStore group commit', () => {
  it('reports that the store syncs the WAL', async () => {
    const sync = heldSync();
    const store = await openStore(sync);
    assert.equal(store.settings().synchronous, 'normal');
    assert.equal(store.settings().commitSync, 'wal-fdatasync');
    await store.close();
  });

  it('a write resolves only once its sync has finished, and is readable before that', async () => {
    const sync = heldSync();
    const store = await openStore(sync);
    try {
      const a = account();
      const write = store.createAccount(a);
      assert.equal(await settled(write), false, 'acknowledged before the WAL was synced');
      assert.equal(sync.waiting, 1);
      // Committed in SQLite already: other statements see it.
      assert.equal((await store.getAccount(a.authId))?.authId, a.authId);
      sync.release();
      await write;
    } finally {
      sync.release();
      await store.close();
    }
  });

  it('a write made while one sync runs gets its own at once; beyond two in flight, writes share the next', async () => {
    const sync = heldSync();
    const { store, a, first } = await firstSyncRunning(sync);
    try {
      // Written after the first sync began, which cannot cover it: a second sync starts now,
      // rather than after the first (which would make it wait for two).
      const second = store.createPhlo(phlo(a.authId, { name: 'p0' }));
      await tick();
      assert.equal(sync.calls, 2, 'a second sync alongside the first');
      const later = [1, 2, 3, 4, 5].map((n) => store.createPhlo(phlo(a.authId, { name: `p${n}` })));
      await tick();
      assert.equal(sync.calls, 2, 'no third sync while two run');
      sync.release();
      await Promise.all([first, second]);
      assert.equal(
        await settled(Promise.all(later)),
        false,
        'not covered by the syncs before them',
      );
      assert.equal(sync.calls, 3, 'one more sync for all five');
      sync.release();
      await Promise.all(later);
      assert.equal(sync.calls, 3);
    } finally {
      sync.release();
      await store.close();
    }
  });

  it("a call's own change (no request, no run) shares the next sync while one runs; a request's starts at once", async () => {
    const sync = heldSync();
    const { store, a, first } = await firstSyncRunning(sync);
    try {
      // A leg event's write: nobody waits on it, so it does not start a second sync beside the first.
      const own = store.commit({});
      await tick();
      assert.equal(sync.calls, 1, 'no second sync for a change no request waits on');
      // A request's write made now does start one, as before.
      const p = phlo(a.authId);
      const asked = store.createPhlo(p);
      await tick();
      assert.equal(sync.calls, 2, "a request's sync alongside the first");
      sync.release();
      await Promise.all([first, asked]);
      assert.equal(
        await settled(own),
        false,
        'resolved by a sync that began before it was written',
      );
      assert.equal(sync.calls, 3, 'its own sync once one ended');
      sync.release();
      await own;
      // Alone, it syncs at once.
      const alone = store.commit({});
      await tick();
      assert.equal(sync.calls, 4);
      sync.release();
      await alone;
    } finally {
      sync.release();
      await store.close();
    }
  });

  it('a failed sync rejects the writes it covered with a store error saying so', async () => {
    const sync = heldSync();
    const store = await openStore(sync);
    try {
      sync.failNext(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
      const write = store.createAccount(account());
      sync.release();
      await assert.rejects(write, (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.kind, 'failed');
        assert.match(e.message, /syncing the WAL to disk failed: EIO/);
        return true;
      });
    } finally {
      sync.release();
      await store.close();
    }
  });

  it('close waits for a sync still running', async () => {
    const sync = heldSync();
    const store = await openStore(sync);
    const write = store.createAccount(account());
    await tick();
    const closing = store.close();
    assert.equal(await settled(closing), false, 'closed under a running sync');
    sync.release();
    await closing;
    await write;
  });

  it("a request's commit syncs on the event loop when none runs on the pool, after `written`", async () => {
    const sync = heldSync();
    const order: string[] = [];
    const store = await openStore(sync, inlineSync(order));
    try {
      const a = await syncedAccount(store, sync); // not a commit: on the pool, as before
      const calls = sync.calls;
      const write = store.commit({ request: request(a.authId, randomUUID()) }, () =>
        order.push('written'),
      );
      assert.deepEqual(order, ['written', 'inline sync']);
      assert.equal(await settled(write), true, 'settled without the pool');
      await write;
      assert.equal(sync.calls, calls, 'no sync on the pool');
      // A call's own change (no request) still goes to the pool.
      const own = store.commit({});
      await tick();
      assert.equal(sync.calls, calls + 1);
      sync.release();
      await own;
    } finally {
      sync.release();
      await store.close();
    }
  });

  it("while a sync runs on the pool, a request's commit starts its own there", async () => {
    const sync = heldSync();
    const order: string[] = [];
    const store = await openStore(sync, inlineSync(order));
    try {
      const a = account();
      const running = store.createAccount(a); // held open on the pool
      await tick();
      assert.equal(sync.calls, 1);
      const write = store.commit({ request: request(a.authId, randomUUID()) });
      await tick();
      assert.deepEqual(order, [], 'an inline flush beside one on the pool');
      assert.equal(sync.calls, 2, 'a second sync on the pool');
      assert.equal(await settled(write), false);
      sync.release();
      await Promise.all([running, write]);
    } finally {
      sync.release();
      await store.close();
    }
  });

  it('a failed inline sync rejects the commit with a store error saying so', async () => {
    const sync = heldSync();
    const order: string[] = [];
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const store = await openStore(sync, inlineSync(order, eio));
    try {
      const a = await syncedAccount(store, sync);
      await assert.rejects(store.commit({ request: request(a.authId, randomUUID()) }), (e) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.kind, 'failed');
        assert.match(e.message, /syncing the WAL to disk failed: EIO/);
        return true;
      });
      assert.deepEqual(order, ['inline sync']);
    } finally {
      sync.release();
      await store.close();
    }
  });
});

describe('WalSync inline syncs', () => {
  /** A WalSync over a file of its own, timed by a clock the test moves; each inline sync takes `took()` ms. */
  function walSync(took: () => number) {
    const path = join(tmp, `w-${++files}.db`);
    writeFileSync(`${path}-wal`, 'x');
    const clock = { t: 0, now: () => clock.t };
    const pauses: Array<[number, number]> = [];
    const wal = WalSync.open(path, {
      onInlinePause: (averageMs, pauseMs) => pauses.push([averageMs, pauseMs]),
      blockingSync: blockingNow((fd) => {
        fdatasyncSync(fd);
        clock.t += took();
      }),
      clock,
      inlineBudgetMs: 1,
      inlinePauseMs: 10_000,
    });
    assert.ok(wal);
    return { wal, clock, pauses };
  }

  it('a slow flush sends syncs back to the pool for the pause, then inline syncs are tried again', async () => {
    let ms = 0.2;
    const { wal, clock, pauses } = walSync(() => ms);
    try {
      for (let i = 0; i < 50; i++) {
        assert.equal(wal.canSyncInline(), true, `fast sync ${i}`);
        await wal.syncInline();
      }
      ms = 9; // one flush of 9 ms: the running average (1/8 weight) goes past 1 ms
      await wal.syncInline();
      assert.equal(wal.canSyncInline(), false, 'inline after a slow flush');
      assert.deepEqual(wal.inlineStats(), { inline: 51, paused: 1 });
      assert.equal(pauses.length, 1, 'told of the pause');
      assert.ok(pauses[0][0] > 1 && pauses[0][0] < 1.4, `average ${pauses[0][0]}`);
      assert.equal(pauses[0][1], 10_000);
      // Meanwhile a request's sync goes to the pool and still resolves.
      await wal.sync(true);
      clock.t += 9_999;
      assert.equal(wal.canSyncInline(), false, 'inline before the pause is over');
      clock.t += 1;
      assert.equal(wal.canSyncInline(), true, 'not tried again after the pause');
      ms = 0.2;
      await wal.syncInline();
      assert.equal(wal.canSyncInline(), true);
    } finally {
      await wal.close();
    }
  });

  it('a sync that outlives its deadline runs on as a pool sync would, and pauses inline syncs', async () => {
    const path = join(tmp, `w-${++files}.db`);
    writeFileSync(`${path}-wal`, 'x');
    let finish: () => void = () => undefined;
    const pauses: number[] = [];
    const wal = WalSync.open(path, {
      blockingSync: () => ({
        ready: () => true,
        syncWithin: () => new Promise<void>((resolve) => (finish = resolve)),
        close: async () => undefined,
      }),
      onInlinePause: (averageMs) => pauses.push(averageMs),
    });
    assert.ok(wal);
    const late = wal.syncInline();
    assert.deepEqual(pauses, [Number.POSITIVE_INFINITY], 'told the disk stalls');
    assert.equal(wal.canSyncInline(), false);
    const closing = wal.close();
    assert.equal(await settled(late), false, 'resolved before its sync ended');
    assert.equal(await settled(closing), false, 'closed while a sync ran');
    finish();
    await late;
    await closing;
  });

  it('is never inline while a sync runs on the pool, nor once closed', async () => {
    const { wal } = walSync(() => 0.1);
    const pooled = wal.sync(true);
    assert.equal(wal.canSyncInline(), false);
    await pooled;
    assert.equal(wal.canSyncInline(), true);
    await wal.close();
    assert.equal(wal.canSyncInline(), false);
    await assert.rejects(wal.syncInline(), /closed/);
  });
});

describe('InlineSyncPolicy', () => {
  it('pauses after a run of flushes averaging over the budget, also when they throw', () => {
    const clock = { t: 0, now: () => clock.t };
    const policy = new InlineSyncPolicy(clock, 1, 100);
    // 1.5 ms each: the average (weight 1/8) passes 1 ms on the 9th (0.98 after 8, 1.05).
    let runs = 0;
    while (policy.allowed()) {
      assert.throws(() =>
        policy.run(() => {
          clock.t += 1.5;
          throw new Error('EIO');
        }),
      );
      runs++;
      assert.ok(runs < 20, 'never paused');
    }
    assert.equal(runs, 9);
    assert.deepEqual(policy.stats(), { inline: 9, paused: 1 });
    clock.t += 100;
    assert.equal(policy.allowed(), true);
  });

  it('a budget of 0 turns inline syncs off', () => {
    assert.equal(new InlineSyncPolicy({ now: () => 0 }, 0).allowed(), false);
  });
});
