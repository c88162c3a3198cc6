/**
 * Bounds the work unauthenticated clients can make the server do.
 *
 * A request whose credentials the TokenVerifier does not remember costs a
 * full scrypt of its token (N 16384, r 8: about 11 ms of CPU on libuv's
 * thread pool), whether the token turns out right or wrong, and whether
 * the AUTH_ID exists or not (a missing one is checked against a dummy hash
 * so timing does not tell). Measured on the 2-core machine of the
 * benchmarks: 100 requests a second with a wrong token kept the process
 * serving them (the flooding client in it too) at 87 % of a core, 40 a
 * second at 72 % (24–29 % with this throttle) — CPU the mixer and the RTP
 * of live calls need, and pool threads the WAL's fdatasync waits for. The
 * per-account rate limit cannot help: it counts only authenticated
 * requests.
 *
 * So every full check is paid for first, from two token buckets: one per
 * client address (what one client may make the server verify) and one for
 * everybody (what a crowd of addresses may). An empty bucket answers 429
 * with Retry-After before any scrypt runs. Remembered credentials never
 * reach this: a client that authenticated once is not slowed by anybody's
 * failures. Successes are charged too — charging at the start is what
 * stops a burst of concurrent guesses that all arrive before the first
 * one's answer — and a legitimate client needs one full check per process
 * lifetime, or per token rotation.
 */
import type { Clock } from '../clock/index.js';
import { canonicalAddress } from '../media/index.js';
import { HttpError } from './errors.js';
import { KeyedRateLimiter, type RateLimitOptions } from './rate-limit.js';

export interface AuthThrottleOptions {
  /** Full checks one client address may cause. */
  perAddress: RateLimitOptions;
  /** Full checks all clients together may cause. */
  overall: RateLimitOptions;
}

/**
 * 20 at once, then one a second from one address (about 1 % of a core);
 * 100 at once, then 20 a second in all (about a fifth of one).
 */
export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  perAddress: { perSecond: 1, burst: 20 },
  overall: { perSecond: 20, burst: 100 },
};

const EVERYONE = '';

export class AuthThrottle {
  private readonly perAddress: KeyedRateLimiter;
  private readonly overall: KeyedRateLimiter;

  constructor(options: AuthThrottleOptions, clock: Clock) {
    this.perAddress = new KeyedRateLimiter(options.perAddress, clock, 'authThrottle.perAddress');
    this.overall = new KeyedRateLimiter(options.overall, clock, 'authThrottle.overall');
  }

  /**
   * Pays for one full check of credentials sent from `address`; throws the
   * 429 to answer when that address, or everybody, has used up its share.
   */
  admit(address: string): void {
    // The address pays first: one that is refused must not drain everybody's bucket.
    const mine = this.perAddress.take(clientKey(address));
    if (!mine.ok) {
      throw tooMany(
        `too many credential checks from ${address}: retry in ${mine.retryAfterSeconds} s (credentials that authenticated once are not limited)`,
        mine.retryAfterSeconds,
      );
    }
    const all = this.overall.take(EVERYONE);
    if (!all.ok) {
      throw tooMany(
        `too many credential checks on this server right now: retry in ${all.retryAfterSeconds} s (credentials that authenticated once are not limited)`,
        all.retryAfterSeconds,
      );
    }
  }
}

/**
 * Whom a bucket is for: an IPv4 address (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), or an IPv6 address's /64 — one host or site is
 * usually given a whole /64, so per address it could take 2^64 buckets.
 */
export function clientKey(address: string): string {
  const canonical = canonicalAddress(address);
  if (!canonical.includes(':')) return canonical;
  return `${canonical.split(':').slice(0, 4).join(':')}::/64`;
}

function tooMany(message: string, retryAfterSeconds: number): HttpError {
  return new HttpError(429, message, { 'Retry-After': String(retryAfterSeconds) });
}
