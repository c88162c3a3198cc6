import Database from 'better-sqlite3';
import { StoreConflictError, StoreError } from '../types.js';

/**
 * Turns what better-sqlite3 throws into a StoreError whose message says
 * what was being done (`what`) and, for file trouble, names the database
 * path — so a log line is enough to find the broken file.
 */
export function storeError(err: unknown, what: string, path: string): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Database.SqliteError) {
    const code = err.code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new StoreConflictError(`${what}: the id exists`, { cause: err });
    }
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return new StoreError('constraint', `${what}: ${message}`, { cause: err });
    }
    if (
      code === 'SQLITE_NOTADB' ||
      code.startsWith('SQLITE_CORRUPT') ||
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_IOERR') ||
      code.startsWith('SQLITE_PERM') ||
      code.startsWith('SQLITE_AUTH') ||
      code.startsWith('SQLITE_READONLY')
    ) {
      return new StoreError('unreadable', `${what}: database ${path}: ${message} (${code})`, {
        cause: err,
      });
    }
    return new StoreError('failed', `${what}: database ${path}: ${message} (${code})`, {
      cause: err,
    });
  }
  // better-sqlite3 throws TypeError / RangeError for a value it cannot bind
  // (a missing field, an object where a string belongs): a bad row.
  if (err instanceof TypeError || err instanceof RangeError) {
    return new StoreError('constraint', `${what}: ${message}`, { cause: err });
  }
  return new StoreError('failed', `${what}: ${message}`, { cause: err });
}
