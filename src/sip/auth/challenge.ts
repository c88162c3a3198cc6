/** WWW-Authenticate / Proxy-Authenticate values (RFC 3261 §20.44, §20.27; RFC 7616 §3.3). */
import { parseAlgorithm } from './digest.js';
import { parseAuthParams, quote } from './params.js';
import type { DigestChallenge } from './types.js';

/**
 * Parses one WWW-Authenticate / Proxy-Authenticate value; null when it is not
 * a usable Digest challenge (other scheme, unknown algorithm, missing realm or
 * nonce, malformed). Unknown parameters are ignored (RFC 7616 §3.3: "any
 * unrecognized directive MUST be ignored"). Never throws.
 */
export function parseChallenge(value: string): DigestChallenge | null {
  const parsed = parseAuthParams(value);
  if (!parsed || parsed.scheme.toLowerCase() !== 'digest') return null;
  const p = parsed.params;

  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || !nonce) return null;

  const algorithm = parseAlgorithm(p.get('algorithm'));
  if (!algorithm) return null;

  // qop-options is a quoted, comma-separated list (RFC 7616 §3.3); some servers send one bare token.
  const qopRaw = p.get('qop');
  const qop =
    qopRaw === undefined
      ? []
      : qopRaw
          .split(',')
          .map((q) => q.trim().toLowerCase())
          .filter((q) => q.length > 0);

  const challenge: DigestChallenge = {
    realm,
    nonce,
    algorithm,
    qop,
    // "stale" is case-insensitive "true"; anything else means false (RFC 7616 §3.3).
    stale: (p.get('stale') ?? '').toLowerCase() === 'true',
  };
  const opaque = p.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  const domain = p.get('domain');
  if (domain !== undefined) challenge.domain = domain;
  return challenge;
}

/**
 * Formats a challenge the way RFC 7616 §3.3 writes it: realm, nonce, opaque,
 * domain and qop quoted; algorithm and stale as bare tokens.
 */
export function formatChallenge(c: DigestChallenge): string {
  const parts = [`realm=${quote(c.realm)}`];
  if (c.domain !== undefined) parts.push(`domain=${quote(c.domain)}`);
  parts.push(`nonce=${quote(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.stale) parts.push('stale=true');
  parts.push(`algorithm=${c.algorithm}`);
  if (c.qop.length > 0) parts.push(`qop=${quote(c.qop.join(','))}`);
  return `Digest ${parts.join(', ')}`;
}
