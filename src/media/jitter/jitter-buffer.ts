/**
 * A jitter buffer for one incoming stream, driven by the
 * consumer's 20 ms clock: the socket side `push`es packets as they arrive,
 * the mixer side `pop`s one frame per tick.
 *
 * Ordering is by RTP sequence number, extended past the 16-bit wrap
 * (RFC 3550 §5.1, A.1). Playout starts once the first packet has waited
 * `targetDelayMs`; from then on every pop plays the next sequence number:
 * - present → `frame`;
 * - missing while later packets are queued → `lost` (counted, the slot is
 *   skipped, and if the packet turns up afterwards it is `late`: dropped,
 *   and no longer counted as lost);
 * - missing with nothing queued (underrun) → `lost` for concealment, but the
 *   slot is kept: a delayed packet is still played, the extra delay absorbed
 *   (and given back later in quiet frames, below; `maxDelayMs` bounds it).
 *   While the sender sends events instead of audio it is `empty` (silence,
 *   not concealment). An underrun longer than
 *   `resyncGapMs` means the stream paused (silence suppression, hold): pops
 *   return `empty` and playout restarts after `targetDelayMs` of new packets.
 *
 * Reordering is absorbed within `windowPackets` ahead of the playout point;
 * a packet further ahead forces the playout point forward. A jump of more
 * than `resyncPackets` either way, or a new SSRC, is a new stream: the buffer
 * is flushed and starts over.
 *
 * A stale backlog is cut: packets keep arriving while nobody pops (a leg
 * receiving early media before it joins a room, a leg out of its room, a
 * stalled process), so the first pop after more than `staleReadMs` without
 * one finds up to a window of old audio, and everything after would play
 * that much late (quiet frames give delay back only one a tick). That pop
 * first drops the oldest frames down to the depth a fresh start plays from
 * (see `catchUpFrames`), or everything if nothing arrived lately either
 * (the stream paused meanwhile).
 *
 * Packets of other payload types (RFC 4733 telephone-events, RFC 3389
 * comfort noise) take sequence numbers from the same space (RFC 3550 §5.1:
 * one per RTP packet, whatever it carries), so they are offered with
 * `pushNonAudio`: their slots are passed over, never played nor counted
 * lost. Media time comes from the RTP timestamps: an audio frame whose
 * timestamp is further ahead of the last one played than the ticks since
 * (the sender sent events instead of audio, or nothing) waits until its
 * media time comes, so the delay stays what it was (at most `maxDelayMs` of
 * waiting: a bigger jump is a timestamp discontinuity, played at once).
 * Frames the buffer drops itself (the delay bound, the reorder window, a
 * stale backlog) restart media time (`skipTo`): their time is not owed, or
 * a consumer that misses ticks (a mixer clock skipping them under CPU load)
 * would keep the buffer full, cutting frames and waiting for them, silent.
 *
 * Delay that a stall added (an underrun keeps its slot, above) is given back
 * during quiet frames: when over the last `SHRINK_WINDOW_TICKS` frames
 * played even the latest packet waited a frame longer than it had to (the
 * delay is more than the jitter needs) and the delay is a frame above the
 * target, a quiet frame (`isQuiet`, e.g. silence between words) is dropped
 * unplayed — one per pop at most, never a loud one, so nothing audible
 * goes. A packet with the marker bit (the first of a talkspurt, RFC 3551
 * §4.1) re-syncs: it plays once it has waited
 * `targetDelayMs`, like the first packet of a stream, whatever delay the
 * previous talkspurt had gathered (the silence between is shortened or
 * lengthened for it).
 *
 * States: idle → buffering → playing → (underrun too long) buffering → ...;
 * flush, a new stream, or the stale backlog of a paused stream → idle.
 * Within playing, a frame may wait for its media time or its talkspurt
 * (`empty` until then).
 */

/** What the buffer holds per packet: samples, a payload, or the caller's own record of one. */
export type JitterPayload = Int16Array | Uint8Array;

export type JitterPop<T = JitterPayload> =
  | { kind: 'frame'; seq: number; timestamp: number; payload: T }
  /** Nothing to play for sequence number `seq`: conceal it. */
  | { kind: 'lost'; seq: number }
  /**
   * Silence, not loss: not playing (before the first packet, while
   * buffering, after the stream paused), or media time without audio (a key
   * press, a frame waiting for its timestamp or its talkspurt).
   */
  | { kind: 'empty' };

