import type { AudioSource } from './source.js';
import { SAMPLE_RATE } from './source.js';

/**
 * Synthesised signals (beeps, ringback, test tones) as a cadence: a list of
 * segments, each a sum of sines or a pause. Oscillator phase is carried from
 * one frame to the next so a tone is one continuous sine across frame
 * boundaries, and each tone segment starts and ends with a short raised-cosine
 * ramp so switching a tone on or off does not click.
 */

export interface ToneSegment {
  /** Frequencies summed in this segment (Hz); empty for a pause. */
  readonly freqs: readonly number[];
  /** Length in ms; Infinity for a tone that never ends. */
  readonly ms: number;
}

export interface ToneCadence {
  readonly segments: readonly ToneSegment[];
  /** Start the cadence again after its last segment (ringback). */
  readonly loop: boolean;
}

/** −12 dBFS peak: loud enough to hear, headroom left for the mixer to add voices. */
export const TONE_PEAK = Math.round(32768 * Math.pow(10, -12 / 20));
/** On/off ramp length: 5 ms is inaudible as a fade yet removes the click of a hard edge. */
const RAMP_SAMPLES = (5 * SAMPLE_RATE) / 1000;
const TWO_PI = 2 * Math.PI;

/**
 * A finite tone segment this long or shorter is synthesised once and then
 * copied: the enter and exit beeps of a busy call server play hundreds of
 * times a second, and computing their sines every frame was 4 % of the
 * server's CPU in the API benchmark. The copy is the very samples the
 * oscillator gives (the same additions in the same order). 2 s (32 KB) holds
 * every built-in cadence's segments.
 */
const CACHED_SEGMENT_MAX = 2 * SAMPLE_RATE;
const renderedSegments = new Map<string, Int16Array>();
/** Distinct segments kept (tone:<Hz>:<ms> makes new ones); cleared whole when full. */
const RENDERED_SEGMENTS_MAX = 64;

interface Segment {
  freqs: readonly number[];
  length: number;
  /** The shared rendering of a short segment, looked up once per source (not per frame). */
  pcm?: Int16Array;
}

export class ToneSource implements AudioSource {
  readonly name: string;
  private readonly segments: Segment[];
  private readonly loop: boolean;
  private readonly peak: number;
  private index = 0;
  /** Samples already played of the current segment. */
  private offset = 0;
  private phases: number[] = [];
  private closed = false;

  /** `peak` is the peak amplitude of a segment (its tones share it equally). */
  constructor(name: string, cadence: ToneCadence, peak: number = TONE_PEAK) {
    this.name = name;
    this.segments = cadence.segments
      .map((s) => ({ freqs: s.freqs, length: Math.round((s.ms * SAMPLE_RATE) / 1000) }))
      .filter((s) => s.length > 0);
    // A looping cadence of zero length would spin forever; treat it as ended.
    this.loop = cadence.loop && this.segments.length > 0;
    this.peak = peak;
    this.phases = this.segments[0]?.freqs.map(() => 0) ?? [];
  }

  read(out: Int16Array): boolean {
    let produced = 0;
    while (!this.closed && produced < out.length) {
      if (this.index >= this.segments.length) {
        if (!this.loop) break;
        this.index = 0;
      }
      const seg = this.segments[this.index];
      const n = Math.min(out.length - produced, seg.length - this.offset);
      this.render(seg, out, produced, n);
      produced += n;
      this.offset += n;
      if (this.offset >= seg.length) this.nextSegment();
    }
    out.fill(0, produced);
    return produced > 0;
  }

  close(): void {
    this.closed = true;
  }

  private nextSegment(): void {
    this.index++;
    this.offset = 0;
    const next = this.segments[this.index] ?? this.segments[0];
    this.phases = next ? next.freqs.map(() => 0) : [];
  }

  private render(seg: Segment, out: Int16Array, at: number, n: number): void {
    if (seg.freqs.length === 0) {
      out.fill(0, at, at + n);
      return;
    }
    if (seg.length <= CACHED_SEGMENT_MAX) {
      seg.pcm ??= this.rendered(seg);
      out.set(seg.pcm.subarray(this.offset, this.offset + n), at);
      return;
    }
    this.synthesise(seg, out, at, n);
  }

  /** The whole of a short segment, synthesised the first time any source plays it. */
  private rendered(seg: Segment): Int16Array {
    const key = `${seg.freqs.join(',')}/${seg.length}/${this.peak}`;
    let pcm = renderedSegments.get(key);
    if (pcm === undefined) {
      pcm = new Int16Array(seg.length);
      const offset = this.offset;
      const phases = this.phases;
      this.offset = 0;
      this.phases = seg.freqs.map(() => 0);
      this.synthesise(seg, pcm, 0, seg.length);
      this.offset = offset;
      this.phases = phases;
      if (renderedSegments.size >= RENDERED_SEGMENTS_MAX) renderedSegments.clear();
      renderedSegments.set(key, pcm);
    }
    return pcm;
  }

  /** n samples of the segment from this.offset, the oscillators carrying their phase. */
  private synthesise(seg: Segment, out: Int16Array, at: number, n: number): void {
    const tones = seg.freqs.length;
    const amp = this.peak / tones;
    const ramp = Math.min(RAMP_SAMPLES, Math.floor(seg.length / 2));
    const steps = seg.freqs.map((f) => (TWO_PI * f) / SAMPLE_RATE);
    for (let i = 0; i < n; i++) {
      const t = this.offset + i;
      let env = 1;
      if (t < ramp) env = 0.5 - 0.5 * Math.cos((Math.PI * t) / ramp);
      else if (seg.length - t <= ramp)
        env = 0.5 - 0.5 * Math.cos((Math.PI * (seg.length - t)) / ramp);
      let v = 0;
      for (let k = 0; k < tones; k++) {
        v += Math.sin(this.phases[k]);
        this.phases[k] += steps[k];
        // Keep the phase small so precision does not decay over hours of tone.
        if (this.phases[k] >= TWO_PI) this.phases[k] -= TWO_PI;
      }
      out[at + i] = Math.round(v * amp * env);
    }
  }
}

/** Zeros for `durationMs` (default: forever). A duration of 0 is a source that has already ended. */
export class SilenceSource implements AudioSource {
  readonly name: string;
  private remaining: number;

  constructor(name = 'silence', durationMs = Infinity) {
    this.name = name;
    // Infinity stays Infinity; a NaN or negative duration means "already ended".
    this.remaining = Math.max(0, Math.round((durationMs * SAMPLE_RATE) / 1000)) || 0;
  }

  read(out: Int16Array): boolean {
    out.fill(0);
    if (this.remaining <= 0) return false;
    this.remaining -= out.length;
    return true;
  }

  close(): void {
    this.remaining = 0;
  }
}
