/** Authorization / Proxy-Authorization values (RFC 3261 §20.7, §20.28; RFC 7616 §3.4). */
import { parseAlgorithm } from './digest.js';
import { parseAuthParams, quote } from './params.js';
import type { DigestCredentials } from './types.js';

/**
 * Parses one Authorization / Proxy-Authorization value; null when it is not
 * Digest credentials with username, realm, nonce, uri and response and an
 * algorithm we implement. Consistency between qop, nc and cnonce is left to
 * the verifier, which reports it as a bad response. Never throws.
 */
export function parseCredentials(value: string): DigestCredentials | null {
  const parsed = parseAuthParams(value);
  if (!parsed || parsed.scheme.toLowerCase() !== 'digest') return null;
  const p = parsed.params;

  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (
    username === undefined ||
    realm === undefined ||
    nonce === undefined ||
    uri === undefined ||
    response === undefined
  ) {
    return null;
  }
  const algorithm = parseAlgorithm(p.get('algorithm'));
  if (!algorithm) return null;

  const c: DigestCredentials = { username, realm, nonce, uri, response, algorithm };
  const cnonce = p.get('cnonce');
  if (cnonce !== undefined) c.cnonce = cnonce;
  const nc = p.get('nc');
  if (nc !== undefined) c.nc = nc;
  const qop = p.get('qop');
  if (qop !== undefined) c.qop = qop.toLowerCase();
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  return c;
}

/** A bare token as the grammar wants; quoted if a caller passed something that is not one. */
function bare(value: string): string {
  return /^[A-Za-z0-9\-.!%*_+`'~]+$/.test(value) ? value : quote(value);
}

/**
 * Formats credentials as RFC 7616 §3.4 / RFC 3261 §25.1 dig-resp: string
 * values quoted; algorithm, qop and nc bare (message-qop and nonce-count are
 * not quoted-strings). nonce precedes cnonce because some peers (older SIPp)
 * look parameters up by substring, and "nonce=" is a substring of "cnonce=".
 */
export function formatCredentials(c: DigestCredentials): string {
  const parts = [
    `username=${quote(c.username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(c.uri)}`,
    `response=${quote(c.response)}`,
    `algorithm=${bare(c.algorithm)}`,
  ];
  if (c.cnonce !== undefined) parts.push(`cnonce=${quote(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${bare(c.qop)}`);
  if (c.nc !== undefined) parts.push(`nc=${bare(c.nc)}`);
  return `Digest ${parts.join(', ')}`;
}