export interface JitterBufferOptions<T = JitterPayload> {
  /** Audio per packet, ms. */
  frameMs?: number;
  /** Delay before playout starts, ms. */
  targetDelayMs?: number;
  /** Queued audio beyond which the oldest frames are discarded to cut latency, ms. */
  maxDelayMs?: number;
  /** How far ahead of the playout point a packet may be held (reorder window). */
  windowPackets?: number;
  /** Underrun after which the stream is taken as paused and playout re-buffers, ms. */
  resyncGapMs?: number;
  /** A sequence jump of more than this many packets is a new stream. */
  resyncPackets?: number;
  /**
   * A pop this long after the previous one (or, before the first, after the
   * first packet arrived) finds a stale backlog and cuts it back, ms; at
   * least two frame intervals (one missed tick is not a gap).
   */
  staleReadMs?: number;
  /**
   * RTP timestamp units per frame until the stream shows its own (from two
   * consecutive audio packets); default frameMs × 8 (8 kHz, RFC 3551 §4.5.14).
   */
  frameUnits?: number;
  /**
   * Whether a frame is quiet enough to drop unheard when the buffer holds
   * more delay than it started with; without it, the excess is only cut by
   * `maxDelayMs` and the marker bit.
   */
  isQuiet?: (payload: T) => boolean;
}

/** Frames played over which the waits are watched before delay is given back (two halves of 0.5 s at 20 ms). */
export const SHRINK_WINDOW_TICKS = 50;

/** Default `staleReadMs`: ten missed 20 ms ticks, well beyond a late timer or a GC pause. */
export const DEFAULT_STALE_READ_MS = 200;

export interface JitterBufferStats {
  /** Packets pushed. */
  received: number;
  /** Frames played. */
  played: number;
  /** Sequence numbers whose playout time passed without the packet (and that never came later). */
  lost: number;
  /** Packets that arrived after their playout time (dropped). */
  late: number;
  duplicate: number;
  /** Packets that arrived after a higher sequence number (and were still in time). */
  reordered: number;
  /** Pops that returned `lost`. */
  concealed: number;
  /** Frames dropped unplayed to keep latency under maxDelayMs or the window, or as a stale backlog. */
  discarded: number;
  /** Times the buffer started over (new SSRC, sequence jump, a stale backlog of a paused stream). */
  resyncs: number;
  /** Packets of other payload types (telephone-event, comfort noise) whose sequence numbers were passed over. */
  nonAudio: number;
  /** Quiet frames dropped to give back delay a stall had added. */
  quietDropped: number;
  /** Talkspurts (marker bit) that re-synced playout. */
  talkspurts: number;
  /** Audio queued now, ms. */
  depthMs: number;
}

interface Entry<T> {
  ext: number;
  seq: number;
  timestamp: number;
  /** null: a packet of another payload type, holding only its sequence number. */
  payload: T | null;
  /** RTP marker bit: the first packet of a talkspurt (RFC 3551 §4.1). */
  marker: boolean;
  arrivalMs: number;
}

type State = 'idle' | 'buffering' | 'playing';

/** Fates of slots behind the playout point, to tell a late packet from a duplicate. */
const FATE_PLAYED = 1;
const FATE_LOST = 2;
const FATE_LATE = 3;
const HISTORY = 128;

export class JitterBuffer<T = JitterPayload> {
  private readonly frameMs: number;
  private readonly targetDelayMs: number;
  private readonly maxDelayFrames: number;
  private readonly window: number;
  private readonly resyncGapMs: number;
  private readonly resyncPackets: number;
  private readonly staleReadMs: number;
  private readonly isQuiet: ((payload: T) => boolean) | undefined;
  /**
   * Frames kept when a stale backlog is cut: the depth playout of a fresh
   * stream starts from. Its first frame plays once it has waited
   * targetDelayMs, so the frames that came meanwhile are queued behind it:
   * ceil(target / frame) of them, plus the one played. Kept that deep, the
   * oldest frame has waited at least the target (the jitter margin the
   * buffer is tuned for) and at most one frame more — the same latency as a
   * stream read from its first packet; any shallower and the next arrival's
   * jitter would underrun.
   */
  private readonly catchUpFrames: number;

  private readonly slots: (Entry<T> | undefined)[];
  private readonly mask: number;
  /** Entries queued, and how many of them are audio (the rest hold only a sequence number). */
  private count = 0;
  private audioCount = 0;

