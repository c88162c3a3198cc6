/** Shapes of HTTP Digest values as SIP uses them (RFC 3261 §22.4, §25.1; RFC 7616 §3.3–3.4). */

/** The algorithms we implement (RFC 7616 §6.1 registry, minus SHA-512-256 which SIP peers do not use). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** One parsed WWW-Authenticate / Proxy-Authenticate value (RFC 7616 §3.3). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** MD5 when the challenge names none (RFC 2617 §3.2.1). */
  algorithm: DigestAlgorithm;
  /** Lower-cased qop-options; empty when the server sent none (RFC 2069 compatibility). */
  qop: string[];
  stale: boolean;
  domain?: string;
}

/** One parsed Authorization / Proxy-Authorization value (RFC 7616 §3.4, RFC 3261 §25.1 dig-resp). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  cnonce?: string;
  nc?: string;
  qop?: string;
  opaque?: string;
}
