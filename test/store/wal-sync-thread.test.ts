/**
 * WalSyncThread (src/store/sqlite/wal-sync-thread.ts): the fdatasync an
 * inline sync waits for runs on a thread of its own, and the event loop
 * waits for it no longer than the deadline. Real threads, real files.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WalSyncThread } from '../../src/store/sqlite/wal-sync-thread.js';

const tmp = mkdtempSync(join(tmpdir(), 'partyline-syncthread-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

/** A thread on a fresh file, once it is ready; `fd` to write to. */
async function started(): Promise<{ thread: WalSyncThread; fd: number }> {
  const fd = openSync(join(tmp, `f-${++files}`), 'w');
  const thread = new WalSyncThread(fd);
  for (let i = 0; !thread.ready(); i++) {
    assert.ok(i < 500, 'the thread never came up');
    await new Promise((r) => setTimeout(r, 10));
  }
  return { thread, fd };
}

describe('WalSyncThread', () => {
  it('is not ready before its thread runs, then syncs within a generous deadline', async () => {
    const fd = openSync(join(tmp, `f-${++files}`), 'w');
    const thread = new WalSyncThread(fd);
    assert.equal(thread.ready(), false);
    assert.throws(() => thread.syncWithin(1000), /not ready/);
    await thread.close();
    closeSync(fd);
    const s = await started();
    for (let i = 0; i < 20; i++) {
      writeSync(s.fd, Buffer.alloc(4096, i));
      assert.equal(s.thread.syncWithin(1000), null, `sync ${i} not done within 1 s`);
      assert.equal(s.thread.ready(), true);
    }
    await s.thread.close();
    assert.equal(s.thread.ready(), false, 'ready once closed');
    closeSync(s.fd);
  });

  it('past its deadline returns a Promise that settles when the sync ends, and is not ready meanwhile', async () => {
    const { thread, fd } = await started();
    let late = 0;
    for (let i = 0; i < 20; i++) {
      writeSync(fd, Buffer.alloc(4096, i));
      // A deadline of 0: the loop does not wait at all (unless the thread was done at once).
      const r = thread.syncWithin(0);
      if (r) {
        late++;
        await r;
      }
      assert.equal(thread.ready(), true, `ready after sync ${i}`);
    }
    assert.ok(late > 0, 'every sync ended within no time at all');
    await thread.close();
    closeSync(fd);
  });

  it('close waits for a late sync', async () => {
    const { thread, fd } = await started();
    writeSync(fd, Buffer.alloc(4096, 1));
    let r = thread.syncWithin(0);
    while (!r) {
      writeSync(fd, Buffer.alloc(4096, 2));
      r = thread.syncWithin(0);
    }
    let synced = false;
    void r.then(() => (synced = true));
    await thread.close();
    assert.equal(synced, true);
    closeSync(fd);
  });

  it('a failed sync is thrown or rejected, and the thread is not ready again', async () => {
    // fdatasync of a closed descriptor fails with EBADF.
    const fd = openSync(join(tmp, `f-${++files}`), 'w');
    const thread = new WalSyncThread(fd);
    while (!thread.ready()) await new Promise((r) => setTimeout(r, 10));
    closeSync(fd);
    let failure: unknown = null;
    try {
      const r = thread.syncWithin(1000);
      if (r) await r;
    } catch (err) {
      failure = err;
    }
    assert.match(String(failure), /EBADF|bad file descriptor/i);
    assert.equal(thread.ready(), false);
    await thread.close();
  });
});
