/**
 * G.711 A-law (ITU-T G.711 §1, Table 1a) between 16-bit linear PCM and 8-bit
 * codes, table-driven like the µ-law codec (65 536-entry encode table,
 * 256-entry decode table, built once at module load).
 *
 * Bit-exact with the ITU-T G.191 reference (g711.c `alaw_compress` /
 * `alaw_expand`): the input is taken as 13-bit left-justified and a negative
 * sample's magnitude is its one's complement (~x). alawmulaw uses two's
 * complement (and maps -32768 to -32767 to make that fit); the two differ
 * only on the 127 negative inputs lying exactly on a decision threshold.
 */
import { frameOut } from './frame-out.js';

function compress(sample: number): number {
  const negative = sample < 0;
  // 13-bit magnitude, 0..4095 → 12 bits after >> 4 (0..2047).
  let ix = (negative ? ~sample : sample) >> 4;
  if (ix > 15) {
    // Segments 1..7: the leading one is implicit, 4 bits of mantissa remain (Table 1a).
    let segment = 1;
    while (ix > 31) {
      ix >>= 1;
      segment++;
    }
    ix = (segment << 4) | (ix - 16);
  }
  // Sign bit 1 = positive; even bits are inverted on the line (G.711 §1, Table 1a note).
  return (negative ? ix : ix | 0x80) ^ 0x55;
}

function expand(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  const segment = (a >> 4) & 0x07;
  let mantissa = a & 0x0f;
  if (segment > 0) mantissa += 16;
  // Middle of the quantisation interval (Table 1a, column "decoder output").
  let magnitude = (mantissa << 4) + 8;
  if (segment > 1) magnitude <<= segment - 1;
  return a & 0x80 ? magnitude : -magnitude;
}

const ENCODE = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) ENCODE[i] = compress(i < 32768 ? i : i - 65536);

const DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) DECODE[i] = expand(i);

/** One sample: Int16 linear → A-law code. Out-of-range input is wrapped to 16 bits. */
export function encodeAlawSample(sample: number): number {
  return ENCODE[sample & 0xffff];
}

/** One code: A-law byte → Int16 linear. */
export function decodeAlawSample(code: number): number {
  return DECODE[code & 0xff];
}

/**
 * Encodes a whole frame. `out`, when given, must hold at least `pcm.length`
 * bytes; the returned array is a view of exactly `pcm.length` bytes.
 * @throws RangeError when `out` is too short (a caller bug, not bad input).
 */
export function encodeAlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
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
export function decodeAlaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  const n = bytes.length;
  const dst = frameOut(out, n, Int16Array);
  const table = DECODE;
  for (let i = 0; i < n; i++) dst[i] = table[bytes[i]];
  return dst;
}
