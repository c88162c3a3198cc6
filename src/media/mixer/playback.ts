/**
 * A source playing in a room — an announcement, a beep, music — to one
 * member or to the whole room, either mixed over what is heard or replacing
 * it. The room pulls one frame from it per tick; the caller holds a
 * `Playback` handle to stop it and to learn when it ended.
 */
import { EventEmitter } from 'node:events';
import type { AudioSource } from '../audio/index.js';
import { FRAME_SAMPLES } from './dsp.js';

/** Why a playback ended. */
export type PlaybackEndReason =
  /** The source ran out (and was not looped). */
  | 'finished'
  /** stop() was called. */
  | 'stopped'
  /** The source threw, or could not be (re)created. */
  | 'error'
  /** The member it played to left the room (or was never in it). */
  | 'member-left'
  /** The room closed (or was already closed). */
  | 'closed';

export interface PlayOptions {
  /** Play only to this member; default: to the room (everyone listening to the conversation, and the recording). */
  to?: string;
  /**
   * true (default): mixed over what the listeners hear. false: replaces it
   * while it plays (the listeners hear only this and other replacing
   * playbacks), e.g. a voicemail message or an announcement.
   */
  mix?: boolean;
}

export interface LoopPlayOptions extends PlayOptions {
  /** Start a fresh source from the factory each time one ends, until stopped. */
  loop?: boolean;
}

/** Makes a fresh source: what `play` needs to loop (an AudioSource cannot rewind). */
export type AudioSourceFactory = () => AudioSource;

export interface PlaybackEvents {
  ended: [reason: PlaybackEndReason];
}

/** What the handle needs from the room's side of a playback. */
interface PlaybackControl {
  readonly endReason: PlaybackEndReason | null;
  readonly sourceName: string;
  stop(): void;
}

/**
 * The caller's handle. `ended` is emitted exactly once, never synchronously
 * inside the call that caused it (after the tick's frames went out, or on a
 * microtask), so a listener attached right after `play()` always hears it.
 */
export class Playback extends EventEmitter<PlaybackEvents> {
  readonly id: number;
  readonly to: string | null;
  readonly mix: boolean;
  readonly loop: boolean;
  private readonly control: PlaybackControl;

  constructor(
    id: number,
    options: { to: string | null; mix: boolean; loop: boolean },
    control: PlaybackControl,
  ) {
    super();
    this.id = id;
    this.to = options.to;
    this.mix = options.mix;
    this.loop = options.loop;
    this.control = control;
  }

  /** Name of the source playing (or last played). */
  get sourceName(): string {
    return this.control.sourceName;
  }

  /** True until the playback has ended. */
  get playing(): boolean {
    return this.control.endReason === null;
  }

  /** Why it ended; null while playing. */
  get endReason(): PlaybackEndReason | null {
    return this.control.endReason;
  }

  /**
   * Stops it with a 5 ms fade on the next tick (no click); idempotent.
   * `ended` follows with reason 'stopped'.
   */
  stop(): void {
    this.control.stop();
  }
}

/** The room's side: the source, its frame buffer and its state. Not exported from the folder. */
export class ActivePlayback implements PlaybackControl {
  readonly handle: Playback;
  readonly to: string | null;
  readonly mix: boolean;
  readonly loop: boolean;
  readonly factory: AudioSourceFactory | null;
  /** Preallocated: the tick reads into it. */
  readonly frame = new Int16Array(FRAME_SAMPLES);
  source: AudioSource | null;
  endReason: PlaybackEndReason | null = null;
  /** stop() was called: the next tick plays one more frame faded out, then ends it. */
  stopping = false;

  constructor(
    id: number,
    source: AudioSource | null,
    factory: AudioSourceFactory | null,
    options: { to: string | null; mix: boolean; loop: boolean },
  ) {
    this.source = source;
    this.factory = factory;
    this.to = options.to;
    this.mix = options.mix;
    this.loop = options.loop && factory !== null;
    this.handle = new Playback(id, { to: options.to, mix: options.mix, loop: this.loop }, this);
  }

  get sourceName(): string {
    return this.source?.name ?? '';
  }

  stop(): void {
    if (this.endReason === null) this.stopping = true;
  }
}
