// The dialog layer (RFC 3261 §12), its offer/answer state (RFC 3264) and session timers (RFC 4028).
export { Dialog, dialogKey, type DialogInit, type DialogState } from './dialog.js';
export { OfferAnswer, OfferAnswerError, type OfferAnswerState } from './offer-answer.js';
export {
  DEFAULT_SESSION_EXPIRES_S,
  MIN_SE_FLOOR_S,
  TIMER_TAG,
  grantSessionTimer,
  hasOptionTag,
  minSeOf,
  offerSessionTimer,
  parseMinSe,
  parseSessionExpires,
  uacSessionTimer,
  uasSessionTimer,
  type Refresher,
  type SessionExpiresValue,
  type SessionInterval,
  type SessionTimerPolicy,
  type UasTimerDecision,
} from './session-expires.js';
