import { closeSync, fdatasync, openSync } from 'node:fs';

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
 * record, https://sqlite.org/wal.html), and commits that arrive while a sync
 * is in flight share the next one, as a database's group commit does
 * (PostgreSQL's `commit_delay`). SQLite still syncs the WAL itself before
 * each checkpoint (NORMAL's rule), so checkpoints stay correct.
 *
 * fdatasync on Linux flushes the file's data whatever descriptor it is
 * called on, so a read-only descriptor of the `-wal` file suffices. The file
 * keeps its inode while any connection has the database open in WAL mode
 * (SQLite truncates or rewinds it, never replaces it), and this store holds
 * its connection for its whole life.
 */
/** node:fs's fdatasync; injectable so tests can hold a sync open. */
export type Fdatasync = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

export class WalSync {
  private fd: number | null;
  private readonly fdatasync: Fdatasync;
  /** The sync running now: it covers only what was written before it started. */
  private running: Promise<void> | null = null;
  /** The sync that will start when the running one ends: it covers everything after. */
  private next: Promise<void> | null = null;

  private constructor(fd: number, sync: Fdatasync) {
    this.fd = fd;
    this.fdatasync = sync;
  }

  /** Opens the WAL of an open WAL-mode database at `dbPath`; null when there is none. */
  static open(dbPath: string, sync: Fdatasync = fdatasync): WalSync | null {
    try {
      return new WalSync(openSync(`${dbPath}-wal`, 'r'), sync);
    } catch {
      return null;
    }
  }

  /**
   * Resolves once everything written to the WAL before this call is on
   * disk. Call it after the COMMIT returned.
   */
  sync(): Promise<void> {
    if (!this.running) return (this.running = this.start());
    // The running sync may have begun before our frames were written: wait for the one after it.
    this.next ??= this.running.then(
      () => this.follow(),
      () => this.follow(),
    );
    return this.next;
  }

  /** Waits for the syncs already asked for, then closes the descriptor. */
  async close(): Promise<void> {
    for (let wait = this.next ?? this.running; wait; wait = this.next ?? this.running)
      await wait.catch(() => undefined);
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private follow(): Promise<void> {
    this.next = null;
    return (this.running = this.start());
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
    const clear = (): void => {
      if (this.running === done) this.running = null;
    };
    done.then(clear, clear);
    return done;
  }
}
