// The user agent (RFC 3261 §8, §12–§15, §22): the whole public surface of src/sip/ua.
export { UserAgent, type CallOptions, type UserAgentEvents } from './user-agent.js';
export { OutgoingCall } from './outgoing-call.js';
export { IncomingCall } from './incoming-call.js';
export { Session, RequestFailedError, type CallState } from './session.js';
export type { CallEvents } from './events.js';
export { causeOfStatus, type CallFailure, type FailureCause } from './causes.js';
export type { ReasonValue, RemoteReason } from './reason.js';
export { NAT_MODES, type NatMode, type PeerFlow } from './nat.js';
export type { RegistrationState, RegistrationStatus, RegistrationTiming } from './registration.js';
export {
  RoutingError,
  routeAddress,
  normalisePhoneNumber,
  selectTrunk,
  parseProxy,
  type Route,
} from './routing.js';
export type { TrunkConfig, InboundAuthConfig, UserAgentOptions } from './config.js';
