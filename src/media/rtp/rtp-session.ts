/**
 * One RTP stream with its RTCP bookkeeping (RFC 3550), without sockets: the
 * socket owner feeds received datagrams in, sends what it gets back, and
 * schedules reports with `rtcpIntervalMs`.
 *
 * Time comes from the injected Clock (arrival times for jitter, DLSR). NTP
 * timestamps are that same clock plus a fixed offset to Unix time sampled
 * once, so they never step backwards when the wall clock is adjusted, which
 * would corrupt round-trip times computed from LSR/DLSR (§6.4.1).
 */
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { compactNtpToMs, msToCompactNtp, ntpFromUnixMs, ntpMiddle32 } from './ntp.js';
import { parseRtcp } from './rtcp-parse.js';
import { serializeRtcp } from './rtcp-serialize.js';
import { SdesItemType, type ReportBlock, type RtcpPacket } from './rtcp-types.js';
import type { RtpPacket } from './rtp-packet.js';
import { RtpReceiver, type RtpReceiveStatus } from './rtp-receiver.js';
import { RtpSender } from './rtp-sender.js';

export interface RtpSessionOptions {
  clock: Clock;
  /** Canonical name sent in every compound RTCP packet (RFC 3550 §6.5.1). */
  cname: string;
  /** Media clock rate, Hz (8000 for G.711 and telephone-event). */
  clockRate?: number;
  /** Our SSRC; random by default. */
  ssrc?: number;
  /** Source of random 32-bit values for SSRC, initial sequence number and timestamp. */
  randomUint32?: () => number;
  /** Unix time minus clock.now(), in ms; sampled from the system at construction by default. */
  wallClockOffsetMs?: number;
  logger?: Logger;
}

export interface RtpSessionStats {
  ssrc: number;
  packetsSent: number;
  /** Payload octets sent. */
  bytesSent: number;
  /** SSRC of the validated remote source, null before one is validated. */
  remoteSsrc: number | null;
  /** Valid packets from the current remote source (RFC 3550 A.1 count, duplicates included). */
  packetsReceived: number;
  /** Payload octets received from the current remote source. */
  bytesReceived: number;
  packetsExpected: number;
  /** Cumulative lost (A.3), may be negative when duplicates outnumber losses. */
  packetsLost: number;
  /** Loss since the last report, 0..1. */
  fractionLost: number;
  /** Interarrival jitter (A.8), milliseconds. */
  jitterMs: number;
  ssrcChanges: number;
  /** Last round-trip time computed from a report block about us (§6.4.1), null if none yet. */
  roundTripMs: number | null;
  /** What the peer last reported about our stream, null before its first report block. */
  remote: { fractionLost: number; packetsLost: number; jitterMs: number } | null;
  /** True once the remote source sent an RTCP BYE. */
  byeReceived: boolean;
}

function cryptoUint32(): number {
  return randomBytes(4).readUInt32BE(0);
}

export class RtpSession {
  private readonly clock: Clock;
  private readonly clockRate: number;
  private readonly cname: string;
  private readonly wallClockOffsetMs: number;
  private readonly logger: Logger;
  private readonly sender: RtpSender;
  private readonly receiver: RtpReceiver;
  /** Packets sent in the current / previous report interval (decides SR vs RR, §6.4). */
  private sentAtLastReport = 0;
  private sentBeforeLastReport = 0;
  private roundTripMs: number | null = null;
  private remote: RtpSessionStats['remote'] = null;
  private byeReceived = false;

  constructor(opts: RtpSessionOptions) {
    this.clock = opts.clock;
    this.clockRate = opts.clockRate ?? 8000;
    this.cname = opts.cname;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    const random = opts.randomUint32 ?? cryptoUint32;
    this.wallClockOffsetMs = opts.wallClockOffsetMs ?? Date.now() - opts.clock.now();
    this.sender = new RtpSender((opts.ssrc ?? random()) >>> 0, random);
    this.receiver = new RtpReceiver(this.clockRate);
  }

  get ssrc(): number {
    return this.sender.ssrc;
  }

  get nextSequenceNumber(): number {
    return this.sender.nextSequenceNumber;
  }

  get nextTimestamp(): number {
    return this.sender.nextTimestamp;
  }

  // ---- sending ------------------------------------------------------------

  /**
   * The next media packet, ready to send: running timestamp, then advanced
   * by `samples`. The marker bit defaults to the start of a talkspurt (first
   * packet, or first after `advanceTimestamp`), RFC 3551 §4.1.
   */
  nextPacket(payload: Uint8Array, payloadType: number, samples: number, marker?: boolean): Buffer {
    return this.sender.nextPacket(payload, payloadType, samples, marker, this.clock.now());
  }

  /** A packet with an explicit timestamp (RFC 4733 events); the media timestamp does not move. */
  nextPacketAt(
    payload: Uint8Array,
    payloadType: number,
    timestamp: number,
    marker: boolean,
  ): Buffer {
    return this.sender.nextPacketAt(payload, payloadType, timestamp, marker);
  }

  /** Lets media time pass without sending (silence, or an event's duration). */
  advanceTimestamp(samples: number): void {
    this.sender.advanceTimestamp(samples);
  }

  // ---- receiving ----------------------------------------------------------

  /**
   * Offers a parsed RTP packet. Only `valid` packets should be played;
   * `probation` ones come from a source not yet validated (A.1), and
   * `bad-sequence` ones from a jump not yet confirmed.
   */
  receive(packet: RtpPacket, arrivalMs: number = this.clock.now()): RtpReceiveStatus {
    const before = this.receiver.current;
    const status = this.receiver.receive(packet, arrivalMs);
    const after = this.receiver.current;
    if (after !== before && after) {
      this.logger.debug(
        { ssrc: after.ssrc, previous: before?.ssrc },
        'rtp: remote source validated',
      );
    }
    return status;
  }

