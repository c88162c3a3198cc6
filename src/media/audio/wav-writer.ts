import { SAMPLE_RATE } from './source.js';

/**
 * The canonical 44-byte PCM WAV header: RIFF, a 16-byte fmt chunk and the data
 * chunk header. Used by encodeWav and by the recorder, which writes it first
 * with placeholder sizes and patches them on close.
 */
export const WAV_HEADER_BYTES = 44;
/** Offsets of the two size fields the recorder patches. */
export const RIFF_SIZE_OFFSET = 4;
export const DATA_SIZE_OFFSET = 40;
/** "Size unknown" marker for a WAV being written (also what streaming encoders use). */
export const UNKNOWN_SIZE = 0xffffffff;

export function wavHeader(
  dataBytes: number,
  sampleRate: number = SAMPLE_RATE,
  channels = 1,
  bitsPerSample = 16,
): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = channels * (bitsPerSample / 8);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(dataBytes === UNKNOWN_SIZE ? UNKNOWN_SIZE : 36 + dataBytes, RIFF_SIZE_OFFSET);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, DATA_SIZE_OFFSET);
  return h;
}

/** Little-endian 16-bit bytes of `samples` (WAV byte order whatever the host's). */
export function int16ToLE(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i], i * 2);
  return out;
}

/** A complete 16-bit PCM WAV file; `samples` are interleaved when channels > 1. */
export function encodeWav(
  samples: Int16Array,
  sampleRate: number = SAMPLE_RATE,
  channels = 1,
): Buffer {
  return Buffer.concat([wavHeader(samples.length * 2, sampleRate, channels), int16ToLE(samples)]);
}
