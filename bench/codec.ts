/**
 * G.711 throughput: our table-driven codec against the alawmulaw package
 * (the reference the tests compare against), in 20 ms frames (160 samples)
 * per second. Run alone with `node --import tsx bench/codec.ts`.
 *
 * Both sides are measured allocating a fresh output per frame (what
 * alawmulaw always does); ours is also measured writing into a reused
 * buffer, which is how the media loop calls it.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import alawmulaw from 'alawmulaw';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../src/media/codec/index.js';

const FRAME = 160;
const FRAMES_PER_RUN = 2000;

export interface CodecBenchRow {
  law: 'mulaw' | 'alaw';
  op: 'encode' | 'decode';
  /** Frames per second, our codec allocating its output. */
  ours: number;
  /** Frames per second, our codec writing into a reused buffer. */
  oursReusedOutput: number;
  /** Frames per second, alawmulaw. */
  alawmulaw: number;
  /** ours / alawmulaw. */
  speedup: number;
}

/** Sine plus noise over the whole 16-bit range, so every segment is exercised. */
function makeFrames(): Int16Array[] {
  const frames: Int16Array[] = [];
  let seed = 12345;
  for (let f = 0; f < 64; f++) {
    const frame = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 16) - 32768;
      const v = 20000 * Math.sin((f * FRAME + i) / 7) + noise / 4;
      frame[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
    frames.push(frame);
  }
  return frames;
}

/** Best-of-5 frames/s of `fn` called FRAMES_PER_RUN times (after a warm-up). */
function rate(fn: (i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < FRAMES_PER_RUN; i++) sink += (fn(i) as ArrayLike<number>).length;
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < FRAMES_PER_RUN; i++) sink += (fn(i) as ArrayLike<number>).length;
    const ms = performance.now() - t0;
    best = Math.max(best, (FRAMES_PER_RUN / ms) * 1000);
  }
  if (sink < 0) throw new Error('unreachable');
  return Math.round(best);
}

export function runCodecBench(): CodecBenchRow[] {
  const pcm = makeFrames();
  const rows: CodecBenchRow[] = [];
  const laws = [
    { law: 'mulaw', enc: encodeMulaw, dec: decodeMulaw, ref: alawmulaw.mulaw },
    { law: 'alaw', enc: encodeAlaw, dec: decodeAlaw, ref: alawmulaw.alaw },
  ] as const;
  for (const { law, enc, dec, ref } of laws) {
    const coded = pcm.map((f) => enc(f));
    const byteOut = new Uint8Array(FRAME);
    const pcmOut = new Int16Array(FRAME);

    const encOurs = rate((i) => enc(pcm[i & 63]));
    const encReused = rate((i) => enc(pcm[i & 63], byteOut));
    const encRef = rate((i) => ref.encode(pcm[i & 63]));
    rows.push({
      law,
      op: 'encode',
      ours: encOurs,
      oursReusedOutput: encReused,
      alawmulaw: encRef,
      speedup: +(encOurs / encRef).toFixed(2),
    });

    const decOurs = rate((i) => dec(coded[i & 63]));
    const decReused = rate((i) => dec(coded[i & 63], pcmOut));
    const decRef = rate((i) => ref.decode(coded[i & 63]));
    rows.push({
      law,
      op: 'decode',
      ours: decOurs,
      oursReusedOutput: decReused,
      alawmulaw: decRef,
      speedup: +(decOurs / decRef).toFixed(2),
    });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(runCodecBench());
}
