/**
 * Band-stop filters (RBJ Audio EQ Cookbook biquad notches) for speech that
 * shares the line with pilot tones: a phrase with its energy at the pilot
 * frequencies taken out cannot make a phone "hear" a tone that is not there.
 */
import { SAMPLE_RATE } from '../media/index.js';

/** Narrow enough to leave speech intelligible, wide (±75 Hz at 1.2 kHz) against the Goertzel window's main lobe. */
const NOTCH_Q = 8;

/** `samples` with a notch at each of `freqsHz` (a new array; the input is not changed). */
export function notchFilter(samples: Float32Array, freqsHz: readonly number[]): Float32Array {
  let signal = samples;
  for (const f of freqsHz) signal = notchOnce(signal, f);
  return signal;
}

function notchOnce(input: Float32Array, freqHz: number): Float32Array {
  const w0 = (2 * Math.PI * freqHz) / SAMPLE_RATE;
  const alpha = Math.sin(w0) / (2 * NOTCH_Q);
  const cos = Math.cos(w0);
  const a0 = 1 + alpha;
  const b0 = 1 / a0;
  const b1 = (-2 * cos) / a0;
  const b2 = 1 / a0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  const out = new Float32Array(input.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    out[i] = y;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
  }
  return out;
}
