import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { AudioFileError, describeFsError } from './errors.js';

/**
 * Crash recovery for recordings. A recorder that dies before close() leaves
 * a WAV whose RIFF and data sizes were never patched (0xFFFFFFFF, 0, or
 * whatever an older tool wrote) and maybe half a sample at the end. The
 * audio itself is all there, so we rewrite the sizes from the file length
 * and cut the partial sample.
 */

export interface RepairResult {
  path: string;
  /** True if the file was changed. */
  repaired: boolean;
  /** Size of the sample data after repair. */
  dataBytes: number;
  /** Bytes cut from the end (a partial last sample). */
  truncatedBytes: number;
}

/** How far into the file we look for the data chunk header (fmt, LIST, fact... come first). */
const HEADER_SCAN_BYTES = 1 << 20;

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

function isChunkId(b: Buffer): boolean {
  return b.length >= 4 && [0, 1, 2, 3].every((i) => b[i] >= 0x20 && b[i] < 0x7f);
}

/** True if [from, end) is a well-formed sequence of RIFF chunks (e.g. a LIST after the data). */
async function chunksFollow(fh: FileHandle, from: number, end: number): Promise<boolean> {
  let pos = from;
  while (pos + 8 <= end) {
    const h = await readAt(fh, pos, 8);
    if (h.length < 8 || !isChunkId(h)) return false;
    const size = h.readUInt32LE(4);
    if (size > end - pos - 8) return false;
    pos += 8 + size + (size & 1);
  }
  // A pad byte may be missing at the very end; anything else left over is audio.
  return pos >= end - 1 && pos <= end + 1;
}

/** Repairs one WAV in place. Rejects with AudioFileError if it is not a WAV or cannot be read/written. */
export async function repairWav(path: string): Promise<RepairResult> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    throw new AudioFileError(describeFsError(err, path), { cause: err });
  }
  try {
    const fileSize = (await fh.stat()).size;
    const head = await readAt(fh, 0, Math.min(fileSize, HEADER_SCAN_BYTES));
    if (
      head.length < 12 ||
      head.toString('latin1', 0, 4) !== 'RIFF' ||
      head.toString('latin1', 8, 12) !== 'WAVE'
    ) {
      throw new AudioFileError(`${path}: not a RIFF/WAVE file, cannot repair`);
    }
    let blockAlign = 0;
    let dataHeader = -1;
    let pos = 12;
    while (pos + 8 <= head.length) {
      const id = head.toString('latin1', pos, pos + 4);
      const size = head.readUInt32LE(pos + 4);
      if (id === 'fmt ' && size >= 16 && pos + 8 + 16 <= head.length) {
        const channels = head.readUInt16LE(pos + 8 + 2);
        const bits = head.readUInt16LE(pos + 8 + 14);
        blockAlign = channels * Math.ceil(bits / 8);
      } else if (id === 'data') {
        dataHeader = pos;
        break;
      }
      pos += 8 + size + (size & 1);
    }
    if (blockAlign === 0) throw new AudioFileError(`${path}: no usable fmt chunk, cannot repair`);
    if (dataHeader < 0) throw new AudioFileError(`${path}: no data chunk, cannot repair`);

    const dataStart = dataHeader + 8;
    const available = fileSize - dataStart;
    const declared = head.readUInt32LE(dataHeader + 4);
    // The declared size stands only if it fits and what follows it is real chunks;
    // otherwise the recorder never patched it and the data runs to the end of the file.
    const declaredValid =
      declared !== 0 &&
      declared !== 0xffffffff &&
      declared <= available &&
      (declared === available ||
        (await chunksFollow(fh, dataStart + declared + (declared & 1), fileSize)));
    let dataBytes = declared;
    let truncatedBytes = 0;
    let newSize = fileSize;
    if (!declaredValid) {
      dataBytes = available - (available % blockAlign);
      truncatedBytes = available - dataBytes;
      newSize = dataStart + dataBytes;
      if (truncatedBytes > 0) await fh.truncate(newSize);
    }
    let repaired = truncatedBytes > 0;
    const field = Buffer.alloc(4);
    const patch = async (offset: number, value: number, current: number): Promise<void> => {
      if (value === current) return;
      field.writeUInt32LE(value);
      await fh.write(field, 0, 4, offset);
      repaired = true;
    };
    await patch(dataHeader + 4, dataBytes, declared);
    await patch(4, Math.min(0xffffffff, newSize - 8), head.readUInt32LE(4));
    return { path, repaired, dataBytes, truncatedBytes };
  } catch (err) {
    if (err instanceof AudioFileError) throw err;
    throw new AudioFileError(`cannot repair ${path}: ${describeFsError(err, path)}`, {
      cause: err,
    });
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export interface RepairRecordingsResult {
  repaired: RepairResult[];
  /** Files that could not be repaired, with why. */
  failed: { path: string; error: AudioFileError }[];
}

/**
 * Repairs every .wav in `dir` (call on start, before new recordings begin).
 * Never throws: a missing folder has nothing to repair, and a file that
 * cannot be repaired is logged and reported.
 */
export async function repairRecordings(
  dir: string,
  logger?: Logger,
): Promise<RepairRecordingsResult> {
  const log = logger ?? pino({ level: 'silent' });
  const result: RepairRecordingsResult = { repaired: [], failed: [] };
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isFile() && /\.wav$/i.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warn({ dir, err: describeFsError(err, dir) }, 'cannot list recordings to repair');
    }
    return result;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const r = await repairWav(path);
      if (r.repaired) {
        result.repaired.push(r);
        log.info(
          { path, dataBytes: r.dataBytes, truncatedBytes: r.truncatedBytes },
          'repaired recording',
        );
      }
    } catch (err) {
      const error =
        err instanceof AudioFileError ? err : new AudioFileError(String(err), { cause: err });
      result.failed.push({ path, error });
      log.warn({ path, err: error.message }, 'cannot repair recording');
    }
  }
  return result;
}
