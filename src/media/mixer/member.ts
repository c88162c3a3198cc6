/**
 * One member of a room as the mixer keeps it: its port, its flags, its
 * audience, and the buffers its tick work uses, allocated once when it joins
 * (but for `whispers`, allocated the first time a restricted voice is
 * addressed to it).
 */
import type { AudioSource } from '../audio/index.js';
import { FRAME_SAMPLES } from './dsp.js';
import type { ActivePlayback } from './playback.js';
import type { MixerPort } from './port.js';
import { SpeakingDetector, type SpeakingOptions } from './speaking-detector.js';

/** The three things a member can be, independently of each other. */
export interface MemberFlags {
  /** Heard by nobody; still hears the room. */
  muted: boolean;
  /** Heard by nobody; hears its hold source instead of the room. */
  held: boolean;
  /** Hears nothing (silence); still heard unless muted or held. */
  deaf: boolean;
}

/**
 * Who hears a member (Room.setAudience): everyone (`'all'`, the default),
 * nobody (`'none'`: a supervisor listening in), or only the members with
 * these ids (a supervisor coaching the agent: `['agent']`). Ids not yet in
 * the room count when they join; the member's own id is ignored.
 */
export type Audience = 'all' | 'none' | readonly string[] | ReadonlySet<string>;

/** An audience as MemberInfo reports it: the listed ids, whether in the room yet or not. */
export type AudienceInfo = 'all' | 'none' | string[];

export interface MemberOptions extends Partial<MemberFlags> {
  /** What it hears while held (default: silence). The room owns it from now on. */
  holdSource?: AudioSource | null;
  /** Who hears it (default 'all'); see Room.setAudience. */
  audience?: Audience;
}

/** An audience as the room keeps it: a list becomes a Set of ids it owns. */
export type AudienceState = 'all' | 'none' | Set<string>;

/** A snapshot of one member, for the layers above. */
export interface MemberInfo extends MemberFlags {
  id: string;
  /** In the private group, when one is set. */
  inPrivateGroup: boolean;
  /** Outside an active private group: hears its hold source, is not heard. */
  parked: boolean;
  /** Who hears it (when not muted, held or parked). */
  audience: AudienceInfo;
  speaking: boolean;
  /** Frames read from the port / of them with audio (real or concealed). */
  framesRead: number;
  framesWithAudio: number;
  framesWritten: number;
  readErrors: number;
  writeErrors: number;
}

/** What a member hears, before playbacks addressed to it. */
export const Listen = { Silence: 0, Conversation: 1, Source: 2 } as const;
export type Listen = (typeof Listen)[keyof typeof Listen];

export class Member {
  readonly id: string;
  readonly port: MixerPort;
  muted: boolean;
  held: boolean;
  deaf: boolean;
  holdSource: AudioSource | null;
  /** Its hold source while parked outside a private group (from the group's holdSourceForOthers). */
  parkSource: AudioSource | null = null;
  /** Outside an active private group. */
  parked = false;
  /** Left the room; a tick that already holds it skips it. */
  removed = false;
  /** Who hears it. Replaced (never mutated) on a change, but for the ids of members who leave. */
  audience: AudienceState = 'all';
  /** The audience the last tick mixed it with: when it differs from `audience`, the next tick crossfades. */
  mixedAudience: AudienceState = 'all';
  /** For a list audience: the members of it in the room, resolved whenever membership or audiences change. */
  listeners: readonly Member[] = [];

  /** What it said this tick (after the on/off ramp). */
  readonly inFrame = new Int16Array(FRAME_SAMPLES);
  /** What it hears this tick, in 32 bits until saturated into `outFrame`. */
  readonly acc = new Int32Array(FRAME_SAMPLES);
  readonly outFrame = new Int16Array(FRAME_SAMPLES);
  /** Its hold or park source's frame. */
  readonly sourceFrame = new Int16Array(FRAME_SAMPLES);
  /** Its frame is in this tick's sum of 'all'-audience voices (heard, or fading out). */
  contributes = false;
  /**
   * Voices with a restricted audience that include it (a coach's whisper),
   * summed for it alone; current when `whispersFrame` is the room's frame
   * number, stale (and unread) otherwise, so a room without restricted
   * audiences never touches it.
   */
  whispers: Int32Array | null = null;
  whispersFrame = -1;
  /** Was heard last tick (decides the 5 ms fade in or out). */
  wasHeard = false;
  /** What it heard last tick, to crossfade when that changes. */
  listenKind: Listen = Listen.Silence;
  listenSource: AudioSource | null = null;
  /** A replacing playback to it was playing last tick. */
  wasReplaced = false;
  /** Copy-on-write: playbacks addressed to this member. */
  playbacks: readonly ActivePlayback[] = [];
  readonly speaking: SpeakingDetector;

  framesRead = 0;
  framesWithAudio = 0;
  framesWritten = 0;
  readErrors = 0;
  writeErrors = 0;
  /** Failing now: a fault is reported once per run of failures, not 50 times a second. */
  readFailing = false;
  writeFailing = false;

  constructor(id: string, port: MixerPort, options: MemberOptions, speaking: SpeakingOptions) {
    this.id = id;
    this.port = port;
    this.muted = options.muted === true;
    this.held = options.held === true;
    this.deaf = options.deaf === true;
    this.holdSource = options.holdSource ?? null;
    this.speaking = new SpeakingDetector(speaking);
  }

  /** Heard by the others this tick (from the flags alone). */
  get heard(): boolean {
    return !this.muted && !this.held && !this.parked;
  }

  /**
   * Counts towards "talking members" (wait music plays while fewer than two):
   * neither muted nor held, and heard by the whole conversation — a coach or
   * a silent listener does not keep the customer company.
   */
  get talking(): boolean {
    return !this.muted && !this.held && this.audience === 'all';
  }

  info(inGroup: boolean): MemberInfo {
    return {
      id: this.id,
      muted: this.muted,
      held: this.held,
      deaf: this.deaf,
      inPrivateGroup: inGroup,
      parked: this.parked,
      audience: typeof this.audience === 'string' ? this.audience : [...this.audience],
      speaking: this.speaking.speaking,
      framesRead: this.framesRead,
      framesWithAudio: this.framesWithAudio,
      framesWritten: this.framesWritten,
      readErrors: this.readErrors,
      writeErrors: this.writeErrors,
    };
  }
}
