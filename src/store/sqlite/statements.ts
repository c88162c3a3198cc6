import type Database from 'better-sqlite3';
import type {
  AccountRow,
  CallRow,
  DeliveryRow,
  DueDeliveryRow,
  EventRow,
  MemberRow,
  PhloRow,
  RequestRow,
  RunRow,
} from './rows.js';

type Statement<P extends unknown[] | object, R = unknown> = Database.Statement<P, R>;

/**
 * One node's calls. The lists order by `created_on DESC, rowid DESC`: rowid
 * breaks ties between calls made in the same microsecond, and the index
 * entries already hold it, so no sort step is needed.
 */
const CALLS_OF_NODE = `SELECT * FROM calls
  WHERE auth_id = ? AND phlo_id = ? AND node_id = ?`;

/**
 * Outbox rows still pending (neither delivered nor given up), written
 * exactly as the partial indexes' condition so SQLite uses them.
 */
const PENDING = 'delivered_on IS NULL AND gave_up_on IS NULL';
/** A pending row `o` that is its call's head: no pending row of that call has a lower seq. */
const PENDING_HEAD = `o.delivered_on IS NULL AND o.gave_up_on IS NULL
  AND o.seq = (SELECT min(p.seq) FROM outbox p
               WHERE p.call_id = o.call_id AND p.delivered_on IS NULL AND p.gave_up_on IS NULL)`;

/**
 * Every statement the store runs, prepared once when the store opens
 * (better-sqlite3 compiles on prepare; reusing a Statement skips that).
 */
