import Database from 'better-sqlite3';
import { pino, type Logger } from 'pino';
import type {
  AccountRecord,
  CallListOptions,
  CallRecord,
  ChangeSet,
  DeliveryFailure,
  DeliveryGiveUp,
  DeliveryRecord,
  DueDelivery,
  DueDeliveryQuery,
  EventRecord,
  MemberRecord,
  PhloRecord,
  RequestRecord,
  RunRecord,
  Store,
} from '../types.js';
import { StoreError } from '../types.js';
import { storeError } from './errors.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import {
  accountRecord,
  accountRow,
  callRecord,
  callRow,
  deliveryRecord,
  dueDeliveryEvent,
  eventRecord,
  eventRow,
  memberRecord,
  memberRow,
  phloRecord,
  phloRow,
  requestRecord,
  requestRow,
  runRecord,
  runRow,
} from './rows.js';
import { prepareStatements, type Statements } from './statements.js';
import { WalSync, type BlockingSyncFactory, type Fdatasync } from './wal-sync.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteStoreOptions {
  /** The database file (created when missing; its directory must exist), or `:memory:`. */
  path: string;
  logger?: Logger;
  /** How long a statement waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How the WAL is synced (node:fs fdatasync); tests hold syncs open with their own. */
  fdatasync?: Fdatasync;
  /**
   * The sync a request's commit waits for on the event loop (a
   * WalSyncThread; see WalSync.canSyncInline); null: never. Default null
   * when `fdatasync` is given, so a test holding syncs open sees every one.
   */
  blockingSync?: BlockingSyncFactory | null;
  /**
   * How often the checkpoint worker copies the WAL into the database while
   * there are writes (default 1000 ms; see wal-checkpointer.ts). `false`:
   * SQLite's automatic checkpoints, inside COMMIT on the event loop.
   */
  checkpointIntervalMs?: number | false;
}

export interface SqliteSettings {
  journalMode: string;
  synchronous: string;
  /**
   * Who makes a write durable before its Promise resolves: the store, by
   * fdatasync of the WAL off the event loop (WalSync); SQLite inside COMMIT
   * (`synchronous = FULL`, when the WAL file cannot be opened); or nobody
   * (`:memory:`).
   */
  commitSync: 'wal-fdatasync' | 'sqlite-full' | 'none';
  foreignKeys: boolean;
  busyTimeoutMs: number;
  /**
   * Who checkpoints the WAL: the store's worker thread, off the event loop;
   * or SQLite, inside the COMMIT that fills 1000 pages (no WAL file, the
   * worker disabled or failed).
   */
  checkpoints: 'worker' | 'sqlite-auto';
}

/** PRAGMA synchronous reports a number. */
const SYNCHRONOUS = ['off', 'normal', 'full', 'extra'];

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 500;

type Lifecycle =
  | { state: 'new' }
  | {
      state: 'open';
      db: Database.Database;
      s: Statements;
      commit: (c: ChangeSet) => void;
      /** Null where SQLite syncs inside COMMIT itself (no WAL file) or nothing is on disk. */
      wal: WalSync | null;
      /** Null where SQLite checkpoints by itself (see SqliteSettings.checkpoints). */
      checkpointer: WalCheckpointer | null;
    }
  | { state: 'closed' };

/**
 * The embedded store (DESIGN.md §5): one SQLite file through better-sqlite3
 * 12.x. better-sqlite3 is synchronous, so every method does its work at once
 * and returns a settled Promise; the Promise API is the one a PostgreSQL
 * store shares.
 *
 * Durability: every write has been fdatasynced to the WAL before its
 * Promise resolves — "committed before acknowledged" holds across power
 * loss, not only across a crash of this process. SQLite runs `synchronous =
 * NORMAL` and the store syncs the WAL itself on libuv's thread pool
 * (WalSync): the fsync no longer stalls the event loop, and writes that
 * arrive during one sync share the next (group commit). A request's sync
 * is waited for by the event loop instead, 3 ms at most, while the disk is
 * fast and none runs on the pool (InlineSyncPolicy: a turn through the pool
 * and the loop costs more than the flush; WalSyncThread runs the flush).
 * Where the WAL file cannot be opened, SQLite's own `synchronous = FULL`
 * does the same job synchronously.
 */
