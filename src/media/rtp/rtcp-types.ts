/**
 * RTCP packet shapes (RFC 3550 §6.4–§6.6). A compound RTCP packet is a list
 * of these; types we do not interpret (APP, RTPFB, XR...) are kept as
 * `unknown` with their body so a compound packet still parses.
 */

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

/** SDES item types (RFC 3550 §6.5). */
export const SdesItemType = {
  END: 0,
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
} as const;

/** One reception report block (RFC 3550 §6.4.1). */
export interface ReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Fraction lost since the previous report, 8-bit fixed point (0..255 = 0..255/256). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit (negative when duplicates outnumber losses). */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | max seq). */
  highestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from that source, 0 if none. */
  lsr: number;
  /** Delay since that SR, in 1/65536 s, 0 if none. */
  dlsr: number;
}

export interface SenderReport {
  type: 'SR';
  ssrc: number;
  /** NTP timestamp, seconds since 1900 (RFC 3550 §4). */
  ntpSeconds: number;
  /** NTP timestamp, fraction of a second in 1/2^32. */
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}

export interface ReceiverReport {
  type: 'RR';
  ssrc: number;
  reports: ReportBlock[];
}

export interface SdesItem {
  type: number;
  value: string;
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

export interface SourceDescription {
  type: 'SDES';
  chunks: SdesChunk[];
}

export interface Goodbye {
  type: 'BYE';
  ssrcs: number[];
  reason?: string;
}

/** Any other RTCP packet type (APP, feedback, XR...): kept, not interpreted. */
export interface UnknownRtcp {
  type: 'unknown';
  packetType: number;
  /** The 5-bit count/subtype field. */
  count: number;
  /** Body after the 4-byte header, padding excluded (a view into the packet). */
  body: Buffer;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | UnknownRtcp;
