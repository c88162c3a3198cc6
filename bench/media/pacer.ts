/**
 * The load generator's heartbeat: a drift-free 20 ms schedule (sub-tick k is
 * due at start + k·period/phases, computed from the start every time, never
 * chained), so the packets it sends keep pace with the 8 kHz RTP clock
 * however late single timers fire. With `phases` > 1 the members are spread
 * over that many evenly spaced sub-ticks of each period, the way real peers'
 * packets arrive spread over 20 ms rather than all at once.
 *
 * A late timer runs every due sub-tick back to back: a generator never
 * drops a packet of its own (its lateness is reported instead, so a run
 * whose load was not delivered on time can be told apart).
 */
import { systemClock, type Clock, type TimerHandle } from '../../src/clock/index.js';
import type { PacingReport } from './protocol.js';
import { percentile } from './stats.js';

export interface PacerOptions {
  clock?: Clock;
  /** Default 20 ms (one G.711 packet). */
  periodMs?: number;
  /** Sub-ticks per period (default 1: every member in one batch). */
  phases?: number;
  /** Called for each sub-tick with its phase (0..phases-1). */
  onSubTick: (phase: number) => void;
}

/** Lateness samples kept between two marks: 60 s of sub-ticks at 10 phases. */
const MAX_SAMPLES = 30_000;
/**
 * A sub-tick this close to its deadline counts as due, as in MixerClock:
 * Node timers fire on a cached loop time and may run up to ~1 ms before the
 * exact deadline, and re-arming then would cost a whole extra timer turn.
 */
const EARLY_TOLERANCE_MS = 1;

export class Pacer {
  private readonly clock: Clock;
  private readonly periodMs: number;
  readonly phases: number;
  private readonly onSubTick: (phase: number) => void;
  private readonly stepMs: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private startMs = 0;
  private next = 0;
  private readonly lateness = new Float64Array(MAX_SAMPLES);
  private samples = 0;
  private ticks = 0;
  private maxLate = 0;

  constructor(opts: PacerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.periodMs = opts.periodMs ?? 20;
    this.phases = Math.max(1, Math.floor(opts.phases ?? 1));
    this.onSubTick = opts.onSubTick;
    this.stepMs = this.periodMs / this.phases;
  }

  /** Starts the schedule: sub-tick 0 runs now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startMs = this.clock.now();
    this.next = 0;
    this.fire();
  }

  stop(): void {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Restarts the lateness statistics (the start of a measured window). */
  mark(): void {
    this.samples = 0;
    this.ticks = 0;
    this.maxLate = 0;
  }

  report(): PacingReport {
    const late = this.lateness.subarray(0, this.samples);
    return {
      ticks: this.ticks,
      latenessP99Ms: this.samples > 0 ? percentile(late, 99) : 0,
      latenessMaxMs: this.maxLate,
    };
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    while (this.running && this.startMs + this.next * this.stepMs <= now + EARLY_TOLERANCE_MS) {
      const late = now - (this.startMs + this.next * this.stepMs);
      if (this.samples < MAX_SAMPLES) this.lateness[this.samples++] = late;
      if (late > this.maxLate) this.maxLate = late;
      this.ticks++;
      const phase = this.next % this.phases;
      this.next++;
      this.onSubTick(phase);
    }
    if (!this.running) return;
    const delay = this.startMs + this.next * this.stepMs - this.clock.now();
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, delay));
  };
}
