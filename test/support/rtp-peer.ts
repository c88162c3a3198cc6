/**
 * A small RTP endpoint for media tests: a real UDP socket on 127.0.0.1 and
 * real G.711 (src/media/codec), so a test proves what a member hears by
 * decoding what actually arrived. It sends tones paced at 20 ms on a
 * drift-free schedule, with proper sequence numbers, timestamps and SSRC
 * (RFC 3550 §5.1, via RtpSession), RFC 4733 key presses, and can lose and
 * reorder its own packets on purpose. With `latch` it learns where to send
 * from the first RTP packet it receives (symmetric RTP, RFC 4961), as a
 * phone does whose peer's SDP it never read.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { systemClock, type Clock, type TimerHandle } from '../../src/clock/index.js';
import { codecByName, type Codec } from '../../src/media/codec/index.js';
import { DtmfSender, type DtmfPacket } from '../../src/media/dtmf/index.js';
import { isRtcp, parseRtp, RtpSession } from '../../src/media/rtp/index.js';
import { seededRng as mulberry32 } from './mutator.js';

export interface RtpTestPeerOptions {
  codec: 'PCMU' | 'PCMA';
  /** Default 127.0.0.1. */
  host?: string;
  /** Probability (0..1) that an outgoing packet is dropped (its sequence number is still used up). */
  loss?: number;
  /** Probability (0..1) that an outgoing packet is held back and sent after the next one. */
  reorder?: number;
  /** Seed of the loss/reorder decisions, so a run is repeatable (default 1). */
  seed?: number;
  /** Peak amplitude of the tones (default 8231, −12 dBFS: two summed tones stay clear of clipping). */
  amplitude?: number;
  /** RFC 4733 telephone-event payload type (default 101). */
  dtmfPayloadType?: number;
  /**
   * Send to the source of the first RTP packet received (symmetric RTP,
   * RFC 4961), replacing any setRemote(); once, until relatch(). Default false.
   */
  latch?: boolean;
  clock?: Clock;
}

export interface RtpTestPeerStats {
  /** Packets handed to the socket. */
  sent: number;
  /** Packets dropped on purpose (loss injection). */
  dropped: number;
  /** Packets sent out of order on purpose. */
  reordered: number;
  /** Audio packets received and decoded. */
  received: number;
  /** Datagrams received that were not RTP of our codec (RTCP, other payload types, garbage). */
  ignored: number;
}

interface Chunk {
  atMs: number;
  pcm: Int16Array;
}

const FRAME = 160;
const FRAME_MS = 20;
const RATE = 8000;

export class RtpTestPeer {
  readonly port: number;
  readonly codec: Codec;
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly session: RtpSession;
  private readonly loss: number;
  private readonly reorder: number;
  private readonly amplitude: number;
  private readonly dtmfPt: number;
  private readonly dtmf = new DtmfSender();
  private readonly random: () => number;
  private remote: { host: string; port: number } | null = null;
  private readonly latch: boolean;
  private latched = false;
  private readonly chunks: Chunk[] = [];
  private readonly counters: RtpTestPeerStats = {
    sent: 0,
    dropped: 0,
    reordered: 0,
    received: 0,
    ignored: 0,
  };

  // Sending state: a tone (or none) and queued key-press packets, paced by one timer.
  private toneHz: number | null = null;
  private toneFramesLeft = Infinity;
  private phase = 0;
  private readonly pcm = new Int16Array(FRAME);
  private dtmfQueue: DtmfPacket[] = [];
  private dtmfTimestamp: number | null = null;
  private held: Buffer | null = null;
  private timer: TimerHandle | undefined;
  private startMs = 0;
  private index = 0;
  private idleSinceMs: number | null = null;
  /** Promises of sendTone/sendDtmf, resolved when their part of the sending is done. */
  private waiters: { done: () => boolean; resolve: () => void }[] = [];
  private closed = false;

