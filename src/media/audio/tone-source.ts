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

export class ToneSource implements AudioSource {
  readonly name: string;
  private readonly segments: { freqs: readonly number[]; length: number }[];
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

  private render(
    seg: { freqs: readonly number[]; length: number },
    out: Int16Array,
    at: number,
    n: number,
  ): void {
    const tones = seg.freqs.length;
    if (tones === 0) {
      out.fill(0, at, at + n);
      return;
    }
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
