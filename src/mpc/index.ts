// The multi-party call domain's whole public surface: the service the
// server drives, its errors, and what it needs of the engine.
export {
  MpcService,
  type MpcServiceOptions,
  type RunRequest,
  type IncomingRequest,
  type CallRequest,
  type TransferRequest,
  type MemberActionRequest,
  type MpcStats,
} from './mpc-service.js';
export { MpcError, type MpcErrorKind } from './errors.js';
export {
  CallFeed,
  type CallChange,
  type CallFeedUpdate,
  type FeedEvent,
  type TalkingChange,
} from './call-feed.js';
export type {
  Audience,
  CallEngine,
  ConferenceHandle,
  IncomingLegHandle,
  LegHandle,
} from './ports.js';
export type {
  NodeSettings,
  MpcObserver,
  MemberActionName,
  MemberRole,
  SupervisorMode,
} from './types.js';
export { isoNow, type WallClock } from './time.js';
