/**
 * RFC 3261 §17 timer values (Table 4) and a small set of named timers on an
 * injected Clock, so every machine can arm, re-arm and clear its timers by
 * name and drop them all when it terminates.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock/index.js';
import type { TimerConfig } from './types.js';

/** §17.1.1.1: T1 = 500 ms, T2 = 4 s, T4 = 5 s. */
export const DEFAULT_TIMERS: Readonly<TimerConfig> = { T1: 500, T2: 4000, T4: 5000 };

/**
 * Timer D (§17.1.1.2, Table 4): "at least 32 seconds for unreliable
 * transports" — a fixed value, not a multiple of T1, because it has to cover
 * the *server's* Timer H whose T1 we do not know.
 */
export const TIMER_D_UNRELIABLE_MS = 32_000;

/** §17.2.1: the INVITE server transaction sends 100 Trying itself if the TU is silent for 200 ms. */
export const TRYING_DELAY_MS = 200;

export function resolveTimers(partial?: Partial<TimerConfig>): TimerConfig {
  const t: TimerConfig = { ...DEFAULT_TIMERS };
  for (const name of ['T1', 'T2', 'T4'] as const) {
    const v = partial?.[name];
    if (v !== undefined) {
      if (!Number.isFinite(v) || v <= 0)
        throw new RangeError(`Timer ${name} must be a positive number of ms`);
      t[name] = v;
    }
  }
  return t;
}

/**
 * Named one-shot timers; re-arming a name replaces the previous timer of that
 * name. The map exists only while a timer runs: a machine whose own timers
 * are all done (one that lingers, see linger.ts) holds none.
 */
export class TimerSet<Name extends string> {
  private handles: Map<Name, TimerHandle> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(name: Name, ms: number, fire: () => void): void {
    this.stop(name);
    const handles = (this.handles ??= new Map());
    const handle = this.clock.setTimeout(() => {
      if (this.handles?.get(name) !== handle) return;
      this.forget(name);
      try {
        fire();
      } catch (err) {
        // A bug in a machine must not escape into the event loop and kill the process.
        this.logger.error({ err, timer: name }, 'transaction timer handler failed');
      }
    }, ms);
    handles.set(name, handle);
  }

  stop(name: Name): void {
    const handle = this.handles?.get(name);
    if (handle === undefined) return;
    this.forget(name);
    this.clock.clearTimeout(handle);
  }

  stopAll(): void {
    if (this.handles === undefined) return;
    for (const handle of this.handles.values()) this.clock.clearTimeout(handle);
    this.handles = undefined;
  }

  isRunning(name: Name): boolean {
    return this.handles?.has(name) ?? false;
  }

  private forget(name: Name): void {
    const handles = this.handles;
    if (handles === undefined) return;
    handles.delete(name);
    if (handles.size === 0) this.handles = undefined;
  }
}
