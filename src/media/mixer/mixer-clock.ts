/**
 * The 20 ms heartbeat of every room in the process. One timer drives all
 * rooms: fewer wake-ups, and every room's frames leave in the same tick.
 *
 * Drift-free: tick n is due at start + n·20 ms, computed from the start time
 * each time, never by chaining "20 ms after the last one". A chained timer
 * accumulates each firing's lateness (1–2 ms a tick under load), so its
 * outgoing RTP would run slow against the peers' 8 kHz clocks and their
 * jitter buffers would drain. When the process stalls (GC, a blocked event
 * loop) the missed ticks run at once to catch up, at most `maxCatchUpTicks`
 * in a row; older ones are skipped and counted, because a burst of many
 * frames would overflow the peers' jitter buffers anyway. Skipped ticks are
 * still media time: each tickable is told (`skip`), so its RTP timestamps
 * and recording keep wall-clock time instead of silently losing it.
 */
import { pino, type Logger } from 'pino';
import { systemClock, type Clock, type TimerHandle } from '../../clock/index.js';
import { FRAME_MS } from './dsp.js';
import { DEFAULT_WINDOW, SampleWindow, type Distribution } from './sample-window.js';

/** Something the clock drives: a room. */
export interface MixerTickable {
  /**
   * Runs one 20 ms frame. `nowMs` is the tick's scheduled time on the
   * clock's scale (start + n·20 ms), not the moment it actually runs, so
   * catch-up ticks still see media time advance by exactly 20 ms each.
   */
  tick(nowMs: number): void;
  /** `frames` ticks were skipped (the process stalled): media time that passed without a tick. */
  skip?(frames: number): void;
}

export interface MixerClockOptions {
  /** Default: the system clock. Tests pass a ManualClock. */
  clock?: Clock;
  /** Frame period, ms (default 20, the G.711 packet time). */
  frameMs?: number;
  /** Most ticks run back to back after a stall (default 5); older missed ticks are skipped. */
  maxCatchUpTicks?: number;
  /**
   * A tick this close to its deadline counts as due (default 1 ms). Node
   * timers work in whole milliseconds of a cached loop time and can fire up
   * to ~1 ms before the exact deadline; running the tick then is inaudible,
   * whereas re-arming would add a whole timer turn of lateness.
   */
  earlyToleranceMs?: number;
  /** Ticks kept for the lateness and CPU percentiles (default 3000: one minute). */
  statsWindow?: number;
  logger?: Logger;
}

export interface MixerClockStats {
  running: boolean;
  /** Rooms (tickables) driven. */
  tickables: number;
  /** Ticks run since construction. */
  ticks: number;
  /** Ticks never run because the process stalled longer than the catch-up allows. */
  skippedTicks: number;
  /** How late each tick ran after its deadline, ms (negative when run within the early tolerance). */
  latenessMs: Distribution;
  /** CPU time of one whole tick (all rooms), µs. */
  tickCpuUs: Distribution;
  /** Exceptions thrown by tickables (caught; the other rooms kept running). */
  faults: number;
}

export class MixerClock {
  private readonly clock: Clock;
  private readonly frameMs: number;
  private readonly maxCatchUp: number;
  private readonly tolerance: number;
  private readonly logger: Logger;
  /** Copy-on-write: a tick iterates the array it started with, whatever add/remove do meanwhile. */
  private tickables: readonly MixerTickable[] = [];
  private timer: TimerHandle | undefined;
  /** True while a schedule runs (while there is something to drive). */
  private active = false;
  /** Bumped by each new schedule, so a tick loop notices it was replaced under it. */
  private generation = 0;
  private inTimer = false;
  private startMs = 0;
  /** Index of the next tick to run; tick n is due at startMs + n·frameMs. */
  private nextIndex = 1;
  private ticks = 0;
  private skipped = 0;
  private faults = 0;
  private readonly lateness: SampleWindow;
  private readonly cpu: SampleWindow;

