/**
 * The last timer of a transaction — J and L for servers, I after an ACK, D,
 * K and M for clients (RFC 3261 §17, RFC 6026 §8.4, §8.7) — only keeps it
 * around for a fixed time to absorb retransmissions. Under load tens of
 * thousands of transactions linger at once (5 000 calls/s × 64·T1 = 160 000
 * INVITE server transactions in Accepted), and a clock timer with its
 * closures for each was the larger part of their memory and of the work of
 * the garbage collector.
 *
 * Lingers of one duration end in the order they began, so a FIFO per
 * duration with one clock timer (armed for its oldest entry) serves them all.
 * An entry cannot be cancelled: a transaction that ended early (transport
 * error, layer closed) ignores its lingerEnded() by its state.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock/index.js';

/** A transaction machine that lingers: told once when its linger time is over. */
export interface Lingering {
  lingerEnded(): void;
}

/** Compact a queue's arrays once this many ended entries sit at its head. */
const COMPACT_AFTER = 1024;

class LingerQueue {
  private readonly deadlines: number[] = [];
  private readonly entries: Lingering[] = [];
  private head = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly ms: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  add(entry: Lingering): void {
    this.deadlines.push(this.clock.now() + this.ms);
    this.entries.push(entry);
    if (this.timer === undefined) this.arm(this.ms);
  }

  clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlines.length = 0;
    this.entries.length = 0;
    this.head = 0;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.fire(), ms);
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.head < this.entries.length && this.deadlines[this.head]! <= now) {
      const entry = this.entries[this.head]!;
      // Release the entry before calling it, so an ended transaction is garbage at once.
      this.entries[this.head] = DONE;
      this.head++;
      try {
        entry.lingerEnded();
      } catch (err) {
        // A bug in a machine must not escape into the event loop and kill the process.
        this.logger.error({ err }, 'transaction linger end failed');
      }
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.deadlines.splice(0, this.head);
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.entries.length) {
      // A timer may fire a little before the clock reads its deadline; never re-arm below 1 ms.
      this.arm(Math.max(1, this.deadlines[this.head]! - now));
    } else {
      this.deadlines.length = 0;
      this.entries.length = 0;
      this.head = 0;
    }
  }
}

const DONE: Lingering = { lingerEnded: () => undefined };

/** One LingerQueue per duration in use (a layer uses at most four: 64·T1, T4, Timer D and 0). */
export class LingerTimers {
  private readonly queues = new Map<number, LingerQueue>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Calls entry.lingerEnded() once, `ms` from now. */
  start(ms: number, entry: Lingering): void {
    let queue = this.queues.get(ms);
    if (queue === undefined) {
      queue = new LingerQueue(ms, this.clock, this.logger);
      this.queues.set(ms, queue);
    }
    queue.add(entry);
  }

  /** Drops every pending linger without calling anyone (the layer is closing). */
  clear(): void {
    for (const queue of this.queues.values()) queue.clear();
    this.queues.clear();
  }
}