  private state: State = 'idle';
  /** True until the first pop of a fresh stream: earlier packets may still lower the start. */
  private fresh = true;
  private nextExt = 0;
  private highestExt = 0;
  private bufferingSince: number | null = null;
  private underrunMs = 0;
  /** When pop() was last called, and when the last packet was pushed: to tell a stale backlog. */
  private lastPopMs: number | null = null;
  private lastArrivalMs: number | null = null;
  private ssrc: number | undefined;

  /** Media time: the last audio frame played (its timestamp), and the pops since. */
  private lastAudioExt: number | null = null;
  private lastAudioTs = 0;
  private ticksSinceAudio = 0;
  private frameUnits: number;
  /** The last slot passed over held another payload type: the sender is sending those, not audio. */
  private inNonAudio = false;

  /**
   * The shortest and longest time a played frame waited here (pop time −
   * arrival), over two half-windows: the previous one, and the current one
   * so far. -Infinity until a window was watched: no excess claimed.
   */
  private minWaitPrevious = -Infinity;
  private minWaitCurrent = Infinity;
  private maxWaitPrevious = -Infinity;
  private maxWaitCurrent = -Infinity;
  private watchPlays = 0;

  private readonly historyExt = new Float64Array(HISTORY).fill(-1);
  private readonly historyFate = new Uint8Array(HISTORY);

  private readonly counters = {
    received: 0,
    played: 0,
    lost: 0,
    late: 0,
    duplicate: 0,
    reordered: 0,
    concealed: 0,
    discarded: 0,
    resyncs: 0,
    nonAudio: 0,
    quietDropped: 0,
    talkspurts: 0,
  };

  constructor(opts: JitterBufferOptions<T> = {}) {
    this.frameMs = opts.frameMs ?? 20;
    this.targetDelayMs = opts.targetDelayMs ?? 40;
    this.window = Math.max(2, Math.floor(opts.windowPackets ?? 16));
    this.catchUpFrames = Math.ceil(this.targetDelayMs / this.frameMs) + 1;
    this.maxDelayFrames = Math.max(
      this.catchUpFrames,
      Math.floor((opts.maxDelayMs ?? 200) / this.frameMs),
    );
    this.resyncGapMs = opts.resyncGapMs ?? 200;
    this.resyncPackets = opts.resyncPackets ?? 100;
    this.staleReadMs = Math.max(opts.staleReadMs ?? DEFAULT_STALE_READ_MS, 2 * this.frameMs);
    this.frameUnits = Math.max(1, Math.round(opts.frameUnits ?? this.frameMs * 8));
    this.isQuiet = opts.isQuiet;
    let size = 1;
    while (size < this.window) size <<= 1;
    this.slots = new Array<Entry<T> | undefined>(size);
    this.mask = size - 1;
  }

  /**
   * Offers a received audio packet. `ssrc`, when given, lets the buffer
   * start over by itself when the source changes; otherwise call `flush()`.
   * `marker`: the RTP marker bit (first packet of a talkspurt, RFC 3551 §4.1).
   */
  push(
    seq: number,
    timestamp: number,
    payload: T,
    arrivalMs: number,
    ssrc?: number,
    marker = false,
  ): void {
    this.insert(seq, timestamp, payload, arrivalMs, ssrc, marker);
  }

  /**
   * Offers a packet of another payload type of the same source (an RFC 4733
   * telephone-event, RFC 3389 comfort noise): it carries no audio for this
   * buffer, but its sequence number is not a lost audio packet.
   */
  pushNonAudio(seq: number, timestamp: number, arrivalMs: number, ssrc?: number): void {
    this.counters.nonAudio++;
    this.insert(seq, timestamp, null, arrivalMs, ssrc, false);
  }