  constructor(options: MixerClockOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.frameMs = options.frameMs ?? FRAME_MS;
    this.maxCatchUp = Math.max(1, Math.floor(options.maxCatchUpTicks ?? 5));
    this.tolerance = Math.max(0, options.earlyToleranceMs ?? 1);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.lateness = new SampleWindow(options.statsWindow ?? DEFAULT_WINDOW);
    this.cpu = new SampleWindow(options.statsWindow ?? DEFAULT_WINDOW);
  }

  get running(): boolean {
    return this.active;
  }

  /**
   * Starts driving `t` from the next tick. The clock runs while it drives at
   * least one tickable; the first one starts a fresh schedule (its tick 1 is
   * due 20 ms later).
   */
  add(t: MixerTickable): void {
    if (this.tickables.includes(t)) return;
    this.tickables = [...this.tickables, t];
    if (!this.active) {
      this.active = true;
      this.generation++;
      this.startMs = this.clock.now();
      this.nextIndex = 1;
      if (!this.inTimer) this.arm();
    }
  }

  /** Stops driving `t` from the next tick; the clock stops when none is left. */
  remove(t: MixerTickable): void {
    if (!this.tickables.includes(t)) return;
    this.tickables = this.tickables.filter((x) => x !== t);
    if (this.tickables.length === 0) this.disarm();
  }

  /** Stops the clock and forgets every tickable (process shutdown). */
  close(): void {
    this.tickables = [];
    this.disarm();
  }

  stats(): MixerClockStats {
    return {
      running: this.running,
      tickables: this.tickables.length,
      ticks: this.ticks,
      skippedTicks: this.skipped,
      latenessMs: this.lateness.summary(),
      tickCpuUs: this.cpu.summary(),
      faults: this.faults,
    };
  }

  private arm(): void {
    const delay = this.startMs + this.nextIndex * this.frameMs - this.clock.now();
    this.timer = this.clock.setTimeout(this.onTimer, delay > 0 ? delay : 0);
  }

  private disarm(): void {
    this.active = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Bound once: the tick path creates no closure. */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.inTimer = true;
    const generation = this.generation;
    const now = this.clock.now();
    // The last tick index whose deadline has come.
    const due = Math.floor((now + this.tolerance - this.startMs) / this.frameMs);
    const behind = due - this.nextIndex + 1;
    if (behind > this.maxCatchUp) {
      const skip = behind - this.maxCatchUp;
      this.skipped += skip;
      this.nextIndex += skip;
      this.logger.warn({ skippedTicks: skip }, 'mixer clock stalled; skipped ticks');
      this.runSkip(skip);
    }
    // A tick may remove every tickable (the schedule stops), or remove them
    // and add one again (a new schedule starts from now): stop either way.
    while (this.nextIndex <= due && this.active && this.generation === generation) {
      const deadline = this.startMs + this.nextIndex * this.frameMs;
      this.nextIndex++;
      this.runTick(deadline);
    }
    this.inTimer = false;
    if (this.active) this.arm();
  };

  private runSkip(frames: number): void {
    const list = this.tickables;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i].skip?.(frames);
      } catch (err) {
        this.faults++;
        this.logger.error({ err }, 'mixer skip failed');
      }
    }
  }

  private runTick(deadline: number): void {
    this.lateness.add(this.clock.now() - deadline);
    // performance.now(), not the injected Clock: this measures real CPU time
    // spent (a ManualClock does not move during a tick); no allocation,
    // unlike process.hrtime() (an array) or hrtime.bigint() (a BigInt).
    const t0 = performance.now();
    const list = this.tickables;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i].tick(deadline);
      } catch (err) {
        // A bug in one room must not silence every other room.
        this.faults++;
        this.logger.error({ err }, 'mixer tick failed');
      }
    }
    this.cpu.add((performance.now() - t0) * 1000);
    this.ticks++;
  }
}
