/**
 * WAL checkpoints off the event loop (src/store/sqlite/wal-checkpointer.ts):
 * the store's connection never checkpoints inside a COMMIT, a worker thread
 * with its own connection does, the WAL starts over once it has been copied,
 * and a worker that dies hands checkpoints back to SQLite.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/index.js';
import { account, phlo } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'partyline-checkpoint-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

async function openStore(
  checkpointIntervalMs?: number | false,
): Promise<{ store: SqliteStore; path: string }> {
  const path = join(tmp, `c-${++files}.db`);
  const store = new SqliteStore({ path, checkpointIntervalMs });
  await store.open();
  return { store, path };
}

/** Writes `n` PHLOs (a few pages of WAL each) under one account. */
async function writePhlos(store: SqliteStore, authId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.createPhlo(phlo(authId));
}

describe('SqliteStore WAL checkpoints', () => {
  it('checkpoints on a worker, and the WAL starts over once copied', async () => {
    const { store, path } = await openStore(60_000);
    try {
      assert.equal(store.settings().checkpoints, 'worker');
      const a = account();
      await store.createAccount(a);
      await writePhlos(store, a.authId, 200);
      const checkpointer = store.checkpointerForTests()!;
      const first = await checkpointer.checkpoint();
      assert.equal(first.busy, 0);
      assert.ok(first.log > 0, 'frames in the WAL');
      assert.equal(first.checkpointed, first.log, 'the whole WAL copied');
      // The next transaction rewinds the WAL: it holds only the new frames.
      await writePhlos(store, a.authId, 2);
      const second = await checkpointer.checkpoint();
      assert.ok(second.log < first.log / 10, `WAL ${second.log} frames after ${first.log}`);
    } finally {
      await store.close();
    }
    assert.equal(existsSync(`${path}-wal`), false, 'the last connection removed the WAL');
  });

  it('runs on its interval only when there were writes', async () => {
    const { store } = await openStore(30);
    try {
      const a = account();
      await store.createAccount(a);
      const checkpointer = store.checkpointerForTests()!;
      await writePhlos(store, a.authId, 50);
      const deadline = Date.now() + 5000;
      while (checkpointer.stats().runs === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(checkpointer.stats().runs >= 1, 'the interval checkpointed after the writes');
      // Idle: no writes, no checkpoints.
      await new Promise((r) => setTimeout(r, 60));
      const idle = checkpointer.stats().runs;
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(checkpointer.stats().runs, idle, 'no checkpoint without writes');
      assert.equal(checkpointer.stats().failures, 0);
    } finally {
      await store.close();
    }
  });

  it('hands checkpoints back to SQLite when the worker dies', async () => {
    const { store } = await openStore(60_000);
    try {
      const checkpointer = store.checkpointerForTests()!;
      const exited = new Promise((r) =>
        (checkpointer as unknown as { worker: import('node:worker_threads').Worker }).worker.once(
          'exit',
          r,
        ),
      );
      await (
        checkpointer as unknown as { worker: import('node:worker_threads').Worker }
      ).worker.terminate();
      await exited;
      await new Promise((r) => setImmediate(r));
      assert.equal(store.settings().checkpoints, 'sqlite-auto');
      await store.createAccount(account());
    } finally {
      await store.close();
    }
  });

  it('can be left to SQLite (checkpointIntervalMs: false)', async () => {
    const { store } = await openStore(false);
    try {
      assert.equal(store.settings().checkpoints, 'sqlite-auto');
      assert.equal(store.checkpointerForTests(), null);
    } finally {
      await store.close();
    }
  });
});
