/**
 * What the call server keeps, and the one interface every backend
 * implements (SQLite now, PostgreSQL later). The domain computes a
 * ChangeSet and the store commits it atomically before the request is
 * acknowledged (DESIGN.md §1: "Nothing is written for a request that is
 * rejected"; issue 8: "every accepted request and every state change is
 * committed before it is acknowledged").
 *
 * Times are ISO-8601 strings in UTC with microseconds
 * (`2026-12-01T19:42:04.123456Z`); the API formats them as Plivo does.
 * Ids are UUIDs (v4) made by the caller, except AUTH_IDs (`MA` + 18).
 */

export interface AccountRecord {
  authId: string;
  /** scrypt: `scrypt$N$r$p$<salt b64>$<hash b64>` — never the token itself. */
  tokenHash: string;
  name: string;
  createdOn: string;
  /**
   * The key event callbacks of this account are signed with: base64 of
   * HMAC-SHA256(key = AUTH_TOKEN, "partyline-callback-signing")
   * (account/callbackSigningKey) — derived from the token, never the token.
   * Absent for accounts created before schema version 2 (their callbacks
   * are given up) until setAccountSigningKey() fills it in.
   */
  signingKey?: string;
}

export interface PhloRecord {
  phloId: string;
  authId: string;
  name: string;
  /** The validated PHLO document (JSON text, node ids filled in). */
  document: string;
  /** 1 on create, +1 on each replace. */
  version: number;
  createdOn: string;
  updatedOn: string;
}

export interface RunRecord {
  runId: string;
  phloId: string;
  authId: string;
  /** The run payload as received (a JSON object). */
  payload: string;
  createdOn: string;
}

export type CallState = 'initialized' | 'active' | 'ended';

/** A live or finished MPC instance. */
export interface CallRecord {
  callId: string;
  authId: string;
  phloId: string;
  nodeId: string;
  runId: string | null;
  state: CallState;
  createdOn: string;
  /** When the first member connected. */
  startedOn: string | null;
  endedOn: string | null;
  /** Why it ended: `last-agent-left`, `everyone-left`, `server-shutdown`, `server-restart`, ... */
  endReason: string | null;
}

export type MemberState =
  'dialing' | 'ringing' | 'connected' | 'on_hold' | 'disconnected' | 'failed';

export type MemberRole = 'agent' | 'customer' | 'supervisor';

export interface MemberRecord {
  memberId: string;
  callId: string;
  /** Normalised address: `+14155550100` / `14155550100` or `sip:user@host[:port]`. */
  address: string;
  role: MemberRole;
  state: MemberState;
  muted: boolean;
  held: boolean;
  createdOn: string;
  joinedOn: string | null;
  leftOn: string | null;
  /** `busy`, `declined`, `no-answer`, `unreachable`, `canceled`, `hangup`, `remote-hangup`, ... */
  hangupCause: string | null;
  /** Final SIP status of the leg, when there was one. */
  sipStatus: number | null;
  /** SIP Call-ID of the leg, for correlating with logs and captures. */
  sipCallId: string | null;
}

export interface EventRecord {
  callId: string;
  /** 1, 2, 3 ... per call, assigned by the store in commit order. */
  seq: number;
  at: string;
  /** `call.created`, `member.dialing`, `member.ringing`, `member.connected`, `member.failed`, ... */
  type: string;
  memberId: string | null;
  /** Extra facts as a JSON object text (cause, status, address ...). */
  data: string;
}

/** An accepted API request (run or action), kept so none is lost across a crash. */
export interface RequestRecord {
  apiId: string;
  authId: string;
  /** `run`, `call`, `hangup`, `hold`, ... */
  action: string;
  phloId: string;
  nodeId: string | null;
  callId: string | null;
  memberId: string | null;
  /** The request's effective parameters (JSON object text). */
  params: string;
  receivedOn: string;
}

/**
 * An event callback to deliver (issue 9 §4), written in the same commit as
 * the event it carries: an event and its delivery exist together or not at
 * all. The event's seq is assigned in that commit, so a delivery names its
 * event by position in the change set and the store fills in callId and
 * seq. One delivery per event.
 */
