// The whole public surface of SDP offer/answer (RFC 4566, RFC 3264) for one audio stream.
export { SdpError, isSdpError, type SdpErrorCode } from './errors.js';
export type {
  AddressType,
  AnswerOptions,
  Direction,
  NegotiatedMedia,
  OfferOptions,
  ParsedSdp,
  SdpConnection,
  SdpMedia,
  SdpOrigin,
  SdpRtpMap,
} from './types.js';
export { parseSdp, MAX_SDP_BYTES } from './parse.js';
export { createOffer, holdOffer, unholdOffer, reoffer } from './offer.js';
export { negotiateAnswer, readAnswer, type AnswerResult } from './answer.js';
export { reanswer } from './reanswer.js';
export {
  answerDirection,
  directionFlags,
  holdDirection,
  reverseDirection,
  type DirectionFlags,
} from './direction.js';
export {
  TELEPHONE_EVENT_PT,
  DTMF_EVENTS,
  DEFAULT_PTIME,
  MIN_PTIME,
  MAX_PTIME,
} from './constants.js';
