/**
 * Stateless server nonces (RFC 7616 §3.3 suggests "time-stamp H(time-stamp
 * ":" ETag ":" secret-data)"; RFC 3261 §22.4 leaves the format to the server).
 *
 *   nonce = base64url( timestamp(6 bytes, ms) | salt(8 bytes) | HMAC-SHA-256(secret, timestamp | salt | realm)[0..16] )
 *
 * The HMAC lets the server recognise its own nonces and read their age with no
 * table; the random salt keeps two challenges issued in the same millisecond
 * apart, so their nonce-counts (tracked per nonce for replay protection) never
 * collide. Binding the realm means a nonce from one realm is useless in another.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TS_BYTES = 6;
const SALT_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TS_BYTES + SALT_BYTES + MAC_BYTES;

export class NonceMint {
  constructor(
    private readonly secret: Buffer,
    private readonly realm: string,
  ) {}

  /** A fresh nonce stamped with `nowMs` (the server Clock's time). */
  issue(nowMs: number): string {
    const head = Buffer.alloc(TS_BYTES + SALT_BYTES);
    head.writeUIntBE(Math.max(0, Math.floor(nowMs)), 0, TS_BYTES);
    randomBytes(SALT_BYTES).copy(head, TS_BYTES);
    return Buffer.concat([head, this.mac(head)]).toString('base64url');
  }

  /** The issue time of a nonce this server minted, or null when it is not one (forged, altered, other realm). */
  open(nonce: string): number | null {
    if (nonce.length !== Math.ceil((NONCE_BYTES * 4) / 3)) return null;
    const raw = Buffer.from(nonce, 'base64url');
    // Node's decoder skips invalid characters, so insist on an exact round trip.
    if (raw.length !== NONCE_BYTES || raw.toString('base64url') !== nonce) return null;
    const head = raw.subarray(0, TS_BYTES + SALT_BYTES);
    if (!timingSafeEqual(raw.subarray(TS_BYTES + SALT_BYTES), this.mac(head))) return null;
    return head.readUIntBE(0, TS_BYTES);
  }

  private mac(head: Buffer): Buffer {
    return createHmac('sha256', this.secret)
      .update(head)
      .update(this.realm, 'utf8')
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