export function prepareStatements(db: Database.Database) {
  return {
    insertAccount: db.prepare(
      `INSERT INTO accounts (auth_id, token_hash, name, created_on, signing_key)
       VALUES (@auth_id, @token_hash, @name, @created_on, @signing_key)`,
    ) as Statement<AccountRow>,
    setSigningKey: db.prepare('UPDATE accounts SET signing_key = ? WHERE auth_id = ?') as Statement<
      [string, string]
    >,
    getAccount: db.prepare('SELECT * FROM accounts WHERE auth_id = ?') as Statement<
      [string],
      AccountRow
    >,
    listAccounts: db.prepare('SELECT * FROM accounts ORDER BY created_on, rowid') as Statement<
      [],
      AccountRow
    >,
    countAccounts: db.prepare('SELECT count(*) AS n FROM accounts') as Statement<[], { n: number }>,

    insertPhlo: db.prepare(
      `INSERT INTO phlos (phlo_id, auth_id, name, document, version, created_on, updated_on)
       VALUES (@phlo_id, @auth_id, @name, @document, @version, @created_on, @updated_on)`,
    ) as Statement<PhloRow>,
    replacePhlo: db.prepare(
      `UPDATE phlos SET name = @name, document = @document, version = @version,
         updated_on = @updated_on
       WHERE phlo_id = @phlo_id AND auth_id = @auth_id`,
    ) as Statement<Omit<PhloRow, 'created_on'>>,
    getPhlo: db.prepare('SELECT * FROM phlos WHERE auth_id = ? AND phlo_id = ?') as Statement<
      [string, string],
      PhloRow
    >,
    listPhlos: db.prepare(
      'SELECT * FROM phlos WHERE auth_id = ? ORDER BY created_on, rowid',
    ) as Statement<[string], PhloRow>,
    deletePhlo: db.prepare('DELETE FROM phlos WHERE auth_id = ? AND phlo_id = ?') as Statement<
      [string, string]
    >,

    insertRun: db.prepare(
      `INSERT INTO runs (run_id, phlo_id, auth_id, payload, created_on)
       VALUES (@run_id, @phlo_id, @auth_id, @payload, @created_on)`,
    ) as Statement<RunRow>,
    getRun: db.prepare('SELECT * FROM runs WHERE run_id = ?') as Statement<[string], RunRow>,

    // ON CONFLICT DO UPDATE rather than INSERT OR REPLACE: REPLACE deletes
    // the old row first, which foreign keys from members and events forbid.
    upsertCall: db.prepare(
      `INSERT INTO calls (call_id, auth_id, phlo_id, node_id, run_id, state, created_on,
         started_on, ended_on, end_reason)
       VALUES (@call_id, @auth_id, @phlo_id, @node_id, @run_id, @state, @created_on,
         @started_on, @ended_on, @end_reason)
       ON CONFLICT (call_id) DO UPDATE SET
         auth_id = excluded.auth_id, phlo_id = excluded.phlo_id, node_id = excluded.node_id,
         run_id = excluded.run_id, state = excluded.state, created_on = excluded.created_on,
         started_on = excluded.started_on, ended_on = excluded.ended_on,
         end_reason = excluded.end_reason`,
    ) as Statement<CallRow>,
    getCall: db.prepare('SELECT * FROM calls WHERE call_id = ?') as Statement<[string], CallRow>,
    listCalls: db.prepare(
      `${CALLS_OF_NODE} ORDER BY created_on DESC, rowid DESC LIMIT ?`,
    ) as Statement<[string, string, string, number], CallRow>,
    // `state <> 'ended'` exactly as in the partial indexes, so SQLite uses them.
    listLiveCalls: db.prepare(
      `${CALLS_OF_NODE} AND state <> 'ended' ORDER BY created_on DESC, rowid DESC LIMIT ?`,
    ) as Statement<[string, string, string, number], CallRow>,
    liveCalls: db.prepare(
      `SELECT * FROM calls WHERE state <> 'ended' ORDER BY created_on, rowid`,
    ) as Statement<[], CallRow>,

    upsertMember: db.prepare(
      `INSERT INTO members (member_id, call_id, address, role, state, muted, held, created_on,
         joined_on, left_on, hangup_cause, sip_status, sip_call_id)
       VALUES (@member_id, @call_id, @address, @role, @state, @muted, @held, @created_on,
         @joined_on, @left_on, @hangup_cause, @sip_status, @sip_call_id)
       ON CONFLICT (member_id) DO UPDATE SET
         call_id = excluded.call_id, address = excluded.address, role = excluded.role,
         state = excluded.state, muted = excluded.muted, held = excluded.held,
         created_on = excluded.created_on, joined_on = excluded.joined_on,
         left_on = excluded.left_on, hangup_cause = excluded.hangup_cause,
         sip_status = excluded.sip_status, sip_call_id = excluded.sip_call_id`,
    ) as Statement<MemberRow>,
    members: db.prepare('SELECT * FROM members WHERE call_id = ? ORDER BY rowid') as Statement<
      [string],
      MemberRow
    >,

    lastSeq: db.prepare('SELECT max(seq) FROM events WHERE call_id = ?').pluck() as Statement<
      [string],
      number | null
    >,
    insertEvent: db.prepare(
      `INSERT INTO events (call_id, seq, at, type, member_id, data)
       VALUES (@call_id, @seq, @at, @type, @member_id, @data)`,
    ) as Statement<EventRow>,
    events: db.prepare('SELECT * FROM events WHERE call_id = ? ORDER BY seq') as Statement<
      [string],
      EventRow
    >,

    insertDelivery: db.prepare(
      `INSERT INTO outbox (delivery_id, call_id, seq, url, auth_id, body, attempts,
         next_attempt_at, created_on)
       VALUES (@delivery_id, @call_id, @seq, @url, @auth_id, @body, 0, @created_on, @created_on)`,
    ) as Statement<
      Pick<
        DeliveryRow,
        'delivery_id' | 'call_id' | 'seq' | 'url' | 'auth_id' | 'body' | 'created_on'
      >
    >,
    // Skip lists travel as JSON arrays (one statement, any length).
    dueDeliveries: db.prepare(
      `SELECT o.*, e.at AS event_at, e.type AS event_type, e.member_id AS event_member_id,
         e.data AS event_data
       FROM outbox o JOIN events e ON e.call_id = o.call_id AND e.seq = o.seq
       WHERE ${PENDING_HEAD}
         AND o.next_attempt_at <= @now
         AND o.call_id NOT IN (SELECT value FROM json_each(@skip_calls))
         AND o.url NOT IN (SELECT value FROM json_each(@skip_urls))
       ORDER BY o.next_attempt_at, o.created_on, o.rowid
       LIMIT @limit`,
    ) as Statement<
      { now: string; skip_calls: string; skip_urls: string; limit: number },
      DueDeliveryRow
    >,
    nextDeliveryAt: db
      .prepare(
        `SELECT min(o.next_attempt_at) FROM outbox o
         WHERE ${PENDING_HEAD} AND o.next_attempt_at > ?`,
      )
      .pluck() as Statement<[string], string | null>,
    markDelivered: db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, last_attempt_on = @at, delivered_on = @at
       WHERE delivery_id = @delivery_id AND ${PENDING}`,
    ) as Statement<{ delivery_id: string; at: string }>,
    markAttemptFailed: db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, last_attempt_on = @at, last_error = @error,
         next_attempt_at = @next_attempt_at
       WHERE delivery_id = @delivery_id AND ${PENDING}`,
    ) as Statement<{ delivery_id: string; at: string; error: string; next_attempt_at: string }>,
    giveUpDelivery: db.prepare(
      `UPDATE outbox SET attempts = attempts + @attempted,
         last_attempt_on = CASE WHEN @attempted = 1 THEN @at ELSE last_attempt_on END,
         last_error = @error, gave_up_on = @at
       WHERE delivery_id = @delivery_id AND ${PENDING}`,
    ) as Statement<{ delivery_id: string; at: string; error: string; attempted: number }>,
    deliveries: db.prepare('SELECT * FROM outbox WHERE call_id = ? ORDER BY seq') as Statement<
      [string],
      DeliveryRow
    >,

    insertRequest: db.prepare(
      `INSERT INTO requests (api_id, auth_id, action, phlo_id, node_id, call_id, member_id,
         params, received_on)
       VALUES (@api_id, @auth_id, @action, @phlo_id, @node_id, @call_id, @member_id,
         @params, @received_on)`,
    ) as Statement<RequestRow>,
    getRequest: db.prepare('SELECT * FROM requests WHERE api_id = ?') as Statement<
      [string],
      RequestRow
    >,
    requests: db.prepare('SELECT * FROM requests WHERE call_id = ? ORDER BY rowid') as Statement<
      [string],
      RequestRow
    >,
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
