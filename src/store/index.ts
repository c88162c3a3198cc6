/** The store layer's whole public surface (DESIGN.md §4, §5). */
export type {
  AccountRecord,
  CallListOptions,
  CallRecord,
  CallState,
  ChangeSet,
  DeliveryFailure,
  DeliveryGiveUp,
  DeliveryRecord,
  DueDelivery,
  DueDeliveryQuery,
  EventRecord,
  MemberRecord,
  MemberRole,
  MemberState,
  NewDelivery,
  PhloRecord,
  RequestRecord,
  RunRecord,
  Store,
  StoreErrorKind,
} from './types.js';
export { StoreConflictError, StoreError } from './types.js';
export {
  SQLITE_SCHEMA_VERSION,
  SqliteStore,
  type SqliteSettings,
  type SqliteStoreOptions,
} from './sqlite/index.js';
export { DATABASE_FILE, openStore, type OpenStoreOptions } from './open-store.js';
