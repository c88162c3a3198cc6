import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SqliteStore } from './sqlite/index.js';
import { StoreError, type Store } from './types.js';

export interface OpenStoreOptions {
  /** Created (with parents) when missing; the database is `<dataDir>/partyline.db`. */
  dataDir: string;
  logger?: Logger;
}

/** The file name of the embedded database inside the data directory. */
export const DATABASE_FILE = 'partyline.db';

/** Opens (and migrates) the server's store. Resolves once it is ready for use. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  try {
    await mkdir(options.dataDir, { recursive: true });
  } catch (err) {
    throw new StoreError(
      'unreadable',
      `cannot create data directory ${options.dataDir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const store = new SqliteStore({
    path: join(options.dataDir, DATABASE_FILE),
    logger: options.logger,
  });
  await store.open();
  return store;
}