  private insert(
    seq: number,
    timestamp: number,
    payload: T | null,
    arrivalMs: number,
    ssrc: number | undefined,
    marker: boolean,
  ): void {
    this.counters.received++;
    this.lastArrivalMs = arrivalMs;
    seq &= 0xffff;
    if (ssrc !== undefined) {
      if (this.ssrc !== undefined && ssrc !== this.ssrc && this.state !== 'idle') this.resync();
      this.ssrc = ssrc;
    }
    if (this.state === 'idle') {
      this.startFresh(seq, arrivalMs);
    }
    if (this.bufferingSince === null) this.bufferingSince = arrivalMs;

    // Extend to 32+ bits relative to the highest seen (RFC 3550 §5.1 wrap).
    let ext = this.highestExt + ((((seq - this.highestExt) & 0xffff) << 16) >> 16);
    if (Math.abs(ext - this.highestExt) > this.resyncPackets) {
      this.resync();
      this.startFresh(seq, arrivalMs);
      ext = this.highestExt;
    }

    if (ext < this.nextExt) {
      const lowered = this.fresh && this.highestExt - ext < this.window;
      if (!lowered) {
        this.behindPlayout(ext);
        return;
      }
      // Still before the first pop: an earlier packet just arrived later.
      this.nextExt = ext;
    }
    const slot = ext & this.mask;
    if (this.slots[slot]?.ext === ext) {
      this.counters.duplicate++;
      return;
    }
    if (ext < this.highestExt) this.counters.reordered++;
    if (ext - this.nextExt >= this.window) this.skipTo(ext - this.window + 1);
    this.slots[slot] = { ext, seq, timestamp: timestamp >>> 0, payload, marker, arrivalMs };
    this.count++;
    if (payload !== null) this.audioCount++;
    if (ext > this.highestExt) this.highestExt = ext;
  }

  /** The frame to play at `nowMs` (call once per frame interval). */
  pop(nowMs: number): JitterPop<T> {
    // The backlog is as old as the last pop, or as the first packet if it came later.
    const since = Math.max(this.lastPopMs ?? -Infinity, this.bufferingSince ?? -Infinity);
    const stale = this.count > 0 && nowMs - since > this.staleReadMs;
    this.lastPopMs = nowMs;
    if (this.state === 'idle') return { kind: 'empty' };
    if (this.state === 'buffering') {
      if (this.bufferingSince === null || nowMs - this.bufferingSince < this.targetDelayMs) {
        return { kind: 'empty' };
      }
      this.state = 'playing';
      this.underrunMs = 0;
      // Resuming after a pause: start at the first packet that came back; the
      // sequence numbers between were lost during the pause.
      if (!this.fresh) this.skipTo(this.lowestQueued());
      this.fresh = false;
      this.startPlayout();
    }
    if (stale && !this.cutStaleBacklog(nowMs)) return { kind: 'empty' };

    // Keep latency bounded: a burst after a stall would otherwise delay everything after it.
    while (this.audioCount > 0 && this.audioSpan() > this.maxDelayFrames) {
      this.skipTo(this.nextExt + 1);
    }

    for (;;) {
      const seq = this.nextExt & 0xffff;
      const slot = this.nextExt & this.mask;
      const entry = this.slots[slot];
      if (entry && entry.ext === this.nextExt) {
        if (entry.payload === null) {
          // Another payload type's sequence number: passed over, no media time of its own.
          this.take(slot, entry);
          this.inNonAudio = true;
          this.underrunMs = 0;
          continue;
        }
        if (entry.marker && this.lastAudioExt !== null) {
          // A talkspurt starts: the silence before it is ours to size, so it
          // plays once it has waited the target delay, as a fresh stream's
          // first packet does — whatever delay the last talkspurt had gathered.
          if (nowMs - entry.arrivalMs < this.targetDelayMs) {
            this.ticksSinceAudio++;
            return { kind: 'empty' };
          }
          this.counters.talkspurts++;
          this.restartDelayWatch();
        } else if (this.waitsForMediaTime(entry)) {
          this.ticksSinceAudio++;
          return { kind: 'empty' };
        }
        this.take(slot, entry);
        if (this.shouldDropQuiet(entry.payload)) {
          // Played as if one tick ago: the next frame is due now.
          this.counters.quietDropped++;
          this.counters.discarded++;
          this.markAudio(entry);
          this.minWaitPrevious -= this.frameMs;
          this.minWaitCurrent -= this.frameMs;
          this.maxWaitPrevious -= this.frameMs;
          this.maxWaitCurrent -= this.frameMs;
          continue;
        }
        this.markAudio(entry);
        this.watchWait(nowMs - entry.arrivalMs);
        this.counters.played++;
        this.underrunMs = 0;
        this.inNonAudio = false;
        return {
          kind: 'frame',
          seq: entry.seq,
          timestamp: entry.timestamp,
          payload: entry.payload,
        };
      }

      this.ticksSinceAudio++;
      if (this.count > 0) {
        // Later packets are here, this one is not: lost (or late, if it still comes).
        this.counters.concealed++;
        this.remember(this.nextExt, FATE_LOST);
        this.counters.lost++;
        this.nextExt++;
        this.underrunMs = 0;
        return { kind: 'lost', seq };
      }

      // Underrun: keep the slot, the packet may only be delayed.
      this.underrunMs += this.frameMs;
      if (this.underrunMs >= this.resyncGapMs) {
        // The stream paused; wait for it to come back and buffer afresh.
        this.state = 'buffering';
        this.bufferingSince = null;
        return { kind: 'empty' };
      }
      // Events keep coming in place of audio (RFC 4733 §2.5): that is silence, not loss.
      if (this.inNonAudio) return { kind: 'empty' };
      this.counters.concealed++;
      return { kind: 'lost', seq };
    }
  }

