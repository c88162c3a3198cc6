/**
 * One call leg's audio over RTP/RTCP (RFC 3550) on a port pair from the
 * pool: G.711 out of and into the mixer's 20 ms frames, RFC 4733 DTMF both
 * ways, RTCP reports, and the source checks that keep strangers out.
 *
 * Lifecycle (explicit states): open (ports bound, nothing signalled: every
 * datagram is dropped) → started (media negotiated; update() follows
 * re-INVITEs) → closed (RTCP BYE sent, ports back in the pool).
 *
 * Direction (RFC 3264 §5.1, §8.4) is ours, from NegotiatedMedia: without
 * "send" (we are held or hold: recvonly/inactive) nothing is sent but RTCP;
 * without "recv" (sendonly/inactive) received audio is ignored. RTCP is
 * sent in every direction (§5.1: "RTCP is still sent"), and expected too:
 * a peer that sends neither RTP nor RTCP for the inactivity timeout — the
 * longer hold timeout while either side holds — is reported ('timeout'). An old-style hold to c=0.0.0.0 (§8.4) stops RTP and RTCP to
 * the peer but keeps accepting its packets from where it sent before.
 *
 * Timers (RTCP, DTMF pacing, timeout) run on the injected Clock; readFrame's
 * `nowMs` must be on that same clock.
 */
