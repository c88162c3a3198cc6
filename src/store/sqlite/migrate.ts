import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { StoreError } from '../types.js';
import type { Migration } from './migrations.js';

/**
 * Brings the database up to the newest of `migrations`. Each pending
 * migration runs in its own IMMEDIATE transaction (taking the write lock
 * first, so two processes opening one file never both apply it), with the
 * applied versions re-read inside that transaction. A database that records
 * a version this build does not know was written by a newer Partyline and
 * is refused: running old code on it could silently lose data.
 *
 * Returns the versions applied by this call (empty when already current).
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  path: string,
  logger: Logger,
): number[] {
  const known = new Set(migrations.map((m) => m.version));
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const newest = ordered.length > 0 ? ordered[ordered.length - 1].version : 0;

  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_on  TEXT NOT NULL
  )`);
  const appliedVersions = db.prepare('SELECT version FROM schema_migrations ORDER BY version');
  const record = db.prepare(
    `INSERT INTO schema_migrations (version, name, applied_on)
     VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
  );

  const readApplied = (): Set<number> => {
    const versions = appliedVersions.pluck().all() as number[];
    const unknown = versions.filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new StoreError(
        'newer-schema',
        `database ${path} has schema version ${Math.max(...unknown)}, newer than this ` +
          `Partyline knows (${newest}); it was written by a newer Partyline — upgrade ` +
          `Partyline or point it at another data directory`,
      );
    }
    return new Set(versions);
  };

  readApplied();
  const applied: number[] = [];
  for (const migration of ordered) {
    const ran = db
      .transaction((): boolean => {
        if (readApplied().has(migration.version)) return false;
        db.exec(migration.sql);
        record.run(migration.version, migration.name);
        return true;
      })
      .immediate();
    if (ran) {
      applied.push(migration.version);
      logger.info({ path, version: migration.version, name: migration.name }, 'store migrated');
    }
  }
  return applied;
}
