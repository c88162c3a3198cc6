/**
 * The receive side of a stream, as the mixer pulls it: received G.711
 * packets go into a jitter buffer; each 20 ms tick takes one frame out of a
 * small sample queue that is refilled from the buffer (decoded), from loss
 * concealment, or not at all (silence).
 *
 * The peer's packet time is whatever it sends, not necessarily what SDP
 * said (RFC 4566 a=ptime is only a preference), so the jitter buffer is
 * sized from the packets themselves: a packet of 320 samples is 40 ms, and
 * the queue hands those out 160 samples at a time, taking a packet out of
 * the buffer only every other tick.
 *
 * Each packet is decoded with the codec of its own payload type: a peer may
 * switch among the formats we listed mid-call (RFC 3264 §5.1), so the codec
 * is carried with the packet, not fixed per stream. Packets of other payload
 * types (telephone-event, comfort noise) only mark their sequence numbers
 * (jitter-buffer.ts). Frames below QUIET_DBFS are the ones the jitter buffer
 * may drop to give back delay a stall added.
 *
 * Reads that stop for a while (early media before the leg joins a room, a
 * leg out of its room) leave a stale backlog; the jitter buffer cuts it back
 * to its target delay on the next pop (jitter-buffer.ts), and the decoded
 * samples left here from before the gap go too.
 */
import type { Codec } from '../codec/index.js';
import {
  DEFAULT_STALE_READ_MS,
  JitterBuffer,
  PacketLossConcealer,
  type JitterBufferOptions,
  type JitterBufferStats,
} from '../jitter/index.js';

/** 200 ms at 8 kHz: the longest packet we play (a=ptime above 200 is refused in SDP). */
export const MAX_PACKET_SAMPLES = 1600;
/** A frame whose RMS level is below this is silence between words: dropping it is not heard. */
export const QUIET_DBFS = -40;
const QUIET_MEAN_SQUARE = (32768 * 10 ** (QUIET_DBFS / 20)) ** 2;

/** A received audio payload and the codec its payload type names. */
interface Received {
  payload: Uint8Array;
  codec: Codec;
}

/** Consecutive packets of a new size before the jitter buffer is re-timed for it. */
const SIZE_CHANGE_PACKETS = 3;
const SAMPLES_PER_MS = 8;

export type PlayoutJitterOptions = Omit<JitterBufferOptions, 'frameMs' | 'frameUnits' | 'isQuiet'>;

export interface PlayoutStats {
  /** Frames played from received packets. */
  played: number;
  /** Packets that came after their playout time. */
  late: number;
  /** Packets lost as the jitter buffer saw them (never arrived in time). */
  lost: number;
  /** Ticks filled by concealment. */
  concealed: number;
  /** Packets dropped to bound latency (quiet ones included). */
  discarded: number;
  /** Quiet frames dropped to give back delay a stall had added. */
  quietDropped: number;
  /** Packets of other payload types (telephone-event, comfort noise) passed over. */
  nonAudio: number;
  /** Talkspurts (marker bit) playout re-synced to. */
  talkspurts: number;
  duplicate: number;
  reordered: number;
  /** Current buffered audio, ms: queued packets plus decoded samples not yet handed out. */
  depthMs: number;
}

type Counters = Omit<PlayoutStats, 'depthMs'>;

export class Playout {
  private jitter: JitterBuffer<Received>;
  private plc: PacketLossConcealer;
  private packetSamples: number;
  private pushedSinceReset = 0;
  private sizeMismatches = 0;
  /** Decoded samples waiting to be handed out, at most one packet plus one frame. */
  private readonly queue = new Int16Array(MAX_PACKET_SAMPLES * 2);
  private queued = 0;
  private readonly decodeBuffer = new Int16Array(MAX_PACKET_SAMPLES);
  private concealBuffer: Int16Array;
  /** Totals of jitter buffers replaced by a re-timing. */
  private retired: Counters = emptyCounters();
  private lastReadMs: number | null = null;
  private readonly staleReadMs: number;

  private readonly quietBuffer = new Int16Array(MAX_PACKET_SAMPLES);

  constructor(
    ptimeMs: number,
    private readonly jitterOptions: PlayoutJitterOptions = {},
  ) {
    this.packetSamples = Math.max(1, Math.round(ptimeMs * SAMPLES_PER_MS));
    this.jitter = this.newJitter();
    this.plc = new PacketLossConcealer({ frameSamples: this.packetSamples });
    this.concealBuffer = new Int16Array(this.packetSamples);
    this.staleReadMs = jitterOptions.staleReadMs ?? DEFAULT_STALE_READ_MS;
  }