  /** Drops everything and waits for a new stream (SSRC change, re-INVITE, hold/resume). */
  flush(): void {
    this.resync();
  }

  stats(): JitterBufferStats {
    return { ...this.counters, depthMs: this.audioCount * this.frameMs };
  }

  /** Removes the entry at the playout point and moves past it. */
  private take(slot: number, entry: Entry<T>): void {
    this.slots[slot] = undefined;
    this.count--;
    if (entry.payload !== null) this.audioCount--;
    this.remember(this.nextExt, FATE_PLAYED);
    this.nextExt++;
  }

  /** Records the media time reached: `entry` just played, no tick since. */
  private markAudio(entry: Entry<T>): void {
    if (this.lastAudioExt !== null && entry.ext === this.lastAudioExt + 1) {
      // Consecutive audio packets show the stream's real packet duration.
      const units = (entry.timestamp - this.lastAudioTs) | 0;
      if (units > 0 && units <= this.frameUnits * 16) this.frameUnits = units;
    }
    this.lastAudioExt = entry.ext;
    this.lastAudioTs = entry.timestamp;
    this.ticksSinceAudio = 0;
  }

  /**
   * True when `entry`'s timestamp is ahead of the media time reached (the
   * sender sent events or nothing instead of audio): it waits, as a timed
   * sender meant. A jump beyond maxDelayMs is a discontinuity, not waited for.
   */
  private waitsForMediaTime(entry: Entry<T>): boolean {
    if (this.lastAudioExt === null) return false;
    const ahead = ((entry.timestamp - this.lastAudioTs) | 0) / this.frameUnits;
    const owed = Math.round(ahead) - 1 - this.ticksSinceAudio;
    return owed > 0 && owed <= this.maxDelayFrames;
  }

  /**
   * Whether a quiet frame may go unplayed: the delay is more than the
   * jitter needs and more than the target. Over the window every played
   * frame waited at least a frame's time (even the latest packet had one to
   * spare: a frame less and it would still have been in time), and the
   * longest wait (the packets that came on time: the delay itself) minus a
   * frame is still at least the target. Jitter that keeps coming keeps the
   * shortest wait down, so the delay it made the buffer grow to stays.
   * Waits are measured against the pop's `nowMs` (the mixer's scheduled
   * tick), so a late mixer only shortens them: it never causes a drop.
   */
  private shouldDropQuiet(payload: T): boolean {
    // Only with the next frame here to play instead (else it would be concealment).
    const next = this.slots[this.nextExt & this.mask];
    if (!this.isQuiet || !next || next.ext !== this.nextExt || next.payload === null) return false;
    const minWait = Math.min(this.minWaitPrevious, this.minWaitCurrent);
    const maxWait = Math.max(this.maxWaitPrevious, this.maxWaitCurrent);
    return (
      minWait >= this.frameMs &&
      maxWait - this.frameMs >= this.targetDelayMs &&
      this.isQuiet(payload)
    );
  }

  /** Records how long a played frame waited, for the window of the last one to two half-windows. */
  private watchWait(waitMs: number): void {
    if (waitMs < this.minWaitCurrent) this.minWaitCurrent = waitMs;
    if (waitMs > this.maxWaitCurrent) this.maxWaitCurrent = waitMs;
    if (++this.watchPlays >= SHRINK_WINDOW_TICKS / 2) {
      this.minWaitPrevious = this.minWaitCurrent;
      this.maxWaitPrevious = this.maxWaitCurrent;
      this.minWaitCurrent = Infinity;
      this.maxWaitCurrent = -Infinity;
      this.watchPlays = 0;
    }
  }

