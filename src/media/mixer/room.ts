/**
 * A conference room: every 20 ms it reads one frame from each member, sums
 * what is heard, and sends each member everything except its own voice
 * (N−1). The sum is computed once per tick and each member's own frame
 * subtracted from it, so a tick costs O(N), not O(N²).
 *
 * Who hears a member is its audience (setAudience): 'all' (the default),
 * 'none', or a list of member ids (a supervisor coaching an agent). Only
 * 'all' voices go into the shared sum. A restricted voice is added to the
 * private `whispers` accumulator of each listener in its audience, so it
 * costs O(audience size) a tick, a 'none' voice costs nothing, and an 'all'
 * member costs what it cost before audiences existed (two comparisons). A
 * member hears the shared sum (minus its own voice if that is in it) plus
 * its whispers. The tick after an audience changes walks the room once for
 * that member, fading its voice in for listeners it gains and out for those
 * it loses, as a flag change does.
 *
 * What a member hears, in order of precedence:
 *   deaf                 → silence
 *   held                 → its hold source
 *   parked (outside an active private group) → its park (hold) source
 *   otherwise            → the conversation: the voices of the other heard
 *                          members whose audience is 'all' or includes it,
 *                          plus room playbacks and wait music
 * and then playbacks addressed to it, over that or replacing it.
 *
 * A member is heard (by its audience) when it is neither muted, nor held,
 * nor parked. In a private group a restricted audience applies within the
 * group: the members outside are parked and hear no one. Every switch —
 * flags, audience, private group, a replacing playback, wait music — takes
 * effect at a frame boundary (JavaScript runs setters between ticks) and is
 * smoothed with a 5 ms ramp or crossfade, so it has neither gap nor click.
 *
 * The tick path allocates nothing in the steady state (but for the optional
 * CPU-time measurement, see RoomOptions.measureCpu): every buffer belongs
 * to the room, a member or a playback from creation; member and playback
 * lists are copy-on-write arrays, replaced only when they change; events are
 * queued as records (only on transitions) and delivered after the frames
 * have gone out, so a listener can neither delay nor disturb a frame.
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { AudioSource } from '../audio/index.js';
import {
  addFadedIn,
  addFadedOut,
  addInto,
  clear,
  copyInto,
  crossfadeInto,
  fadeIn,
  fadeOut,
  FRAME_SAMPLES,
  meanSquare,
  saturateInto,
} from './dsp.js';
import {
  Listen,
  Member,
  type Audience,
  type AudienceState,
  type MemberFlags,
  type MemberInfo,
  type MemberOptions,
} from './member.js';
import type { MixerClock, MixerTickable } from './mixer-clock.js';
import {
  ActivePlayback,
  type AudioSourceFactory,
  type LoopPlayOptions,
  type Playback,
  type PlaybackEndReason,
  type PlayOptions,
} from './playback.js';
import type { MixerPort } from './port.js';
import type { RoomEvents, RoomFault, RoomRecorder } from './room-events.js';
import { SafeSources } from './safe-source.js';
import { DEFAULT_WINDOW, SampleWindow, type Distribution } from './sample-window.js';
import type { SpeakingOptions } from './speaking-detector.js';

export interface RoomOptions {
  /** For logs and stats. */
  id?: string;
  /** Drives the room from construction until close(); without one, call tick() yourself. */
  mixerClock?: MixerClock;
  speaking?: SpeakingOptions;
  /** Ticks kept for the CPU-time percentiles (default 3000: one minute). */
  statsWindow?: number;
  /**
   * Measure the CPU time of each tick (default true). Reading a clock is the
   * one allocation on the tick path — performance.now() returns a boxed
   * double, 16 bytes a call — so a process with very many rooms may turn it off.
   */
  measureCpu?: boolean;
  logger?: Logger;
}

export interface RoomStats {
  id: string;
  closed: boolean;
  ticks: number;
  members: number;
  /** Members neither muted nor held, with audience 'all', at the last tick. */
  talking: number;
  /** Members whose audience is not 'all' (coaching, listening in). */
  restrictedAudiences: number;
  /** Playbacks playing (to the room and to members). */
  playbacks: number;
  waitMusicPlaying: boolean;
  recording: boolean;
  /** Exceptions caught from ports, sources, the recorder and listeners. */
  faults: number;
  /** CPU time of this room's tick work, µs. */
  tickCpuUs: Distribution;
}

/** Gives each member parked outside a private group its own hold source (e.g. by role); null for silence. */
export type HoldSourceFor = (memberId: string) => AudioSource | null | undefined;

