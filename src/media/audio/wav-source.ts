import type { AudioSource } from './source.js';
import { SAMPLE_RATE } from './source.js';

export interface WavSourceOptions {
  /** Start again from the beginning after the last sample (hold music). */
  loop?: boolean;
  /** Where to start the first pass, in ms from the beginning; later loops start at 0. */
  startMs?: number;
}

/**
 * Plays decoded 8 kHz samples frame by frame. The samples are shared with the
 * decode cache (many rooms play the same prompt), so this only ever reads
 * them. Looping copies across the end of the buffer inside one frame, so the
 * loop point adds no gap and no discontinuity beyond the file's own.
 */
export class WavSource implements AudioSource {
  readonly name: string;
  private readonly samples: Int16Array;
  private readonly loop: boolean;
  private pos: number;
  private closed = false;

  constructor(name: string, samples: Int16Array, options: WavSourceOptions = {}) {
    this.name = name;
    this.samples = samples;
    this.loop = options.loop === true && samples.length > 0;
    const start = Math.max(0, Math.round(((options.startMs ?? 0) * SAMPLE_RATE) / 1000)) || 0;
    this.pos = this.loop ? start % samples.length : Math.min(start, samples.length);
  }

  /** Current play position in ms from the start of the file (e.g. to resume hold music later). */
  get positionMs(): number {
    return (this.pos * 1000) / SAMPLE_RATE;
  }

  read(out: Int16Array): boolean {
    const len = this.samples.length;
    let filled = 0;
    while (!this.closed && filled < out.length) {
      if (this.pos >= len) {
        if (!this.loop) break;
        this.pos = 0;
      }
      const n = Math.min(out.length - filled, len - this.pos);
      out.set(this.samples.subarray(this.pos, this.pos + n), filled);
      filled += n;
      this.pos += n;
    }
    out.fill(0, filled);
    return filled > 0;
  }

  close(): void {
    this.closed = true;
  }
}
