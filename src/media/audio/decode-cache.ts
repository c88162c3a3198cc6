import type { DecodedAudio } from './wav-decode.js';

/** Default memory budget: about 70 minutes of 8 kHz 16-bit audio. */
export const DEFAULT_DECODED_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Decoded audio shared between rooms: when fifty calls play the same hold
 * music it is read and resampled once and held once. Bounded by bytes of
 * samples, least recently used first out. Concurrent requests for the same
 * key share one load. Failures are not cached, so a fixed file is picked up
 * by the next open.
 */
export class DecodedAudioCache {
  private readonly entries = new Map<string, DecodedAudio>();
  private readonly loading = new Map<string, Promise<DecodedAudio>>();
  private total = 0;

  constructor(readonly maxBytes: number = DEFAULT_DECODED_CACHE_BYTES) {}

  /** Bytes of samples held. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  async get(key: string, load: () => Promise<DecodedAudio>): Promise<DecodedAudio> {
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const p = load().then(
      (decoded) => {
        this.loading.delete(key);
        this.store(key, decoded);
        return decoded;
      },
      (err: unknown) => {
        this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.samples.byteLength;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private store(key: string, decoded: DecodedAudio): void {
    const size = decoded.samples.byteLength;
    // Too big to keep: the caller still gets it, it just is not shared.
    if (size > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, decoded);
    this.total += size;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= e.samples.byteLength;
    }
  }
}
