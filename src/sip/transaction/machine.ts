/**
 * What all four transaction machines (RFC 3261 §17.1, §17.2) share: their
 * context and key, their state, their own timers, the shared linger of
 * their last timer, and halting when the layer closes.
 */
import type { TransactionContext } from './context.js';
import type { Lingering } from './linger.js';
import { TimerSet } from './timers.js';

/** `State` is the machine's state names, 'Terminated' among them. */
export abstract class TransactionMachine<
  State extends string,
  Timer extends string,
> implements Lingering {
  protected current: State;
  protected readonly timers: TimerSet<Timer>;

  constructor(
    protected readonly ctx: TransactionContext,
    readonly id: string,
    initial: State,
  ) {
    this.current = initial;
    this.timers = new TimerSet<Timer>(ctx.clock, ctx.logger);
  }

  get state(): State {
    return this.current;
  }

  protected get terminated(): boolean {
    return this.current === 'Terminated';
  }

  /** Enters Terminated (once): stops the timers, tells the layer and the TU. */
  protected abstract terminate(): void;

  /**
   * Waits out the machine's last timer (J, L, I, D, K, M — each of them ends
   * in Terminated and nothing else) in the layer's shared linger queue
   * rather than on a timer of its own (see linger.ts).
   */
  protected linger(ms: number): void {
    this.ctx.lingers.start(ms, this);
  }

  lingerEnded(): void {
    // A no-op when the machine already ended early (transport error).
    this.terminate();
  }

  /** Stops every timer without telling anyone (the layer is closing). */
  halt(): void {
    this.timers.stopAll();
  }
}