export interface NewDelivery {
  /**
   * UUID made by the caller; sent as the callback's `event_id`, the same on
   * every retry, so a receiver de-duplicates by it.
   */
  deliveryId: string;
  /** Index in the same ChangeSet's `events` of the event this delivery carries. */
  event: number;
  /** Where to POST it (the node's event_callback_url). */
  url: string;
  /** The account whose signing key signs it (the call's account). */
  authId: string;
  /**
   * JSON object text: what the callback body adds to the event row, frozen
   * at commit (phlo_id, node_id, the member as it was); the dispatcher adds
   * the event's own fields at delivery time.
   */
  body: string;
  /** Also the time of its first attempt (nextAttemptAt starts here). */
  createdOn: string;
}

/** A row of the outbox: one callback and how its delivery went. */
export interface DeliveryRecord {
  deliveryId: string;
  /** The event it carries: (callId, seq) of events. */
  callId: string;
  seq: number;
  url: string;
  authId: string;
  /** JSON object text, as given in NewDelivery.body. */
  body: string;
  /** HTTP attempts made so far (an attempt interrupted by a shutdown is not counted). */
  attempts: number;
  /** Not sent before this time. */
  nextAttemptAt: string;
  lastAttemptOn: string | null;
  /** Set once a receiver answered 2xx; then it is never sent again. */
  deliveredOn: string | null;
  /** Why the last attempt failed (`HTTP 500`, `no answer within 5000 ms`, ...). */
  lastError: string | null;
  /** Set when the dispatcher stopped trying; then it is never sent again. */
  gaveUpOn: string | null;
  createdOn: string;
}

/** A delivery ready to be sent, with the event it carries. */
export interface DueDelivery {
  delivery: DeliveryRecord;
  event: EventRecord;
}

export interface DueDeliveryQuery {
  /** Deliveries whose nextAttemptAt is at or before this time. */
  now: string;
  /** At most this many (1..500). */
  limit: number;
  /** Calls to pass over (those with a delivery in flight). */
  skipCalls?: readonly string[];
  /** URLs to pass over (receivers with as many requests in flight as allowed). */
  skipUrls?: readonly string[];
}

export interface DeliveryFailure {
  /** When the attempt was made. */
  at: string;
  error: string;
  nextAttemptAt: string;
}

export interface DeliveryGiveUp {
  at: string;
  error: string;
  /** Whether a request was sent this time (counted in attempts), or it was given up before sending. */
  attempted: boolean;
}

/** Rows written together or not at all. */
export interface ChangeSet {
  request?: RequestRecord;
  run?: RunRecord;
  /** Inserted, or replaced whole when the id exists. */
  calls?: CallRecord[];
  /** Inserted, or replaced whole when the id exists. */
  members?: MemberRecord[];
  /** Appended; `seq` is assigned by the store (the given one is ignored). */
  events?: Omit<EventRecord, 'seq'>[];
  /** Callbacks for events of this change set (NewDelivery.event indexes `events`). */
  deliveries?: NewDelivery[];
}

export interface CallListOptions {
  /** Only calls not ended. */
  live?: boolean;
  /** Most recent first (by createdOn); default 50, at most 500. */
  limit?: number;
}

export interface Store {
  /**
   * Opens the database and runs migrations; must be called once before
   * anything else. Rejects (StoreError `unreadable` / `newer-schema`) when
   * the database cannot be used; the store then stays unopened.
   */
  open(): Promise<void>;
  /** Idempotent. Every later call rejects with StoreError `closed`. */
  close(): Promise<void>;

  /** Rejects with StoreConflictError when the AUTH_ID exists. */
  createAccount(account: AccountRecord): Promise<void>;
  getAccount(authId: string): Promise<AccountRecord | null>;
  /** Oldest first. */
  listAccounts(): Promise<AccountRecord[]>;
  countAccounts(): Promise<number>;
  /**
   * Sets the callback signing key of an account that has none or another
   * (an account made before schema version 2, once its token is known
   * again). False when no such account.
   */
  setAccountSigningKey(authId: string, signingKey: string): Promise<boolean>;

  /**
   * Rejects with StoreConflictError when the id exists (PHLO ids are
   * unique across accounts: they are server-made UUIDs).
   */
  createPhlo(phlo: PhloRecord): Promise<void>;
  /** Replaces document/name/version/updatedOn; false when no such PHLO of that account. */
  replacePhlo(phlo: PhloRecord): Promise<boolean>;
  /** Only that account's PHLO; null for another account's (never reveal it exists). */
  getPhlo(authId: string, phloId: string): Promise<PhloRecord | null>;
  /** Oldest first. */
  listPhlos(authId: string): Promise<PhloRecord[]>;
  /** False when no such PHLO of that account. Its runs, calls and events stay (history). */
  deletePhlo(authId: string, phloId: string): Promise<boolean>;

