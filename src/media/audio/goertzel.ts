/**
 * Tone measurement for tests and diagnostics: the Goertzel algorithm evaluates
 * one DFT term in O(N) without an FFT. We use the generalised form (the
 * frequency need not fall on a bin centre) so a tone is measured at exactly
 * the frequency asked, and a Hann window by default so a strong tone elsewhere
 * in the band leaks far less into the measurement (sidelobes fall off at
 * 18 dB/octave instead of 6).
 */

export type GoertzelWindow = 'hann' | 'rectangular';

export interface GoertzelOptions {
  /** Default 'hann'. */
  window?: GoertzelWindow;
}

export interface ToneLevelOptions extends GoertzelOptions {
  /**
   * The peak value of a full-scale signal. Default: 32768 for Int16Array and
   * 1.0 for Float32Array (the usual convention for float audio).
   */
  fullScale?: number;
}

/** Levels are clamped to this floor so that differences of two levels stay finite. */
export const LEVEL_FLOOR_DB = -200;

/**
 * Mean power of the component of `samples` at `freq`, in squared sample
 * units: a sinusoid of amplitude A at `freq` gives A²/2 whatever its phase.
 */
export function goertzelPower(
  samples: Int16Array | Float32Array,
  sampleRate: number,
  freq: number,
  options: GoertzelOptions = {},
): number {
  const n = samples.length;
  if (n === 0 || !(sampleRate > 0) || !Number.isFinite(freq)) return 0;
  const hann = (options.window ?? 'hann') === 'hann' && n > 1;
  const w = (2 * Math.PI * freq) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    // Periodic Hann: its coherent gain is exactly N/2 for any N.
    const win = hann ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n) : 1;
    windowSum += win;
    const s0 = samples[i] * win + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  // |X(w)|² from the last two states; the phase factor of the generalised
  // Goertzel does not change the magnitude.
  const magSq = Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2);
  // Amplitude A = 2|X| / Σwin, power A²/2.
  return (2 * magSq) / (windowSum * windowSum);
}

/**
 * Level of the tone at `freq` in dB relative to a full-scale sine (dBFS):
 * a sine of peak amplitude equal to full scale reads 0 dB, half of it −6 dB.
 */
export function toneLevelDb(
  samples: Int16Array | Float32Array,
  sampleRate: number,
  freq: number,
  options: ToneLevelOptions = {},
): number {
  const fullScale = options.fullScale ?? (samples instanceof Int16Array ? 32768 : 1);
  const power = goertzelPower(samples, sampleRate, freq, options);
  const ref = (fullScale * fullScale) / 2;
  if (!(power > 0) || !(ref > 0)) return LEVEL_FLOOR_DB;
  return Math.max(LEVEL_FLOOR_DB, 10 * Math.log10(power / ref));
}
