import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAX_AUTH_TOKEN_LENGTH } from './token.js';
import { SCRYPT_PARAMS, verifyToken } from './scrypt-hash.js';

export interface TokenVerifierOptions {
  /** Accounts whose last good token is remembered (least recently used dropped first); default 10 000. */
  maxEntries?: number;
  /** The full check behind the cache (default verifyToken); tests wrap it to count calls. */
  verifyToken?: (token: string, stored: string) => Promise<boolean>;
}

interface Entry {
  /** The stored hash the token was verified against: a rotated token has a new one. */
  stored: string;
  digest: Buffer;
}

/**
 * A well-formed hash nobody's token matches, verified in place of a missing
 * account so that "no such account" costs the same scrypt as "wrong token"
 * and the two cannot be told apart by timing.
 */
const NO_ACCOUNT_HASH =
  `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$` +
  `${Buffer.alloc(SCRYPT_PARAMS.saltBytes).toString('base64')}$` +
  Buffer.alloc(SCRYPT_PARAMS.keyBytes).toString('base64');

/**
 * verifyToken with a memory: every API request carries the same
 * (AUTH_ID, AUTH_TOKEN) pair, and a full scrypt (~50 ms of CPU) on each
 * would cap the API near 20 requests a second. After one successful
 * verification the pair is remembered as an HMAC-SHA256 of the token under
 * a key made fresh for this process (so the cache holds nothing that could
 * be checked offline), together with the stored hash it matched; later
 * requests compare digests in constant time.
 *
 * - Only successes are remembered: a wrong token costs a full scrypt every
 *   time (throttling guesses is the rate limiter's job, a 429).
 * - An entry only counts for the stored hash it was made against, so a
 *   rotated token invalidates itself; `invalidate(authId)` drops an account
 *   explicitly (deleted, disabled), `clear()` drops everything.
 * - Concurrent verifications of the same pair share one scrypt.
 * - `admit`, when given, is called before a full check starts (never for
 *   a remembered token, nor for one that joins a check already running):
 *   the caller's chance to refuse the work, by throwing.
 *
 * Rejects only with what `admit` threw.
 */
export class TokenVerifier {
  readonly #maxEntries: number;
  readonly #verifyToken: (token: string, stored: string) => Promise<boolean>;
  readonly #key = randomBytes(32);
  /** Insertion order is recency order: a hit is re-inserted at the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<boolean>>();
  /** Bumped by invalidate/clear: a verification that started before must not repopulate. */
  #epoch = 0;

  constructor(options: TokenVerifierOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    this.#maxEntries = Number.isInteger(max) && max > 0 ? max : 10_000;
    this.#verifyToken = options.verifyToken ?? verifyToken;
  }

  /** Accounts currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Whether `token` is the token of account `authId`, whose stored hash is
   * `stored` (null or undefined when there is no such account: then false,
   * after the same work as a wrong token, `admit` included).
   */
  async verify(
    authId: string,
    token: string,
    stored: string | null | undefined,
    admit?: () => void,
  ): Promise<boolean> {
    if (typeof authId !== 'string' || typeof token !== 'string') return false;
    if (token.length > MAX_AUTH_TOKEN_LENGTH) return false;
    if (typeof stored !== 'string') {
      admit?.();
      await this.#check(token, NO_ACCOUNT_HASH);
      return false;
    }
    const digest = createHmac('sha256', this.#key)
      .update(authId)
      .update('\0')
      .update(token)
      .digest();
    const entry = this.#entries.get(authId);
    if (entry && entry.stored === stored && timingSafeEqual(entry.digest, digest)) {
      this.#entries.delete(authId);
      this.#entries.set(authId, entry);
      return true;
    }

    const flightKey = `${authId}\0${digest.toString('hex')}\0${stored}`;
    const pending = this.#inFlight.get(flightKey);
    if (pending) return pending;
    admit?.();
    const epoch = this.#epoch;
    const flight = this.#check(token, stored).then((ok) => {
      this.#inFlight.delete(flightKey);
      if (ok && epoch === this.#epoch) this.#remember(authId, { stored, digest });
      return ok;
    });
    this.#inFlight.set(flightKey, flight);
    return flight;
  }

  /** Forget the account's remembered token (call when it is rotated, disabled or deleted). */
  invalidate(authId: string): void {
    this.#epoch++;
    this.#entries.delete(authId);
  }

  /** Forget every remembered token. */
  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  /** The full check; a custom one that throws counts as a failure (verify never rejects). */
  async #check(token: string, stored: string): Promise<boolean> {
    try {
      return (await this.#verifyToken(token, stored)) === true;
    } catch {
      return false;
    }
  }

  #remember(authId: string, entry: Entry): void {
    this.#entries.delete(authId);
    this.#entries.set(authId, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
