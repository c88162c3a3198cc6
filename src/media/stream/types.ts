/**
 * What the rest of the engine sees of an RTP stream: its statistics and its
 * events. (Its readFrame/writeFrame pair is the mixer's MixerPort, which the
 * mixer declares; TypeScript matches the two structurally.)
 */
import type { CodecName } from '../codec/index.js';
import type { RtcpPacket, RtpSessionStats } from '../rtp/index.js';
import type { Direction } from '../sdp/index.js';

export interface RtpStreamStats {
  localPort: number;
  /** The negotiated codec we send and expect ('PCMU' / 'PCMA'); null before start. */
  codec: CodecName | null;
  /** The packet time we send with, ms (the peer's a=ptime, RFC 4566 §6); null before start. */
  ptime: number | null;
  /**
   * Our direction as negotiated (RFC 3264 §6.1): recvonly while the peer
   * holds us (we send nothing), sendonly while we hold it (we play nothing),
   * inactive for neither; null before start.
   */
  direction: Direction | null;
  ssrc: number;
  remoteSsrc: number | null;
  /** RTP packets sent (audio and telephone-event). */
  packetsSent: number;
  /** Payload octets sent. */
  bytesSent: number;
  /** Valid RTP packets from the current remote source (RFC 3550 A.1). */
  packetsReceived: number;
  bytesReceived: number;
  packetsExpected: number;
  /** Cumulative loss (RFC 3550 A.3): expected − received. */
  packetsLost: number;
  /** Loss fraction of the last RTCP interval, 0..1. */
  fractionLost: number;
  /** Interarrival jitter (RFC 3550 A.8), ms. */
  jitterMs: number;
  /** Every datagram that reached the RTP or RTCP socket, accepted or not. */
  datagramsReceived: number;
  /** Packets that arrived after their playout time (dropped by the jitter buffer). */
  late: number;
  /**
   * Packets the jitter buffer never got in time: their playout time passed
   * without them (concealed), and they did not turn up later (those are
   * `late`). Counted on the receiving side, unlike `packetsLost` (RFC 3550
   * A.3, expected − received), which counts only what never arrived.
   */
  lost: number;
  /**
   * Packets received in time but dropped unplayed to bound latency: a burst
   * beyond the jitter buffer's maximum delay or reorder window, or a stale
   * backlog cut back to the target delay (a leg read again after a pause,
   * e.g. early media before the answer).
   */
  discarded: number;
  /** Received audio buffered now, waiting to be played, ms (jitter buffer and decoded samples). */
  depthMs: number;
  /** Datagrams from an address or port other than the peer's (or before start): dropped. */
  dropped: number;
  /** Datagrams that are not valid RTP/RTCP, or audio payloads of impossible size: dropped. */
  malformed: number;
  /** RTP packets with a payload type that was not negotiated: dropped. */
  unknownPayload: number;
  /** RFC 3389 comfort-noise packets received (their sequence numbers are not lost audio). */
  comfortNoise: number;
  /** Packets of other payload types playout passed over (telephone-event, comfort noise, unknown). */
  nonAudio: number;
  /** Quiet frames dropped to give back delay a network stall had added. */
  quietDropped: number;
  /** Talkspurts (RTP marker bit) playout re-synced to. */
  talkspurts: number;
  /** Frames played from received audio. */
  played: number;
  /** Ticks filled by loss concealment. */
  concealed: number;
  dtmfSent: number;
  dtmfReceived: number;
  rtcpSent: number;
  rtcpReceived: number;
  /** Report blocks about our stream received in SR/RR packets. */
  reportsReceived: number;
  roundTripMs: number | null;
  /** What the peer last reported about our stream. */
  remote: RtpSessionStats['remote'];
  byeReceived: boolean;
  ssrcChanges: number;
  /** Sends the OS refused (unreachable network...). */
  sendErrors: number;
  /** Latch mode only: whether the peer's source has been latched. */
  latched: boolean;
}

export interface DtmfEvent {
  digit: string;
  durationMs: number;
}

export type RtpStreamCloseReason = 'closed' | 'socket-error';

export interface RtpStreamEvents {
  /** A key press received as RFC 4733 events, once per press. */
  dtmf: [DtmfEvent];
  /** The peer's validated SSRC changed (RFC 3550 §8.2: restart, B2BUA switching legs). */
  'ssrc-change': [{ previous: number; current: number }];
  /** A valid compound RTCP packet from the peer. */
  rtcp: [RtcpPacket[]];
  /**
   * No RTP nor RTCP for the inactivity timeout (`held`: the hold timeout,
   * while either side holds): the leg is likely dead.
   */
  timeout: [{ silentMs: number; held: boolean }];
  /** The stream closed (by close(), or because a socket failed). */
  close: [{ reason: RtpStreamCloseReason }];
}
