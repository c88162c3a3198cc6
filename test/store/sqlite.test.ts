import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import {
  DATABASE_FILE,
  SQLITE_SCHEMA_VERSION,
  SqliteStore,
  StoreError,
  openStore,
  type StoreErrorKind,
} from '../../src/store/index.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { storeContract } from './contract.js';
import { account, at, call, delivery, event, member, phlo, request, run } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'partyline-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
const freshPath = (): string => join(tmp, `store-${++files}.db`);

async function opened(path: string): Promise<SqliteStore> {
  const store = new SqliteStore({ path });
  await store.open();
  return store;
}

const failsWith =
  (kind: StoreErrorKind, ...parts: string[]) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof StoreError, `not a StoreError: ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    for (const part of parts) assert.ok(e.message.includes(part), `${e.message} lacks ${part}`);
    return true;
  };

storeContract('SQLite :memory:', () => opened(':memory:'));
storeContract('SQLite file', () => opened(freshPath()));

/** A small history: an account, a PHLO, a run with its call, members, events and request. */
function history() {
  const acct = account();
  const p = phlo(acct.authId);
  const nodeId = 'mpc1';
  const r = run(acct.authId, p.phloId);
  const c = call(acct.authId, p.phloId, nodeId, { runId: r.runId, state: 'active' });
  const m = member(c.callId, { state: 'connected' });
  const q = request(acct.authId, p.phloId, { callId: c.callId });
  const changes = {
    run: r,
    calls: [c],
    members: [m],
    events: [event(c.callId, 'call.created'), event(c.callId, 'member.connected')],
    request: q,
  };
  return { acct, phlo: p, nodeId, run: r, call: c, member: m, request: q, changes };
}

async function assertHistory(store: SqliteStore, h: ReturnType<typeof history>): Promise<void> {
  assert.deepEqual(await store.getAccount(h.acct.authId), h.acct);
  assert.deepEqual(await store.getRun(h.run.runId), h.run);
  assert.deepEqual(await store.getCall(h.call.callId), h.call);
  assert.deepEqual(await store.members(h.call.callId), [h.member]);
  assert.deepEqual(
    (await store.events(h.call.callId)).map((e) => [e.seq, e.type]),
    [
      [1, 'call.created'],
      [2, 'member.connected'],
    ],
  );
  assert.deepEqual(await store.getRequest(h.request.apiId), h.request);
  assert.deepEqual(await store.liveCalls(), [h.call]);
}

function readMigrations(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM schema_migrations ORDER BY version').all();
  } finally {
    db.close();
  }
}

describe('SqliteStore', () => {
  it('runs a file in WAL mode, the WAL synced by the store, with foreign keys and a busy timeout', async () => {
    const path = freshPath();
    const store = await opened(path);
    try {
      assert.deepEqual(store.settings(), {
        journalMode: 'wal',
        synchronous: 'normal',
        commitSync: 'wal-fdatasync',
        foreignKeys: true,
        busyTimeoutMs: 5000,
        checkpoints: 'worker',
      });
      await store.createAccount(account());
      assert.ok(existsSync(`${path}-wal`), 'a WAL file beside the database');
    } finally {
      await store.close();
    }
    // WAL is a property of the file: another connection sees it too.
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('migrates a new file to the newest version, and a reopen applies nothing', async () => {
    const path = freshPath();
    const h = history();
    const first = await opened(path);
    await first.createAccount(h.acct);
    await first.createPhlo(h.phlo);
    await first.commit(h.changes);
    await first.close();
    const applied = readMigrations(path);
    assert.equal(applied.length, MIGRATIONS.length);
    assert.deepEqual(
      applied.map((row) => (row as { version: number }).version),
      MIGRATIONS.map((m) => m.version),
    );
    assert.equal(SQLITE_SCHEMA_VERSION, MIGRATIONS[MIGRATIONS.length - 1].version);

    for (let i = 0; i < 2; i++) {
      const again = await opened(path);
      await assertHistory(again, h);
      await again.close();
    }
    assert.deepEqual(readMigrations(path), applied, 'schema_migrations unchanged by reopening');
  });

  it('migrates a version-1 database to 2: history kept, old accounts without a signing key', async () => {
    const path = freshPath();
    const h = history();
    const v1 = new Database(path);
    try {
      migrate(v1, [MIGRATIONS[0]], path, pino({ level: 'silent' }));
      v1.prepare(
        `INSERT INTO accounts (auth_id, token_hash, name, created_on)
         VALUES (@authId, @tokenHash, @name, @createdOn)`,
      ).run(h.acct);
    } finally {
      v1.close();
    }
    assert.deepEqual(
      readMigrations(path).map((row) => (row as { version: number }).version),
      [1],
    );
    const store = await opened(path);
    try {
      assert.deepEqual(
        readMigrations(path).map((row) => (row as { version: number }).version),
        MIGRATIONS.map((m) => m.version),
      );
      const old = await store.getAccount(h.acct.authId);
      assert.deepEqual(old, h.acct);
      assert.equal(old?.signingKey, undefined);
      await store.createPhlo(h.phlo);
      await store.commit({
        ...h.changes,
        deliveries: [delivery(h.acct.authId, 1, { createdOn: at(50) })],
      });
      await assertHistory(store, h);
      const due = await store.dueDeliveries({ now: at(50), limit: 10 });
      assert.deepEqual(
        due.map((d) => [d.event.seq, d.event.type]),
        [[2, 'member.connected']],
      );
      assert.equal(await store.setAccountSigningKey(h.acct.authId, 'a2V5'), true);
      assert.equal((await store.getAccount(h.acct.authId))?.signingKey, 'a2V5');
    } finally {
      await store.close();
    }
  });

  it('keeps pending deliveries across close and reopen', async () => {
    const path = freshPath();
    const h = history();
    const first = await opened(path);
    await first.createAccount(h.acct);
    await first.commit({
      ...h.changes,
      deliveries: [delivery(h.acct.authId, 0), delivery(h.acct.authId, 1)],
    });
    const [d1] = await first.deliveries(h.call.callId);
    await first.markAttemptFailed(d1.deliveryId, {
      at: at(60),
      error: 'HTTP 500',
      nextAttemptAt: at(70),
    });
    const before = await first.deliveries(h.call.callId);
    await first.close();
    const second = await opened(path);
    try {
      assert.deepEqual(await second.deliveries(h.call.callId), before);
      assert.deepEqual(
        (await second.dueDeliveries({ now: at(70), limit: 10 })).map((d) => d.delivery),
        [before[0]],
      );
    } finally {
      await second.close();
    }
  });

  it('keeps everything across close and reopen', async () => {
    const path = freshPath();
    const h = history();
    const first = await opened(path);
    await first.createAccount(h.acct);
    await first.createPhlo(h.phlo);
    await first.commit(h.changes);
    await first.close();

    const second = await opened(path);
    try {
      await assertHistory(second, h);
      assert.deepEqual(await second.getPhlo(h.acct.authId, h.phlo.phloId), h.phlo);
      // Seqs continue after a reopen.
      await second.commit({ events: [event(h.call.callId, 'member.on_hold')] });
      assert.deepEqual(
        (await second.events(h.call.callId)).map((e) => e.seq),
        [1, 2, 3],
      );
    } finally {
      await second.close();
    }
  });

  it(
    'has a commit on disk once commit() resolved, even if the process is killed at once',
    {
      timeout: 120_000,
    },
    async () => {
      const path = freshPath();
      const h = history();
      const { acct, changes } = h;
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(here, 'sqlite-commit-child.ts'),
          path,
          JSON.stringify({ account: acct, changes }),
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      try {
        const committed = await new Promise<boolean>((resolve) => {
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            out += chunk;
            if (out.includes('committed\n')) resolve(true);
          });
          void exited.then(() => resolve(false));
        });
        if (committed) child.kill('SIGKILL');
        const { signal } = await exited;
        assert.ok(committed, `child exited before committing: ${stderr}`);
        assert.equal(signal, 'SIGKILL');
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      // The child never closed the database: the commit lives in the WAL,
      // which the next open recovers.
      assert.ok(statSync(`${path}-wal`).size > 0, 'the commit is in the WAL');
      const store = await opened(path);
      try {
        await assertHistory(store, h);
      } finally {
        await store.close();
      }
    },
  );

  it('refuses a database from a newer Partyline, and leaves it as it was', async () => {
    const path = freshPath();
    await (await opened(path)).close();
    const newer = SQLITE_SCHEMA_VERSION + 1;
    const db = new Database(path);
    db.prepare(
      `INSERT INTO schema_migrations (version, name, applied_on) VALUES (?, 'from the future', 'x')`,
    ).run(newer);
    db.close();
    const before = readMigrations(path);

    const store = new SqliteStore({ path });
    await assert.rejects(
      store.open(),
      failsWith('newer-schema', path, `schema version ${newer}`, 'newer'),
    );
    await assert.rejects(store.countAccounts(), failsWith('not-open'));
    assert.deepEqual(readMigrations(path), before);
  });

  it('names the path when the file is not a database', async () => {
    const path = freshPath();
    writeFileSync(path, Buffer.alloc(8192, 'not a database '));
    const store = new SqliteStore({ path });
    await assert.rejects(store.open(), failsWith('unreadable', path));
    await assert.rejects(store.getAccount('x'), failsWith('not-open'));
    assert.equal(readFileSync(path, 'utf8').slice(0, 15), 'not a database ', 'file untouched');
  });

  it('names the path when a database file is corrupt past its header', async () => {
    const path = freshPath();
    const h = history();
    const first = await opened(path);
    await first.createAccount(h.acct);
    await first.createPhlo(h.phlo);
    await first.commit(h.changes);
    await first.close();
    // Keep page 1 (header and schema); overwrite every other page.
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize);
    writeFileSync(path, bytes);
    await assert.rejects(opened(path), failsWith('unreadable', path));
  });

  it('names the path when the file cannot be opened', async () => {
    const dir = join(tmp, 'a-directory.db');
    mkdirSync(dir);
    await assert.rejects(opened(dir), failsWith('unreadable', dir));
    const missing = join(tmp, 'no-such-dir', 'x.db');
    await assert.rejects(opened(missing), failsWith('unreadable', missing));
  });

  it('rejects use before open() and a second open()', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const notOpen = failsWith('not-open', 'open()');
    await assert.rejects(store.getAccount('x'), notOpen);
    await assert.rejects(store.commit({}), notOpen);
    await assert.rejects(store.listCalls('a', 'b', 'c'), notOpen);
    assert.throws(() => store.settings(), notOpen);
    await store.open();
    await assert.rejects(store.open(), failsWith('failed', 'already open'));
    assert.equal(await store.countAccounts(), 0);
    await store.close();
  });

  it('lets two connections to one file see each other’s commits', async () => {
    const path = freshPath();
    const a = await opened(path);
    const b = await opened(path);
    try {
      const h = history();
      await a.createAccount(h.acct);
      await b.commit(h.changes);
      await assertHistory(a, h);
      await a.commit({ events: [event(h.call.callId, 'member.on_hold')] });
      await b.commit({ events: [event(h.call.callId, 'member.connected')] });
      assert.deepEqual(
        (await a.events(h.call.callId)).map((e) => [e.seq, e.type]),
        [
          [1, 'call.created'],
          [2, 'member.connected'],
          [3, 'member.on_hold'],
          [4, 'member.connected'],
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('migrate', () => {
  const logger = pino({ level: 'silent' });

  it('applies each migration in one transaction: a failing one leaves no trace', () => {
    const db = new Database(':memory:');
    try {
      const broken = [
        ...MIGRATIONS,
        {
          version: SQLITE_SCHEMA_VERSION + 1,
          name: 'half done',
          sql: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);',
        },
      ];
      assert.throws(() => migrate(db, broken, ':memory:', logger), /no_such_table/);
      const tables = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'half_done'`)
        .all();
      assert.deepEqual(tables, []);
      const versions = db.prepare('SELECT version FROM schema_migrations').pluck().all();
      assert.deepEqual(
        versions,
        MIGRATIONS.map((m) => m.version),
        'the earlier migrations stay applied',
      );
      // Fixed, it applies on the next run, and only it.
      const fixed = [
        ...MIGRATIONS,
        { ...broken[broken.length - 1], sql: 'CREATE TABLE half_done (x INTEGER);' },
      ];
      assert.deepEqual(migrate(db, fixed, ':memory:', logger), [SQLITE_SCHEMA_VERSION + 1]);
      assert.deepEqual(migrate(db, fixed, ':memory:', logger), []);
    } finally {
      db.close();
    }
  });
});

describe('openStore', () => {
  it('creates the data directory and opens <dataDir>/partyline.db', async () => {
    const dataDir = join(tmp, 'data', 'nested');
    const store = await openStore({ dataDir });
    try {
      assert.ok(existsSync(join(dataDir, DATABASE_FILE)));
      assert.equal(DATABASE_FILE, 'partyline.db');
      const acct = account();
      await store.createAccount(acct);
      assert.deepEqual(await store.getAccount(acct.authId), acct);
    } finally {
      await store.close();
    }
    const again = await openStore({ dataDir });
    assert.equal(await again.countAccounts(), 1);
    await again.close();
  });

  it('rejects clearly when the data directory cannot be made', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(openStore({ dataDir: join(file, 'data') }), failsWith('unreadable', file));
  });
});