  /**
   * Queues one received audio payload, to be decoded with `codec` (the one
   * its payload type names). `marker`: the RTP marker bit. Returns false
   * (and keeps nothing) for an empty payload or one longer than
   * MAX_PACKET_SAMPLES.
   */
  push(
    seq: number,
    timestamp: number,
    payload: Uint8Array,
    codec: Codec,
    arrivalMs: number,
    ssrc: number,
    marker = false,
  ): boolean {
    const samples = payload.length; // G.711: one octet per sample (RFC 3551 §4.5.14)
    if (samples === 0 || samples > MAX_PACKET_SAMPLES) return false;
    if (samples !== this.packetSamples) {
      this.sizeMismatches++;
      if (this.pushedSinceReset === 0 || this.sizeMismatches >= SIZE_CHANGE_PACKETS)
        this.retime(samples);
    } else {
      this.sizeMismatches = 0;
    }
    this.pushedSinceReset++;
    this.jitter.push(seq, timestamp, { payload, codec }, arrivalMs, ssrc, marker);
    return true;
  }

  /** A packet of another payload type from the same source: its sequence number is not lost audio. */
  pushNonAudio(seq: number, timestamp: number, arrivalMs: number, ssrc: number): void {
    this.jitter.pushNonAudio(seq, timestamp, arrivalMs, ssrc);
  }

  /**
   * Fills `out` with the next frame. True when it holds received or
   * concealed audio, false when it is silence because nothing is playing.
   */
  read(out: Int16Array, nowMs: number): boolean {
    const n = out.length;
    // Samples decoded before a gap in reads would play that much late.
    if (this.lastReadMs !== null && nowMs - this.lastReadMs > this.staleReadMs) this.queued = 0;
    this.lastReadMs = nowMs;
    while (this.queued < n) {
      const pop = this.jitter.pop(nowMs);
      if (pop.kind === 'frame') {
        const pcm = pop.payload.codec.decode(pop.payload.payload, this.decodeBuffer);
        this.plc.good(pcm);
        this.enqueue(pcm);
      } else if (pop.kind === 'lost') {
        this.enqueue(this.plc.conceal(this.concealBuffer));
      } else {
        break;
      }
    }
    if (this.queued === 0) {
      out.fill(0);
      return false;
    }
    const take = Math.min(n, this.queued);
    out.set(this.queue.subarray(0, take));
    if (take < n) out.fill(0, take);
    this.queue.copyWithin(0, take, this.queued);
    this.queued -= take;
    return true;
  }

  /** Forgets everything buffered (hold, codec change, new source). */
  flush(): void {
    this.jitter.flush();
    this.plc.reset();
    this.queued = 0;
    this.pushedSinceReset = 0;
    this.sizeMismatches = 0;
  }

  stats(): PlayoutStats {
    const s: JitterBufferStats = this.jitter.stats();
    const r = this.retired;
    return {
      played: r.played + s.played,
      late: r.late + s.late,
      lost: r.lost + s.lost,
      concealed: r.concealed + s.concealed,
      discarded: r.discarded + s.discarded,
      quietDropped: r.quietDropped + s.quietDropped,
      nonAudio: r.nonAudio + s.nonAudio,
      talkspurts: r.talkspurts + s.talkspurts,
      duplicate: r.duplicate + s.duplicate,
      reordered: r.reordered + s.reordered,
      depthMs: s.depthMs + this.queued / SAMPLES_PER_MS,
    };
  }

  private retime(samples: number): void {
    const s = this.jitter.stats();
    for (const key of Object.keys(this.retired) as (keyof Counters)[]) this.retired[key] += s[key];
    this.packetSamples = samples;
    this.jitter = this.newJitter();
    this.plc = new PacketLossConcealer({ frameSamples: samples });
    this.concealBuffer = new Int16Array(samples);
    this.pushedSinceReset = 0;
    this.sizeMismatches = 0;
  }

  private newJitter(): JitterBuffer<Received> {
    return new JitterBuffer<Received>({
      ...this.jitterOptions,
      frameMs: this.packetSamples / SAMPLES_PER_MS,
      // G.711: one timestamp unit per sample (RFC 3551 §4.5.14).
      frameUnits: this.packetSamples,
      isQuiet: this.isQuiet,
    });
  }

  private readonly isQuiet = (frame: Received): boolean => {
    const pcm = frame.codec.decode(frame.payload, this.quietBuffer);
    let sum = 0;
    for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
    return pcm.length > 0 && sum / pcm.length < QUIET_MEAN_SQUARE;
  };

  private enqueue(pcm: Int16Array): void {
    const room = this.queue.length - this.queued;
    const n = Math.min(room, pcm.length);
    this.queue.set(n === pcm.length ? pcm : pcm.subarray(0, n), this.queued);
    this.queued += n;
  }
}

function emptyCounters(): Counters {
  return {
    played: 0,
    late: 0,
    lost: 0,
    concealed: 0,
    discarded: 0,
    quietDropped: 0,
    nonAudio: 0,
    talkspurts: 0,
    duplicate: 0,
    reordered: 0,
  };
}
