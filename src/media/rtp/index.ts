// The whole public surface of RTP/RTCP (RFC 3550): packets, compound RTCP, and per-stream sessions.
export {
  parseRtp,
  serializeRtp,
  rtpPacketSize,
  RTP_HEADER_SIZE,
  type RtpPacket,
  type RtpPacketInit,
  type RtpHeaderExtension,
} from './rtp-packet.js';
export { parseRtcp, isRtcp } from './rtcp-parse.js';
export { serializeRtcp } from './rtcp-serialize.js';
export {
  RTCP_SR,
  RTCP_RR,
  RTCP_SDES,
  RTCP_BYE,
  RTCP_APP,
  SdesItemType,
  type RtcpPacket,
  type SenderReport,
  type ReceiverReport,
  type ReportBlock,
  type SourceDescription,
  type SdesChunk,
  type SdesItem,
  type Goodbye,
  type UnknownRtcp,
} from './rtcp-types.js';
export { ntpFromUnixMs, ntpMiddle32, type NtpTimestamp } from './ntp.js';
export { MAX_DROPOUT, MAX_MISORDER, MIN_SEQUENTIAL } from './rtp-source.js';
export { type RtpReceiveStatus } from './rtp-receiver.js';
export { RtpSession, type RtpSessionOptions, type RtpSessionStats } from './rtp-session.js';
export {
  rtcpIntervalMs,
  RTCP_BASE_INTERVAL_MS,
  type RtcpIntervalOptions,
} from './rtcp-interval.js';