  /**
   * Commits every row of the change set in one transaction, durably, before
   * it resolves; assigns event seqs. Rows are written run, calls, members,
   * events, deliveries, request — so a change set may refer to rows it
   * creates. On any failure nothing of it is written: StoreConflictError
   * for a run, request or delivery id that exists (or a second delivery of
   * one event), StoreError `constraint` for a row the schema refuses (e.g.
   * a member or event of a call that does not exist, a delivery whose
   * `event` is not an index of `events`).
   *
   * `written`, when given, is called once the change is in the database —
   * whole, and what reads return — but before it is durable, so that work
   * which need not wait for the disk (the dial of an added member: its
   * request is acknowledged only when this resolves) runs while the disk
   * syncs. It is not called when the commit fails before writing; a store
   * whose writes are durable as they are made calls it just before it
   * resolves. It must not throw.
   */
  commit(changes: ChangeSet, written?: () => void): Promise<void>;

  getRun(runId: string): Promise<RunRecord | null>;
  getCall(callId: string): Promise<CallRecord | null>;
  listCalls(
    authId: string,
    phloId: string,
    nodeId: string,
    options?: CallListOptions,
  ): Promise<CallRecord[]>;
  /** Every call not ended, of every account, oldest first (start-up reconciliation). */
  liveCalls(): Promise<CallRecord[]>;
  /** In the order they were first written. */
  members(callId: string): Promise<MemberRecord[]>;
  /** By seq. */
  events(callId: string): Promise<EventRecord[]>;
  getRequest(apiId: string): Promise<RequestRecord | null>;
  /** The requests that named this call, in the order they were committed. */
  requests(callId: string): Promise<RequestRecord[]>;

  /*
   * The callback outbox. A delivery is pending until delivered or given up.
   * Order is kept per call: only the pending delivery of lowest seq of a
   * call (its head) is ever due, so a call's callbacks go out one at a time
   * in seq order; different calls are independent.
   */

  /**
   * The heads of the calls' pending deliveries whose nextAttemptAt <= now,
   * skipping the given calls and URLs; earliest nextAttemptAt first (then
   * oldest), at most `limit`.
   */
  dueDeliveries(query: DueDeliveryQuery): Promise<DueDelivery[]>;
  /** The earliest nextAttemptAt after `after` among the heads of pending deliveries; null when none. */
  nextDeliveryAt(after: string): Promise<string | null>;
  /**
   * Records a successful attempt (attempts + 1, deliveredOn). False when no
   * such delivery or it is no longer pending (nothing changes then).
   */
  markDelivered(deliveryId: string, at: string): Promise<boolean>;
  /** Records a failed attempt and when to try again. False as for markDelivered. */
  markAttemptFailed(deliveryId: string, failure: DeliveryFailure): Promise<boolean>;
  /** Stops trying (gaveUpOn, lastError); the call's next delivery becomes its head. False as for markDelivered. */
  giveUpDelivery(deliveryId: string, giveUp: DeliveryGiveUp): Promise<boolean>;
  /** A call's deliveries, by seq. */
  deliveries(callId: string): Promise<DeliveryRecord[]>;
}

/**
 * Why a store call failed, for callers that map failures (the API answers
 * 503 for `not-open`/`closed`/`unreadable`, 500 for the rest).
 * - `not-open`: used before open() resolved.
 * - `closed`: used after close().
 * - `unreadable`: the database file cannot be opened or read (missing
 *   permissions, not a database, corrupt); the message names the path.
 * - `newer-schema`: the database was migrated by a newer Partyline.
 * - `constraint`: a row broke a rule of the schema (a member of a call that
 *   does not exist, a bad enum value, invalid JSON text); nothing was written.
 * - `conflict`: a create collided with an existing id (StoreConflictError).
 * - `failed`: anything else the backend reported.
 */
export type StoreErrorKind =
  'not-open' | 'closed' | 'unreadable' | 'newer-schema' | 'constraint' | 'conflict' | 'failed';

/** Every rejection of a Store method is a StoreError (or a subclass). */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A create that collides with an existing id. */
export class StoreConflictError extends StoreError {
  override readonly name = 'StoreConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}
