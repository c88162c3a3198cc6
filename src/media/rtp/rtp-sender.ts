/**
 * The sending half of an RTP stream (RFC 3550 §5.1): random SSRC, random
 * initial sequence number and timestamp (§5.1: unpredictable, against
 * known-plaintext attacks on encrypted streams), a timestamp that advances by
 * the samples in each packet, and the marker bit on the first packet of a
 * talkspurt (RFC 3551 §4.1).
 */
import { serializeRtp } from './rtp-packet.js';

export class RtpSender {
  private seq: number;
  private ts: number;
  private pendingMarker = true;
  /** Clock time and RTP timestamp of the last media packet: the anchor for SR timestamps (§6.4.1). */
  private anchorMs: number | null = null;
  private anchorTs = 0;

  packetsSent = 0;
  /** Payload octets sent (the SR sender's octet count, §6.4.1). */
  octetsSent = 0;

  constructor(
    readonly ssrc: number,
    randomUint32: () => number,
  ) {
    this.seq = randomUint32() & 0xffff;
    this.ts = randomUint32() >>> 0;
  }

  /** Sequence number the next packet will carry. */
  get nextSequenceNumber(): number {
    return this.seq;
  }

  /** Timestamp the next media packet will carry. */
  get nextTimestamp(): number {
    return this.ts;
  }

  /** True once any packet has been sent. */
  get hasSent(): boolean {
    return this.packetsSent > 0;
  }

  /**
   * Builds the next media packet stamped with the running timestamp, then
   * advances the timestamp by `samples`. `marker` defaults to "first packet
   * of a talkspurt": the first packet of the stream, or the first one after
   * `advanceTimestamp` skipped time without sending.
   */
  nextPacket(
    payload: Uint8Array,
    payloadType: number,
    samples: number,
    marker: boolean | undefined,
    nowMs: number,
  ): Buffer {
    const ts = this.ts;
    const buf = this.build(payload, payloadType, ts, marker ?? this.pendingMarker);
    this.pendingMarker = false;
    this.anchorMs = nowMs;
    this.anchorTs = ts;
    this.ts = (ts + samples) >>> 0;
    return buf;
  }

  /**
   * Builds a packet with an explicit timestamp, leaving the running media
   * timestamp alone: every packet of an RFC 4733 event carries the event's
   * start timestamp (RFC 4733 §2.5.1.2) while the media clock keeps running.
   */
  nextPacketAt(
    payload: Uint8Array,
    payloadType: number,
    timestamp: number,
    marker: boolean,
  ): Buffer {
    return this.build(payload, payloadType, timestamp >>> 0, marker);
  }

  /**
   * Moves the media timestamp forward without sending (silence, or time
   * spent sending an event); the next media packet starts a talkspurt.
   */
  advanceTimestamp(samples: number): void {
    this.ts = (this.ts + samples) >>> 0;
    this.pendingMarker = true;
  }

  /**
   * The RTP timestamp corresponding to `nowMs`, extrapolated from the last
   * media packet at `clockRate` (§6.4.1: the SR timestamp is "not equal to
   * the RTP timestamp in any adjacent data packet" but derived from it).
   */
  timestampAt(nowMs: number, clockRate: number): number {
    if (this.anchorMs === null) return this.ts;
    return (this.anchorTs + Math.round(((nowMs - this.anchorMs) * clockRate) / 1000)) >>> 0;
  }

  private build(
    payload: Uint8Array,
    payloadType: number,
    timestamp: number,
    marker: boolean,
  ): Buffer {
    const buf = serializeRtp({
      marker,
      payloadType,
      sequenceNumber: this.seq,
      timestamp,
      ssrc: this.ssrc,
      payload,
    });
    this.seq = (this.seq + 1) & 0xffff;
    this.packetsSent++;
    this.octetsSent += payload.length;
    return buf;
  }
}
