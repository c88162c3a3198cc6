/**
 * Admission of new server transactions: the load-shedding rules that keep
 * the transaction table bounded however fast requests arrive.
 *
 * - A cap on server transactions in the table (live and lingering). Past it
 *   a request that would start something new gets a stateless 503 with
 *   Retry-After (RFC 3261 §21.5.4); requests inside existing dialogs are
 *   still admitted, so calls already up keep working.
 * - A per-source token bucket on new out-of-dialog requests, so one sender
 *   cannot take the whole capacity. Buckets are kept for a bounded number of
 *   sources (the least recently seen are forgotten: a full bucket again).
 *
 * Each overload is logged once per episode, not once per packet: when it
 * starts, and when it is over (with how many requests it refused).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';

export interface AdmissionLimits {
  /** Server transactions in the table at most (default 500 000, at least 1). */
  maxServerTransactions?: number;
  /**
   * New out-of-dialog requests accepted per second from one source address
   * (default 1000; 0 = no per-source limit).
   */
  newRequestsPerSecondPerSource?: number;
  /** How many such requests a source may send at once above that rate (default: one second's worth). */
  newRequestsBurstPerSource?: number;
}

export const DEFAULT_MAX_SERVER_TRANSACTIONS = 500_000;
export const DEFAULT_NEW_REQUESTS_PER_SECOND_PER_SOURCE = 1000;
/** Sources whose buckets are remembered (bounded: spoofed sources are unlimited in number). */
const MAX_TRACKED_SOURCES = 10_000;
/** Retry-After (s) in a 503 for a full table: the table drains as transactions end. */
export const TABLE_FULL_RETRY_AFTER_S = 5;
/** Retry-After (s) in a 503 for a source over its rate: its bucket refills within a second. */
export const RATE_LIMITED_RETRY_AFTER_S = 1;

export type Admission =
  { admitted: true } | { admitted: false; retryAfter: number; reason: string };

interface Bucket {
  tokens: number;
  at: number;
  /** Requests refused in the current episode; 0 = not in an episode. */
  refused: number;
}

const ADMITTED: Admission = { admitted: true };

export class AdmissionControl {
  readonly maxServerTransactions: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly buckets = new Map<string, Bucket>();
  /** Requests refused since the table filled; 0 = the table is not full. */
  private tableFullRefused = 0;

  constructor(
    limits: AdmissionLimits,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.maxServerTransactions = limits.maxServerTransactions ?? DEFAULT_MAX_SERVER_TRANSACTIONS;
    this.rate = limits.newRequestsPerSecondPerSource ?? DEFAULT_NEW_REQUESTS_PER_SECOND_PER_SOURCE;
    this.burst = limits.newRequestsBurstPerSource ?? this.rate;
    if (!Number.isInteger(this.maxServerTransactions) || this.maxServerTransactions < 1)
      throw new RangeError(
        `maxServerTransactions must be an integer >= 1, got ${this.maxServerTransactions}`,
      );
    if (!Number.isFinite(this.rate) || this.rate < 0)
      throw new RangeError(`newRequestsPerSecondPerSource must be >= 0, got ${this.rate}`);
    if (!Number.isFinite(this.burst) || (this.rate > 0 && this.burst < 1))
      throw new RangeError(`newRequestsBurstPerSource must be >= 1, got ${this.burst}`);
  }

  /**
   * Whether a request that matched no transaction may be taken on.
   * `outOfDialog`: it has no To tag (it would start a dialog or be answered
   * on its own); in-dialog requests pass both limits.
   */
  admit(source: string, outOfDialog: boolean, tableSize: number): Admission {
    if (!outOfDialog) return ADMITTED;
    const rated = this.checkRate(source);
    if (!rated.admitted) return rated;
    return this.checkTable(tableSize);
  }

  /** Called when the table shrinks below the cap again (cheap: only acts during an episode). */
  tableSizeChanged(tableSize: number): void {
    if (this.tableFullRefused > 0 && tableSize < this.maxServerTransactions) this.endTableEpisode();
  }

  private checkTable(tableSize: number): Admission {
    if (tableSize < this.maxServerTransactions) {
      if (this.tableFullRefused > 0) this.endTableEpisode();
      return ADMITTED;
    }
    if (this.tableFullRefused++ === 0) {
      this.logger.warn(
        { limit: this.maxServerTransactions },
        'transaction table full: answering new requests 503 until it drains',
      );
    }
    return { admitted: false, retryAfter: TABLE_FULL_RETRY_AFTER_S, reason: 'Server Overloaded' };
  }

  private endTableEpisode(): void {
    this.logger.info(
      { refused: this.tableFullRefused, limit: this.maxServerTransactions },
      'transaction table below its cap again: taking new requests',
    );
    this.tableFullRefused = 0;
  }

  private checkRate(source: string): Admission {
    if (this.rate === 0) return ADMITTED;
    const now = this.clock.now();
    let bucket = this.buckets.get(source);
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.rate) / 1000);
      bucket.at = now;
      // Re-inserted: the Map's order is then least recently seen first.
      this.buckets.delete(source);
    } else {
      bucket = { tokens: this.burst, at: now, refused: 0 };
    }
    this.buckets.set(source, bucket);
    if (this.buckets.size > MAX_TRACKED_SOURCES) this.evictOldest();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      // The episode ends once the source has slowed down to its rate again.
      if (bucket.refused > 0 && bucket.tokens >= this.burst / 2)
        this.endRateEpisode(source, bucket);
      return ADMITTED;
    }
    if (bucket.refused++ === 0) {
      this.logger.warn(
        { source, ratePerSecond: this.rate, burst: this.burst },
        'source over its rate of new requests: answering 503 until it slows down',
      );
    }
    return {
      admitted: false,
      retryAfter: RATE_LIMITED_RETRY_AFTER_S,
      reason: 'Too Many Requests From This Source',
    };
  }

  private endRateEpisode(source: string, bucket: Bucket): void {
    this.logger.info(
      { source, refused: bucket.refused },
      'source back under its rate of new requests',
    );
    bucket.refused = 0;
  }

  private evictOldest(): void {
    const oldest = this.buckets.entries().next();
    if (oldest.done) return;
    const [source, bucket] = oldest.value;
    this.buckets.delete(source);
    if (bucket.refused > 0) this.endRateEpisode(source, bucket);
  }
}
