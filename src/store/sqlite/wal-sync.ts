import { closeSync, fdatasync, openSync } from 'node:fs';
import { systemClock, type Clock } from '../../clock/index.js';
import { InlineSyncPolicy } from './inline-sync-policy.js';
import { WalSyncThread, type BlockingSync } from './wal-sync-thread.js';

/**
 * Group commit for SQLite in WAL mode, off the event loop.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside every COMMIT, and
 * better-sqlite3 runs COMMIT on the JavaScript thread: each state change of
 * every live call stalls the event loop for the length of one fsync (0.25 ms
 * typical, 5 ms at p99 on the disk the API bench ran on), and SIP, RTP and
 * HTTP all wait behind it.
 *
 * Instead the connection runs `synchronous = NORMAL` — COMMIT appends the
 * transaction's frames to the WAL and returns, which survives a crash of this
 * process but not yet a power loss — and the store does the WAL's fdatasync
 * itself, on libuv's thread pool, before the commit's Promise resolves. The
 * acknowledgement therefore still means "on disk" (the guarantee of FULL:
 * SQLite's WAL recovery replays every frame up to the last valid commit
 * record, https://sqlite.org/wal.html). A commit's sync starts at once while
 * fewer than two are in flight — a sync covers only what was written before
 * it began, so a commit made during a sync would otherwise wait for that one
 * and then its own, twice the disk's latency (measured on the API bench: the
 * 201's p99 over 1500 requests 23–33 ms waiting, 14 ms overlapping); beyond
 * two, commits share the next sync, as a database's group commit does
 * (PostgreSQL's `commit_delay`), so the thread pool is never flooded.
 *
 * Only a commit someone waits on is urgent: one that acknowledges a request
 * (an API action, a run). A call's own changes — its legs' events, its
 * timers — start a sync only when none runs, and otherwise share the next
 * one: no client waits on them, and a second fdatasync of the same file
 * beside the first slows both, the request's among them (API bench, 12
 * rounds of 15 s at 100 req/s each way, interleaved: the `call` action's
 * p99 9.25 → 7.59 ms at the median round, its mean 3.38 → 3.07 ms). Every
 * commit still resolves only once a sync that began after it has ended. SQLite
 * still syncs the WAL itself before each checkpoint (NORMAL's rule), so
 * checkpoints stay correct.
 *
 * A request's sync may also be waited for by the event loop itself, when
 * none runs on the pool and the disk has been fast (InlineSyncPolicy): the
 * store asks canSyncInline() and then calls syncInline() instead of sync();
 * the flush runs on WalSyncThread and the loop blocks for it up to
 * `inlineDeadlineMs`, then lets it finish as a pool sync would.
 *
 * fdatasync on Linux flushes the file's data whatever descriptor it is
 * called on, so a read-only descriptor of the `-wal` file suffices. The file
 * keeps its inode while any connection has the database open in WAL mode
 * (SQLite truncates or rewinds it, never replaces it), and this store holds
 * its connection for its whole life.
 */
/** node:fs's fdatasync; injectable so tests can hold a sync open. */
export type Fdatasync = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
/** Makes the sync an inline one waits for, on the WAL's descriptor. */
export type BlockingSyncFactory = (fd: number) => BlockingSync;

export interface WalSyncOptions {
  /** Default node:fs's. */
  fdatasync?: Fdatasync;
  /**
   * The sync an inline one waits for; null: never inline. Default a
   * WalSyncThread, or null when `fdatasync` is given (a test that holds
   * syncs open sees every one).
   */
  blockingSync?: BlockingSyncFactory | null;
  /** How long the loop waits for an inline sync (default INLINE_SYNC_DEADLINE_MS). */
  inlineDeadlineMs?: number;
  /** Times inline syncs (default the system clock). */
  clock?: Pick<Clock, 'now'>;
  /** See InlineSyncPolicy; 0 turns inline syncs off. */
  inlineBudgetMs?: number;
  inlinePauseMs?: number;
  /** Told when slow inline syncs send the syncs back to the pool for a while. */
  /** `averageMs` is Infinity when a sync outlived `deadlineMs` (see InlineSyncPolicy). */
  onInlinePause?: (averageMs: number, pauseMs: number, deadlineMs: number) => void;
}

/**
 * The longest the event loop waits for an inline sync: above the disk's
 * usual p99 (1.1–1.9 ms measured on the API bench's disk), far below the
 * mixer's 20 ms tick.
 */
export const INLINE_SYNC_DEADLINE_MS = 3;

