/**
 * Signed event callbacks from a durable outbox (DESIGN.md §2, issue 9 §4):
 * what the domain adds to a ChangeSet (callbackDeliveries), the dispatcher
 * the server runs, and what a receiver verifies with
 * (verifyCallbackSignature). README.md documents the wire format.
 */
export {
  CallbackDispatcher,
  type CallbackDispatcherEvents,
  type CallbackDispatcherOptions,
  type CallbackDispatcherStats,
  type CallbackStore,
  type DeliveryOutcome,
} from './dispatcher.js';
export {
  callbackDeliveries,
  callbackMember,
  callbackPayload,
  type CallbackDeliveriesInput,
  type CallbackMember,
  type CallbackPayload,
} from './body.js';
export {
  CALLBACK_HEADERS,
  signCallback,
  verifyCallbackSignature,
  type CallbackSignatureInput,
  type SignedCallback,
  type VerifyCallbackOptions,
} from './signature.js';
export { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff.js';
export { MAX_CALLBACK_URL_LENGTH, callbackUrlProblem, parseCallbackUrl } from './url.js';
export { plivoTime } from './time.js';