export class SqliteStore implements Store {
  readonly path: string;
  private readonly logger: Logger;
  private readonly busyTimeoutMs: number;
  private readonly fdatasync: Fdatasync | undefined;
  private readonly blockingSync: BlockingSyncFactory | null | undefined;
  private readonly checkpointIntervalMs: number | false | undefined;
  private life: Lifecycle = { state: 'new' };

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.fdatasync = options.fdatasync;
    this.blockingSync = options.blockingSync;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? undefined;
  }

  /**
   * The connection's durability settings as SQLite reports them, for
   * diagnostics (`journalMode` is `memory` for `:memory:`). Only while open.
   */
  settings(): SqliteSettings {
    const { db, wal, checkpointer } = this.opened();
    return {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS[Number(db.pragma('synchronous', { simple: true }))] ?? 'unknown',
      commitSync: wal ? 'wal-fdatasync' : this.path === ':memory:' ? 'none' : 'sqlite-full',
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
      checkpoints: checkpointer ? 'worker' : 'sqlite-auto',
    };
  }

  async open(): Promise<void> {
    if (this.life.state === 'open') {
      throw new StoreError('failed', `store ${this.path} is already open`);
    }
    if (this.life.state === 'closed') {
      throw new StoreError('closed', `store ${this.path} is closed; make a new one`);
    }
    let db: Database.Database | undefined;
    let wal: WalSync | null = null;
    let checkpointer: WalCheckpointer | null = null;
    try {
      db = new Database(this.path, { timeout: this.busyTimeoutMs });
      // The first statement reads the file header: a file that is not a
      // database fails here, as SQLITE_NOTADB.
      const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
      if (mode !== 'wal' && this.path !== ':memory:') {
        this.logger.warn({ path: this.path, mode }, 'store: WAL is not available; using %s', mode);
      }
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, MIGRATIONS, this.path, this.logger);
      // The migrations wrote to the WAL (synced, under FULL), so it exists now.
      wal =
        mode === 'wal'
          ? WalSync.open(this.path, {
              fdatasync: this.fdatasync,
              blockingSync: this.blockingSync,
              onInlinePause: (averageMs, pauseMs, deadlineMs) =>
                Number.isFinite(averageMs)
                  ? this.logger.warn(
                      { path: this.path, averageMs: Number(averageMs.toFixed(2)), pauseMs },
                      'store: the WAL fdatasync averaged %s ms with the event loop waiting; requests sync on the thread pool for the next %s s',
                      averageMs.toFixed(2),
                      pauseMs / 1000,
                    )
                  : this.logger.warn(
                      { path: this.path, deadlineMs, pauseMs },
                      'store: a WAL fdatasync outlived the %s ms the event loop waits for one (the disk stalls); requests sync on the thread pool for the next %s s',
                      deadlineMs,
                      pauseMs / 1000,
                    ),
            })
          : null;
      if (wal) db.pragma('synchronous = NORMAL');
      if (wal && this.checkpointIntervalMs !== false) checkpointer = this.startCheckpointer(db);
      const s = prepareStatements(db);
      const tx = db.transaction((changes: ChangeSet) => this.write(s, changes));
      this.life = { state: 'open', db, s, commit: (c) => tx.immediate(c), wal, checkpointer };
    } catch (err) {
      try {
        void checkpointer?.close();
        wal?.close();
        db?.close();
      } catch {
        // Already failing; the first error is the one to report.
      }
      throw openError(err, this.path);
    }
  }

  async close(): Promise<void> {
    if (this.life.state === 'open') {
      const { db, wal, checkpointer } = this.life;
      this.life = { state: 'closed' };
      // The worker's connection goes first, so the store's is the last one and
      // SQLite checkpoints and removes the WAL as it closes.
      await checkpointer?.close();
      // Writes already acknowledged are synced; wait for those still syncing.
      if (wal) await wal.close();
      db.close();
    }
    this.life = { state: 'closed' };
  }

  createAccount(account: AccountRecord): Promise<void> {
    return this.runWrite(`create account ${account.authId}`, (s) => {
      s.insertAccount.run(accountRow(account));
    });
  }

  getAccount(authId: string): Promise<AccountRecord | null> {
    return this.run('get account', (s) => {
      const row = s.getAccount.get(authId);
      return row ? accountRecord(row) : null;
    });
  }

  listAccounts(): Promise<AccountRecord[]> {
    return this.run('list accounts', (s) => s.listAccounts.all().map(accountRecord));
  }

  countAccounts(): Promise<number> {
    return this.run('count accounts', (s) => s.countAccounts.get()?.n ?? 0);
  }

  setAccountSigningKey(authId: string, signingKey: string): Promise<boolean> {
    return this.runWrite(
      `set signing key of account ${authId}`,
      (s) => s.setSigningKey.run(signingKey, authId).changes > 0,
    );
  }

  createPhlo(phlo: PhloRecord): Promise<void> {
    return this.runWrite(`create phlo ${phlo.phloId}`, (s) => {
      s.insertPhlo.run(phloRow(phlo));
    });
  }

  replacePhlo(phlo: PhloRecord): Promise<boolean> {
    return this.runWrite(`replace phlo ${phlo.phloId}`, (s) => {
      const { created_on: _created, ...row } = phloRow(phlo);
      return s.replacePhlo.run(row).changes > 0;
    });
  }

  getPhlo(authId: string, phloId: string): Promise<PhloRecord | null> {
    return this.run('get phlo', (s) => {
      const row = s.getPhlo.get(authId, phloId);
      return row ? phloRecord(row) : null;
    });
  }

  listPhlos(authId: string): Promise<PhloRecord[]> {
    return this.run('list phlos', (s) => s.listPhlos.all(authId).map(phloRecord));
  }

  deletePhlo(authId: string, phloId: string): Promise<boolean> {
    return this.runWrite(
      `delete phlo ${phloId}`,
      (s) => s.deletePhlo.run(authId, phloId).changes > 0,
    );
  }

  commit(changes: ChangeSet, written?: () => void): Promise<void> {
    try {
      this.opened().commit(changes);
    } catch (err) {
      return Promise.reject(storeError(err, 'commit', this.path));
    }
    // A change set with a request or a run acknowledges a client; one without is a call's own
    // change. A sync on the pool starts first, so whatever `written` does (a dial) runs while the
    // disk works; a request's sync waited for on this thread (WalSync.canSyncInline) starts after
    // `written`, so the dial still leaves before the disk is waited on.
    const urgent = changes.request !== undefined || changes.run !== undefined;
    const pooled =
      urgent && this.canSyncInline()
        ? null
        : this.synced('commit', undefined, urgent ? 'urgent' : 'shared');
    // `written` may have started a sync on the pool (a commit of its own): then join the pool too.
    const synced = (): Promise<void> =>
      pooled ?? this.synced('commit', undefined, this.canSyncInline() ? 'inline' : 'urgent');
    try {
      written?.();
    } catch (err) {
      // The caller's bug, not the store's: the write stands; report it once the sync is over.
      return synced().then(() => Promise.reject(err as Error));
    }
    return synced();
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return this.run('get run', (s) => {
      const row = s.getRun.get(runId);
      return row ? runRecord(row) : null;
    });
  }

  getCall(callId: string): Promise<CallRecord | null> {
    return this.run('get call', (s) => {
      const row = s.getCall.get(callId);
      return row ? callRecord(row) : null;
    });
  }

  listCalls(
    authId: string,
    phloId: string,
    nodeId: string,
    options: CallListOptions = {},
  ): Promise<CallRecord[]> {
    return this.run('list calls', (s) => {
      const limit = listLimit(options.limit);
      const stmt = options.live ? s.listLiveCalls : s.listCalls;
      return stmt.all(authId, phloId, nodeId, limit).map(callRecord);
    });
  }

  liveCalls(): Promise<CallRecord[]> {
    return this.run('list live calls', (s) => s.liveCalls.all().map(callRecord));
  }

  members(callId: string): Promise<MemberRecord[]> {
    return this.run('list members', (s) => s.members.all(callId).map(memberRecord));
  }

  events(callId: string): Promise<EventRecord[]> {
    return this.run('list events', (s) => s.events.all(callId).map(eventRecord));
  }

  getRequest(apiId: string): Promise<RequestRecord | null> {
    return this.run('get request', (s) => {
      const row = s.getRequest.get(apiId);
      return row ? requestRecord(row) : null;
    });
  }

  requests(callId: string): Promise<RequestRecord[]> {
    return this.run('list requests', (s) => s.requests.all(callId).map(requestRecord));
  }

  dueDeliveries(query: DueDeliveryQuery): Promise<DueDelivery[]> {
    return this.run('list due deliveries', (s) =>
      s.dueDeliveries
        .all({
          now: query.now,
          skip_calls: JSON.stringify(query.skipCalls ?? []),
          skip_urls: JSON.stringify(query.skipUrls ?? []),
          limit: listLimit(query.limit),
        })
        .map((row) => ({ delivery: deliveryRecord(row), event: dueDeliveryEvent(row) })),
    );
  }

  nextDeliveryAt(after: string): Promise<string | null> {
    return this.run('find next delivery time', (s) => s.nextDeliveryAt.get(after) ?? null);
  }

  markDelivered(deliveryId: string, at: string): Promise<boolean> {
    return this.runWrite(
      `mark delivery ${deliveryId} delivered`,
      (s) => s.markDelivered.run({ delivery_id: deliveryId, at }).changes > 0,
    );
  }

  markAttemptFailed(deliveryId: string, failure: DeliveryFailure): Promise<boolean> {
    return this.runWrite(
      `mark delivery ${deliveryId} failed`,
      (s) =>
        s.markAttemptFailed.run({
          delivery_id: deliveryId,
          at: failure.at,
          error: failure.error,
          next_attempt_at: failure.nextAttemptAt,
        }).changes > 0,
    );
  }

  giveUpDelivery(deliveryId: string, giveUp: DeliveryGiveUp): Promise<boolean> {
    return this.runWrite(
      `give up delivery ${deliveryId}`,
      (s) =>
        s.giveUpDelivery.run({
          delivery_id: deliveryId,
          at: giveUp.at,
          error: giveUp.error,
          attempted: giveUp.attempted ? 1 : 0,
        }).changes > 0,
    );
  }

  deliveries(callId: string): Promise<DeliveryRecord[]> {
    return this.run('list deliveries', (s) => s.deliveries.all(callId).map(deliveryRecord));
  }

  /**
   * The body of commit(), inside one IMMEDIATE transaction (the write lock
   * is taken before the seqs are read, so no other writer can assign the
   * same ones). Parents before children, so the immediate foreign-key
   * checks see rows made earlier in the same change set. Any throw rolls
   * the whole transaction back — deliveries with their events.
   */
  private write(s: Statements, changes: ChangeSet): void {
    const row = (what: string, fn: () => unknown): void => {
      try {
        fn();
      } catch (err) {
        throw storeError(err, `commit: ${what}`, this.path);
      }
    };
    const run = changes.run;
    if (run) row(`run ${run.runId}`, () => s.insertRun.run(runRow(run)));
    for (const call of changes.calls ?? []) {
      row(`call ${call.callId}`, () => s.upsertCall.run(callRow(call)));
    }
    for (const member of changes.members ?? []) {
      row(`member ${member.memberId} of call ${member.callId}`, () =>
        s.upsertMember.run(memberRow(member)),
      );
    }
    const lastSeq = new Map<string, number>();
    const events = changes.events ?? [];
    const seqs: number[] = [];
    for (const event of events) {
      row(`event ${event.type} of call ${event.callId}`, () => {
        const seq = (lastSeq.get(event.callId) ?? s.lastSeq.get(event.callId) ?? 0) + 1;
        s.insertEvent.run(eventRow(event, seq));
        lastSeq.set(event.callId, seq);
        seqs.push(seq);
      });
    }
    for (const delivery of changes.deliveries ?? []) {
      const what = `delivery ${delivery.deliveryId}`;
      // The event is named by its place in this change set: its seq exists only now.
      const index = delivery.event;
      const event = Number.isInteger(index) ? events[index] : undefined;
      if (!event) {
        throw new StoreError(
          'constraint',
          `commit: ${what}: event ${String(index)} is not an index of this change set's ` +
            `${events.length} event(s)`,
        );
      }
      row(what, () =>
        s.insertDelivery.run({
          delivery_id: delivery.deliveryId,
          call_id: event.callId,
          seq: seqs[index],
          url: delivery.url,
          auth_id: delivery.authId,
          body: delivery.body,
          created_on: delivery.createdOn,
        }),
      );
    }
    const request = changes.request;
    if (request) row(`request ${request.apiId}`, () => s.insertRequest.run(requestRow(request)));
  }

  private opened(): Extract<Lifecycle, { state: 'open' }> {
    switch (this.life.state) {
      case 'open':
        return this.life;
      case 'new':
        throw new StoreError('not-open', `store ${this.path} is not open: call open() first`);
      case 'closed':
        throw new StoreError('closed', `store ${this.path} is closed`);
    }
  }

  private run<T>(what: string, fn: (s: Statements) => T): Promise<T> {
    try {
      return Promise.resolve(fn(this.opened().s));
    } catch (err) {
      return Promise.reject(storeError(err, what, this.path));
    }
  }

  /** run() for a statement that writes: resolves once the write is on disk. */
  private runWrite<T>(what: string, fn: (s: Statements) => T): Promise<T> {
    let result: T;
    try {
      result = fn(this.opened().s);
    } catch (err) {
      return Promise.reject(storeError(err, what, this.path));
    }
    return this.synced(what, result);
  }

  /**
   * Takes checkpoints off the connection (wal_autocheckpoint = 0) onto a
   * worker; should the worker fail, SQLite's own checkpoints come back.
   */
  private startCheckpointer(db: Database.Database): WalCheckpointer {
    db.pragma('wal_autocheckpoint = 0');
    const checkpointer = new WalCheckpointer(this.path, {
      intervalMs: this.checkpointIntervalMs === false ? undefined : this.checkpointIntervalMs,
      logger: this.logger,
      onFailure: (err) => {
        this.logger.error(
          { err, path: this.path },
          'store: the WAL checkpoint worker failed; SQLite checkpoints inside COMMIT again',
        );
        if (this.life.state !== 'open' || this.life.checkpointer !== checkpointer) return;
        this.life.checkpointer = null;
        this.life.db.pragma('wal_autocheckpoint = 1000');
      },
    });
    return checkpointer;
  }

  /** The checkpoint worker, for tests (null when SQLite checkpoints by itself). */
  checkpointerForTests(): WalCheckpointer | null {
    return this.opened().checkpointer;
  }

  private canSyncInline(): boolean {
    return this.life.state === 'open' && this.life.wal !== null && this.life.wal.canSyncInline();
  }

  /**
   * `result` once the write is on disk. `urgent`: a request waits on it, on the pool
   * (WalSync.sync); `inline`: the same on this thread (WalSync.syncInline); `shared`: a call's
   * own change, which may share the next sync on the pool.
   */
  private synced<T>(
    what: string,
    result: T,
    how: 'urgent' | 'inline' | 'shared' = 'urgent',
  ): Promise<T> {
    const wal = this.life.state === 'open' ? this.life.wal : null;
    if (this.life.state === 'open') this.life.checkpointer?.noteWrite();
    if (!wal) return Promise.resolve(result);
    const sync = how === 'inline' ? wal.syncInline() : wal.sync(how === 'urgent');
    return sync.then(
      () => result,
      (err: unknown) => {
        throw new StoreError(
          'failed',
          `${what}: ${this.path}: the write was made but syncing the WAL to disk failed: ${
            err instanceof Error ? err.message : String(err)
          }`,
          { cause: err },
        );
      },
    );
  }
}

/**
 * Why open() failed. Another process holding the write lock past the busy
 * timeout is `failed` (try again); anything else means the file cannot be
 * used as it is: missing directory, no permission, not a database, corrupt.
 */
function openError(err: unknown, path: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = err instanceof Database.SqliteError ? err.code : undefined;
  const message = `cannot open database ${path}: ${err instanceof Error ? err.message : String(err)}`;
  const busy = code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED');
  return new StoreError(busy ? 'failed' : 'unreadable', code ? `${message} (${code})` : message, {
    cause: err,
  });
}

function listLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}
