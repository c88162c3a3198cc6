/**
 * What a phone heard: the last few seconds of received audio, frame by
 * frame with the time each arrived, and the Goertzel level (src/media/audio)
 * of a frequency over a recent window — how the demo proves who hears whom.
 */
import { FRAME_SAMPLES, SAMPLE_RATE, LEVEL_FLOOR_DB, toneLevelDb } from '../media/index.js';

/** A tone counts as heard at or above this level (a −12 dBFS tone reads about −15 through G.711). */
export const HEARD_DB = -30;
/** A tone counts as not heard below this: 10 dB under HEARD_DB, so a level near the line is neither. */
export const NOT_HEARD_DB = -40;
/** The window a level is measured over: 20 periods of the lowest tone used, and short enough to follow a change. */
export const HEARING_WINDOW_MS = 400;
/** How much audio is kept (frames of 20 ms). */
const KEPT_FRAMES = 150;

export class HeardAudio {
  private readonly frames: Int16Array[] = [];
  private readonly times: number[] = [];

  /** Adds one 20 ms frame that arrived (or, as silence, did not) at `atMs`. */
  push(frame: Int16Array, atMs: number): void {
    this.frames.push(frame.slice());
    this.times.push(atMs);
    if (this.frames.length > KEPT_FRAMES) {
      this.frames.shift();
      this.times.shift();
    }
  }

  /** The audio of the frames that arrived in the last `windowMs` before `nowMs`. */
  audio(nowMs: number, windowMs = HEARING_WINDOW_MS): Int16Array {
    const from = nowMs - windowMs;
    let first = this.times.length;
    while (first > 0 && this.times[first - 1] > from) first--;
    const out = new Int16Array((this.frames.length - first) * FRAME_SAMPLES);
    for (let i = first; i < this.frames.length; i++)
      out.set(this.frames[i], (i - first) * FRAME_SAMPLES);
    return out;
  }

  /** Level (dBFS) of `freqHz` over the last `windowMs`; LEVEL_FLOOR_DB when nothing arrived. */
  levelDb(freqHz: number, nowMs: number, windowMs = HEARING_WINDOW_MS): number {
    const audio = this.audio(nowMs, windowMs);
    return audio.length === 0 ? LEVEL_FLOOR_DB : toneLevelDb(audio, SAMPLE_RATE, freqHz);
  }
}
