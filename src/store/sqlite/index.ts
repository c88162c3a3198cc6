export { SqliteStore, type SqliteSettings, type SqliteStoreOptions } from './sqlite-store.js';
export { SCHEMA_VERSION as SQLITE_SCHEMA_VERSION } from './migrations.js';
