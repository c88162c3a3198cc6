/**
 * The mixer side of the benchmark, in the benchmark's own process: one
 * RtpStream per member on a PortPool (127.0.0.1), rooms of `roomSize`
 * members and one MixerClock driving them all — the production objects,
 * wired the way the call server wires them, minus SIP.
 */
import { MixerClock, Room, type MixerClockStats } from '../../src/media/mixer/index.js';
import { PCMU } from '../../src/media/codec/index.js';
import type { NegotiatedMedia } from '../../src/media/sdp/index.js';
import { RtpStream, type PortPool, type RtpStreamStats } from '../../src/media/stream/index.js';

export interface ConferenceOptions {
  pool: PortPool;
  /** IP literal the streams bind and the generator lives on. */
  host: string;
  /** Members per room. */
  roomSize: number;
  /** Jitter buffer target delay of every stream, ms. */
  jitterTargetMs: number;
  /** Ticks kept by the MixerClock for its percentiles (the measured window). */
  statsWindow: number;
  /**
   * Coaching in every room: its last member (the supervisor) is heard only
   * by its second (the agent) — Room.setAudience(supervisor, [agent]).
   */
  coaching?: boolean;
}

/** Inbound totals over all streams, for deltas across a window. */
export interface InboundTotals {
  played: number;
  concealed: number;
  late: number;
  packetsReceived: number;
}

/** Streams bound at once: enough to be quick, few enough not to starve the loop. */
const OPEN_BATCH = 64;
const TELEPHONE_EVENT_PT = 101;

export class BenchConference {
  private clock: MixerClock | null = null;
  private rooms: Room[] = [];

  private constructor(
    private readonly opts: ConferenceOptions,
    readonly streams: readonly RtpStream[],
  ) {}

  /** Binds `count` streams (not started, not in a room yet). */
  static async open(count: number, opts: ConferenceOptions): Promise<BenchConference> {
    const streams: RtpStream[] = [];
    try {
      for (let i = 0; i < count; i += OPEN_BATCH) {
        const n = Math.min(OPEN_BATCH, count - i);
        const batch = Array.from({ length: n }, () =>
          RtpStream.open({
            pool: opts.pool,
            localAddress: opts.host,
            jitter: { targetDelayMs: opts.jitterTargetMs },
          }),
        );
        // allSettled: a stream bound in a failing batch must still be closed.
        for (const r of await Promise.allSettled(batch)) {
          if (r.status === 'fulfilled') streams.push(r.value);
          else throw r.reason;
        }
      }
    } catch (err) {
      await Promise.all(streams.map((s) => s.close()));
      throw err;
    }
    return new BenchConference(opts, streams);
  }

  ports(): number[] {
    return this.streams.map((s) => s.localPort);
  }

  /**
   * Starts each stream towards its generator socket (PCMU, ptime 20,
   * sendrecv; RTCP to the same socket, as under rtcp-mux) and puts the
   * members in rooms on a fresh MixerClock, which starts ticking.
   */
  start(generatorPorts: readonly number[]): void {
    if (generatorPorts.length !== this.streams.length) {
      throw new Error(
        `${generatorPorts.length} generator ports for ${this.streams.length} streams`,
      );
    }
    this.streams.forEach((s, i) => s.start(this.media(generatorPorts[i])));
    const clock = new MixerClock({ statsWindow: this.opts.statsWindow });
    this.clock = clock;
    for (let i = 0; i < this.streams.length; i += this.opts.roomSize) {
      const room = new Room({ id: `bench-${i / this.opts.roomSize}`, mixerClock: clock });
      this.rooms.push(room);
      const end = Math.min(i + this.opts.roomSize, this.streams.length);
      for (let k = i; k < end; k++) room.addMember(`m${k}`, this.streams[k]);
      if (this.opts.coaching && end - i >= 3) room.setAudience(`m${end - 1}`, [`m${i + 1}`]);
    }
  }

  get roomCount(): number {
    return this.rooms.length;
  }

  clockStats(): MixerClockStats | null {
    return this.clock?.stats() ?? null;
  }

  inbound(): InboundTotals {
    const t: InboundTotals = { played: 0, concealed: 0, late: 0, packetsReceived: 0 };
    for (const s of this.streams) {
      const st = s.stats();
      t.played += st.played;
      t.concealed += st.concealed;
      t.late += st.late;
      t.packetsReceived += st.packetsReceived;
    }
    return t;
  }

  streamStats(): RtpStreamStats[] {
    return this.streams.map((s) => s.stats());
  }

  /** Closes the rooms and the clock: no frame is sent after this. */
  async stopMixing(): Promise<void> {
    const rooms = this.rooms;
    this.rooms = [];
    await Promise.all(rooms.map((r) => r.close()));
    this.clock?.close();
  }

  /** Stops mixing and closes every stream (ports back to the pool). Never rejects. */
  async close(): Promise<void> {
    await this.stopMixing().catch(() => undefined);
    await Promise.allSettled(this.streams.map((s) => s.close()));
  }

  private media(port: number): NegotiatedMedia {
    return {
      remoteAddress: this.opts.host,
      remotePort: port,
      remoteRtcpPort: port,
      codec: PCMU,
      payloadType: PCMU.payloadType,
      telephoneEventPt: TELEPHONE_EVENT_PT,
      ptime: 20,
      direction: 'sendrecv',
      remoteDirection: 'sendrecv',
    };
  }
}