  private constructor(socket: Socket, codec: Codec, opts: RtpTestPeerOptions) {
    this.socket = socket;
    this.codec = codec;
    this.port = socket.address().port;
    this.clock = opts.clock ?? systemClock;
    this.loss = opts.loss ?? 0;
    this.reorder = opts.reorder ?? 0;
    this.amplitude = opts.amplitude ?? 8231;
    this.dtmfPt = opts.dtmfPayloadType ?? 101;
    this.latch = opts.latch ?? false;
    this.random = mulberry32(opts.seed ?? 1);
    this.session = new RtpSession({ clock: this.clock, cname: `rtp-test-peer@${this.port}` });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', () => {
      // A test peer's socket errors (ICMP unreachable echoes) are not the test's subject.
    });
  }

  static async open(opts: RtpTestPeerOptions): Promise<RtpTestPeer> {
    const codec = codecByName(opts.codec);
    if (!codec) throw new Error(`unknown codec ${opts.codec}`);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, opts.host ?? '127.0.0.1', () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
    return new RtpTestPeer(socket, codec, opts);
  }

  get ssrc(): number {
    return this.session.ssrc;
  }

  /** Where to send (the RTP port of the stream under test). */
  setRemote(port: number, host = '127.0.0.1'): void {
    this.remote = { host, port };
  }

  /** Where packets go now (set by setRemote() or by latching), or null. */
  get remoteEndpoint(): { host: string; port: number } | null {
    return this.remote ? { ...this.remote } : null;
  }

  /** With `latch`: whether the remote was taken from a received packet (and not re-armed since). */
  get isLatched(): boolean {
    return this.latched;
  }

  /** With `latch`: take the remote again from the next RTP packet received (a new call). */
  relatch(): void {
    this.latched = false;
  }

  /** Time on the peer's clock, for receivedSince(). */
  now(): number {
    return this.clock.now();
  }

  /** Sends a tone for `ms` (whole 20 ms packets), resolving when the last one is sent. */
  sendTone(freqHz: number, ms: number): Promise<void> {
    this.setTone(freqHz, Math.max(1, Math.ceil(ms / FRAME_MS)));
    return this.when(() => this.toneHz === null || this.toneFramesLeft <= 0);
  }

  /** Sends a tone until stop() (or another tone). */
  startTone(freqHz: number): void {
    this.setTone(freqHz, Infinity);
  }

  /** Stops sending audio (queued key presses still go out). */
  stop(): void {
    this.toneHz = null;
    this.flushHeld();
    this.maybeIdle();
  }

  /**
   * Sends one RFC 4733 key press (§2.5.1: marker on the first packet, the
   * end packet three times), one packet per 20 ms in place of audio; resolves
   * when the last packet is sent. Rejects on a digit DtmfSender refuses.
   */
  sendDtmf(digit: string, durationMs = 100): Promise<void> {
    const packets = this.dtmf.packets(digit, durationMs);
    if (!packets) return Promise.reject(new Error(`not a DTMF digit: ${digit}`));
    this.dtmfQueue.push(...packets);
    this.ensurePacing();
    return this.when(() => this.dtmfQueue.length === 0);
  }

  /** Decoded audio received so far, in arrival order. */
  received(): Int16Array {
    return concat(this.chunks);
  }

  /** Decoded audio of the packets that arrived at or after `sinceMs` (a now() value). */
  receivedSince(sinceMs: number): Int16Array {
    return concat(this.chunks.filter((c) => c.atMs >= sinceMs));
  }

  /** Decoded audio of the packets that arrived at or after `fromMs` and before `toMs` (now() values). */
  receivedBetween(fromMs: number, toMs: number): Int16Array {
    return concat(this.chunks.filter((c) => c.atMs >= fromMs && c.atMs < toMs));
  }

  stats(): RtpTestPeerStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.toneHz = null;
    this.dtmfQueue = [];
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.releaseWaiters(true);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  // ---- pacing ---------------------------------------------------------------

  private setTone(freqHz: number, frames: number): void {
    this.toneHz = freqHz;
    this.toneFramesLeft = frames;
    this.ensurePacing();
  }

  private ensurePacing(): void {
    if (this.closed || this.timer !== undefined) return;
    const now = this.clock.now();
    if (this.idleSinceMs !== null) {
      // Media time went on while we were quiet (RFC 3550 §5.1): advance the
      // timestamp by the silence, in whole frames, so the receiver's playout stays aligned.
      const frames = Math.round((now - this.idleSinceMs) / FRAME_MS);
      if (frames > 0) this.session.advanceTimestamp(frames * FRAME);
      this.idleSinceMs = null;
    }
    this.startMs = now;
    this.index = 0;
    this.onTick();
  }

  /** Sends what is due (catching up after a late timer), then arms the next deadline. */
  private readonly onTick = (): void => {
    this.timer = undefined;
    if (this.closed) return;
    const due = Math.floor((this.clock.now() - this.startMs) / FRAME_MS);
    while (this.index <= due && this.busy()) {
      this.index++;
      this.sendOne();
    }
    this.releaseWaiters(false);
    if (!this.busy()) {
      this.flushHeld();
      this.maybeIdle();
      return;
    }
    const delay = this.startMs + this.index * FRAME_MS - this.clock.now();
    this.timer = this.clock.setTimeout(this.onTick, Math.max(0, delay));
  };

  private busy(): boolean {
    return this.dtmfQueue.length > 0 || (this.toneHz !== null && this.toneFramesLeft > 0);
  }

  private sendOne(): void {
    const next = this.dtmfQueue.shift();
    if (next) {
      // Every packet of one event carries the event's start timestamp (RFC 4733 §2.5.1.2).
      if (this.dtmfTimestamp === null) this.dtmfTimestamp = this.session.nextTimestamp;
      const pkt = this.session.nextPacketAt(
        next.payload,
        this.dtmfPt,
        this.dtmfTimestamp,
        next.marker,
      );
      // The event took this 20 ms of media time.
      this.session.advanceTimestamp(FRAME);
      // The next key press (marker) starts a new event with its own timestamp.
      if (this.dtmfQueue.length === 0 || this.dtmfQueue[0].marker) this.dtmfTimestamp = null;
      this.transmit(pkt);
      return;
    }
    if (this.toneHz === null) return;
    const step = (2 * Math.PI * this.toneHz) / RATE;
    for (let i = 0; i < FRAME; i++) {
      this.pcm[i] = Math.round(this.amplitude * Math.sin(this.phase));
      this.phase += step;
      if (this.phase > 2 * Math.PI) this.phase -= 2 * Math.PI;
    }
    this.toneFramesLeft--;
    const payload = this.codec.encode(this.pcm);
    this.transmit(this.session.nextPacket(payload, this.codec.payloadType, FRAME));
  }

  /** Applies the loss and reorder injection, then sends. */
  private transmit(packet: Buffer): void {
    if (this.loss > 0 && this.random() < this.loss) {
      this.counters.dropped++;
      return;
    }
    if (this.held === null && this.reorder > 0 && this.random() < this.reorder) {
      this.held = packet;
      this.counters.reordered++;
      return;
    }
    this.send(packet);
    this.flushHeld();
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = null;
    if (held) this.send(held);
  }

  private send(packet: Buffer): void {
    if (!this.remote || this.closed) return;
    this.counters.sent++;
    this.socket.send(packet, this.remote.port, this.remote.host);
  }

  private maybeIdle(): void {
    if (this.busy()) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.idleSinceMs === null) this.idleSinceMs = this.clock.now();
    this.releaseWaiters(false);
  }

  private when(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** Resolves the waiters whose sending is done (all of them when closing). */
  private releaseWaiters(all: boolean): void {
    const ready = this.waiters.filter((w) => all || w.done());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  // ---- receiving --------------------------------------------------------------

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (isRtcp(msg)) {
      this.counters.ignored++;
      return;
    }
    const packet = parseRtp(msg);
    if (packet && this.latch && !this.latched) {
      // Any RTP counts (telephone-event too): it shows where the peer's RTP socket is.
      this.latched = true;
      this.remote = { host: rinfo.address, port: rinfo.port };
    }
    if (!packet || packet.payloadType !== this.codec.payloadType) {
      this.counters.ignored++;
      return;
    }
    this.counters.received++;
    this.chunks.push({ atMs: this.clock.now(), pcm: this.codec.decode(packet.payload) });
  }
}

function concat(chunks: readonly Chunk[]): Int16Array {
  let total = 0;
  for (const c of chunks) total += c.pcm.length;
  const out = new Int16Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c.pcm, at);
    at += c.pcm.length;
  }
  return out;
}
