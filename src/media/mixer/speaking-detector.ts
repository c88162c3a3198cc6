/**
 * Who is talking, from the energy of each 20 ms frame: a frame whose RMS
 * level is above a threshold (dBFS) counts as voiced. Speaking starts after
 * `attackFrames` voiced frames in a row (a click or a cough is one frame and
 * must not flash the indicator) and stops after `hangoverMs` without a voiced
 * frame (speech has short pauses between words and syllables that must not
 * end the talk spurt). The state is a few numbers: no allocation per frame.
 */
import { FRAME_MS, meanSquareAtDbfs } from './dsp.js';

export interface SpeakingOptions {
  /** RMS level above which a frame counts as voiced, dBFS (default −40). */
  thresholdDbfs?: number;
  /** Voiced frames in a row before speaking starts (default 2). */
  attackFrames?: number;
  /** Time without a voiced frame before speaking stops, ms (default 300). */
  hangoverMs?: number;
}

export type SpeakingChange = 'start' | 'stop' | null;

export class SpeakingDetector {
  private readonly threshold: number;
  private readonly attackFrames: number;
  private readonly hangoverFrames: number;
  private voicedRun = 0;
  private quietRun = 0;
  private speakingNow = false;

  constructor(options: SpeakingOptions = {}) {
    this.threshold = meanSquareAtDbfs(options.thresholdDbfs ?? -40);
    this.attackFrames = Math.max(1, Math.floor(options.attackFrames ?? 2));
    this.hangoverFrames = Math.max(1, Math.ceil((options.hangoverMs ?? 300) / FRAME_MS));
  }

  get speaking(): boolean {
    return this.speakingNow;
  }

  /** Feeds one frame's mean square energy; returns the transition it caused, if any. */
  update(meanSquare: number): SpeakingChange {
    if (meanSquare > this.threshold) {
      this.quietRun = 0;
      this.voicedRun++;
      if (!this.speakingNow && this.voicedRun >= this.attackFrames) {
        this.speakingNow = true;
        return 'start';
      }
      return null;
    }
    this.voicedRun = 0;
    if (!this.speakingNow) return null;
    this.quietRun++;
    if (this.quietRun >= this.hangoverFrames) {
      this.speakingNow = false;
      this.quietRun = 0;
      return 'stop';
    }
    return null;
  }

  /** Forgets everything (the member left); returns 'stop' if it was speaking. */
  reset(): SpeakingChange {
    const was = this.speakingNow;
    this.voicedRun = 0;
    this.quietRun = 0;
    this.speakingNow = false;
    return was ? 'stop' : null;
  }
}
