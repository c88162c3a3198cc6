/**
 * One log line per source per window for messages we drop without an
 * answer (garbage, malformed responses, requests with no Via). A sender of
 * garbage is not rate-limited by the transaction layer — nothing it sends
 * becomes a transaction — so without this every datagram of a flood would
 * be a warn line: the log would grow as fast as the attacker can send.
 *
 * The first drop of a window is logged in full (what was wrong, the start
 * line); the rest are counted, and the next line logged for that source
 * says how many were left out. Sources are remembered in a bounded table
 * (spoofed sources are unlimited in number): the least recently seen go
 * first, and a forgotten source simply starts afresh.
 */
import type { Clock } from '../../clock/index.js';

/** How long one logged drop stands for its source's later ones. */
export const DROP_LOG_WINDOW_MS = 10_000;
const MAX_TRACKED_SOURCES = 1_000;

interface Window {
  /** When the logged drop of this window happened. */
  at: number;
  /** Drops since then that were not logged. */
  suppressed: number;
}

export type DropVerdict = { log: true; suppressed: number } | { log: false };

export class DropLog {
  private readonly sources = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = DROP_LOG_WINDOW_MS,
    private readonly maxSources = MAX_TRACKED_SOURCES,
  ) {}

  /**
   * Records a drop from `source`. `log: true` when this one is to be logged,
   * with how many drops from the source were not logged since its last line.
   */
  drop(source: string): DropVerdict {
    const now = this.clock.now();
    const seen = this.sources.get(source);
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed++;
      return { log: false };
    }
    // Re-inserted: the Map's order is then least recently logged first.
    this.sources.delete(source);
    this.sources.set(source, { at: now, suppressed: 0 });
    if (this.sources.size > this.maxSources) {
      const oldest = this.sources.keys().next();
      if (!oldest.done) this.sources.delete(oldest.value);
    }
    return { log: true, suppressed: seen?.suppressed ?? 0 };
  }
}
