import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';

/**
 * A sync the event loop waits on, but never for longer than a deadline.
 *
 * A request's fdatasync used to run on the event loop itself while the disk
 * was fast (InlineSyncPolicy): it saves the two hand-offs of libuv's pool,
 * and above all the response goes out the moment the flush ends instead of
 * waiting for the loop to come back from whatever it took up meanwhile
 * (API bench: call p99 6.37 → 5.83 ms). But a syscall cannot be
 * interrupted: one flush that met a stall of the disk stopped SIP, RTP and
 * HTTP for all of it — measured on the API bench's virtual disk, one inline
 * fdatasync of 242 ms in a 15 s step, a gap that long in the audio of every
 * call, and a p99 of 125 ms for the requests behind it.
 *
 * So the flush runs on a thread of its own and the loop blocks in
 * Atomics.wait for it, up to `deadlineMs`: in time, the caller goes on as
 * it did inline (the wake-up costs ~0.05 ms: a futex, no event-loop turn);
 * past the deadline the loop goes back to its work and the caller gets a
 * Promise that resolves when the thread is done.
 *
 * The thread shares memory with the loop (SharedArrayBuffer, all accesses
 * Atomics, so sequentially consistent): the loop bumps REQUESTED after its
 * write and the thread's fdatasync, begun after it read that value, covers
 * every write made before; it stores DONE when it has finished (FAILED too
 * when the flush failed, after which the thread exits and syncs go back to
 * the pool). A loop that stopped waiting sets DETACHED before looking at
 * DONE once more, and the thread looks at DETACHED after storing DONE:
 * whichever comes second sees the other, so a late sync is always told, by
 * a message, exactly when nobody waits for it.
 */
export interface BlockingSync {
  /** Whether a sync may be asked for now: running, none outstanding, none failed. */
  ready(): boolean;
  /**
   * Syncs everything written so far, blocking this thread for at most
   * `deadlineMs`. Null: done in time. A Promise: the sync outlived the
   * deadline and goes on; it settles when the sync does. Throws when the
   * sync failed within the deadline.
   */
  syncWithin(deadlineMs: number): Promise<void> | null;
  /** Lets the thread finish what was asked, then stops it. */
  close(): Promise<void>;
}

/** Int32 slots of the shared state. */
const REQUESTED = 0;
const DONE = 1;
const FAILED = 2;
const DETACHED = 3;
/** The failed flush's errno (negative, as libuv gives it), when it had one. */
const ERRNO = 4;
/** REQUESTED set to this: the thread exits. */
const EXIT = -1;

type Reply = { done: number } | { failed: number; message: string };

// Plain JavaScript evaluated in the thread, so it runs the same from the
// TypeScript sources (tests, tsx) and from dist/.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { fdatasyncSync } = require('node:fs');
const s = new Int32Array(workerData.state);
let seen = 0;
for (;;) {
  Atomics.wait(s, ${REQUESTED}, seen);
  const asked = Atomics.load(s, ${REQUESTED});
  if (asked === ${EXIT}) break;
  if (asked === seen) continue;
  try {
    fdatasyncSync(workerData.fd);
  } catch (err) {
    if (err && typeof err.errno === 'number') Atomics.store(s, ${ERRNO}, err.errno);
    Atomics.store(s, ${FAILED}, asked);
    Atomics.store(s, ${DONE}, asked);
    Atomics.notify(s, ${DONE});
    parentPort.postMessage({ failed: asked, message: String((err && err.message) || err) });
    break;
  }
  seen = asked;
  Atomics.store(s, ${DONE}, asked);
  Atomics.notify(s, ${DONE});
  if (Atomics.load(s, ${DETACHED}) !== 0) parentPort.postMessage({ done: asked });
}
`;

export class WalSyncThread implements BlockingSync {
  private readonly state = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  private readonly worker: Worker;
  private online = false;
  private failure: Error | null = null;
  private stopped = false;
  private asked = 0;
  /** Syncs that outlived their deadline, by the number they were asked as. */
  private readonly late = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; settled: Promise<unknown> }
  >();

  /** Starts the thread on `fd` (a descriptor of the WAL file, which this process keeps open). */
  constructor(fd: number) {
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { state: this.state.buffer, fd },
      // Not the parent's loaders (tsx): the thread is plain JavaScript.
      execArgv: [],
    });
    // Blocked in Atomics.wait, the thread must not keep a process alive that has nothing to do.
    this.worker.unref();
    this.worker.once('online', () => (this.online = true));
    this.worker.on('message', (reply: Reply) => this.onReply(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.stopped) this.fail(new Error(`the WAL sync thread exited (code ${code})`));
    });
  }

  ready(): boolean {
    return (
      this.online &&
      !this.stopped &&
      this.failure === null &&
      Atomics.load(this.state, DONE) === this.asked
    );
  }

  syncWithin(deadlineMs: number): Promise<void> | null {
    if (!this.ready()) throw this.failure ?? new Error('the WAL sync thread is not ready');
    const n = ++this.asked;
    Atomics.store(this.state, REQUESTED, n);
    Atomics.notify(this.state, REQUESTED);
    const end = performance.now() + deadlineMs;
    for (;;) {
      const done = Atomics.load(this.state, DONE);
      if (done >= n) return this.outcome(n);
      const left = end - performance.now();
      if (left <= 0) break;
      Atomics.wait(this.state, DONE, done, left);
    }
    Atomics.store(this.state, DETACHED, 1);
    if (Atomics.load(this.state, DONE) >= n) {
      Atomics.store(this.state, DETACHED, 0);
      return this.outcome(n);
    }
    this.worker.ref();
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const late = new Promise<void>((ok, fail) => ((resolve = ok), (reject = fail)));
    this.late.set(n, { resolve, reject, settled: late.catch(() => undefined) });
    return late;
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await Promise.all([...this.late.values()].map((w) => w.settled));
    this.stopped = true;
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    Atomics.store(this.state, REQUESTED, EXIT);
    Atomics.notify(this.state, REQUESTED);
    this.worker.ref();
    await exited;
  }

  /** Sync `n` ended: null, or throws when it failed. */
  private outcome(n: number): null {
    if (Atomics.load(this.state, FAILED) >= n) {
      const errno = Atomics.load(this.state, ERRNO);
      const err =
        this.failure ??
        new Error(
          `fdatasync of the WAL failed: ${errno < 0 ? getSystemErrorName(errno) : 'unknown error'}`,
        );
      this.failure ??= err;
      throw err;
    }
    return null;
  }

  private onReply(reply: Reply): void {
    if ('failed' in reply) {
      const err = new Error(reply.message);
      this.failure = err;
      this.release(reply.failed, err);
      return;
    }
    this.release(reply.done, null);
  }

  /** Settles the late syncs covered by the sync asked as `upTo`. */
  private release(upTo: number, err: Error | null): void {
    for (const [n, w] of this.late) {
      if (n > upTo) continue;
      this.late.delete(n);
      if (err) w.reject(err);
      else w.resolve();
    }
    if (this.late.size === 0) {
      Atomics.store(this.state, DETACHED, 0);
      if (!this.stopped) this.worker.unref();
    }
  }

  private fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    this.release(Number.MAX_SAFE_INTEGER, this.failure);
  }
}