import type { Socket, RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../clock/index.js';
import { DtmfReceiver, type DtmfPacket } from '../dtmf/index.js';
import {
  isRtcp,
  parseRtp,
  rtcpIntervalMs,
  RtpSession,
  RTCP_BASE_INTERVAL_MS,
} from '../rtp/index.js';
import type { Codec } from '../codec/index.js';
import { directionFlags, type NegotiatedMedia } from '../sdp/index.js';
import { DtmfOutbound } from './dtmf-outbound.js';
import { LivenessWatch } from './liveness.js';
import { Packetizer } from './packetizer.js';
import { Playout, type PlayoutJitterOptions } from './playout.js';
import type { PortPool } from './port-pool.js';
import { SourceFilter, type Endpoint } from './source-filter.js';
import type { RtpStreamEvents, RtpStreamStats, RtpStreamCloseReason } from './types.js';

export interface RtpStreamOptions {
  pool: PortPool;
  /** IP literal to bind the RTP/RTCP sockets on (the address our SDP advertises, or a wildcard). */
  localAddress: string;
  clock?: Clock;
  logger?: Logger;
  /** Jitter buffer tuning (targetDelayMs default 40). */
  jitter?: PlayoutJitterOptions;
  /**
   * No RTP nor RTCP from the peer for this long while media flows both ways
   * (sendrecv) → 'timeout'; default 30 000 ms, 0 = never.
   */
  inactivityTimeoutMs?: number;
  /**
   * The same while either side holds (any other direction: the peer then
   * sends RTCP only, RFC 3264 §5.1); default 600 000 ms, 0 = never.
   */
  holdTimeoutMs?: number;
  /** RTCP CNAME (RFC 3550 §6.5.1); default partyline@<localAddress>. */
  cname?: string;
  /** Base RTCP interval, ms (RFC 3550 §6.2); default 5000. */
  rtcpIntervalMs?: number;
  /** Uniform [0, 1) source for RTCP interval randomisation; default Math.random. */
  random?: () => number;
}

export interface StartOptions {
  /**
   * Latch to the first RTP (and RTCP) source from the signalled host on any
   * port, and send back to it — for peers behind NAT (RFC 4961 symmetric
   * RTP). It latches once; off by default: then only the signalled
   * address:port is accepted.
   */
  latch?: boolean;
  /**
   * With `latch`: the host whose first packet latches, when it is not the
   * signalled one — the peer's SIP source for a phone behind NAT whose c=
   * is a private address (source-filter.ts). Default: the signalled host.
   */
  latchHost?: string;
}

type State = 'open' | 'started' | 'closed';

const DEFAULT_INACTIVITY_TIMEOUT_MS = 30_000;
const DEFAULT_HOLD_TIMEOUT_MS = 600_000;
const DEFAULT_DTMF_MS = 100;
const FRAME_SAMPLES = 160;
/** RFC 3389 comfort noise has the static payload type 13 (RFC 3551 Table 4). */
const COMFORT_NOISE_PT = 13;

export class RtpStream extends EventEmitter<RtpStreamEvents> {
  private state: State = 'open';
  private negotiated: NegotiatedMedia | null = null;
  private latch = false;
  private latchHost: string | undefined;
  private sending = false;
  private receiving = false;
  private readonly rtpFilter = new SourceFilter();
  private readonly rtcpFilter = new SourceFilter();
  private readonly session: RtpSession;
  private playout: Playout | null = null;
  /** The audio formats we decode and the telephone-event numbers we accept, by payload type. */
  private receiveCodecs = new Map<number, Codec>();
  private receiveEventPts = new Set<number>();
  private readonly packetizer = new Packetizer(FRAME_SAMPLES);
  private readonly encodeBuffer = new Uint8Array(1600);
  private readonly dtmfIn: DtmfReceiver;
  private readonly dtmfOut: DtmfOutbound;
  private readonly liveness: LivenessWatch;
  private rtcpTimer: TimerHandle | undefined;
  private remoteSsrc: number | null = null;
  private closing: Promise<void> | null = null;
  private readonly counters = {
    datagramsReceived: 0,
    dropped: 0,
    malformed: 0,
    unknownPayload: 0,
    comfortNoise: 0,
    dtmfReceived: 0,
    rtcpSent: 0,
    rtcpReceived: 0,
    reportsReceived: 0,
    sendErrors: 0,
  };
  private readonly onSent = (err: Error | null): void => {
    if (err) {
      this.counters.sendErrors++;
      this.logger.debug({ err: err.message }, 'rtp: send failed');
    }
  };

  private constructor(
    private readonly opts: RtpStreamOptions,
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    /** Our RTP port (RTCP is localPort + 1). */
    readonly localPort: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    super();
    this.session = new RtpSession({
      clock,
      cname: opts.cname ?? `partyline@${opts.localAddress}`,
      logger,
    });
    this.dtmfIn = new DtmfReceiver({ clock, logger });
    this.dtmfIn.on('digit', (d) => {
      this.counters.dtmfReceived++;
      this.emit('dtmf', { digit: d.digit, durationMs: d.durationMs });
    });
    this.dtmfOut = new DtmfOutbound({
      clock,
      hooks: {
        beginEvent: () => this.session.nextTimestamp,
        sendPacket: (p, ts) => this.sendDtmfPacket(p, ts),
        endEvent: (ts, units) => this.catchUpTimestamp(ts, units),
      },
    });
    this.liveness = new LivenessWatch(clock, (silentMs) => {
      const held = !(this.sending && this.receiving);
      this.logger.info({ silentMs, held, port: localPort }, 'rtp: no RTP nor RTCP from the peer');
      this.emit('timeout', { silentMs, held });
    });
    rtp.on('message', (msg, rinfo) => this.onRtpDatagram(msg, rinfo));
    rtcp.on('message', (msg, rinfo) => this.onRtcpDatagram(msg, rinfo));
    const onError = (err: Error): void => {
      this.logger.warn(
        { err: err.message, port: localPort },
        'rtp: socket failed, closing the stream',
      );
      void this.shutdown('socket-error');
    };
    rtp.on('error', onError);
    rtcp.on('error', onError);
  }

  /**
   * Binds a port pair from the pool.
   * @throws TypeError when localAddress is not an IP literal; PortPoolError
   *   when no pair can be bound.
   */
  static async open(opts: RtpStreamOptions): Promise<RtpStream> {
    if (isIP(opts.localAddress) === 0) {
      throw new TypeError(`RTP local address must be an IP literal, got ${opts.localAddress}`);
    }
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? pino({ level: 'silent' });
    const { rtp, rtcp, port } = await opts.pool.allocate(opts.localAddress);
    return new RtpStream(opts, rtp, rtcp, port, clock, logger);
  }

  /** Starts media as negotiated. On a started stream this is update() (and sets the latch mode). */
  start(media: NegotiatedMedia, opts: StartOptions = {}): void {
    if (this.state === 'closed') return;
    checkMedia(media);
    this.latch = opts.latch ?? false;
    this.latchHost = opts.latchHost;
    if (this.state === 'open') {
      this.state = 'started';
      this.scheduleRtcp(true);
    }
    this.apply(media);
  }

  /**
   * What the stream runs: the media last given to start() / update() (kept
   * after close, like stats()), null before start.
   */
  get media(): NegotiatedMedia | null {
    return this.negotiated;
  }

  /**
   * Latch mode: learn the peer's source again from its next packet — the
   * peer sent a new SDP, and may send from elsewhere now (a NAT rebinding).
   */
  relatch(): void {
    this.rtpFilter.relatch();
    this.rtcpFilter.relatch();
  }

  /** Applies a renegotiation (re-INVITE): new address, codec, ptime or direction (hold / resume). */
  update(media: NegotiatedMedia): void {
    if (this.state !== 'started') return;
    checkMedia(media);
    this.apply(media);
  }

  private apply(media: NegotiatedMedia): void {
    const previous = this.negotiated;
    this.negotiated = media;
    // c=0.0.0.0, the RFC 2543 hold (RFC 3264 §8.4), only says "send nothing
    // here"; the peer goes on sending from where it did (it is sendonly),
    // so the sources we accept stay those it signalled last.
    if (!isUnspecified(media.remoteAddress) || previous === null) {
      this.rtpFilter.configure(
        { address: media.remoteAddress, port: media.remotePort },
        this.latch,
        this.latchHost,
      );
      this.rtcpFilter.configure(
        { address: media.remoteAddress, port: media.remoteRtcpPort },
        this.latch,
        this.latchHost,
      );
    }

    this.receiveCodecs = receiveCodecsOf(media);
    this.receiveEventPts = receiveEventPtsOf(media);
    if (!this.playout) this.playout = new Playout(media.ptime, this.opts.jitter);
    else if (
      previous &&
      (previous.codec !== media.codec || previous.payloadType !== media.payloadType)
    ) {
      // Renegotiated: what is buffered belongs to the old session description.
      this.playout.flush();
    }
    this.packetizer.setSamplesPerPacket(Math.round(media.ptime * 8));

    const flags = directionFlags(media.direction);
    const wasReceiving = this.receiving;
    this.sending = flags.send && media.remotePort > 0 && !isUnspecified(media.remoteAddress);
    this.receiving = flags.recv;
    if (!this.sending) {
      this.dtmfOut.cancel();
      this.session.advanceTimestamp(this.packetizer.clear());
    }
    // Whatever was buffered before hold must not play after resume.
    if (!this.receiving && wasReceiving) this.playout.flush();
    // Both ways (not sendrecv to c=0.0.0.0 either, §8.4) or held: which timeout watches the peer.
    this.liveness.start(
      this.sending && this.receiving
        ? (this.opts.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_TIMEOUT_MS)
        : (this.opts.holdTimeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS),
    );
    this.logger.debug(
      {
        port: this.localPort,
        remote: `${media.remoteAddress}:${media.remotePort}`,
        codec: media.codec.name,
        direction: media.direction,
      },
      'rtp: media applied',
    );
  }

  /**
   * Re-primes playout: drops what was received and not yet played, so the
   * next packets play after the normal target delay. For a leg about to be
   * read after a time nobody read it — typically one that ran early media
   * (183, RFC 3960) and joins a room on the answer. (readFrame also cuts a
   * backlog by itself after a gap of reads, jitter-buffer.ts; resync() makes
   * the join exact, without the old audio's tail.)
   */
  resync(): void {
    if (this.state !== 'started') return;
    this.playout?.flush();
  }

  // ---- MixerPort ------------------------------------------------------------

  readFrame(out: Int16Array, nowMs: number): boolean {
    if (this.state !== 'started' || !this.receiving || !this.playout) {
      out.fill(0);
      return false;
    }
    return this.playout.read(out, nowMs);
  }

  writeFrame(frame: Int16Array): void {
    if (this.state !== 'started' || !this.negotiated) return;
    if (!this.sending || this.dtmfOut.active) {
      // Not sent, but media time passes: the RTP clock keeps pace (RFC 3550 §5.1).
      this.session.advanceTimestamp(frame.length + this.packetizer.clear());
      return;
    }
    this.packetizer.push(frame, this.sendAudio);
  }

  /**
   * The mixer skipped `frames` ticks: that media time passed unsent, so the
   * RTP clock moves on by it (RFC 3550 §5.1) — the next packet carries the
   * wall-clock instant it was sampled at, and the peer's jitter buffer sees
   * a gap in the audio, not a stall to keep as delay. A packet half-filled
   * before the stall goes: it is no longer contiguous with what follows.
   */
  skipFrames(frames: number): void {
    if (this.state !== 'started' || !(frames > 0)) return;
    this.session.advanceTimestamp(Math.floor(frames) * FRAME_SAMPLES + this.packetizer.clear());
  }

  private readonly sendAudio = (pcm: Int16Array): void => {
    const media = this.negotiated;
    if (!media) return;
    const payload = media.codec.encode(pcm, this.encodeBuffer);
    this.sendRtp(this.session.nextPacket(payload, media.payloadType, pcm.length));
  };

  // ---- DTMF -----------------------------------------------------------------

  /**
   * Queues one key press (0-9 * # A-D) as RFC 4733 events, sent after any
   * already queued. False when we do not send (hold), telephone-event was not
   * negotiated, or the digit or duration is invalid.
   */
  sendDtmf(digit: string, durationMs: number = DEFAULT_DTMF_MS): boolean {
    if (this.state !== 'started' || !this.sending || this.negotiated?.telephoneEventPt == null)
      return false;
    return this.dtmfOut.enqueue(digit, durationMs);
  }

  private sendDtmfPacket(packet: DtmfPacket, timestamp: number): void {
    const pt = this.negotiated?.telephoneEventPt;
    if (pt == null || !this.sending) return;
    this.sendRtp(this.session.nextPacketAt(packet.payload, pt, timestamp, packet.marker));
  }

  /** After an event the media clock must be at least at its end (the event took that media time). */
  private catchUpTimestamp(eventTs: number, durationUnits: number): void {
    const behind = (eventTs + durationUnits - this.session.nextTimestamp) | 0;
    if (behind > 0) this.session.advanceTimestamp(behind);
  }

  // ---- sending ----------------------------------------------------------------

  private sendRtp(packet: Buffer): void {
    const to = this.rtpFilter.destination();
    this.send(this.rtp, packet, to);
  }

  private send(socket: Socket, packet: Buffer, to: Endpoint): void {
    try {
      socket.send(packet, to.port, to.address, this.onSent);
    } catch (err) {
      // Only a closed socket throws here; the close path is already running.
      this.counters.sendErrors++;
      this.logger.debug({ err: (err as Error).message }, 'rtp: send on a closed socket');
    }
  }

  private rtcpDestination(): { socket: Socket; to: Endpoint } | null {
    const media = this.negotiated;
    if (!media || media.remoteRtcpPort <= 0 || isUnspecified(media.remoteAddress)) return null;
    // rtcp-mux (RFC 5761): RTCP shares the RTP port, and goes from our RTP socket.
    if (media.remoteRtcpPort === media.remotePort)
      return { socket: this.rtp, to: this.rtpFilter.destination() };
    return { socket: this.rtcp, to: this.rtcpFilter.destination() };
  }

  private scheduleRtcp(initial: boolean): void {
    const delay = rtcpIntervalMs(this.opts.random, {
      baseMs: this.opts.rtcpIntervalMs ?? RTCP_BASE_INTERVAL_MS,
      initial,
    });
    this.rtcpTimer = this.clock.setTimeout(() => {
      this.rtcpTimer = undefined;
      if (this.state !== 'started') return;
      const dest = this.rtcpDestination();
      if (dest) {
        this.send(dest.socket, this.session.buildReport(), dest.to);
        this.counters.rtcpSent++;
      }
      this.scheduleRtcp(false);
    }, delay);
  }

  // ---- receiving ----------------------------------------------------------------

  private onRtpDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    this.counters.datagramsReceived++;
    if (this.state !== 'started' || !this.rtpFilter.accept(rinfo.address, rinfo.port)) {
      this.counters.dropped++;
      return;
    }
    // RFC 5761 §4: RTCP multiplexed on the RTP port is told apart by its packet type.
    if (isRtcp(msg)) {
      this.onRtcp(msg);
      return;
    }
    const packet = parseRtp(msg);
    if (!packet) {
      this.counters.malformed++;
      return;
    }
    const now = this.clock.now();
    this.liveness.alive();
    if (this.session.receive(packet, now) !== 'valid') return;
    if (packet.ssrc !== this.remoteSsrc) this.newSource(packet.ssrc);
    if (!this.receiving || !this.negotiated || !this.playout) return;
    const codec = this.receiveCodecs.get(packet.payloadType);
    if (codec) {
      if (
        !this.playout.push(
          packet.sequenceNumber,
          packet.timestamp,
          packet.payload,
          codec,
          now,
          packet.ssrc,
          packet.marker,
        )
      ) {
        this.counters.malformed++;
      }
      return;
    }
    // Every other packet of the source still took a sequence number of the
    // one space (RFC 3550 §5.1): telling playout keeps it from being taken
    // for lost audio (a key press, RFC 4733; comfort noise, RFC 3389).
    this.playout.pushNonAudio(packet.sequenceNumber, packet.timestamp, now, packet.ssrc);
    if (this.receiveEventPts.has(packet.payloadType)) {
      this.dtmfIn.feed(packet.sequenceNumber, packet.timestamp, packet.marker, packet.payload);
    } else if (packet.payloadType === COMFORT_NOISE_PT) {
      this.counters.comfortNoise++;
    } else {
      this.counters.unknownPayload++;
    }
  }

  private newSource(ssrc: number): void {
    const previous = this.remoteSsrc;
    this.remoteSsrc = ssrc;
    if (previous === null) return;
    this.logger.debug({ previous, current: ssrc }, 'rtp: remote SSRC changed');
    // A press in progress belonged to the old source.
    this.dtmfIn.flush();
    this.emit('ssrc-change', { previous, current: ssrc });
  }

  private onRtcpDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    this.counters.datagramsReceived++;
    if (this.state !== 'started' || !this.rtcpFilter.accept(rinfo.address, rinfo.port)) {
      this.counters.dropped++;
      return;
    }
    this.onRtcp(msg);
  }

  private onRtcp(msg: Buffer): void {
    const packets = this.session.receiveRtcp(msg, this.clock.now());
    if (!packets) {
      this.counters.malformed++;
      return;
    }
    this.counters.rtcpReceived++;
    // The peer is there even when it sends no RTP (on hold, RFC 3264 §5.1).
    this.liveness.alive();
    const ours = this.session.ssrc;
    for (const p of packets) {
      if ((p.type === 'SR' || p.type === 'RR') && p.ssrc !== ours) {
        for (const block of p.reports) if (block.ssrc === ours) this.counters.reportsReceived++;
      }
    }
    this.emit('rtcp', packets);
  }

  // ---- stats and close ------------------------------------------------------------

  stats(): RtpStreamStats {
    const s = this.session.stats();
    const p = this.playout?.stats();
    const media = this.negotiated;
    return {
      localPort: this.localPort,
      codec: media?.codec.name ?? null,
      ptime: media?.ptime ?? null,
      direction: media?.direction ?? null,
      ssrc: s.ssrc,
      remoteSsrc: s.remoteSsrc,
      packetsSent: s.packetsSent,
      bytesSent: s.bytesSent,
      packetsReceived: s.packetsReceived,
      bytesReceived: s.bytesReceived,
      packetsExpected: s.packetsExpected,
      packetsLost: s.packetsLost,
      fractionLost: s.fractionLost,
      jitterMs: s.jitterMs,
      datagramsReceived: this.counters.datagramsReceived,
      late: p?.late ?? 0,
      lost: p?.lost ?? 0,
      discarded: p?.discarded ?? 0,
      depthMs: p?.depthMs ?? 0,
      dropped: this.counters.dropped,
      malformed: this.counters.malformed,
      unknownPayload: this.counters.unknownPayload,
      comfortNoise: this.counters.comfortNoise,
      nonAudio: p?.nonAudio ?? 0,
      quietDropped: p?.quietDropped ?? 0,
      talkspurts: p?.talkspurts ?? 0,
      played: p?.played ?? 0,
      concealed: p?.concealed ?? 0,
      dtmfSent: this.dtmfOut.sent,
      dtmfReceived: this.counters.dtmfReceived,
      rtcpSent: this.counters.rtcpSent,
      rtcpReceived: this.counters.rtcpReceived,
      reportsReceived: this.counters.reportsReceived,
      roundTripMs: s.roundTripMs,
      remote: s.remote,
      byeReceived: s.byeReceived,
      ssrcChanges: s.ssrcChanges,
      sendErrors: this.counters.sendErrors,
      latched: this.rtpFilter.latched,
    };
  }

  /** True once close() was called or a socket failed. */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Sends RTCP BYE (RFC 3550 §6.6) when media was running, then closes the
   * sockets and returns the ports to the pool. Idempotent; resolves once the
   * ports are back.
   */
  close(): Promise<void> {
    return this.shutdown('closed');
  }

  private shutdown(reason: RtpStreamCloseReason): Promise<void> {
    if (this.closing) return this.closing;
    const wasStarted = this.state === 'started';
    this.dtmfIn.flush();
    this.state = 'closed';
    this.clock.clearTimeout(this.rtcpTimer);
    this.rtcpTimer = undefined;
    this.dtmfOut.cancel();
    this.liveness.stop();
    this.closing = new Promise<void>((resolve) => {
      const release = (): void => {
        this.opts.pool.release(this.localPort);
        resolve();
      };
      const dest = wasStarted && reason === 'closed' ? this.rtcpDestination() : null;
      if (!dest) {
        release();
        return;
      }
      try {
        dest.socket.send(this.session.buildBye(), dest.to.port, dest.to.address, () => release());
        this.counters.rtcpSent++;
      } catch {
        release();
      }
    });
    this.logger.debug({ port: this.localPort, reason }, 'rtp: stream closed');
    this.emit('close', { reason });
    return this.closing;
  }
}

