/**
 * The typed view of a session description (RFC 4566) that the rest of the
 * media engine works with, and the result of an offer/answer exchange
 * (RFC 3264). Nothing here knows about SIP.
 */
import type { Codec, CodecName } from '../codec/index.js';

/** RFC 3264 §5.1 / RFC 4566 §6 direction attributes. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** RFC 4566 §5.7 address types we accept. */
export type AddressType = 'IP4' | 'IP6';

/** A `c=IN IP4|IP6 <unicast literal>` line. */
export interface SdpConnection {
  addressType: AddressType;
  address: string;
}

/** The `o=` line (RFC 4566 §5.2). Id and version are kept as decimal strings: they may exceed 2^53. */
export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  addressType: string;
  address: string;
}

/** One `a=rtpmap` (RFC 4566 §6), or the implied mapping of a static payload type (RFC 3551 Table 4). */
export interface SdpRtpMap {
  payloadType: number;
  encodingName: string;
  clockRate: number;
  channels: number;
}

export interface SdpMedia {
  /** 0-based position among the m-lines (RFC 3264 §6 pairs answer and offer m-lines by position). */
  index: number;
  /** `audio`, `video`, `application`, ... */
  type: string;
  /** 0 means the stream is rejected or disabled (RFC 3264 §5.1, §6). */
  port: number;
  protocol: string;
  /** The format list of the m-line, in the sender's order of preference. */
  formats: string[];
  /** RTP payload types among `formats` (for RTP protocols), same order. */
  payloadTypes: number[];
  /** Mappings for the payload types: explicit rtpmaps, plus static ones (0 PCMU, 8 PCMA) when not given. */
  rtpmaps: SdpRtpMap[];
  /** `a=fmtp` parameters by payload type. */
  fmtp: Map<number, string>;
  /** Effective connection: media-level c=, else session-level c=, else null. */
  connection: SdpConnection | null;
  /** Effective direction: media-level attribute, else session-level, else sendrecv (RFC 3264 §5.1). */
  direction: Direction;
  ptime: number | null;
  maxptime: number | null;
  /** `a=rtcp` (RFC 3605), null when absent (RTCP then goes to port + 1, RFC 3550 §11). */
  rtcp: { port: number; connection: SdpConnection | null } | null;
  /** `a=rtcp-mux` (RFC 5761). */
  rtcpMux: boolean;
}

export interface ParsedSdp {
  origin: SdpOrigin;
  sessionName: string;
  /** Session-level c=, null when absent. */
  connection: SdpConnection | null;
  /** Session-level direction attribute, null when absent. */
  direction: Direction | null;
  media: SdpMedia[];
}

/** What we put in an offer. */
export interface OfferOptions {
  /** Our RTP address (an IP literal), written in o= and c=. */
  address: string;
  /** Our RTP port (RTCP is port + 1). */
  port: number;
  /** Codecs to offer, most preferred first. */
  codecs: CodecName[];
  /** Offer RFC 4733 telephone-event (payload type 101, events 0-15). */
  telephoneEvent: boolean;
  /** Packet time we want to receive, ms (a=ptime); default 20. */
  ptime?: number;
  direction?: Direction;
  /** o= session id (digits); random by default. */
  sessionId?: string | number;
  /** o= session version (digits); default 1. */
  sessionVersion?: string | number;
}

/** What we answer with. */
export interface AnswerOptions {
  address: string;
  port: number;
  /** Codecs we accept; the offerer's order decides among them (RFC 3264 §6.1). */
  codecs: CodecName[];
  telephoneEvent: boolean;
  /** Our own wish (e.g. sendonly while we hold the peer); the answer is this ∩ the reverse of the offer. */
  direction?: Direction;
  /** Packet time when the offer has no a=ptime, ms; default 20. */
  ptime?: number;
  sessionId?: string | number;
  sessionVersion?: string | number;
}

/** The outcome of offer/answer for the one audio stream we run. */
export interface NegotiatedMedia {
  /** Where to send RTP. */
  remoteAddress: string;
  remotePort: number;
  /** Where to send RTCP: a=rtcp port, the RTP port under rtcp-mux, else RTP port + 1. */
  remoteRtcpPort: number;
  codec: Codec;
  /** Payload type number to send the codec with (the number the peer's SDP expects). */
  payloadType: number;
  /** Payload type of RFC 4733 telephone-event (8000 Hz), null when not negotiated. */
  telephoneEventPt: number | null;
  /**
   * The audio formats the peer may send us, by payload number: those our
   * own SDP listed (RFC 3264 §5.1: an offerer must be ready to receive any
   * of them, at any time), with `payloadType` first. Absent: only
   * `payloadType` is decoded.
   */
  receiveCodecs?: readonly { payloadType: number; codec: Codec }[];
  /**
   * The telephone-event payload number the peer sends us with: the one our
   * own SDP listed (it may differ from `telephoneEventPt`, the answerer's
   * number, RFC 3264 §6.1). Absent: `telephoneEventPt`.
   */
  receiveTelephoneEventPt?: number | null;
  /** Packet time we send with, ms. */
  ptime: number;
  /** Our direction: whether we send and whether we expect to receive. */
  direction: Direction;
  /** The peer's direction as it signalled it (c=0.0.0.0 taken as "does not receive", RFC 3264 §8.4). */
  remoteDirection: Direction;
}
