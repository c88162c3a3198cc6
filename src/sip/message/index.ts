// The whole public surface of the SIP message layer (RFC 3261 §7, §20, §25).
export { Headers, headerKey, splitTopLevelCommas, type HeaderEntry } from './headers.js';
export { SipRequest, SipResponse, type SipMessage } from './message.js';
export { SipParseError, isMaskedInternalError, parsedOr } from './errors.js';
export * from './types.js';
export {
  parseVia,
  formatVia,
  parseNameAddr,
  formatNameAddr,
  parseCSeq,
  formatCSeq,
} from './header-values.js';
export { parseUri, formatUri } from './uri.js';
export { parseMessage, type ParseResult } from './parser.js';
export { serializeMessage } from './serializer.js';
export { Stowed, type StowedLogger } from './stowed.js';
export { flatten, detach } from './strings.js';
export { splitParamsOutsideQuotes, unquoteLenient } from './lenient-params.js';
export { createResponse, generateBranch, generateTag, generateCallId } from './builders.js';
export {
  parseMediaType,
  splitMultipart,
  bodyLeaves,
  type MediaType,
  type BodyPart,
} from './multipart.js';