/** Syncs running at once; further commits share the next one (libuv has four threads). */
export const MAX_SYNCS_IN_FLIGHT = 2;

export class WalSync {
  private fd: number | null;
  private readonly fdatasync: Fdatasync;
  private readonly blocking: BlockingSync | null;
  private readonly inlineDeadlineMs: number;
  private readonly inline: InlineSyncPolicy;
  /** The syncs running now: each covers only what was written before it started. */
  private readonly running = new Set<Promise<void>>();
  /** The sync that starts when a running one ends: it covers everything written until then. */
  private next: Promise<void> | null = null;
  /** Told when any running sync ends (the start of `next`). */
  private onEnd: (() => void) | null = null;

  private constructor(fd: number, options: WalSyncOptions) {
    this.fd = fd;
    this.fdatasync = options.fdatasync ?? fdatasync;
    const blocking =
      options.blockingSync !== undefined
        ? options.blockingSync
        : options.fdatasync
          ? null
          : (wal: number) => new WalSyncThread(wal);
    this.blocking = blocking && blocking(fd);
    this.inlineDeadlineMs = options.inlineDeadlineMs ?? INLINE_SYNC_DEADLINE_MS;
    this.inline = new InlineSyncPolicy(
      options.clock ?? systemClock,
      this.blocking ? options.inlineBudgetMs : 0,
      options.inlinePauseMs,
      (averageMs) => options.onInlinePause?.(averageMs, this.inline.pauseMs, this.inlineDeadlineMs),
    );
  }

  /** Opens the WAL of an open WAL-mode database at `dbPath`; null when there is none. */
  static open(dbPath: string, options: WalSyncOptions = {}): WalSync | null {
    try {
      return new WalSync(openSync(`${dbPath}-wal`, 'r'), options);
    } catch {
      return null;
    }
  }

  /**
   * Whether a request's sync would run on this thread now: none runs or
   * waits on the pool (an inline flush beside one would wait for it, with
   * the event loop stopped), and recent inline syncs were fast.
   */
  canSyncInline(): boolean {
    return (
      this.fd !== null &&
      this.running.size === 0 &&
      this.next === null &&
      this.inline.allowed() &&
      this.blocking !== null &&
      this.blocking.ready()
    );
  }

  /**
   * A sync the event loop waits for: everything written before this call
   * is on disk when the Promise settles, and it is already settled when the
   * flush ended within the deadline (rejected when it failed). Past the
   * deadline the flush goes on as a running sync (canSyncInline() is false
   * until it ends) and inline syncs pause.
   */
  syncInline(): Promise<void> {
    const blocking = this.blocking;
    if (this.fd === null || !blocking) {
      return Promise.reject(
        new Error(this.fd === null ? 'the WAL file is closed' : 'no inline sync'),
      );
    }
    let late: Promise<void> | null = null;
    try {
      this.inline.run(() => (late = blocking.syncWithin(this.inlineDeadlineMs)));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (!late) return Promise.resolve();
    this.inline.overran();
    this.track(late);
    return late;
  }

  /** Inline syncs run, and how often slow ones sent syncs back to the pool. */
  inlineStats(): { inline: number; paused: number } {
    return this.inline.stats();
  }

  /**
   * Resolves once everything written to the WAL before this call is on
   * disk. Call it after the COMMIT returned. `urgent`: a request waits on
   * it, so it may run beside another sync (see the class comment).
   */
  sync(urgent = true): Promise<void> {
    if (this.running.size < (urgent ? MAX_SYNCS_IN_FLIGHT : 1)) return this.start();
    this.next ??= new Promise<void>((resolve) => (this.onEnd = resolve)).then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  /** Waits for the syncs already asked for, then closes the descriptor. */
  async close(): Promise<void> {
    for (;;) {
      const wait = this.next ?? [...this.running][0];
      if (!wait) break;
      await wait.catch(() => undefined);
    }
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    await this.blocking?.close();
    closeSync(fd);
  }

  private start(): Promise<void> {
    const fd = this.fd;
    const done = new Promise<void>((resolve, reject) => {
      if (fd === null) {
        reject(new Error('the WAL file is closed'));
        return;
      }
      this.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
    });
    this.track(done);
    return done;
  }

  /** `done` is a sync running now: further commits count it, and `next` starts when it ends. */
  private track(done: Promise<void>): void {
    this.running.add(done);
    const ended = (): void => {
      this.running.delete(done);
      const next = this.onEnd;
      this.onEnd = null;
      next?.();
    };
    done.then(ended, ended);
  }
}
