// The engine's whole public surface: what the domain (mpc/) calls to dial
// addresses into conferences, and the events it gets back. It never hands
// out SIP messages or RTP packets.
export {
  Engine,
  type EngineOptions,
  type EngineEvents,
  type EngineStats,
  type SipStats,
} from './engine.js';
export { Conference, type JoinOptions, type AudioOpener, type Audience } from './conference.js';
export { Leg, MEDIA_TIMEOUT } from './leg.js';
export { OutgoingLeg } from './outgoing-leg.js';
export { IncomingLeg } from './incoming-leg.js';
export { EngineError, type EngineErrorCode } from './errors.js';
export type {
  DialOptions,
  FailureCause,
  RemoteReason,
  LegDirection,
  LegEnd,
  LegEvents,
  LegFailure,
  LegMedia,
  LegState,
} from './types.js';
