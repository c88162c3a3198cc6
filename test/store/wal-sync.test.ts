/**
 * The store's group commit (src/store/sqlite/wal-sync.ts): a write resolves
 * only after the WAL's fdatasync that covers it, a write made while one
 * sync runs gets its own (a call's own change, which no request waits on,
 * shares the next one instead), beyond two in flight writes share the next
 * one, and a failed sync fails the writes it covered.
 * The fdatasync is a test's own so it can be held open; it still calls the
 * real one, so the file really is synced.
 */
import assert from 'node:assert/strict';
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore, StoreError } from '../../src/store/index.js';
import { account, phlo } from './fixtures.js';

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

async function openStore(sync: ReturnType<typeof heldSync>): Promise<SqliteStore> {
  const store = new SqliteStore({ path: join(tmp, `s-${++files}.db`), fdatasync: sync.fdatasync });
  await store.open();
  return store;
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
});
