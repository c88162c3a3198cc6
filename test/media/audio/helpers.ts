// Shared helpers for the audio tests: temp dirs, sox, hand-built WAV files and test signals.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTempDir(prefix = 'partyline-audio-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs sox with the given arguments (it must be installed: see docs). */
export function sox(...args: string[]): void {
  execFileSync('sox', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A sine at `freq` of peak `amp` (16-bit scale), as floats. */
export function sine(rate: number, freq: number, seconds: number, amp = 16384): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

export function toInt16(x: Float32Array): Int16Array {
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
}

export interface FmtSpec {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  /** Write WAVE_FORMAT_EXTENSIBLE with this sub-format tag. */
  extensibleSubFormat?: number;
}

export function fmtChunk(f: FmtSpec): Buffer {
  const blockAlign = f.channels * Math.ceil(f.bits / 8);
  const ext = f.extensibleSubFormat !== undefined;
  const b = Buffer.alloc(ext ? 40 : 16);
  b.writeUInt16LE(ext ? 0xfffe : f.tag, 0);
  b.writeUInt16LE(f.channels, 2);
  b.writeUInt32LE(f.rate, 4);
  b.writeUInt32LE(f.rate * blockAlign, 8);
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(f.bits, 14);
  if (ext) {
    b.writeUInt16LE(22, 16); // cbSize
    b.writeUInt16LE(f.bits, 18); // valid bits
    b.writeUInt32LE(f.channels === 2 ? 0x3 : 0x4, 20); // channel mask
    b.writeUInt16LE(f.extensibleSubFormat ?? 1, 24);
    Buffer.from([
      0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
    ]).copy(b, 26);
  }
  return b;
}

export interface RawChunk {
  id: string;
  body: Buffer;
  /** Size written in the chunk header (default body length). */
  size?: number;
}

/** A RIFF/WAVE file from chunks, each padded to even length as RIFF requires. */
export function buildWav(chunks: RawChunk[], riffSize?: number): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    const h = Buffer.alloc(8);
    h.write(c.id, 0, 'latin1');
    h.writeUInt32LE(c.size ?? c.body.length, 4);
    parts.push(h, c.body);
    if (c.body.length % 2 === 1) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(riffSize ?? body.length + 4, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

export function pcm16(samples: Int16Array): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
}

/** The middle of a signal, away from the filter's start and end transients. */
export function middle<T extends Int16Array | Float32Array>(x: T, skip: number): T {
  return x.subarray(skip, x.length - skip) as T;
}

/** A deterministic, non-periodic-looking 16-bit test pattern (recorder tests). */
export function sampleAt(i: number): number {
  return ((i * 7919) % 60000) - 30000;
}
