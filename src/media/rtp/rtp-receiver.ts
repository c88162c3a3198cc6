/**
 * The receiving half of an RTP stream: which remote source we are listening
 * to, and its RFC 3550 Appendix A statistics.
 *
 * SSRC changes (a peer restarting its stream, a B2BUA switching legs): a
 * packet from an unknown SSRC starts a candidate source on probation
 * (A.1, MIN_SEQUENTIAL); only when the candidate is validated does it replace
 * the current source, with fresh statistics. A single stray packet therefore
 * neither resets the statistics nor counts as a change.
 */
import type { RtpPacket } from './rtp-packet.js';
import { RtpSourceState, type SeqUpdate } from './rtp-source.js';

export interface ReceivedSenderReport {
  ssrc: number;
  /** Middle 32 bits of its NTP timestamp (what we echo as LSR). */
  compactNtp: number;
  arrivalMs: number;
}

export type RtpReceiveStatus = SeqUpdate;

export class RtpReceiver {
  private source: RtpSourceState | null = null;
  private candidate: RtpSourceState | null = null;
  private octets = 0;
  /** Number of times a validated new SSRC replaced the one we had. */
  ssrcChanges = 0;
  lastSenderReport: ReceivedSenderReport | null = null;

  constructor(private readonly clockRate: number) {}

  /** The validated source, if any. */
  get current(): RtpSourceState | null {
    return this.source;
  }

  /** Payload octets of valid packets from the current source. */
  get octetsReceived(): number {
    return this.octets;
  }

  /** Offers one parsed packet that arrived at `arrivalMs` (Clock milliseconds). */
  receive(packet: RtpPacket, arrivalMs: number): RtpReceiveStatus {
    let state = this.source;
    if (!state || state.ssrc !== packet.ssrc) {
      if (!this.candidate || this.candidate.ssrc !== packet.ssrc) {
        this.candidate = new RtpSourceState(packet.ssrc, packet.sequenceNumber);
      }
      state = this.candidate;
    }
    const status = state.updateSeq(packet.sequenceNumber);
    if (status !== 'valid') return status;
    if (state === this.candidate) this.promote(state);
    this.octets += packet.payload.length;
    state.recordArrival(packet.timestamp, (arrivalMs * this.clockRate) / 1000);
    return status;
  }

  private promote(state: RtpSourceState): void {
    if (this.source) this.ssrcChanges++;
    this.source = state;
    this.candidate = null;
    this.octets = 0;
    // LSR/DLSR refer to the old source's reports, which the new one never sent.
    if (this.lastSenderReport?.ssrc !== state.ssrc) this.lastSenderReport = null;
  }

  /** Remembers a sender report for LSR/DLSR (RFC 3550 §6.4.1). */
  noteSenderReport(report: ReceivedSenderReport): void {
    this.lastSenderReport = report;
  }

  /** Jitter in milliseconds (A.8 estimate scaled by the clock rate). */
  get jitterMs(): number {
    return this.source ? (this.source.jitterUnits * 1000) / this.clockRate : 0;
  }
}
