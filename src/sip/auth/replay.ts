/**
 * Replay protection for stateless nonces (RFC 7616 §3.4.5, §5.4 / RFC 2617
 * §3.2.2: "the server can use the nc value to detect a replay"). The server
 * remembers the highest nonce-count it accepted per nonce; a request must
 * carry a higher one.
 *
 * The table is bounded. When a nonce is forgotten, every nonce issued no
 * later than it and not in the table is treated as forgotten too, so an
 * eviction can never reopen a replay window: such a nonce gets a stale
 * challenge and the client simply retries with a fresh one.
 */
import { BoundedMap } from './bounded-map.js';

export type NonceCountResult = 'accepted' | 'replayed' | 'forgotten';

interface Seen {
  issuedAt: number;
  nc: number;
}

export class NonceCounts {
  private forgottenUpTo = -Infinity;
  private readonly seen: BoundedMap<string, Seen>;

  constructor(capacity: number) {
    this.seen = new BoundedMap<string, Seen>(capacity, (_nonce, s) => {
      this.forgottenUpTo = Math.max(this.forgottenUpTo, s.issuedAt);
    });
  }

  /** Accepts `nc` for `nonce` (issued at `issuedAt`) if it is higher than any accepted before, and records it. */
  accept(nonce: string, issuedAt: number, nc: number): NonceCountResult {
    const prev = this.seen.get(nonce);
    if (prev === undefined) {
      if (issuedAt <= this.forgottenUpTo) return 'forgotten';
    } else if (nc <= prev.nc) {
      return 'replayed';
    }
    this.seen.set(nonce, { issuedAt, nc });
    return 'accepted';
  }
}
