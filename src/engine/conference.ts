/**
 * A live call's audio: a mixer Room whose members are legs. The domain says
 * who is muted or held; the peer's own hold (remote-hold) is folded in
 * here, so a member that holds us is not heard whatever the domain says,
 * and comes back when it resumes. A leg leaves by itself when it ends.
 */
import type { Logger } from 'pino';
import type { AudioSource, Room } from '../media/index.js';
import type { Leg } from './leg.js';

/** Opens an audio source by spec (`tone:440`, a WAV path, a URL); never rejects (silence instead). */
export type AudioOpener = (spec: string) => Promise<AudioSource>;

export interface JoinOptions {
  muted?: boolean;
}

interface Seat {
  leg: Leg;
  muted: boolean;
  held: boolean;
  /** Bumped on every hold change, so a hold source that opens late is dropped if stale. */
  holdGeneration: number;
  detach: () => void;
}

export class Conference {
  private readonly seats = new Map<string, Seat>();
  private closed = false;

  constructor(
    readonly id: string,
    private readonly room: Room,
    private readonly openAudio: AudioOpener,
    private readonly logger: Logger,
    private readonly onClosed: (c: Conference) => void,
  ) {}

  /** Legs in the room now. */
  get size(): number {
    return this.seats.size;
  }

  has(leg: Leg): boolean {
    return this.seats.has(leg.id);
  }

  /**
   * Puts a connected leg into the room. Its jitter buffer is re-primed
   * first: a leg that ran early media (183) has buffered audio nobody
   * played, which would otherwise reach the room late.
   */
  add(leg: Leg, options: JoinOptions = {}): boolean {
    const port = leg.port;
    if (this.closed || !port || this.seats.has(leg.id)) return false;
    port.resync();
    const seat: Seat = {
      leg,
      muted: options.muted ?? false,
      held: false,
      holdGeneration: 0,
      detach: () => undefined,
    };
    if (!this.room.addMember(leg.id, port, { muted: seat.muted || leg.remoteHeld })) return false;
    const apply = (): void => this.apply(seat);
    const leave = (): void => {
      this.remove(leg);
    };
    leg.on('remote-hold', apply);
    leg.on('remote-resume', apply);
    leg.once('ended', leave);
    leg.once('failed', leave);
    seat.detach = () => {
      leg.off('remote-hold', apply);
      leg.off('remote-resume', apply);
      leg.off('ended', leave);
      leg.off('failed', leave);
    };
    this.seats.set(leg.id, seat);
    return true;
  }

  remove(leg: Leg): boolean {
    const seat = this.seats.get(leg.id);
    if (!seat) return false;
    seat.detach();
    this.seats.delete(leg.id);
    this.room.removeMember(leg.id);
    return true;
  }

  /** Muted: still hears, is not heard. False when the leg is not in the room. */
  setMuted(leg: Leg, muted: boolean): boolean {
    const seat = this.seats.get(leg.id);
    if (!seat) return false;
    seat.muted = muted;
    this.apply(seat);
    return true;
  }

  /**
   * Held: hears `music` (a source spec) instead of the call, and is not
   * heard. The flag takes effect at the next tick; the music follows as
   * soon as it is open (at once for built-ins). False when not in the room.
   */
  setHeld(leg: Leg, held: boolean, music?: string): boolean {
    const seat = this.seats.get(leg.id);
    if (!seat) return false;
    seat.held = held;
    const generation = ++seat.holdGeneration;
    this.apply(seat);
    if (held && music) {
      void this.openAudio(music).then((source) => {
        const current = this.seats.get(leg.id);
        if (current !== seat || seat.holdGeneration !== generation || !seat.held) {
          source.close?.();
          return;
        }
        this.room.setHoldSource(leg.id, source);
      });
    } else if (!held) {
      this.room.setHoldSource(leg.id, null);
    }
    return true;
  }

  /** What the room says of a member (flags, frames), for diagnostics. */
  memberInfo(leg: Leg): ReturnType<Room['member']> {
    return this.room.member(leg.id);
  }

  stats(): ReturnType<Room['stats']> {
    return this.room.stats();
  }

  private apply(seat: Seat): void {
    this.room.setFlags(seat.leg.id, {
      muted: seat.muted || seat.leg.remoteHeld,
      held: seat.held,
    });
  }

  /** Leaves every leg as it is (the domain hangs them up) and closes the room. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const seat of this.seats.values()) seat.detach();
    this.seats.clear();
    this.onClosed(this);
    await this.room.close();
  }
}
