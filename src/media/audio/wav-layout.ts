import { AudioFileError } from './errors.js';

/**
 * Finds the format and the sample data in a RIFF/WAVE file (Microsoft
 * "Multimedia Programming Interface and Data Specifications 1.0", 1991, and
 * the WAVE_FORMAT_EXTENSIBLE addendum). Every field is bounds-checked: any
 * malformed input becomes an AudioFileError naming what is wrong.
 */

export type WavEncoding = 'pcm' | 'alaw' | 'mulaw';

export interface WavLayout {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  /** Container size of one sample of one channel. */
  bitsPerSample: number;
  /** Bytes per frame (one sample of every channel). */
  frameBytes: number;
  dataOffset: number;
  /** Whole frames only: a partial last frame is ignored. */
  frames: number;
}

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_ALAW = 0x0006;
export const WAVE_FORMAT_MULAW = 0x0007;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 96000;
export const MAX_CHANNELS = 8;

/** The 14 bytes that follow the format tag in every KSDATAFORMAT_SUBTYPE_* GUID ({0000xxxx-0000-0010-8000-00aa00389b71}). */
const KSDATAFORMAT_SUFFIX = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/** Names of formats people actually meet, so the error says what the file is. */
const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0011: 'IMA ADPCM',
  0x0022: 'TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0x0064: 'G.726 ADPCM',
  0x0065: 'G.722 ADPCM',
  0x00ff: 'AAC',
};

/** Data size values that mean "until the end of the file" (streamed or never patched). */
const STREAMED_SIZES = new Set([0, 0xffffffff]);

function fourCC(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = bytes[at + i];
    // Keep messages printable whatever the file holds.
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s;
}

function formatName(tag: number): string {
  const name = FORMAT_NAMES[tag];
  return name ? `unsupported WAV format ${tag} (${name})` : `unsupported WAV format ${tag}`;
}

interface Fmt {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

function parseFmt(view: DataView, bytes: Uint8Array, at: number, size: number): Fmt {
  if (size < 16) throw new AudioFileError(`fmt chunk too short (${size} bytes, need 16)`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  let where = '';
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new AudioFileError(
        `WAVE_FORMAT_EXTENSIBLE fmt chunk too short (${size} bytes, need 40)`,
      );
    }
    for (let i = 0; i < KSDATAFORMAT_SUFFIX.length; i++) {
      if (bytes[at + 26 + i] !== KSDATAFORMAT_SUFFIX[i]) {
        throw new AudioFileError(
          'unsupported WAVE_FORMAT_EXTENSIBLE sub-format (not a KSDATAFORMAT GUID)',
        );
      }
    }
    tag = view.getUint16(at + 24, true);
    where = ' in WAVE_FORMAT_EXTENSIBLE';
  }
  let encoding: WavEncoding;
  switch (tag) {
    case WAVE_FORMAT_PCM:
      if (![8, 16, 24, 32].includes(bitsPerSample)) {
        throw new AudioFileError(
          `unsupported PCM bit depth ${bitsPerSample} (supported: 8, 16, 24, 32)`,
        );
      }
      encoding = 'pcm';
      break;
    case WAVE_FORMAT_ALAW:
    case WAVE_FORMAT_MULAW:
      if (bitsPerSample !== 8) {
        throw new AudioFileError(`G.711 WAV must have 8 bits per sample (has ${bitsPerSample})`);
      }
      encoding = tag === WAVE_FORMAT_ALAW ? 'alaw' : 'mulaw';
      break;
    default:
      throw new AudioFileError(formatName(tag) + where);
  }
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw new AudioFileError(
      `unsupported channel count ${channels} (supported: 1–${MAX_CHANNELS})`,
    );
  }
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioFileError(
      `unsupported sample rate ${sampleRate} Hz (supported: ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz)`,
    );
  }
  return { encoding, channels, sampleRate, bitsPerSample };
}

export function parseWavLayout(bytes: Uint8Array): WavLayout {
  const len = bytes.length;
  if (len < 12) throw new AudioFileError(`not a RIFF file (only ${len} bytes)`);
  const riff = fourCC(bytes, 0);
  if (riff === 'RIFX') throw new AudioFileError('big-endian RIFX WAV files are not supported');
  if (riff === 'RF64') throw new AudioFileError('RF64 WAV files are not supported');
  if (riff !== 'RIFF') throw new AudioFileError('not a RIFF file');
  const form = fourCC(bytes, 8);
  if (form !== 'WAVE') throw new AudioFileError(`not a WAVE file (RIFF form type "${form}")`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Fmt | undefined;
  let dataOffset = -1;
  let dataLength = 0;
  // The RIFF size field is ignored: recorders that crashed or stream leave it
  // 0 or 0xFFFFFFFF, and the chunk walk bounded by the real length is enough.
  let pos = 12;
  while (pos + 8 <= len) {
    const id = fourCC(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'data' && dataOffset < 0) {
      if (STREAMED_SIZES.has(size)) {
        dataOffset = body;
        dataLength = len - body;
        break; // the data runs to the end of the file, nothing can follow it
      }
      if (size > len - body) {
        throw new AudioFileError(
          `truncated data chunk (header says ${size} bytes, file has ${len - body})`,
        );
      }
      dataOffset = body;
      dataLength = size;
    } else if (size > len - body) {
      // A damaged chunk after everything we need is harmless (e.g. a cut-off LIST tag).
      if (fmt && dataOffset >= 0) break;
      throw new AudioFileError(`truncated ${id === 'fmt ' ? 'fmt' : `"${id}"`} chunk`);
    } else if (id === 'fmt ' && !fmt) {
      fmt = parseFmt(view, bytes, body, size);
    }
    // Chunks are padded to an even length (RIFF: "pad byte if chunk size is odd").
    pos = body + size + (size & 1);
  }
  if (!fmt) throw new AudioFileError('missing fmt chunk');
  if (dataOffset < 0) throw new AudioFileError('missing data chunk');
  const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
  const frames = Math.floor(dataLength / frameBytes);
  if (frames === 0) throw new AudioFileError('WAV file has no audio samples');
  return { ...fmt, frameBytes, dataOffset, frames };
}
