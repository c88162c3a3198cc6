/**
 * The Digest computation itself (RFC 2617 §3.2.2.1–3.2.2.3, RFC 7616 §3.4.1–3.4.3,
 * RFC 3261 §22.4), for MD5 and SHA-256 (RFC 8760 §2.2) and their -sess variants.
 */
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from './types.js';

const BY_NAME: Record<string, DigestAlgorithm> = {
  md5: 'MD5',
  'md5-sess': 'MD5-sess',
  'sha-256': 'SHA-256',
  'sha-256-sess': 'SHA-256-sess',
};

/**
 * The algorithm named by an algorithm parameter: MD5 when absent (RFC 2617
 * §3.2.1), matched case-insensitively (RFC 7616 §3.3 tokens), null when we
 * do not implement it (e.g. SHA-512-256, AKAv1-MD5).
 */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | null {
  if (value === undefined) return 'MD5';
  return BY_NAME[value.toLowerCase()] ?? null;
}

export function isSessionAlgorithm(a: DigestAlgorithm): boolean {
  return a === 'MD5-sess' || a === 'SHA-256-sess';
}

/** Hex length of a response for that algorithm (32 for MD5, 64 for SHA-256). */
export function responseLength(a: DigestAlgorithm): number {
  return a === 'MD5' || a === 'MD5-sess' ? 32 : 64;
}

function hasher(a: DigestAlgorithm): (data: string | Buffer) => string {
  const name = a === 'MD5' || a === 'MD5-sess' ? 'md5' : 'sha256';
  // Strings are hashed as UTF-8 (RFC 7616 §4: the charset parameter only ever allows UTF-8).
  return (data) => createHash(name).update(data).digest('hex');
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  cnonce?: string;
  nc?: string;
  qop?: 'auth' | 'auth-int';
  body?: Buffer;
}

/**
 * The request-digest, lower-case hex.
 *
 * Throws a TypeError only for an inconsistent call (qop without cnonce/nc,
 * or a -sess algorithm without cnonce): those are caller bugs, never network
 * input — the client builds them itself and the server checks them before
 * calling.
 */
export function computeDigestResponse(p: DigestInput): string {
  const H = hasher(p.algorithm);

  // A1 (RFC 7616 §3.4.2): for -sess the session key also binds nonce and cnonce.
  let ha1 = H(`${p.username}:${p.realm}:${p.password}`);
  if (isSessionAlgorithm(p.algorithm)) {
    if (p.cnonce === undefined) throw new TypeError(`${p.algorithm} needs a cnonce`);
    ha1 = H(`${ha1}:${p.nonce}:${p.cnonce}`);
  }

  // A2 (RFC 7616 §3.4.3): auth-int also covers the entity body (the SIP message body, RFC 3261 §22.4).
  const ha2 =
    p.qop === 'auth-int'
      ? H(`${p.method}:${p.uri}:${H(p.body ?? Buffer.alloc(0))}`)
      : H(`${p.method}:${p.uri}`);

  if (p.qop === undefined) {
    // RFC 2069 compatibility (RFC 2617 §3.2.2.1): no nc/cnonce in the digest.
    return H(`${ha1}:${p.nonce}:${ha2}`);
  }
  if (p.cnonce === undefined || p.nc === undefined) {
    throw new TypeError(`qop=${p.qop} needs cnonce and nc`);
  }
  return H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}
