/**
 * What a virtual phone says: a tone (the default), or a spoken phrase over a
 * quieter pilot tone. Either way each phone has a frequency of its own that
 * the others' tone detection recognises it by — speech alone could not say
 * *who* is heard. The phrase is notch-filtered at every frequency the
 * checks listen for, so one phone's speech never reads as another's pilot
 * (or as hold music).
 */
import { ToneSource, TONE_PEAK, builtinSource, type AudioSource } from '../media/index.js';
import { notchFilter } from './notch.js';

export interface Voice {
  readonly kind: 'tone' | 'speech';
  /** The frequency this voice is recognised by. */
  readonly pilotHz: number;
  /** For people: "a 1200 Hz tone", "“Hello…” over a 1200 Hz pilot tone". */
  readonly description: string;
  /** A fresh source for one call (sources keep their position). */
  open(): AudioSource;
}

/** The pilot's peak under speech: −18 dBFS, well above the −30 dB hearing line after G.711 and mixing. */
const PILOT_PEAK = Math.round(32768 * Math.pow(10, -18 / 20));
/** The phrase's peak: −9 dBFS, so phrase and pilot together stay clear of clipping. */
const SPEECH_PEAK = 32768 * Math.pow(10, -9 / 20);
/** Silence between two sayings of the phrase, in samples (0.8 s). */
const GAP_SAMPLES = 6400;

/** A steady tone at `hz` (−12 dBFS, the built-in `tone:<Hz>`). */
export function toneVoice(hz: number): Voice {
  return {
    kind: 'tone',
    pilotHz: hz,
    description: `a ${hz} Hz tone`,
    open: () => builtinSource(`tone:${hz}`)!,
  };
}

/**
 * `speech` (8 kHz samples of `phrase`) said again and again over a pilot
 * tone at `pilotHz`; the speech is notched at every one of `notchHz`.
 */
export function speechVoice(
  phrase: string,
  speech: Int16Array,
  pilotHz: number,
  notchHz: readonly number[],
): Voice {
  const filtered = notchFilter(Float32Array.from(speech), notchHz);
  let peak = 0;
  for (const s of filtered) peak = Math.max(peak, Math.abs(s));
  const gain = peak > 0 ? SPEECH_PEAK / peak : 0;
  const loop = new Int16Array(filtered.length + GAP_SAMPLES);
  for (let i = 0; i < filtered.length; i++) loop[i] = Math.round(filtered[i] * gain);
  return {
    kind: 'speech',
    pilotHz,
    description: `“${phrase}” over a ${pilotHz} Hz pilot tone`,
    open: () => new SpeechSource(`speech:${pilotHz}`, loop, pilotHz),
  };
}

/** The phrase on a loop, with the pilot tone added under it. */
class SpeechSource implements AudioSource {
  private readonly pilot: ToneSource;
  private position = 0;
  private pilotBuffer = new Int16Array(0);

  constructor(
    readonly name: string,
    private readonly loop: Int16Array,
    pilotHz: number,
  ) {
    this.pilot = new ToneSource(
      name,
      { segments: [{ freqs: [pilotHz], ms: Infinity }], loop: false },
      Math.min(PILOT_PEAK, TONE_PEAK),
    );
  }

  read(out: Int16Array): boolean {
    if (this.pilotBuffer.length !== out.length) this.pilotBuffer = new Int16Array(out.length);
    this.pilot.read(this.pilotBuffer);
    for (let i = 0; i < out.length; i++) {
      const speech = this.loop.length > 0 ? this.loop[this.position] : 0;
      this.position = this.loop.length > 0 ? (this.position + 1) % this.loop.length : 0;
      out[i] = Math.max(-32768, Math.min(32767, speech + this.pilotBuffer[i]));
    }
    return true;
  }
}
