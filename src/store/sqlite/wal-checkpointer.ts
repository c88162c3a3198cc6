import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../clock/index.js';

/**
 * WAL checkpoints off the event loop.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1000 pages: it copies those pages into the database file and fsyncs
 * the WAL and the database (https://sqlite.org/wal.html#ckpt) — on the
 * connection's thread, which for better-sqlite3 is the JavaScript thread.
 * Measured on the API bench's disk: of 6000 small commits, 16 took 2–8 ms
 * (p99.9 4.97 ms) with automatic checkpoints and 1 did without, and while
 * such a commit runs, SIP, RTP and HTTP all wait.
 *
 * So the store's connection runs with `wal_autocheckpoint = 0` and this
 * worker thread, with a connection of its own to the same file, runs
 * `PRAGMA wal_checkpoint(PASSIVE)` once per interval when there were
 * writes: PASSIVE never blocks the writer (it copies what no reader still
 * needs and stops), and once a checkpoint has copied the whole WAL the
 * writer's next transaction starts the WAL over from its beginning, so the
 * file stays bounded. If the worker cannot run, the store goes back to
 * SQLite's automatic checkpoints rather than let the WAL grow.
 */

/** What one checkpoint did (PRAGMA wal_checkpoint's row). */
export interface CheckpointResult {
  /** 1 when a lock kept it from running at all. */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database. */
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** How often to checkpoint when there were writes (default 1000 ms). */
  intervalMs?: number;
  clock?: Clock;
  logger: Logger;
  /** Called when the worker cannot go on: the store then checkpoints by itself again. */
  onFailure: (err: Error) => void;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;

// The worker is plain JavaScript evaluated in its thread, so it runs the same
// from the TypeScript sources (tests, tsx) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 1000 });
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, row });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

type Reply = { ok: true; row: CheckpointResult } | { ok: false; error: string };

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private timer: TimerHandle | undefined;
  /** Writes since the last checkpoint was asked for. */
  private dirty = false;
  /** The checkpoint running now, and who waits for it. */
  private pending: Array<{ resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }> =
    [];
  private inFlight = false;
  private failed = false;
  private closed = false;
  private counts = { runs: 0, failures: 0 };

  constructor(
    dbPath: string,
    private readonly o: WalCheckpointerOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.intervalMs = o.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: dbPath, driver },
      // Not the parent's loaders (tsx): the worker is plain JavaScript.
      execArgv: [],
    });
    // Idle, the worker keeps no process alive; it is held while it works (ask(), close()).
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.onReply(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the checkpoint worker exited (code ${code})`));
    });
    this.schedule();
  }

  /** Checkpoints run and failed so far. */
  stats(): { runs: number; failures: number } {
    return { ...this.counts };
  }

  /** A write was committed: the next interval checkpoints. */
  noteWrite(): void {
    this.dirty = true;
  }

  /** Checkpoints now (tests, and close); resolves with what it did. */
  checkpoint(): Promise<CheckpointResult> {
    return new Promise((resolve, reject) => {
      if (this.failed || this.closed) {
        reject(new Error('the checkpoint worker is not running'));
        return;
      }
      this.pending.push({ resolve, reject });
      this.ask();
    });
  }

  /** Stops the timer and the worker (its connection closed first, so the store's is the last). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    if (this.failed) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }

  private schedule(): void {
    if (this.closed || this.failed) return;
    this.timer = this.clock.setTimeout(() => {
      if (this.dirty) this.ask();
      this.schedule();
    }, this.intervalMs);
    // A timer of a store must not keep a process alive that has nothing else to do.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private ask(): void {
    if (this.inFlight || this.failed || this.closed) return;
    this.inFlight = true;
    this.dirty = false;
    this.worker.ref();
    this.worker.postMessage('checkpoint');
  }

  private onReply(reply: Reply): void {
    this.inFlight = false;
    if (!this.closed) this.worker.unref();
    const waiting = this.pending;
    this.pending = [];
    this.counts.runs++;
    if (!reply.ok) {
      this.counts.failures++;
      // A checkpoint can fail for a moment (a lock held past the timeout): the next one retries.
      this.o.logger.warn({ error: reply.error }, 'store: WAL checkpoint failed; retrying');
      this.dirty = true;
      if (waiting.length) {
        this.pending = waiting;
        this.ask();
      }
      return;
    }
    for (const w of waiting) w.resolve(reply.row);
  }

  private fail(err: Error): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.clock.clearTimeout(this.timer);
    for (const w of this.pending) w.reject(err);
    this.pending = [];
    this.o.onFailure(err);
  }
}
