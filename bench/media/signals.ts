/**
 * The audio the load generator sends, pre-encoded once as G.711 µ-law
 * payloads (RFC 3551 §4.5.14) of one 20 ms frame: encoding is not what is
 * being measured, and every cycle the generator saves is left to the mixer
 * it shares the machine with.
 */
import { encodeMulaw } from '../../src/media/codec/index.js';
import { FRAME_SAMPLES } from './gen-member.js';

/** 400 Hz: exactly 8 periods in 160 samples at 8 kHz, so one frame repeats seamlessly. */
export const TONE_HZ = 400;
/** −20 dBFS: four members' tones summed by the N−1 mix stay clear of clipping. */
export const TONE_PEAK = Math.round(32767 * 10 ** (-20 / 20));
/** Samples of full-scale square wave at the start of a click frame. */
export const CLICK_SAMPLES = 8;

export function tonePayload(): Uint8Array {
  const pcm = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    pcm[i] = Math.round(TONE_PEAK * Math.sin((2 * Math.PI * TONE_HZ * i) / 8000));
  }
  return encodeMulaw(pcm);
}

export function silencePayload(): Uint8Array {
  return encodeMulaw(new Int16Array(FRAME_SAMPLES));
}

/** A sharp click: a short full-scale burst at the start of an otherwise silent frame. */
export function clickPayload(): Uint8Array {
  const pcm = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < CLICK_SAMPLES; i++) pcm[i] = i % 2 === 0 ? 32767 : -32768;
  return encodeMulaw(pcm);
}
