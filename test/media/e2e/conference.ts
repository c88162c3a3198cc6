/**
 * A conference over real sockets for the media end-to-end tests: one
 * RtpTestPeer per member, each talking to a real RtpStream (PortPool on
 * 127.0.0.1) that is a member of a real Room driven by a real MixerClock on
 * the system clock. What the tests assert is what each peer hears, measured
 * with Goertzel on the decoded audio it received.
 */
import { toneLevelDb } from '../../../src/media/audio/index.js';
import { MixerClock, Room } from '../../../src/media/mixer/index.js';
import type { NegotiatedMedia } from '../../../src/media/sdp/index.js';
import { PortPool, RtpStream } from '../../../src/media/stream/index.js';
import { RtpTestPeer, type RtpTestPeerOptions } from '../../support/rtp-peer.js';

export const HOST = '127.0.0.1';
const DTMF_PT = 101;

export interface Leg {
  id: string;
  peer: RtpTestPeer;
  stream: RtpStream;
}

export interface Conference {
  room: Room;
  mixerClock: MixerClock;
  pool: PortPool;
  legs: Map<string, Leg>;
  leg(id: string): Leg;
  close(): Promise<void>;
}

export type PeerTuning = Omit<RtpTestPeerOptions, 'codec'>;

/** A pool over a range unlikely to be shared with a parallel test file; taken ports are skipped. */
function testPool(): PortPool {
  const base = 20000 + 2 * Math.floor(Math.random() * 10000);
  return new PortPool({ minPort: base, maxPort: base + 199, bindAddress: HOST });
}

export function negotiated(codec: 'PCMU' | 'PCMA', peer: RtpTestPeer): NegotiatedMedia {
  return {
    remoteAddress: HOST,
    remotePort: peer.port,
    // rtcp-mux style: our RTCP goes to the peer's one socket, which ignores it.
    remoteRtcpPort: peer.port,
    codec: peer.codec,
    payloadType: codec === 'PCMU' ? 0 : 8,
    telephoneEventPt: DTMF_PT,
    ptime: 20,
    direction: 'sendrecv',
    remoteDirection: 'sendrecv',
  };
}

/** Opens a room with one member per id; `tuning` sets loss/reorder per peer. */
export async function openConference(
  codec: 'PCMU' | 'PCMA',
  ids: readonly string[],
  tuning: Record<string, PeerTuning> = {},
): Promise<Conference> {
  const pool = testPool();
  const mixerClock = new MixerClock();
  const room = new Room({ id: 'e2e', mixerClock });
  const legs = new Map<string, Leg>();
  const conf: Conference = {
    room,
    mixerClock,
    pool,
    legs,
    leg(id) {
      const l = legs.get(id);
      if (!l) throw new Error(`no leg ${id}`);
      return l;
    },
    async close() {
      await room.close();
      mixerClock.close();
      for (const l of legs.values()) {
        await l.peer.close();
        await l.stream.close();
      }
    },
  };
  try {
    for (const id of ids) {
      const peer = await RtpTestPeer.open({ codec, ...tuning[id] });
      const stream = await RtpStream.open({ pool, localAddress: HOST });
      legs.set(id, { id, peer, stream });
      stream.start(negotiated(codec, peer));
      peer.setRemote(stream.localPort);
      room.addMember(id, stream);
    }
  } catch (err) {
    await conf.close();
    throw err;
  }
  return conf;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Level (dBFS) of each frequency in `audio`. */
export function levels(audio: Int16Array, freqs: readonly number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const f of freqs) out[f] = toneLevelDb(audio, 8000, f);
  return out;
}

/**
 * What `leg` heard during `ms` from now, after letting `settleMs` pass first
 * (jitter buffers fill, ramps finish, a change takes effect).
 */
export async function listen(leg: Leg, ms: number, settleMs = 300): Promise<Int16Array> {
  await sleep(settleMs);
  const from = leg.peer.now();
  await sleep(ms);
  return leg.peer.receivedSince(from);
}

/** A tone counts as heard well above the G.711 noise floor (a −12 dBFS tone reads about −15). */
export const HEARD_DB = -30;
/** A tone counts as absent this far below the tones that are heard. */
export const ABSENT_MARGIN_DB = 30;

/** Readable levels for assertion messages. */
export function show(l: Record<number, number>): string {
  return Object.entries(l)
    .map(([f, db]) => `${f} Hz ${db.toFixed(1)} dB`)
    .join(', ');
}
