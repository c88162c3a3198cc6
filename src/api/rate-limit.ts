/**
 * A token bucket per key (an account's AUTH_ID, a client's address):
 * `burst` at once, refilled at `perSecond`. Time comes from a Clock so
 * tests drive it without sleeping.
 */
import type { Clock } from '../clock/index.js';

export interface RateLimitOptions {
  /** Sustained requests per second per account (> 0). */
  perSecond: number;
  /** Requests an idle account may send at once (>= 1). */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Idle keys are forgotten past this many buckets (a full bucket equals no bucket). */
const PRUNE_ABOVE = 10_000;
/**
 * Past this many even after pruning (a crowd of keys all busy: many client
 * addresses), the oldest buckets are dropped — those keys start full again,
 * which is a smaller harm than memory growing with every new key.
 */
const KEEP_AT_MOST = 2 * PRUNE_ABOVE;

export class KeyedRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** `name` says which setting a bad option is, in the RangeError. */
  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: Clock,
    name = 'rateLimit',
  ) {
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond)) {
      throw new RangeError(`${name}.perSecond must be a positive number, got ${options.perSecond}`);
    }
    if (!(options.burst >= 1) || !Number.isFinite(options.burst)) {
      throw new RangeError(`${name}.burst must be at least 1, got ${options.burst}`);
    }
  }

  /** Takes one token; answers the whole seconds to wait when there is none. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.clock.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const wait = (1 - bucket.tokens) / this.options.perSecond;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= PRUNE_ABOVE) this.prune(now);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + elapsedSeconds * this.options.perSecond,
    );
    bucket.at = now;
    return bucket;
  }

  private prune(now: number): void {
    const full = this.options.burst / this.options.perSecond;
    for (const [id, b] of this.buckets) {
      if ((now - b.at) / 1000 + b.tokens / this.options.perSecond >= full) this.buckets.delete(id);
    }
    // A Map iterates in insertion order: the first keys are the oldest buckets.
    for (const id of this.buckets.keys()) {
      if (this.buckets.size < KEEP_AT_MOST) break;
      this.buckets.delete(id);
    }
  }

  /** Buckets held (tests). */
  get size(): number {
    return this.buckets.size;
  }
}
