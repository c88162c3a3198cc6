/**
 * The HTTP API layer: Plivo-compatible PHLO / Multi-Party Call routes and
 * Partyline's extensions, over the ApiService the server provides.
 */
export { buildApi, DEFAULT_BODY_LIMIT_BYTES, type BuildApiOptions } from './build.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { EventStreamOptions } from './event-stream.js';
export type { ConsoleAssets, ConsoleAsset } from './routes-console.js';
export { REQUEST_DURATION } from './metrics.js';
export { plivoTimestamp } from './time.js';
export { ServiceError } from './service.js';
export type {
  ApiService,
  CallDetailView,
  CallView,
  EventView,
  LiveCallView,
  LiveEventView,
  LiveUpdate,
  MemberAction,
  MemberView,
  NodeAction,
  NodeActionRequest,
  NodeView,
  PhloView,
  RecordingView,
  Role,
  RunResult,
  ServiceErrorKind,
} from './service.js';
