import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { MAX_AUTH_TOKEN_LENGTH } from './token.js';

/**
 * Stored token hashes: `scrypt$N$r$p$<salt base64>$<key base64>`
 * (RFC 7914 scrypt, standard base64 with padding). The parameters travel
 * with the hash so they can be raised later without invalidating tokens
 * already issued.
 */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/*
 * Bounds on what a stored string may ask for: a corrupt or hostile row must
 * not make one verification allocate gigabytes or run for minutes.
 */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 1024 * 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(token: string, salt: Buffer, keyBytes: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(token, salt, keyBytes, o, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function scryptOptions(N: number, r: number, p: number): ScryptOptions {
  // Node's default maxmem (32 MiB) is just above what N=16384, r=8 needs (128·N·r = 16 MiB);
  // give larger stored parameters the room they ask for, within MAX_MEMORY.
  return { N, r, p, maxmem: 128 * N * r * p + 128 * r * p + 1024 * 1024 };
}

function decodeBase64(text: string | undefined): Buffer | undefined {
  if (text === undefined || text === '' || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function parseInteger(text: string | undefined): number {
  return text !== undefined && /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
}

/** The parts of a stored hash, or undefined when it is not one this module could have written. */
export function parseHash(stored: unknown): ParsedHash | undefined {
  if (typeof stored !== 'string' || stored.length > 512) return undefined;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const N = parseInteger(parts[1]);
  const r = parseInteger(parts[2]);
  const p = parseInteger(parts[3]);
  // N must be a power of two above 1 (RFC 7914 §2).
  if (!(N > 1 && N <= MAX_N && (N & (N - 1)) === 0)) return undefined;
  if (!(r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P)) return undefined;
  if (128 * N * r * p > MAX_MEMORY) return undefined;
  const salt = decodeBase64(parts[4]);
  const key = decodeBase64(parts[5]);
  if (!salt || salt.length < 8 || !key || key.length < 16 || key.length > 64) return undefined;
  return { N, r, p, salt, key };
}

/** The string to store for `token` (a fresh random salt each time). */
export async function hashToken(token: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_PARAMS;
  const salt = randomBytes(saltBytes);
  const key = await derive(token, salt, keyBytes, scryptOptions(N, r, p));
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Whether `token` is the one `stored` was made from. Compares in constant
 * time; resolves false (never rejects) for a malformed stored string, a
 * non-string or over-long token, or any failure of the derivation.
 */
export async function verifyToken(token: string, stored: string): Promise<boolean> {
  try {
    if (typeof token !== 'string' || token.length > MAX_AUTH_TOKEN_LENGTH) return false;
    const parsed = parseHash(stored);
    if (!parsed) return false;
    const key = await derive(
      token,
      parsed.salt,
      parsed.key.length,
      scryptOptions(parsed.N, parsed.r, parsed.p),
    );
    return timingSafeEqual(key, parsed.key);
  } catch {
    return false;
  }
}
