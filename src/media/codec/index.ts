// The whole public surface of the G.711 codecs (ITU-T G.711, RFC 3551 §4.5.14).
export { encodeMulaw, decodeMulaw, encodeMulawSample, decodeMulawSample } from './g711-mulaw.js';
export { encodeAlaw, decodeAlaw, encodeAlawSample, decodeAlawSample } from './g711-alaw.js';
export {
  PCMU,
  PCMA,
  codecByName,
  codecByPayloadType,
  type Codec,
  type CodecName,
} from './codec.js';
