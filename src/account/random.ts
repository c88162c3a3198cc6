import { randomBytes } from 'node:crypto';

/**
 * `length` characters drawn uniformly from `alphabet` (at most 256 of them).
 * Bytes at or above the largest multiple of the alphabet size are thrown
 * away rather than reduced modulo it, so no character is more likely than
 * another.
 */
export function randomString(alphabet: string, length: number): string {
  const n = alphabet.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte >= limit) continue;
      out += alphabet[byte % n];
      if (out.length === length) break;
    }
  }
  return out;
}
