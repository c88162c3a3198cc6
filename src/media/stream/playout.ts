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
/** Consecutive packets of a new size before the jitter buffer is re-timed for it. */
const SIZE_CHANGE_PACKETS = 3;
const SAMPLES_PER_MS = 8;

export type PlayoutJitterOptions = Omit<JitterBufferOptions, 'frameMs'>;

export interface PlayoutStats {
  /** Frames played from received packets. */
  played: number;
  /** Packets that came after their playout time. */
  late: number;
  /** Packets lost as the jitter buffer saw them (never arrived in time). */
  lost: number;
  /** Ticks filled by concealment. */
  concealed: number;
  /** Packets dropped to bound latency. */
  discarded: number;
  duplicate: number;
  reordered: number;
  /** Current buffered audio, ms: queued packets plus decoded samples not yet handed out. */
  depthMs: number;
}

type Counters = Omit<PlayoutStats, 'depthMs'>;

export class Playout {
  private codec: Codec;
  private jitter: JitterBuffer<Uint8Array>;
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

  constructor(
    codec: Codec,
    ptimeMs: number,
    private readonly jitterOptions: PlayoutJitterOptions = {},
  ) {
    this.codec = codec;
    this.packetSamples = Math.max(1, Math.round(ptimeMs * SAMPLES_PER_MS));
    this.jitter = this.newJitter();
    this.plc = new PacketLossConcealer({ frameSamples: this.packetSamples });
    this.concealBuffer = new Int16Array(this.packetSamples);
    this.staleReadMs = jitterOptions.staleReadMs ?? DEFAULT_STALE_READ_MS;
  }

  /** A new codec: what is buffered was encoded with the old one, so it goes. */
  setCodec(codec: Codec): void {
    if (codec === this.codec) return;
    this.codec = codec;
    this.flush();
  }

  /**
   * Queues one received audio payload. Returns false (and keeps nothing)
   * for an empty payload or one longer than MAX_PACKET_SAMPLES.
   */
  push(
    seq: number,
    timestamp: number,
    payload: Uint8Array,
    arrivalMs: number,
    ssrc: number,
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
    this.jitter.push(seq, timestamp, payload, arrivalMs, ssrc);
    return true;
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
        const pcm = this.codec.decode(pop.payload, this.decodeBuffer);
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

  private newJitter(): JitterBuffer<Uint8Array> {
    return new JitterBuffer<Uint8Array>({
      ...this.jitterOptions,
      frameMs: this.packetSamples / SAMPLES_PER_MS,
    });
  }

  private enqueue(pcm: Int16Array): void {
    const room = this.queue.length - this.queued;
    const n = Math.min(room, pcm.length);
    this.queue.set(n === pcm.length ? pcm : pcm.subarray(0, n), this.queued);
    this.queued += n;
  }
}

function emptyCounters(): Counters {
  return { played: 0, late: 0, lost: 0, concealed: 0, discarded: 0, duplicate: 0, reordered: 0 };
}
