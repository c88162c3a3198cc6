/**
 * @partyline/client — a typed client for Partyline's PHLO Multi-Party Call
 * API (wire-compatible with Plivo's), for Node 20+ and browsers, with no
 * runtime dependencies.
 */
export { PhloClient, type PhloClientOptions } from './client.js';
export {
  Phlo,
  PhloHandle,
  type DeleteResult,
  type PhloAccessor,
  type PhloDocument,
  type RunPayload,
  type RunResult,
} from './phlo.js';
export {
  MultiPartyCall,
  type ListCallsOptions,
  type MultiPartyCallAccessor,
  type MultiPartyCallNode,
  type NodeActionName,
} from './multi-party-call.js';
export { CallMemberHandle, Member, type MemberActionName } from './member.js';
export type {
  ActionResult,
  Call,
  CallDetail,
  CallEvent,
  CallMember,
  CallState,
  MemberState,
  Role,
} from './calls.js';
export { pollCallEvents, type CallEventsOptions } from './events.js';
export {
  ApiError,
  AuthenticationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PartylineError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './errors.js';
export type { RetryOptions } from './retry.js';
export {
  CALLBACK_HEADERS,
  verifyCallbackSignature,
  type VerifyCallbackOptions,
} from './signature.js';