type PendingEvent =
  | { kind: 'speaking-start' | 'speaking-stop'; memberId: string }
  | { kind: 'fault'; fault: RoomFault }
  | { kind: 'ended'; playback: Playback; reason: PlaybackEndReason }
  | { kind: 'closed' };

const NO_MEMBERS: readonly Member[] = [];
const NO_PLAYBACKS: readonly ActivePlayback[] = [];

/** How a voice enters what one listener hears this tick. */
const Ramp = { Silent: 0, Steady: 1, In: 2, Out: 3 } as const;
type Ramp = (typeof Ramp)[keyof typeof Ramp];

function ramp(before: boolean, now: boolean): Ramp {
  if (now) return before ? Ramp.Steady : Ramp.In;
  return before ? Ramp.Out : Ramp.Silent;
}

/** Whether `audience` includes the member `id`. */
function includes(audience: AudienceState, id: string): boolean {
  return audience === 'all' || (audience !== 'none' && audience.has(id));
}

/** An Audience as the room keeps it (a fresh Set without `self`), or null when it is not one. */
function parseAudience(audience: unknown, self: string): AudienceState | null {
  if (audience === 'all' || audience === 'none') return audience;
  if (!Array.isArray(audience) && !(audience instanceof Set)) return null;
  const ids = new Set<string>();
  for (const id of audience as Iterable<unknown>) {
    if (typeof id !== 'string') return null;
    if (id !== self) ids.add(id);
  }
  return ids;
}

function sameAudience(a: AudienceState, b: AudienceState): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.size !== b.size) return false;
  for (const id of a) if (!b.has(id)) return false;
  return true;
}

export class Room extends EventEmitter<RoomEvents> implements MixerTickable {
  readonly id: string;
  private readonly logger: Logger;
  private readonly speakingOptions: SpeakingOptions;
  private readonly mixerClock: MixerClock | null;
  private readonly sources: SafeSources;

  private members: readonly Member[] = NO_MEMBERS;
  private readonly byId = new Map<string, Member>();
  private group: Set<string> | null = null;
  private groupIds: readonly string[] | null = null;
  private holdFor: HoldSourceFor | null = null;
  private playbacks: readonly ActivePlayback[] = NO_PLAYBACKS;
  private nextPlaybackId = 1;
  private playbacksEnded = false;

  private waitMusic: AudioSource | null = null;
  /** Wait music replaced while playing: faded out on the next tick, then closed. */
  private waitOutgoing: AudioSource | null = null;
  private waitWasPlaying = false;
  private readonly waitFrame = new Int16Array(FRAME_SAMPLES);

  private recorder: RoomRecorder | null = null;
  private readonly recordFrame = new Int16Array(FRAME_SAMPLES);

  /** Voices of the members heard this tick. */
  private readonly voices = new Int32Array(FRAME_SAMPLES);
  /** Room playbacks mixed over the conversation, and wait music. */
  private readonly roomMix = new Int32Array(FRAME_SAMPLES);
  /** Room playbacks replacing the conversation. */
  private readonly roomReplacing = new Int32Array(FRAME_SAMPLES);
  /** The conversation as heard: voices + roomMix (each listener then takes its own voice out). */
  private readonly full = new Int32Array(FRAME_SAMPLES);
  /** The conversation while a room playback replaces it: roomReplacing + roomMix. */
  private readonly replaced = new Int32Array(FRAME_SAMPLES);
  private readonly scratchA = new Int32Array(FRAME_SAMPLES);
  private readonly scratchB = new Int32Array(FRAME_SAMPLES);
  private roomReplacedNow = false;
  private roomReplacedBefore = false;

  /** Sources let go of; closed after the next tick has crossfaded away from them. */
  private retiring: AudioSource[] = [];
  private readonly pending: PendingEvent[] = [];
  private flushScheduled = false;
  private inTick = false;
  private isClosed = false;
  private closing: Promise<void> | null = null;

  private ticks = 0;
  /** Numbers the frames (mixFrame calls), so a member's whispers know whether they are this tick's. */
  private frameNo = 0;
  /** Members whose audience is a list: listener lists are re-resolved on membership changes only while there are any. */
  private listAudiences = 0;
  private faults = 0;
  private talkingAtLastTick = 0;
  private readonly cpu: SampleWindow;
  private readonly measureCpu: boolean;