  private startPlayout(): void {
    this.restartDelayWatch();
    this.lastAudioExt = null;
    this.ticksSinceAudio = 0;
    this.inNonAudio = false;
  }

  /** Playout (re)starts at the target delay: no excess is claimed before a whole window. */
  private restartDelayWatch(): void {
    this.minWaitPrevious = -Infinity;
    this.minWaitCurrent = Infinity;
    this.maxWaitPrevious = -Infinity;
    this.maxWaitCurrent = -Infinity;
    this.watchPlays = 0;
  }

  /** Audio frames between the playout point and the newest packet (missing ones included). */
  private audioSpan(): number {
    return this.highestExt - this.nextExt + 1 - (this.count - this.audioCount);
  }

  /**
   * Drops the oldest queued frames down to `catchUpFrames`, or all of them
   * when the newest is itself older than `staleReadMs`: the peer stopped
   * sending meanwhile, and a few frames of old audio would only be a blip
   * before silence. False when nothing is left (the buffer starts over).
   */
  private cutStaleBacklog(nowMs: number): boolean {
    if (this.lastArrivalMs === null || nowMs - this.lastArrivalMs > this.staleReadMs) {
      this.counters.discarded += this.audioCount;
      this.resync();
      return false;
    }
    const keepFrom = this.highestExt - this.catchUpFrames + 1;
    if (keepFrom > this.nextExt) this.skipTo(keepFrom);
    // Media time restarts here even when nothing was cut: the pops the gap
    // lasted were never counted, so the timestamps ran ahead of them.
    this.lastAudioExt = null;
    return true;
  }

  private resync(): void {
    if (this.state !== 'idle') this.counters.resyncs++;
    this.slots.fill(undefined);
    this.count = 0;
    this.audioCount = 0;
    this.state = 'idle';
    this.bufferingSince = null;
    this.historyExt.fill(-1);
  }

  private startFresh(seq: number, arrivalMs: number): void {
    // Start extended numbers high enough that packets from before the first one stay positive.
    this.nextExt = this.highestExt = 0x10000 + seq;
    this.state = 'buffering';
    this.fresh = true;
    this.bufferingSince = arrivalMs;
    this.underrunMs = 0;
  }

  /** Lowest queued extended sequence number (the playout point if nothing is queued). */
  private lowestQueued(): number {
    let lowest = Infinity;
    for (const entry of this.slots) if (entry && entry.ext < lowest) lowest = entry.ext;
    return lowest === Infinity ? this.nextExt : lowest;
  }

  /** A packet for a slot already played, concealed or discarded. */
  private behindPlayout(ext: number): void {
    const i = ext % HISTORY;
    if (this.historyExt[i] === ext) {
      if (this.historyFate[i] === FATE_LOST) {
        // It was counted lost when its time passed; it was late instead.
        this.counters.lost--;
        this.counters.late++;
        this.historyFate[i] = FATE_LATE;
        return;
      }
      this.counters.duplicate++;
      return;
    }
    this.counters.late++;
  }

  /**
   * Moves the playout point to `ext`, discarding queued frames and counting
   * missing ones lost. Media time restarts there: the frame now first is
   * due at once. The frames passed over were cut to keep latency down (the
   * delay bound, the reorder window, a stale backlog), so their time is not
   * owed; counted as owed, the next frame would wait for them (its timestamp
   * is that far ahead of the last one played), more would queue meanwhile
   * and be cut again, and the stream would never play.
   */
  private skipTo(ext: number): void {
    if (ext > this.nextExt) this.lastAudioExt = null;
    for (; this.nextExt < ext; this.nextExt++) {
      const slot = this.nextExt & this.mask;
      const entry = this.slots[slot];
      if (entry && entry.ext === this.nextExt) {
        this.slots[slot] = undefined;
        this.count--;
        if (entry.payload !== null) {
          this.audioCount--;
          this.counters.discarded++;
        }
        this.remember(this.nextExt, FATE_PLAYED);
      } else {
        this.counters.lost++;
        this.remember(this.nextExt, FATE_LOST);
      }
    }
  }

  private remember(ext: number, fate: number): void {
    const i = ext % HISTORY;
    this.historyExt[i] = ext;
    this.historyFate[i] = fate;
  }
}