/** The formats to decode: those our SDP listed (receiveCodecs), else the one negotiated. */
function receiveCodecsOf(media: NegotiatedMedia): Map<number, Codec> {
  const map = new Map<number, Codec>([[media.payloadType, media.codec]]);
  for (const c of media.receiveCodecs ?? [])
    if (!map.has(c.payloadType)) map.set(c.payloadType, c.codec);
  return map;
}

/**
 * Telephone-event numbers accepted: ours (what the peer sends with, RFC
 * 3264 §6.1) and the peer's own, which some peers send with instead.
 */
function receiveEventPtsOf(media: NegotiatedMedia): Set<number> {
  const pts = new Set<number>();
  if (media.telephoneEventPt !== null) pts.add(media.telephoneEventPt);
  if (media.receiveTelephoneEventPt != null) pts.add(media.receiveTelephoneEventPt);
  return pts;
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** NegotiatedMedia comes from our SDP layer; a bad one is a programming error. */
function checkMedia(media: NegotiatedMedia): void {
  if (isIP(media.remoteAddress) === 0)
    throw new TypeError(`remote RTP address must be an IP literal, got ${media.remoteAddress}`);
  for (const [name, port] of [
    ['remotePort', media.remotePort],
    ['remoteRtcpPort', media.remoteRtcpPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new RangeError(`${name} out of range: ${port}`);
  }
  if (!(media.ptime >= 10 && media.ptime <= 200))
    throw new RangeError(`ptime out of range: ${media.ptime}`);
}