  constructor(options: RoomOptions = {}) {
    super();
    this.id = options.id ?? 'room';
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ room: this.id });
    this.speakingOptions = { ...options.speaking };
    this.cpu = new SampleWindow(options.statsWindow ?? DEFAULT_WINDOW);
    this.measureCpu = options.measureCpu !== false;
    this.sources = new SafeSources((source, error, memberId) =>
      this.fault({ kind: 'source', memberId, sourceName: source.name, error }),
    );
    this.mixerClock = options.mixerClock ?? null;
    this.mixerClock?.add(this);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  // ---- members --------------------------------------------------------------

  /**
   * Adds a member; false if the id is taken, the room is closed or
   * `options.audience` is not an Audience. The room does not own the port.
   */
  addMember(id: string, port: MixerPort, options: MemberOptions = {}): boolean {
    const audience = options.audience === undefined ? 'all' : parseAudience(options.audience, id);
    if (this.isClosed || this.byId.has(id) || audience === null) {
      // The room owns a hold source it was given, even when refusing the member.
      const given = options.holdSource ?? null;
      if (given !== this.byId.get(id)?.holdSource) this.sources.close(given);
      return false;
    }
    const member = new Member(id, port, options, this.speakingOptions);
    // Joining fades the voice in from wasHeard = false: no audience crossfade to do.
    member.audience = member.mixedAudience = audience;
    if (this.group !== null && !this.group.has(id)) {
      member.parked = true;
      member.parkSource = this.parkSourceFor(id);
    }
    this.byId.set(id, member);
    this.members = [...this.members, member];
    if (typeof audience !== 'string') this.listAudiences++;
    // The newcomer may be in audiences set before it came.
    if (this.listAudiences > 0) this.resolveListeners();
    return true;
  }

  /** Removes a member (its playbacks end with 'member-left'); false if unknown. */
  removeMember(id: string): boolean {
    const member = this.byId.get(id);
    if (!member) return false;
    this.byId.delete(id);
    member.removed = true;
    this.members = this.members.filter((m) => m !== member);
    if (typeof member.audience !== 'string') this.listAudiences--;
    if (this.listAudiences > 0) {
      // It drops out of every audience: were it to come back, it would be a new listener.
      for (const m of this.members) if (typeof m.audience !== 'string') m.audience.delete(id);
      this.resolveListeners();
    }
    if (member.speaking.reset() === 'stop') this.queue({ kind: 'speaking-stop', memberId: id });
    for (const p of member.playbacks) this.endPlayback(p, 'member-left');
    member.playbacks = NO_PLAYBACKS;
    // Nothing will crossfade away from a departed member's sources: close them now.
    this.sources.close(member.holdSource, id);
    this.sources.close(member.parkSource, id);
    member.holdSource = null;
    member.parkSource = null;
    return true;
  }

  hasMember(id: string): boolean {
    return this.byId.has(id);
  }

  memberIds(): string[] {
    return this.members.map((m) => m.id);
  }

  member(id: string): MemberInfo | undefined {
    const m = this.byId.get(id);
    return m && m.info(this.group?.has(id) ?? false);
  }

  /** Changes any of muted / held / deaf; takes effect at the next tick, smoothly. False if unknown. */
  setFlags(id: string, flags: Partial<MemberFlags>): boolean {
    const m = this.byId.get(id);
    if (!m || typeof flags !== 'object' || flags === null) return false;
    if (typeof flags.muted === 'boolean') m.muted = flags.muted;
    if (typeof flags.held === 'boolean') m.held = flags.held;
    if (typeof flags.deaf === 'boolean') m.deaf = flags.deaf;
    return true;
  }

  /**
   * Who hears the member: `'all'` (the default), `'none'` (it listens in,
   * heard by nobody), or the ids of the members who hear it (a coaching
   * supervisor: `['agent']`); ids of members not yet in the room count when
   * they join, and a member who leaves drops out of every audience. Its own
   * id is ignored. Muted, held or parked, it is heard by nobody whatever its
   * audience; what it hears does not change. Takes effect at the next tick,
   * crossfaded like a flag change. False (and nothing changes) when the
   * member is unknown or `audience` is none of these.
   */
  setAudience(id: string, audience: Audience): boolean {
    const m = this.byId.get(id);
    if (!m) return false;
    const next = parseAudience(audience, id);
    if (next === null) return false;
    // The same audience again keeps the current one: nothing to crossfade.
    if (sameAudience(m.audience, next)) return true;
    if (typeof m.audience !== 'string') this.listAudiences--;
    if (typeof next !== 'string') this.listAudiences++;
    m.audience = next;
    this.resolveListeners();
    return true;
  }

  /** What the member hears while held (null: silence). The room owns it and closes the one it replaces. */
  setHoldSource(id: string, source: AudioSource | null): boolean {
    const m = this.byId.get(id);
    if (!m) {
      this.sources.close(source);
      return false;
    }
    if (m.holdSource !== source) this.retire(m.holdSource);
    m.holdSource = source;
    return true;
  }

  /**
   * Starts (or changes, or with null ends) a private group: its members hear
   * only each other; every other member is parked — it hears its own source
   * from `holdSourceForOthers` and is not heard. Ids of members not yet in
   * the room count when they join (the consulted party of a warm transfer
   * joins after it answers). The room owns the sources it gets. False (and
   * nothing changes) when the room is closed or `memberIds` is not an array.
   */
  setPrivateGroup(
    memberIds: readonly string[] | null,
    holdSourceForOthers?: HoldSourceFor,
  ): boolean {
    if (this.isClosed) return false;
    if (memberIds === null) {
      this.group = null;
      this.groupIds = null;
      this.holdFor = null;
      for (const m of this.members) this.unpark(m);
      return true;
    }
    if (!Array.isArray(memberIds)) return false;
    this.group = new Set(memberIds);
    this.groupIds = [...this.group];
    this.holdFor = holdSourceForOthers ?? null;
    for (const m of this.members) {
      if (this.group.has(m.id)) this.unpark(m);
      else if (!m.parked) {
        m.parked = true;
        m.parkSource = this.parkSourceFor(m.id);
      }
    }
    return true;
  }

  /** The private group's member ids, or null when there is none. */
  privateGroup(): readonly string[] | null {
    return this.groupIds;
  }

  // ---- sources --------------------------------------------------------------

  /**
   * Plays a source to the room or to one member. The room owns the source
   * and closes it when the playback ends. To loop, pass a factory: a fresh
   * source is made each time one ends (a source that loops by itself, such
   * as an openSource(..., { loop: true }) file, loops without a factory and
   * without the sub-frame gap a restart leaves). Never throws: a playback
   * that cannot start is returned already ended ('member-left', 'closed' or
   * 'error') and reports `ended` on a microtask.
   */
  play(source: AudioSource, options?: PlayOptions): Playback;
  play(factory: AudioSourceFactory, options?: LoopPlayOptions): Playback;
  play(source: AudioSource | AudioSourceFactory, options: LoopPlayOptions = {}): Playback {
    const to = options.to ?? null;
    const settings = { to, mix: options.mix !== false, loop: options.loop === true };
    const factory = typeof source === 'function' ? source : null;
    let failure: PlaybackEndReason | null = null;
    if (this.isClosed) failure = 'closed';
    else if (to !== null && !this.byId.has(to)) failure = 'member-left';
    let src: AudioSource | null = typeof source === 'function' ? null : source;
    if (failure === null && factory !== null) {
      try {
        src = factory();
      } catch (error) {
        this.fault({ kind: 'source', memberId: to, sourceName: null, error });
        failure = 'error';
      }
    }
    const p = new ActivePlayback(this.nextPlaybackId++, src, factory, settings);
    if (failure !== null || src === null) {
      this.endPlayback(p, failure ?? 'error');
      return p.handle;
    }
    const member = to === null ? null : this.byId.get(to)!;
    if (member) member.playbacks = [...member.playbacks, p];
    else this.playbacks = [...this.playbacks, p];
    return p.handle;
  }

  /**
   * Music played (mixed) to the conversation while fewer than two members
   * are talking (neither muted nor held, and heard by all: a coach or a
   * listener does not count) — e.g. until the agent joins. It
   * pauses by itself when the condition ends and resumes if it returns. Null
   * removes it. The room owns the source; a non-looping one is dropped when
   * it ends.
   */
  setWaitMusic(source: AudioSource | null): void {
    if (this.isClosed) {
      this.sources.close(source);
      return;
    }
    if (source === this.waitMusic) return;
    const old = this.waitMusic;
    if (old !== null) {
      if (this.waitWasPlaying) {
        // Fade the old one out on the next tick rather than cut it.
        this.sources.close(this.waitOutgoing);
        this.waitOutgoing = old;
      } else this.sources.close(old);
    }
    this.waitMusic = source;
    this.waitWasPlaying = false;
  }

  // ---- recording ------------------------------------------------------------

  /**
   * Records the mix of everything heard in the room — the heard members and
   * the room-wide playbacks and wait music — one frame per tick. False if a
   * recording is running or the room is closed.
   */
  startRecording(recorder: RoomRecorder): boolean {
    if (this.isClosed || this.recorder !== null) return false;
    this.recorder = recorder;
    return true;
  }

  get recording(): boolean {
    return this.recorder !== null;
  }

  /** Stops recording and closes the recorder; rejects only if the recorder's close() does. */
  async stopRecording(): Promise<void> {
    const r = this.recorder;
    this.recorder = null;
    if (r) await r.close();
  }

  // ---- life -----------------------------------------------------------------

  /**
   * Ends every playback ('closed'), closes every source the room owns and the
   * recorder, stops being ticked, then emits 'closed'. Never rejects (a
   * recorder that fails to close is a fault). Ports are left to their owner.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.isClosed = true;
    this.mixerClock?.remove(this);
    for (const p of this.playbacks) this.endPlayback(p, 'closed');
    this.playbacks = NO_PLAYBACKS;
    for (const m of this.members) {
      m.removed = true;
      if (m.speaking.reset() === 'stop') this.queue({ kind: 'speaking-stop', memberId: m.id });
      for (const p of m.playbacks) this.endPlayback(p, 'closed');
      m.playbacks = NO_PLAYBACKS;
      this.sources.close(m.holdSource, m.id);
      this.sources.close(m.parkSource, m.id);
    }
    this.members = NO_MEMBERS;
    this.byId.clear();
    this.sources.close(this.waitMusic);
    this.sources.close(this.waitOutgoing);
    this.waitMusic = this.waitOutgoing = null;
    this.closeRetiring();
    const recorder = this.recorder;
    this.recorder = null;
    this.closing = (async () => {
      if (recorder) {
        try {
          await recorder.close();
        } catch (error) {
          this.fault({ kind: 'recorder', memberId: null, sourceName: null, error });
        }
      }
      this.queue({ kind: 'closed' });
    })();
    return this.closing;
  }

  stats(): RoomStats {
    let playing = this.playbacks.length;
    for (const m of this.members) playing += m.playbacks.length;
    return {
      id: this.id,
      closed: this.isClosed,
      ticks: this.ticks,
      members: this.members.length,
      talking: this.talkingAtLastTick,
      restrictedAudiences: this.members.filter((m) => m.audience !== 'all').length,
      playbacks: playing,
      waitMusicPlaying: this.waitWasPlaying,
      recording: this.recorder !== null,
      faults: this.faults,
      tickCpuUs: this.cpu.summary(),
    };
  }

  // ---- the tick -------------------------------------------------------------

  /** One 20 ms frame: what the MixerClock calls. `nowMs` is passed to the ports' readFrame. */
  tick(nowMs: number): void {
    if (this.isClosed) return;
    // performance.now(): real CPU time, whatever clock drives the ticks.
    const t0 = this.measureCpu ? performance.now() : 0;
    this.inTick = true;
    try {
      this.mixFrame(nowMs);
    } finally {
      this.inTick = false;
    }
    this.ticks++;
    if (this.measureCpu) this.cpu.add((performance.now() - t0) * 1000);
    this.flush();
  }

  /**
   * The clock skipped `frames` ticks (MixerClock: a stall beyond its
   * catch-up). Nothing was mixed for them, but the time passed: every port
   * moves its media clock on, and the recording gets that much silence, so
   * its duration stays the call's.
   */
  skip(frames: number): void {
    if (this.isClosed || !(frames > 0)) return;
    this.inTick = true;
    try {
      this.skipFrames(frames);
    } finally {
      this.inTick = false;
    }
    this.flush();
  }

  private skipFrames(frames: number): void {
    for (const m of this.members) {
      try {
        m.port.skipFrames?.(frames);
      } catch (error) {
        this.fault({ kind: 'port-write', memberId: m.id, sourceName: null, error });
      }
    }
    if (this.recorder !== null) {
      this.recordFrame.fill(0);
      try {
        for (let i = 0; i < frames; i++) this.recorder.write(this.recordFrame);
      } catch (error) {
        const r = this.recorder;
        this.recorder = null;
        this.fault({ kind: 'recorder', memberId: null, sourceName: null, error });
        r.close().catch((err: unknown) => this.logger.warn({ err }, 'recorder close failed'));
      }
    }
  }

  private mixFrame(nowMs: number): void {
    const members = this.members;
    const n = members.length;

    // 1. What each member says, and the sum of what everyone hears.
    const frameNo = ++this.frameNo;
    const voices = this.voices;
    clear(voices);
    let talking = 0;
    for (let i = 0; i < n; i++) {
      const m = members[i];
      if (m.removed) continue;
      this.readMember(m, nowMs);
      const heard = m.heard;
      if (m.talking) talking++;
      // Speaking is reported for a voice someone can hear.
      const audible = heard && (m.audience === 'all' || m.listeners.length > 0);
      const change = m.speaking.update(audible ? meanSquare(m.inFrame) : 0);
      if (change === 'start') this.queue({ kind: 'speaking-start', memberId: m.id });
      else if (change === 'stop') this.queue({ kind: 'speaking-stop', memberId: m.id });
      if (m.audience !== 'all' || m.mixedAudience !== 'all') {
        // Restricted, or its audience just changed: only to its listeners.
        this.whisper(m, heard, frameNo);
        m.contributes = false;
      } else if (heard) {
        if (!m.wasHeard) fadeIn(m.inFrame);
        addInto(voices, m.inFrame);
        m.contributes = true;
      } else if (m.wasHeard) {
        // Muted, held or parked this tick: fade its voice out over 5 ms.
        fadeOut(m.inFrame);
        addInto(voices, m.inFrame);
        m.contributes = true;
      } else {
        m.contributes = false;
      }
      m.wasHeard = heard;
    }
    this.talkingAtLastTick = talking;

    // 2. Room-wide playbacks and wait music.
    clear(this.roomMix);
    clear(this.roomReplacing);
    const roomReplaced = this.readPlaybacks(this.playbacks, this.roomMix, this.roomReplacing, null);
    this.readWaitMusic(talking < 2);
    this.roomReplacedNow = roomReplaced;
    const full = this.full;
    for (let i = 0; i < FRAME_SAMPLES; i++) full[i] = voices[i] + this.roomMix[i];
    if (roomReplaced || this.roomReplacedBefore) {
      const r = this.replaced;
      for (let i = 0; i < FRAME_SAMPLES; i++) r[i] = this.roomReplacing[i] + this.roomMix[i];
    }

    // 3. What each member hears.
    for (let i = 0; i < n; i++) {
      const m = members[i];
      if (m.removed) continue;
      this.hearing(m);
      this.memberPlaybacks(m);
      saturateInto(m.acc, m.outFrame);
      this.writeMember(m);
    }
    this.roomReplacedBefore = roomReplaced;

    // 4. The recording: the conversation as a listener who is not in it hears
    //    it — the 'all' voices and the room's playbacks, never a whisper to a
    //    few members nor the voice of someone listening in.
    if (this.recorder !== null) {
      saturateInto(roomReplaced ? this.replaced : this.full, this.recordFrame);
      try {
        this.recorder.write(this.recordFrame);
      } catch (error) {
        const r = this.recorder;
        this.recorder = null;
        this.fault({ kind: 'recorder', memberId: null, sourceName: null, error });
        r.close().catch((err: unknown) => this.logger.warn({ err }, 'recorder close failed'));
      }
    }

    // 5. Housekeeping, only when something changed.
    if (this.playbacksEnded) this.dropEndedPlaybacks();
    if (this.retiring.length > 0) this.closeRetiring();
  }

  private readMember(m: Member, nowMs: number): void {
    m.framesRead++;
    try {
      if (m.port.readFrame(m.inFrame, nowMs)) m.framesWithAudio++;
      m.readFailing = false;
    } catch (error) {
      clear(m.inFrame);
      m.readErrors++;
      if (!m.readFailing) {
        m.readFailing = true;
        this.fault({ kind: 'port-read', memberId: m.id, sourceName: null, error });
      } else this.faults++;
    }
  }

  private writeMember(m: Member): void {
    try {
      m.port.writeFrame(m.outFrame);
      m.framesWritten++;
      m.writeFailing = false;
    } catch (error) {
      m.writeErrors++;
      if (!m.writeFailing) {
        m.writeFailing = true;
        this.fault({ kind: 'port-write', memberId: m.id, sourceName: null, error });
      } else this.faults++;
    }
  }

  /**
   * Adds the voice of m (audience not 'all', or changed since the last tick)
   * to the whispers of each member who hears it. Steady, that is its
   * listeners: O(audience size). The tick after a change walks the room:
   * each member fades m in, keeps it, fades it out or never hears it,
   * depending on whether the old and the new audience include it.
   */
  private whisper(m: Member, heard: boolean, frameNo: number): void {
    const now = m.audience;
    const before = m.mixedAudience;
    if (now === before) {
      const r = ramp(m.wasHeard, heard);
      if (r === Ramp.Silent) return;
      const listeners = m.listeners;
      for (let i = 0; i < listeners.length; i++) {
        const l = listeners[i];
        if (!l.removed) this.addWhisper(l, m.inFrame, r, frameNo);
      }
      return;
    }
    m.mixedAudience = now;
    const members = this.members;
    for (let i = 0; i < members.length; i++) {
      const l = members[i];
      if (l === m || l.removed) continue;
      const r = ramp(m.wasHeard && includes(before, l.id), heard && includes(now, l.id));
      if (r !== Ramp.Silent) this.addWhisper(l, m.inFrame, r, frameNo);
    }
  }

  private addWhisper(l: Member, voice: Int16Array, r: Ramp, frameNo: number): void {
    // Allocated the first time anything is whispered to this member, then kept.
    const acc = l.whispers ?? (l.whispers = new Int32Array(FRAME_SAMPLES));
    if (l.whispersFrame !== frameNo) {
      clear(acc);
      l.whispersFrame = frameNo;
    }
    if (r === Ramp.Steady) addInto(acc, voice);
    else if (r === Ramp.In) addFadedIn(acc, voice);
    else addFadedOut(acc, voice);
  }

  /** Fills m.acc with what m hears before its own playbacks, crossfading any change. */
  private hearing(m: Member): void {
    let kind: Listen = Listen.Conversation;
    let source: AudioSource | null = null;
    if (m.deaf) kind = Listen.Silence;
    else if (m.held || m.parked) {
      source = m.held ? m.holdSource : m.parkSource;
      kind = source === null ? Listen.Silence : Listen.Source;
    }
    this.compose(m, kind, source, m.acc, this.roomReplacedNow);
    if (kind !== m.listenKind || source !== m.listenSource) {
      this.compose(m, m.listenKind, m.listenSource, this.scratchA, this.roomReplacedBefore);
      crossfadeInto(this.scratchA, m.acc);
      m.listenKind = kind;
      m.listenSource = source;
    } else if (kind === Listen.Conversation && this.roomReplacedNow !== this.roomReplacedBefore) {
      this.compose(m, kind, null, this.scratchA, this.roomReplacedBefore);
      crossfadeInto(this.scratchA, m.acc);
    }
  }

  private compose(
    m: Member,
    kind: Listen,
    source: AudioSource | null,
    out: Int32Array,
    roomReplaced: boolean,
  ): void {
    if (kind === Listen.Conversation) {
      if (roomReplaced) copyInto(out, this.replaced);
      else {
        if (m.contributes) {
          // N−1: the whole conversation minus this member's own voice.
          const full = this.full;
          const own = m.inFrame;
          for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = full[i] - own[i];
        } else copyInto(out, this.full);
        // Restricted voices addressed to it (a coach's whisper), part of its conversation.
        if (m.whispersFrame === this.frameNo) addInto(out, m.whispers!);
      }
    } else if (kind === Listen.Source && source !== null) {
      this.sources.read(source, m.sourceFrame, m.id);
      copyInto(out, m.sourceFrame);
    } else clear(out);
  }

  /** Applies the playbacks addressed to m over (or instead of) m.acc. */
  private memberPlaybacks(m: Member): void {
    if (m.playbacks.length === 0 && !m.wasReplaced) return;
    const mix = this.scratchA;
    const replacing = this.scratchB;
    clear(mix);
    clear(replacing);
    const replaced = this.readPlaybacks(m.playbacks, mix, replacing, m.id);
    // A deaf member's playbacks still run (time passes) but it hears nothing.
    if (m.deaf) {
      m.wasReplaced = false;
      return;
    }
    if (replaced) {
      if (!m.wasReplaced) crossfadeInto(m.acc, replacing);
      copyInto(m.acc, replacing);
    } else if (m.wasReplaced) {
      crossfadeInto(replacing, m.acc);
    }
    m.wasReplaced = replaced;
    addInto(m.acc, mix);
  }

  /** Reads one frame of each playback into `mix` or `replacing`; true if any replacing one sounded. */
  private readPlaybacks(
    list: readonly ActivePlayback[],
    mix: Int32Array,
    replacing: Int32Array,
    memberId: string | null,
  ): boolean {
    let replaced = false;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p.endReason !== null) continue;
      if (!this.readPlayback(p, memberId)) continue;
      if (p.mix) addInto(mix, p.frame);
      else {
        addInto(replacing, p.frame);
        replaced = true;
      }
    }
    return replaced;
  }

  /** One frame of a playback into p.frame; false when it had nothing (it has then ended). */
  private readPlayback(p: ActivePlayback, memberId: string | null): boolean {
    const source = p.source!;
    if (p.stopping) {
      this.sources.read(source, p.frame, memberId);
      fadeOut(p.frame);
      this.endPlayback(p, 'stopped');
      return true;
    }
    let result = this.sources.read(source, p.frame, memberId);
    if (result === 'ended' && p.loop && p.factory !== null) {
      // Restart within the same tick so the loop leaves no 20 ms hole.
      this.sources.close(source, memberId);
      let next: AudioSource | null = null;
      try {
        next = p.factory();
      } catch (error) {
        this.fault({ kind: 'source', memberId, sourceName: source.name, error });
      }
      if (next === null) {
        this.endPlayback(p, 'error');
        return false;
      }
      p.source = next;
      result = this.sources.read(next, p.frame, memberId);
      // A fresh source with nothing in it would restart forever: end instead.
    }
    if (result === 'audio') return true;
    this.endPlayback(p, result === 'broken' ? 'error' : 'finished');
    return false;
  }

  private readWaitMusic(wanted: boolean): void {
    const frame = this.waitFrame;
    if (this.waitOutgoing !== null) {
      this.sources.read(this.waitOutgoing, frame, null);
      fadeOut(frame);
      addInto(this.roomMix, frame);
      this.sources.close(this.waitOutgoing);
      this.waitOutgoing = null;
    }
    const music = this.waitMusic;
    if (music === null) {
      this.waitWasPlaying = false;
      return;
    }
    if (wanted) {
      const result = this.sources.read(music, frame, null);
      if (!this.waitWasPlaying) fadeIn(frame);
      addInto(this.roomMix, frame);
      if (result !== 'audio') {
        this.sources.close(music);
        this.waitMusic = null;
      }
      this.waitWasPlaying = result === 'audio';
    } else if (this.waitWasPlaying) {
      // Pause: one last frame faded out; the source resumes from here later.
      this.sources.read(music, frame, null);
      fadeOut(frame);
      addInto(this.roomMix, frame);
      this.waitWasPlaying = false;
    }
  }

  // ---- helpers --------------------------------------------------------------

  /**
   * Resolves each list audience to the members of it in the room; run when
   * membership or an audience changes (never in the tick), so the tick walks
   * a ready array. O(N + restricted × audience size).
   */
  private resolveListeners(): void {
    for (const m of this.members) {
      const a = m.audience;
      if (typeof a === 'string') {
        if (m.listeners.length > 0) m.listeners = NO_MEMBERS;
        continue;
      }
      const listeners: Member[] = [];
      for (const id of a) {
        const l = this.byId.get(id);
        if (l !== undefined && l !== m) listeners.push(l);
      }
      m.listeners = listeners;
    }
  }

  private parkSourceFor(id: string): AudioSource | null {
    if (this.holdFor === null) return null;
    try {
      return this.holdFor(id) ?? null;
    } catch (error) {
      this.fault({ kind: 'source', memberId: id, sourceName: null, error });
      return null;
    }
  }

  private unpark(m: Member): void {
    if (!m.parked) return;
    m.parked = false;
    this.retire(m.parkSource);
    m.parkSource = null;
  }

  /** Closes `source` after the next tick, which may still crossfade away from it. */
  private retire(source: AudioSource | null): void {
    if (source !== null) this.retiring.push(source);
  }

  private closeRetiring(): void {
    const list = this.retiring;
    this.retiring = [];
    for (const s of list) this.sources.close(s);
  }

  private endPlayback(p: ActivePlayback, reason: PlaybackEndReason): void {
    if (p.endReason !== null) return;
    p.endReason = reason;
    p.stopping = false;
    this.sources.close(p.source, p.to);
    this.playbacksEnded = true;
    this.queue({ kind: 'ended', playback: p.handle, reason });
  }

  private dropEndedPlaybacks(): void {
    this.playbacksEnded = false;
    const live = (p: ActivePlayback): boolean => p.endReason === null;
    if (!this.playbacks.every(live)) this.playbacks = this.playbacks.filter(live);
    for (const m of this.members) {
      if (!m.playbacks.every(live)) m.playbacks = m.playbacks.filter(live);
    }
  }

  private fault(f: RoomFault): void {
    this.faults++;
    this.logger.warn(
      { err: f.error, kind: f.kind, member: f.memberId, source: f.sourceName },
      'room fault',
    );
    this.queue({ kind: 'fault', fault: f });
  }

  private queue(e: PendingEvent): void {
    this.pending.push(e);
    if (!this.inTick && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Delivers queued events; a throwing listener is counted and reported, never propagated. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const pending = this.pending;
    // Events queued by listeners are appended and delivered in the same loop.
    for (let i = 0; i < pending.length; i++) {
      const e = pending[i];
      try {
        switch (e.kind) {
          case 'speaking-start':
          case 'speaking-stop':
            this.emit(e.kind, { memberId: e.memberId });
            break;
          case 'fault':
            this.emit('fault', e.fault);
            break;
          case 'ended':
            e.playback.emit('ended', e.reason);
            break;
          case 'closed':
            this.emit('closed');
            break;
        }
      } catch (error) {
        this.faults++;
        this.logger.error({ err: error, event: e.kind }, 'room event listener threw');
        // A throwing fault listener is not told about itself (that would loop).
        if (e.kind !== 'fault') {
          pending.push({
            kind: 'fault',
            fault: { kind: 'listener', memberId: null, sourceName: null, error },
          });
        }
      }
    }
    pending.length = 0;
  };
}
