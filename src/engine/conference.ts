/**
 * A live call's audio: a mixer Room whose members are legs. The domain says
 * who is muted or held; the peer's own hold (remote-hold) is folded in
 * here, so a member that holds us is not heard whatever the domain says,
 * and comes back when it resumes. A leg leaves by itself when it ends.
 */
import type { Logger } from 'pino';
import {
  WavRecorder,
  type AudioSource,
  type PlaybackEndReason,
  type RecordingInfo,
  type Room,
  type SpeakingEvent,
} from '../media/index.js';
import type { Leg } from './leg.js';
import { PausableRecorder } from './pausable-recorder.js';

/**
 * Opens an audio source by spec (`tone:440`, a WAV path, a URL); never
 * rejects: a source that cannot be opened is silence (endless when looping,
 * empty otherwise), and the reason is logged.
 */
export type AudioOpener = (spec: string, options: { loop: boolean }) => Promise<AudioSource>;

export interface JoinOptions {
  muted?: boolean;
  /** The member's role in the call, for role-based audiences (a coaching supervisor is heard by agents). */
  role?: string;
}

/** Who hears a member: everyone (default), nobody, or the members of some roles (coaching). */
export type Audience = 'all' | 'none' | { roles: string[] };

interface Seat {
  leg: Leg;
  role: string | null;
  audience: Audience;
  muted: boolean;
  held: boolean;
  /** Bumped on every hold change, so a hold source that opens late is dropped if stale. */
  holdGeneration: number;
  detach: () => void;
}

export class Conference {
  private readonly seats = new Map<string, Seat>();
  private closed = false;
  private recorder: PausableRecorder | null = null;

  constructor(
    readonly id: string,
    private readonly room: Room,
    private readonly openAudio: AudioOpener,
    private readonly logger: Logger,
    private readonly onClosed: (c: Conference) => void,
  ) {}

  /**
   * Tells `listener` when a leg starts or stops speaking: transitions of the
   * mixer's speaking detection (debounced there: a few voiced frames to
   * start, a hangover of quiet to stop), never per packet. Returns the
   * unsubscribe.
   */
  onSpeaking(listener: (legId: string, speaking: boolean) => void): () => void {
    const start = (e: SpeakingEvent): void => listener(e.memberId, true);
    const stop = (e: SpeakingEvent): void => listener(e.memberId, false);
    this.room.on('speaking-start', start);
    this.room.on('speaking-stop', stop);
    return () => {
      this.room.off('speaking-start', start);
      this.room.off('speaking-stop', stop);
    };
  }

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
      role: options.role ?? null,
      audience: 'all',
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
    this.applyAudiences();
    return true;
  }

  remove(leg: Leg): boolean {
    const seat = this.seats.get(leg.id);
    if (!seat) return false;
    seat.detach();
    this.seats.delete(leg.id);
    this.room.removeMember(leg.id);
    this.applyAudiences();
    return true;
  }

  /**
   * Who hears `leg`: 'all', 'none' (it still hears everyone: a listening
   * supervisor), or the members of some roles — kept up to date as members
   * of those roles come and go (a coaching supervisor heard by the agents).
   */
  setAudience(leg: Leg, audience: Audience): boolean {
    const seat = this.seats.get(leg.id);
    if (!seat) return false;
    seat.audience = audience;
    this.applyAudience(seat);
    return true;
  }

  private applyAudiences(): void {
    for (const seat of this.seats.values())
      if (typeof seat.audience === 'object') this.applyAudience(seat);
  }

  private applyAudience(seat: Seat): void {
    const a = seat.audience;
    const ids =
      typeof a === 'string'
        ? a
        : [...this.seats.values()]
            .filter((s) => s !== seat && s.role !== null && a.roles.includes(s.role))
            .map((s) => s.leg.id);
    this.room.setAudience(seat.leg.id, ids);
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
      void this.openAudio(music, { loop: true }).then((source) => {
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

  /**
   * Plays `spec` once to one leg (or, with null, to the whole room) and
   * resolves with how it ended. `mix: false` replaces what the listener
   * hears while it plays (an announcement, a voicemail message); the
   * default mixes it over (a beep).
   */
  async play(
    to: Leg | null,
    spec: string,
    options: { mix?: boolean } = {},
  ): Promise<PlaybackEndReason> {
    if (this.closed) return 'closed';
    if (to && !this.seats.has(to.id)) return 'member-left';
    const source = await this.openAudio(spec, { loop: false });
    if (this.closed) {
      source.close?.();
      return 'closed';
    }
    const playback = this.room.play(source, { to: to?.id, mix: options.mix !== false });
    return new Promise((resolve) => playback.once('ended', resolve));
  }

  /** Music for the conversation while fewer than two members are heard (null: none). */
  async setWaitMusic(spec: string | null): Promise<void> {
    if (spec === null) return this.room.setWaitMusic(null);
    const source = await this.openAudio(spec, { loop: true });
    this.room.setWaitMusic(source);
  }

  /**
   * Records the room's mix to a WAV file at `path` (it must not exist).
   * Rejects with AudioFileError when the file cannot be made.
   */
  async startRecording(path: string): Promise<void> {
    if (this.closed || this.recorder) return;
    const wav = await WavRecorder.open(path, { logger: this.logger });
    const recorder = new PausableRecorder(wav);
    if (this.closed || !this.room.startRecording(recorder)) {
      await wav.close();
      return;
    }
    this.recorder = recorder;
  }

  /** While paused the recording gets silence (the timeline is kept): a private consultation stays out of it. */
  pauseRecording(paused: boolean): void {
    if (this.recorder) this.recorder.paused = paused;
  }

  /** Stops the recording; its path and duration, or null when none ran. */
  async stopRecording(): Promise<RecordingInfo | null> {
    const recorder = this.recorder;
    if (!recorder) return null;
    this.recorder = null;
    await this.room.stopRecording();
    return recorder.info();
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
