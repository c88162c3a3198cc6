import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import { AudioFileError, describeFsError } from './errors.js';
import { SAMPLE_RATE } from './source.js';
import {
  DATA_SIZE_OFFSET,
  RIFF_SIZE_OFFSET,
  UNKNOWN_SIZE,
  WAV_HEADER_BYTES,
  wavHeader,
} from './wav-writer.js';

export interface WavRecorderOptions {
  /** Bytes gathered before one write to disk (default 16 000: one second of audio). */
  chunkBytes?: number;
  /** Replace an existing file instead of refusing to (default false: a recording is never clobbered). */
  overwrite?: boolean;
  /**
   * Bytes allowed to queue for a slow disk before frames are dropped
   * (default 8 MB, over eight minutes of audio): memory stays bounded.
   */
  maxQueuedBytes?: number;
  logger?: Logger;
}

export interface RecordingInfo {
  path: string;
  samples: number;
  durationMs: number;
  /** Samples lost because the disk could not keep up. */
  droppedSamples: number;
}

type State = 'recording' | 'closing' | 'closed' | 'failed';

/**
 * Records 8 kHz 16-bit mono WAV incrementally. The mixer calls write() every
 * 20 ms, so frames are gathered in memory and handed to a WriteStream in
 * large chunks: no synchronous file I/O per frame. The header goes out first
 * with "unknown" sizes (0xFFFFFFFF, as streaming encoders write it) and is
 * patched on close; if the process dies first, repairWav() fixes it from the
 * file length.
 */
export class WavRecorder {
  readonly path: string;
  private readonly stream: WriteStream;
  private readonly chunkBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly logger: Logger;
  private chunk: Buffer;
  private fill = 0;
  private samples = 0;
  private dropped = 0;
  private state: State = 'recording';
  private failure: AudioFileError | undefined;
  private closing: Promise<RecordingInfo> | undefined;

  private constructor(path: string, stream: WriteStream, options: WavRecorderOptions) {
    this.path = path;
    this.stream = stream;
    // Whole samples only, so a chunk never splits one.
    this.chunkBytes = Math.max(2, Math.floor((options.chunkBytes ?? 16000) / 2) * 2);
    this.maxQueuedBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.chunk = Buffer.alloc(this.chunkBytes);
    stream.on('error', (err) => this.fail(err));
  }

  /** Creates the file and writes the provisional header. Rejects with AudioFileError. */
  static async open(path: string, options: WavRecorderOptions = {}): Promise<WavRecorder> {
    const stream = createWriteStream(path, { flags: options.overwrite ? 'w' : 'wx' });
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', () => resolve());
      stream.once('error', (err) => {
        const why =
          (err as NodeJS.ErrnoException).code === 'EEXIST'
            ? `recording already exists: ${path}`
            : describeFsError(err, path);
        reject(new AudioFileError(why, { cause: err }));
      });
    });
    const recorder = new WavRecorder(path, stream, options);
    // Resolve only once the header is on disk: from then on the file is a
    // playable WAV even if the process dies before the first flush.
    await new Promise<void>((resolve, reject) => {
      stream.write(wavHeader(UNKNOWN_SIZE, SAMPLE_RATE, 1, 16), (err) =>
        err ? reject(new AudioFileError(describeFsError(err, path), { cause: err })) : resolve(),
      );
    }).catch((err: unknown) => {
      stream.destroy();
      throw err;
    });
    return recorder;
  }

  get samplesWritten(): number {
    return this.samples;
  }

  /** Why recording stopped, if the disk failed. */
  get error(): AudioFileError | undefined {
    return this.failure;
  }

  /** Appends one frame. Never throws; after close or a disk failure frames are ignored. */
  write(frame: Int16Array): void {
    if (this.state !== 'recording') return;
    if (this.stream.writableLength > this.maxQueuedBytes) {
      if (this.dropped === 0)
        this.logger.warn({ path: this.path }, 'disk too slow, dropping recorded audio');
      this.dropped += frame.length;
      return;
    }
    for (let i = 0; i < frame.length; i++) {
      this.chunk.writeInt16LE(frame[i], this.fill);
      this.fill += 2;
      if (this.fill === this.chunkBytes) this.pushChunk();
    }
    this.samples += frame.length;
  }

  /** Hands the buffered samples to the OS; resolves once they are written. */
  flush(): Promise<void> {
    if (this.state !== 'recording') return Promise.resolve();
    this.pushChunk();
    return new Promise((resolve) => {
      // An empty write's callback runs after every write queued before it.
      this.stream.write(Buffer.alloc(0), () => resolve());
    });
  }

  /** Writes what is left, patches the RIFF and data sizes and closes. Rejects with AudioFileError if the disk failed. */
  close(): Promise<RecordingInfo> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<RecordingInfo> {
    if (this.state === 'recording') {
      this.pushChunk();
      this.state = 'closing';
    }
    await new Promise<void>((resolve) => {
      if (this.stream.closed) resolve();
      else {
        this.stream.once('close', () => resolve());
        this.stream.end();
      }
    });
    if (this.failure) throw this.failure;
    const dataBytes = this.samples * 2;
    try {
      const fh = await open(this.path, 'r+');
      try {
        const sizes = Buffer.alloc(4);
        sizes.writeUInt32LE(Math.min(UNKNOWN_SIZE - 1, WAV_HEADER_BYTES - 8 + dataBytes));
        await fh.write(sizes, 0, 4, RIFF_SIZE_OFFSET);
        sizes.writeUInt32LE(Math.min(UNKNOWN_SIZE - 1, dataBytes));
        await fh.write(sizes, 0, 4, DATA_SIZE_OFFSET);
      } finally {
        await fh.close();
      }
    } catch (err) {
      this.fail(err);
      throw this.failure;
    }
    this.state = 'closed';
    return {
      path: this.path,
      samples: this.samples,
      durationMs: (this.samples * 1000) / SAMPLE_RATE,
      droppedSamples: this.dropped,
    };
  }

  private pushChunk(): void {
    if (this.fill === 0) return;
    // Hand over the filled part and start a fresh buffer: the stream keeps a reference to it.
    this.stream.write(this.chunk.subarray(0, this.fill));
    this.chunk = Buffer.alloc(this.chunkBytes);
    this.fill = 0;
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.failure = new AudioFileError(`recording failed: ${describeFsError(err, this.path)}`, {
      cause: err,
    });
    this.state = 'failed';
    this.logger.error({ path: this.path, err: this.failure.message }, 'recording failed');
    if (!this.stream.destroyed) this.stream.destroy();
  }
}
