/**
 * Reads and closes sources so that one that throws can only silence itself:
 * the exception is caught, reported once, and the source is marked broken
 * and read as silence from then on (instead of throwing 50 times a second).
 */
import type { AudioSource } from '../audio/index.js';
import { clear } from './dsp.js';

export type SourceRead =
  /** A frame with (at least some) audio. */
  | 'audio'
  /** The source has ended: silence was written. */
  | 'ended'
  /** The source threw, now or before: silence was written. */
  | 'broken';

export class SafeSources {
  private readonly broken = new WeakSet<AudioSource>();
  private readonly onFault: (source: AudioSource, error: unknown, memberId: string | null) => void;

  constructor(onFault: (source: AudioSource, error: unknown, memberId: string | null) => void) {
    this.onFault = onFault;
  }

  /** Reads one frame into `out`; never throws. `memberId` only labels a fault. */
  read(source: AudioSource, out: Int16Array, memberId: string | null): SourceRead {
    if (this.broken.has(source)) {
      clear(out);
      return 'broken';
    }
    try {
      if (source.read(out)) return 'audio';
      // The contract says an ended source writes silence; make sure of it.
      clear(out);
      return 'ended';
    } catch (err) {
      this.broken.add(source);
      clear(out);
      this.onFault(source, err, memberId);
      return 'broken';
    }
  }

  /** Closes a source the room owned; a throwing close() is reported, never rethrown. */
  close(source: AudioSource | null, memberId: string | null = null): void {
    if (source === null) return;
    try {
      source.close?.();
    } catch (err) {
      if (this.broken.has(source)) return;
      this.broken.add(source);
      this.onFault(source, err, memberId);
    }
  }
}
