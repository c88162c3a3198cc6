/**
 * G.711 µ-law (ITU-T G.711 §2, Table 2a) between 16-bit linear PCM and
 * 8-bit codes, table-driven: one 65 536-entry encode table and one 256-entry
 * decode table, both built once at module load (~0.1 ms), so a 20 ms frame is
 * 160 array lookups.
 *
 * The quantiser is bit-exact with the ITU-T's own software reference for
 * G.711 (G.191 Software Tool Library, g711.c `ulaw_compress`/`ulaw_expand`):
 * a 16-bit sample is taken as 14-bit left-justified, and a negative sample's
 * magnitude is its ONE'S complement (~x), so the decision thresholds are
 * mirrored about -0.5 rather than about 0. The npm package alawmulaw (and the
 * many ports of it) negates with two's complement instead; the two agree on
 * every input except the 127 negative values that lie exactly on a decision
 * threshold, where alawmulaw picks the next larger magnitude. We follow G.191.
 */
import { frameOut } from './frame-out.js';

/** µ-law bias: 33 in 14-bit units (G.711 Table 2a offsets the segments by 33), 0x84 on the 16-bit scale. */
const BIAS = 0x84;
/** Largest biased magnitude that still encodes (segment 7, step 15). */
const CLIP = 0x7fff;

function compress(sample: number): number {
  // One's complement for negatives (G.191): -1 maps to magnitude 0, -32768 to 32767.
  const negative = sample < 0;
  let magnitude = (negative ? ~sample : sample) + BIAS;
  if (magnitude > CLIP) magnitude = CLIP;
  // Segment = position of the leading one above bit 7 (biased magnitude ≥ 0x84 > 0x80).
  let segment = 0;
  for (let v = magnitude >> 8; v !== 0; v >>= 1) segment++;
  const step = (magnitude >> (segment + 3)) & 0x0f;
  const code = (segment << 4) | step;
  // Code words are sent inverted; the sign bit is 1 for positive (G.711 §2, Table 2a note).
  return (negative ? 0x7f : 0xff) ^ code;
}

function expand(code: number): number {
  const u = ~code & 0xff;
  const segment = (u >> 4) & 0x07;
  // Decoder output is the middle of the quantisation interval (G.711 Table 2a, column 7).
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << segment) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

const ENCODE = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) ENCODE[i] = compress(i < 32768 ? i : i - 65536);

const DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) DECODE[i] = expand(i);

/** One sample: Int16 linear → µ-law code. Out-of-range input is wrapped to 16 bits. */
export function encodeMulawSample(sample: number): number {
  return ENCODE[sample & 0xffff];
}

/** One code: µ-law byte → Int16 linear. */
export function decodeMulawSample(code: number): number {
  return DECODE[code & 0xff];
}

/**
 * Encodes a whole frame. `out`, when given, must hold at least `pcm.length`
 * bytes; the returned array is a view of exactly `pcm.length` bytes.
 * @throws RangeError when `out` is too short (a caller bug, not bad input).
 */
export function encodeMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const n = pcm.length;
  const dst = frameOut(out, n, Uint8Array);
  const table = ENCODE;
  for (let i = 0; i < n; i++) dst[i] = table[pcm[i] & 0xffff];
  return dst;
}

/**
 * Decodes a whole frame. `out`, when given, must hold at least `bytes.length`
 * samples; the returned array is a view of exactly `bytes.length` samples.
 * @throws RangeError when `out` is too short (a caller bug, not bad input).
 */
export function decodeMulaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  const n = bytes.length;
  const dst = frameOut(out, n, Int16Array);
  const table = DECODE;
  for (let i = 0; i < n; i++) dst[i] = table[bytes[i]];
  return dst;
}
