import { open, type FileHandle } from 'node:fs/promises';
import { AudioFileError, describeFsError } from './errors.js';
import { decodeAlawSample, decodeMulawSample } from '../codec/index.js';
import { resample } from './resampler.js';
import { SAMPLE_RATE } from './source.js';
import { parseWavLayout, type WavLayout } from './wav-layout.js';

/**
 * WAV file → 8 kHz mono 16-bit samples in memory. Prompts and music loops are
 * short, so the whole file is converted once at load and playback is a plain
 * copy every 20 ms.
 */

/** Default limit on the size of an audio file (bytes). */
export const MAX_AUDIO_FILE_BYTES = 50 * 1024 * 1024;

export interface DecodedAudio {
  /** 8 kHz mono signed 16-bit PCM. Shared between players: never modify it. */
  readonly samples: Int16Array;
  readonly durationMs: number;
  /** What the file held, for logs. */
  readonly source: { sampleRate: number; channels: number; encoding: string };
}

export interface DecodeOptions {
  /** Largest accepted input in bytes (default 50 MB). */
  maxBytes?: number;
}

function describeEncoding(layout: WavLayout): string {
  if (layout.encoding === 'alaw') return 'G.711 A-law';
  if (layout.encoding === 'mulaw') return 'G.711 µ-law';
  return `PCM ${layout.bitsPerSample}-bit`;
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function checkSize(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new AudioFileError(
      `audio file is ${megabytes(size)}, over the ${megabytes(maxBytes)} limit`,
    );
  }
}

/** Frames converted between two yields to the event loop (a few milliseconds of work). */
const FRAMES_PER_SLICE = 1 << 19;

/**
 * Mono samples in 16-bit scale, averaging the channels (a plain downmix: no
 * channel gets more weight). Yields between slices, like the resampler, so a
 * long file does not stall live calls.
 */
async function toMonoFloat(bytes: Uint8Array, layout: WavLayout): Promise<Float32Array> {
  const { channels, frames, frameBytes, dataOffset, encoding, bitsPerSample } = layout;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(frames);
  const bytesPerSample = bitsPerSample / 8;
  for (let i = 0; i < frames; i++) {
    if (i > 0 && i % FRAMES_PER_SLICE === 0)
      await new Promise<void>((resolve) => setImmediate(resolve));
    let sum = 0;
    let at = dataOffset + i * frameBytes;
    for (let c = 0; c < channels; c++, at += bytesPerSample) {
      if (encoding === 'mulaw') sum += decodeMulawSample(bytes[at]!);
      else if (encoding === 'alaw') sum += decodeAlawSample(bytes[at]!);
      else if (bitsPerSample === 16) sum += view.getInt16(at, true);
      // 8-bit WAV PCM is unsigned with 128 as zero.
      else if (bitsPerSample === 8) sum += (bytes[at] - 128) * 256;
      else if (bitsPerSample === 24)
        sum += ((bytes[at + 2] << 24) | (bytes[at + 1] << 16) | (bytes[at] << 8)) / 65536;
      else sum += view.getInt32(at, true) / 65536;
    }
    out[i] = sum / channels;
  }
  return out;
}

/** Decodes a whole WAV file held in memory. Rejects only with AudioFileError. */
export async function decodeWav(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<DecodedAudio> {
  checkSize(bytes.length, options.maxBytes ?? MAX_AUDIO_FILE_BYTES);
  const layout = parseWavLayout(bytes);
  const mono = await toMonoFloat(bytes, layout);
  const samples = await resample(mono, layout.sampleRate, SAMPLE_RATE);
  return {
    samples,
    durationMs: (samples.length * 1000) / SAMPLE_RATE,
    source: {
      sampleRate: layout.sampleRate,
      channels: layout.channels,
      encoding: describeEncoding(layout),
    },
  };
}

/**
 * Reads and decodes a WAV file, checking its size before reading it. Only
 * regular files: a FIFO or a device (/dev/zero) would block or never end.
 * Reads at most the size seen at open, so a file still growing cannot
 * exceed the limit. Rejects only with AudioFileError.
 */
export async function decodeWavFile(
  path: string,
  options: DecodeOptions = {},
): Promise<DecodedAudio> {
  let bytes: Buffer;
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw new AudioFileError(`not a regular file: ${path}`);
    checkSize(st.size, options.maxBytes ?? MAX_AUDIO_FILE_BYTES);
    bytes = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const { bytesRead } = await fh.read(bytes, got, st.size - got, got);
      if (bytesRead === 0) break; // shrank meanwhile: decode what is there
      got += bytesRead;
    }
    bytes = bytes.subarray(0, got);
  } catch (err) {
    if (err instanceof AudioFileError) throw err;
    throw new AudioFileError(describeFsError(err, path), { cause: err });
  } finally {
    await fh?.close().catch(() => undefined);
  }
  try {
    return await decodeWav(bytes, options);
  } catch (err) {
    if (err instanceof AudioFileError)
      throw new AudioFileError(`${path}: ${err.message}`, { cause: err });
    throw err;
  }
}
