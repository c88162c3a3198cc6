/**
 * A fixed-delay jitter buffer for one incoming stream, driven by the
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
 *   (and trimmed back later by `maxDelayMs`). An underrun longer than
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
 * one finds up to a window of old audio. A fixed-delay buffer never shrinks
 * by itself (only `maxDelayMs` bounds it), so everything after would play
 * that much late. That pop first drops the oldest frames down to the depth
 * a fresh start plays from (see `catchUpFrames`), or everything if nothing
 * arrived lately either (the stream paused meanwhile).
 *
 * States: idle → buffering → playing → (underrun too long) buffering → ...;
 * flush, a new stream, or the stale backlog of a paused stream → idle.
 */

export type JitterPayload = Int16Array | Uint8Array;

export type JitterPop<T extends JitterPayload> =
  | { kind: 'frame'; seq: number; timestamp: number; payload: T }
  /** Nothing to play for sequence number `seq`: conceal it. */
  | { kind: 'lost'; seq: number }
  /** Not playing (before the first packet, while buffering, after the stream paused): silence, not loss. */
  | { kind: 'empty' };

export interface JitterBufferOptions {
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
}

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
  /** Audio queued now, ms. */
  depthMs: number;
}

interface Entry<T> {
  ext: number;
  seq: number;
  timestamp: number;
  payload: T;
}

type State = 'idle' | 'buffering' | 'playing';

/** Fates of slots behind the playout point, to tell a late packet from a duplicate. */
const FATE_PLAYED = 1;
const FATE_LOST = 2;
const FATE_LATE = 3;
const HISTORY = 128;

export class JitterBuffer<T extends JitterPayload = JitterPayload> {
  private readonly frameMs: number;
  private readonly targetDelayMs: number;
  private readonly maxDelayFrames: number;
  private readonly window: number;
  private readonly resyncGapMs: number;
  private readonly resyncPackets: number;
  private readonly staleReadMs: number;
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
  private count = 0;

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
  };

  constructor(opts: JitterBufferOptions = {}) {
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
    let size = 1;
    while (size < this.window) size <<= 1;
    this.slots = new Array<Entry<T> | undefined>(size);
    this.mask = size - 1;
  }

  /**
   * Offers a received packet. `ssrc`, when given, lets the buffer start over
   * by itself when the source changes; otherwise call `flush()`.
   */
  push(seq: number, timestamp: number, payload: T, arrivalMs: number, ssrc?: number): void {
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
    this.slots[slot] = { ext, seq, timestamp: timestamp >>> 0, payload };
    this.count++;
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
    }
    if (stale && !this.cutStaleBacklog(nowMs)) return { kind: 'empty' };

    // Keep latency bounded: a burst after a stall would otherwise delay everything after it.
    while (this.count > 0 && this.highestExt - this.nextExt + 1 > this.maxDelayFrames) {
      this.skipTo(this.nextExt + 1);
    }

    const seq = this.nextExt & 0xffff;
    const slot = this.nextExt & this.mask;
    const entry = this.slots[slot];
    if (entry && entry.ext === this.nextExt) {
      this.slots[slot] = undefined;
      this.count--;
      this.remember(this.nextExt, FATE_PLAYED);
      this.nextExt++;
      this.counters.played++;
      this.underrunMs = 0;
      return { kind: 'frame', seq: entry.seq, timestamp: entry.timestamp, payload: entry.payload };
    }

    this.counters.concealed++;
    if (this.count > 0) {
      // Later packets are here, this one is not: lost (or late, if it still comes).
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
      this.counters.concealed--;
      this.state = 'buffering';
      this.bufferingSince = null;
      return { kind: 'empty' };
    }
    return { kind: 'lost', seq };
  }

  /** Drops everything and waits for a new stream (SSRC change, re-INVITE, hold/resume). */
  flush(): void {
    this.resync();
  }

  stats(): JitterBufferStats {
    return { ...this.counters, depthMs: this.count * this.frameMs };
  }

  /**
   * Drops the oldest queued frames down to `catchUpFrames`, or all of them
   * when the newest is itself older than `staleReadMs`: the peer stopped
   * sending meanwhile, and a few frames of old audio would only be a blip
   * before silence. False when nothing is left (the buffer starts over).
   */
  private cutStaleBacklog(nowMs: number): boolean {
    if (this.lastArrivalMs === null || nowMs - this.lastArrivalMs > this.staleReadMs) {
      this.counters.discarded += this.count;
      this.resync();
      return false;
    }
    const keepFrom = this.highestExt - this.catchUpFrames + 1;
    if (keepFrom > this.nextExt) this.skipTo(keepFrom);
    return true;
  }

  private resync(): void {
    if (this.state !== 'idle') this.counters.resyncs++;
    this.slots.fill(undefined);
    this.count = 0;
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

  /** Moves the playout point to `ext`, discarding queued frames and counting missing ones lost. */
  private skipTo(ext: number): void {
    for (; this.nextExt < ext; this.nextExt++) {
      const slot = this.nextExt & this.mask;
      const entry = this.slots[slot];
      if (entry && entry.ext === this.nextExt) {
        this.slots[slot] = undefined;
        this.count--;
        this.counters.discarded++;
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
