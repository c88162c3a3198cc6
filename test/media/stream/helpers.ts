// Shared helpers for the stream tests: a pool on a random range, SDP-negotiated
// stream pairs, raw UDP peers, tones and their measurement, and waiting on sockets.
import { createSocket, type Socket } from 'node:dgram';
import { toneLevelDb } from '../../../src/media/audio/index.js';
import {
  createOffer,
  negotiateAnswer,
  readAnswer,
  SdpError,
  type Direction,
  type NegotiatedMedia,
} from '../../../src/media/sdp/index.js';
import { PortPool, RtpStream, type RtpStreamOptions } from '../../../src/media/stream/index.js';
import type { CodecName } from '../../../src/media/codec/index.js';
import { ManualClock } from '../../support/manual-clock.js';

export const HOST = '127.0.0.1';

/**
 * A pool over 400 ports at a random place in 20000-39999, so parallel test
 * files rarely meet (and the pool skips ports someone else holds anyway).
 */
export function testPool(pairs = 200): PortPool {
  const base = 20000 + 2 * Math.floor(Math.random() * 9000);
  return new PortPool({ minPort: base, maxPort: base + pairs * 2 - 1, bindAddress: HOST });
}

export interface Pair {
  a: RtpStream;
  b: RtpStream;
  /** What A (the offerer) runs, and what B (the answerer) runs. */
  mediaA: NegotiatedMedia;
  mediaB: NegotiatedMedia;
  close(): Promise<void>;
}

export interface PairOptions {
  pool: PortPool;
  clock: ManualClock;
  codecsA?: CodecName[];
  codecsB?: CodecName[];
  /** a=ptime in A's offer (B sends with it). */
  ptimeA?: number;
  directionA?: Direction;
  directionB?: Direction;
  streamOptions?: Partial<RtpStreamOptions>;
}

/** Two streams on 127.0.0.1 that negotiated through real SDP: A offers, B answers. */
export async function negotiatedPair(opts: PairOptions): Promise<Pair> {
  const common = { pool: opts.pool, localAddress: HOST, clock: opts.clock, ...opts.streamOptions };
  const a = await RtpStream.open(common);
  const b = await RtpStream.open(common);
  const offer = createOffer({
    address: HOST,
    port: a.localPort,
    codecs: opts.codecsA ?? ['PCMU', 'PCMA'],
    telephoneEvent: true,
    ptime: opts.ptimeA,
    direction: opts.directionA,
  });
  const r = negotiateAnswer(offer, {
    address: HOST,
    port: b.localPort,
    codecs: opts.codecsB ?? ['PCMU', 'PCMA'],
    telephoneEvent: true,
    direction: opts.directionB,
  });
  if ('error' in r) throw r.error;
  const mediaA = readAnswer(offer, r.answer);
  if (mediaA instanceof SdpError) throw mediaA;
  a.start(mediaA);
  b.start(r.media);
  return {
    a,
    b,
    mediaA,
    mediaB: r.media,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

/** NegotiatedMedia towards a raw peer, for tests that play the peer by hand. */
export function mediaTowards(
  port: number,
  overrides: Partial<NegotiatedMedia> = {},
): NegotiatedMedia {
  const r = negotiateAnswer(
    createOffer({ address: HOST, port, codecs: ['PCMU'], telephoneEvent: true }),
    { address: HOST, port: 9, codecs: ['PCMU', 'PCMA'], telephoneEvent: true },
  );
  if ('error' in r) throw r.error;
  return { ...r.media, ...overrides };
}

/** Polls until `cond` holds; fails after `limitMs` (a guard against hanging, not a timing assertion). */
export async function waitFor(cond: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A continuous sine, one 20 ms frame per call. */
export class ToneFrames {
  private n = 0;
  constructor(
    private readonly freq: number,
    private readonly amplitude = 8000,
  ) {}
  next(): Int16Array {
    const frame = new Int16Array(160);
    for (let i = 0; i < 160; i++, this.n++) {
      frame[i] = Math.round(this.amplitude * Math.sin((2 * Math.PI * this.freq * this.n) / 8000));
    }
    return frame;
  }
}

/** Concatenates frames. */
export function concat(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** dBFS of `freq` in `samples`. */
export function levelDb(samples: Int16Array, freq: number): number {
  return toneLevelDb(samples, 8000, freq);
}

export async function rawSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, HOST, () => resolve()));
  return s;
}

export function portOf(s: Socket): number {
  return s.address().port;
}

export async function closeSocket(s: Socket): Promise<void> {
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

export function sendTo(s: Socket, buf: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) =>
    s.send(buf, port, HOST, (err) => (err ? reject(err) : resolve())),
  );
}
