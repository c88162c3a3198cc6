/**
 * The SQLite schema, as numbered migrations. A migration is never edited
 * once shipped: a change to the schema is a new, higher-numbered entry.
 * Each one runs in its own transaction together with its row in
 * `schema_migrations`, so a database is always at a whole version.
 *
 * Conventions: times are ISO-8601 TEXT (they sort as text), booleans are
 * INTEGER 0/1, JSON is TEXT checked with json_valid(). Runs, calls and
 * requests name their PHLO without a foreign key, so deleting a PHLO keeps
 * its history (DESIGN.md §2). Parent rows (accounts, runs, calls, members)
 * are never deleted, so child keys other than those the reads use need no
 * index of their own.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE accounts (
        auth_id     TEXT PRIMARY KEY,
        token_hash  TEXT NOT NULL,
        name        TEXT NOT NULL,
        created_on  TEXT NOT NULL
      );

      CREATE TABLE phlos (
        phlo_id     TEXT PRIMARY KEY,
        auth_id     TEXT NOT NULL REFERENCES accounts (auth_id),
        name        TEXT NOT NULL,
        document    TEXT NOT NULL CHECK (json_valid(document)),
        version     INTEGER NOT NULL CHECK (version >= 1),
        created_on  TEXT NOT NULL,
        updated_on  TEXT NOT NULL
      );
      CREATE INDEX phlos_by_account ON phlos (auth_id, created_on);

      CREATE TABLE runs (
        run_id      TEXT PRIMARY KEY,
        phlo_id     TEXT NOT NULL,
        auth_id     TEXT NOT NULL REFERENCES accounts (auth_id),
        payload     TEXT NOT NULL CHECK (json_valid(payload)),
        created_on  TEXT NOT NULL
      );

      CREATE TABLE calls (
        call_id     TEXT PRIMARY KEY,
        auth_id     TEXT NOT NULL REFERENCES accounts (auth_id),
        phlo_id     TEXT NOT NULL,
        node_id     TEXT NOT NULL,
        run_id      TEXT REFERENCES runs (run_id),
        state       TEXT NOT NULL CHECK (state IN ('initialized', 'active', 'ended')),
        created_on  TEXT NOT NULL,
        started_on  TEXT,
        ended_on    TEXT,
        end_reason  TEXT
      );
      -- listCalls: one node's calls, most recent first.
      CREATE INDEX calls_by_node ON calls (auth_id, phlo_id, node_id, created_on);
      -- listCalls({ live: true }) and liveCalls(): only the few calls not ended.
      CREATE INDEX calls_live_by_node ON calls (auth_id, phlo_id, node_id, created_on)
        WHERE state <> 'ended';
      CREATE INDEX calls_live ON calls (created_on) WHERE state <> 'ended';

      CREATE TABLE members (
        member_id     TEXT PRIMARY KEY,
        call_id       TEXT NOT NULL REFERENCES calls (call_id),
        address       TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('agent', 'customer', 'supervisor')),
        state         TEXT NOT NULL CHECK (state IN
                        ('dialing', 'ringing', 'connected', 'on_hold', 'disconnected', 'failed')),
        muted         INTEGER NOT NULL CHECK (muted IN (0, 1)),
        held          INTEGER NOT NULL CHECK (held IN (0, 1)),
        created_on    TEXT NOT NULL,
        joined_on     TEXT,
        left_on       TEXT,
        hangup_cause  TEXT,
        sip_status    INTEGER,
        sip_call_id   TEXT
      );
      CREATE INDEX members_by_call ON members (call_id);

      -- Append-only; (call_id, seq) is both the key and the read order.
      CREATE TABLE events (
        call_id    TEXT NOT NULL REFERENCES calls (call_id),
        seq        INTEGER NOT NULL CHECK (seq >= 1),
        at         TEXT NOT NULL,
        type       TEXT NOT NULL,
        member_id  TEXT REFERENCES members (member_id),
        data       TEXT NOT NULL CHECK (json_valid(data)),
        PRIMARY KEY (call_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE requests (
        api_id       TEXT PRIMARY KEY,
        auth_id      TEXT NOT NULL REFERENCES accounts (auth_id),
        action       TEXT NOT NULL,
        phlo_id      TEXT NOT NULL,
        node_id      TEXT,
        call_id      TEXT REFERENCES calls (call_id),
        member_id    TEXT REFERENCES members (member_id),
        params       TEXT NOT NULL CHECK (json_valid(params)),
        received_on  TEXT NOT NULL
      );
      CREATE INDEX requests_by_call ON requests (call_id);
    `,
  },
  {
    version: 2,
    name: 'callback outbox and account signing keys',
    sql: `
      -- NULL for accounts made before: their callbacks cannot be signed
      -- (the token is only kept as a scrypt hash) and are given up.
      ALTER TABLE accounts ADD COLUMN signing_key TEXT;

      -- Event callbacks still to deliver, and how each went (issue 9 §4).
      -- Written in the commit of the event they carry, which they name by
      -- (call_id, seq); the body sent is built from that event row and the
      -- frozen extra fields in body. One delivery per event.
      CREATE TABLE outbox (
        delivery_id      TEXT PRIMARY KEY,
        call_id          TEXT NOT NULL,
        seq              INTEGER NOT NULL,
        url              TEXT NOT NULL,
        auth_id          TEXT NOT NULL REFERENCES accounts (auth_id),
        body             TEXT NOT NULL CHECK (json_valid(body)),
        attempts         INTEGER NOT NULL CHECK (attempts >= 0),
        next_attempt_at  TEXT NOT NULL,
        last_attempt_on  TEXT,
        delivered_on     TEXT,
        last_error       TEXT,
        gave_up_on       TEXT,
        created_on       TEXT NOT NULL,
        UNIQUE (call_id, seq),
        FOREIGN KEY (call_id, seq) REFERENCES events (call_id, seq),
        CHECK (delivered_on IS NULL OR gave_up_on IS NULL)
      );
      -- Pending rows only (the few not yet delivered nor given up): a call's
      -- head is its lowest pending seq; due heads are found by time.
      CREATE INDEX outbox_pending_by_call ON outbox (call_id, seq)
        WHERE delivered_on IS NULL AND gave_up_on IS NULL;
      CREATE INDEX outbox_pending_by_time ON outbox (next_attempt_at)
        WHERE delivered_on IS NULL AND gave_up_on IS NULL;
    `,
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
