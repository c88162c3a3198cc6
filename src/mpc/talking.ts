/**
 * The talking indicator of one call's members, from the mixer's speaking
 * detection (already debounced there: two voiced frames to start, 300 ms
 * of quiet to stop), throttled once more for the screens that show it:
 * a member's state is published at most once per `minIntervalMs`; a
 * change inside that window is published when the window ends, and only
 * if it still holds (a start and a stop inside one window publish nothing).
 */
import type { Clock, TimerHandle } from '../clock/index.js';

interface Indicator {
  /** What was last published. */
  shown: boolean;
  /** What the detector says now. */
  actual: boolean;
  /** When something was last published (clock ms); -Infinity before. */
  publishedAt: number;
  timer: TimerHandle | null;
}

export class TalkingIndicators {
  private readonly members = new Map<string, Indicator>();

  constructor(
    private readonly clock: Clock,
    private readonly minIntervalMs: number,
    private readonly publish: (memberId: string, talking: boolean) => void,
  ) {}

  /** The members shown as talking now. */
  talking(): string[] {
    return [...this.members].filter(([, i]) => i.shown).map(([id]) => id);
  }

  update(memberId: string, talking: boolean): void {
    let i = this.members.get(memberId);
    if (!i) {
      if (!talking) return;
      i = { shown: false, actual: false, publishedAt: -Infinity, timer: null };
      this.members.set(memberId, i);
    }
    i.actual = talking;
    if (i.timer) return;
    const wait = i.publishedAt + this.minIntervalMs - this.clock.now();
    if (wait <= 0) this.flush(memberId, i);
    else i.timer = this.clock.setTimeout(() => this.flush(memberId, i), wait);
  }

  /** The member left: it stops talking at once (published if it was shown talking). */
  forget(memberId: string): void {
    const i = this.members.get(memberId);
    if (!i) return;
    this.clock.clearTimeout(i.timer ?? undefined);
    this.members.delete(memberId);
    if (i.shown) this.publish(memberId, false);
  }

  /** Forgets (see forget) every member for which `present` is false. */
  forgetAllBut(present: (memberId: string) => boolean): void {
    for (const memberId of [...this.members.keys()]) if (!present(memberId)) this.forget(memberId);
  }

  /** The call ended: no more publishing. */
  close(): void {
    for (const i of this.members.values()) this.clock.clearTimeout(i.timer ?? undefined);
    this.members.clear();
  }

  private flush(memberId: string, i: Indicator): void {
    i.timer = null;
    if (i.actual === i.shown) return;
    i.shown = i.actual;
    i.publishedAt = this.clock.now();
    this.publish(memberId, i.shown);
  }
}
