/**
 * Merged requests (RFC 3261 §8.2.2.2): a forking proxy upstream may send
 * us the same request twice by different paths. A request without a To
 * tag whose From tag, Call-ID and CSeq match one still in progress, but
 * which is not a retransmission of it (another top Via branch, §17.2.3),
 * gets 482 Loop Detected instead of becoming a second call.
 *
 * Remembered for as long as the first request's server transaction can
 * live (64·T1, Timer H / Timer L of an INVITE, RFC 6026), so the merged
 * copy is caught even after the first was answered; bounded in count so a
 * flood of requests cannot grow it without end (the oldest go first).
 */
import type { Clock } from '../../clock/index.js';
import type { SipRequest } from '../message/index.js';

const DEFAULT_MAX_ENTRIES = 20_000;

interface Seen {
  branch: string;
  expires: number;
}

export class MergedRequests {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeMs: () => number,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /**
   * Records a new out-of-dialog request; true when it merges with one seen
   * before (answer 482). A request whose top Via has no branch cannot be
   * told from a retransmission and is never called merged.
   */
  isMerged(req: SipRequest): boolean {
    const now = this.clock.now();
    this.expire(now);
    const fromTag = req.from().params.get('tag');
    const branch = req.topVia().params.get('branch');
    if (typeof fromTag !== 'string' || typeof branch !== 'string') return false;
    const cseq = req.cseq();
    const key = `${req.callId()}\n${fromTag}\n${cseq.seq}\n${cseq.method}`;
    const prior = this.seen.get(key);
    if (prior && prior.expires > now) return prior.branch !== branch;
    this.seen.delete(key);
    if (this.seen.size >= this.maxEntries)
      this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(key, { branch, expires: now + this.lifetimeMs() });
    return false;
  }

  /** Entries expire in insertion order (one lifetime for all): drop them from the front. */
  private expire(now: number): void {
    for (const [key, entry] of this.seen) {
      if (entry.expires > now) return;
      this.seen.delete(key);
    }
  }

  get size(): number {
    return this.seen.size;
  }
}