  /**
   * Takes an RTCP datagram from the peer: remembers its SR for LSR/DLSR,
   * computes round-trip time from report blocks about us, notes BYE.
   * Returns the parsed packets, or null (and changes nothing) if malformed.
   */
  receiveRtcp(buf: Buffer, arrivalMs: number = this.clock.now()): RtcpPacket[] | null {
    const packets = parseRtcp(buf);
    if (!packets) {
      this.logger.debug({ bytes: buf.length }, 'rtcp: malformed datagram dropped');
      return null;
    }
    for (const p of packets) {
      if (p.type === 'SR' || p.type === 'RR') {
        if (p.ssrc === this.ssrc) continue;
        if (p.type === 'SR') {
          this.receiver.noteSenderReport({
            ssrc: p.ssrc,
            compactNtp: ntpMiddle32({ seconds: p.ntpSeconds, fraction: p.ntpFraction }),
            arrivalMs,
          });
        }
        for (const block of p.reports)
          if (block.ssrc === this.ssrc) this.noteReportAboutUs(block, arrivalMs);
      } else if (p.type === 'BYE') {
        const remote = this.receiver.current?.ssrc;
        if (remote !== undefined && p.ssrcs.includes(remote)) this.byeReceived = true;
      }
    }
    return packets;
  }

  private noteReportAboutUs(block: ReportBlock, arrivalMs: number): void {
    this.remote = {
      fractionLost: block.fractionLost / 256,
      packetsLost: block.cumulativeLost,
      jitterMs: (block.jitter * 1000) / this.clockRate,
    };
    // §6.4.1: RTT = A - LSR - DLSR, all in 1/65536 s; no SR echoed yet → LSR = 0.
    if (block.lsr === 0) return;
    const a = ntpMiddle32(ntpFromUnixMs(arrivalMs + this.wallClockOffsetMs));
    const rtt = (a - block.lsr - block.dlsr) | 0;
    if (rtt >= 0) this.roundTripMs = compactNtpToMs(rtt);
  }

  // ---- reports ------------------------------------------------------------

  /**
   * The compound RTCP packet to send now (RFC 3550 §6.1): an SR if we sent
   * media since the report before last (§6.4), otherwise an RR; a report
   * block for the remote source if it sent since the last report; then SDES
   * CNAME. Closes the loss interval.
   */
  buildReport(nowMs: number = this.clock.now()): Buffer {
    return serializeRtcp(this.reportPackets(nowMs));
  }

  /** A compound packet ending with BYE (§6.6), for when the stream stops. */
  buildBye(reason?: string, nowMs: number = this.clock.now()): Buffer {
    const bye: RtcpPacket = { type: 'BYE', ssrcs: [this.ssrc] };
    if (reason !== undefined) bye.reason = reason;
    return serializeRtcp([...this.reportPackets(nowMs), bye]);
  }

  private reportPackets(nowMs: number): RtcpPacket[] {
    const sent = this.sender.packetsSent;
    const isSender = sent > this.sentBeforeLastReport;
    this.sentBeforeLastReport = this.sentAtLastReport;
    this.sentAtLastReport = sent;

    const reports: ReportBlock[] = [];
    const source = this.receiver.current;
    if (source && source.receivedInInterval > 0) {
      const loss = source.closeInterval();
      const sr = this.receiver.lastSenderReport;
      const fromSource = sr !== null && sr.ssrc === source.ssrc;
      reports.push({
        ssrc: source.ssrc,
        fractionLost: loss.fractionLost8,
        cumulativeLost: loss.cumulativeLost,
        highestSeq: loss.extendedMax,
        jitter: Math.round(source.jitterUnits),
        lsr: fromSource ? sr.compactNtp : 0,
        dlsr: fromSource ? msToCompactNtp(nowMs - sr.arrivalMs) : 0,
      });
    }

    const packets: RtcpPacket[] = [];
    if (isSender) {
      const ntp = ntpFromUnixMs(nowMs + this.wallClockOffsetMs);
      packets.push({
        type: 'SR',
        ssrc: this.ssrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: this.sender.timestampAt(nowMs, this.clockRate),
        packetCount: this.sender.packetsSent >>> 0,
        octetCount: this.sender.octetsSent >>> 0,
        reports,
      });
    } else {
      packets.push({ type: 'RR', ssrc: this.ssrc, reports });
    }
    packets.push({
      type: 'SDES',
      chunks: [{ ssrc: this.ssrc, items: [{ type: SdesItemType.CNAME, value: this.cname }] }],
    });
    return packets;
  }

  stats(): RtpSessionStats {
    const source = this.receiver.current;
    const loss = source?.snapshot();
    return {
      ssrc: this.ssrc,
      packetsSent: this.sender.packetsSent,
      bytesSent: this.sender.octetsSent,
      remoteSsrc: source?.ssrc ?? null,
      packetsReceived: loss?.received ?? 0,
      bytesReceived: this.receiver.octetsReceived,
      packetsExpected: loss?.expected ?? 0,
      packetsLost: loss ? loss.expected - loss.received : 0,
      fractionLost: loss?.fractionLost ?? 0,
      jitterMs: this.receiver.jitterMs,
      ssrcChanges: this.receiver.ssrcChanges,
      roundTripMs: this.roundTripMs,
      remote: this.remote,
      byeReceived: this.byeReceived,
    };
  }
}
