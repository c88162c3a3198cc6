import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { AddressPolicyOptions } from './address-policy.js';
import { builtinSource, isBuiltinSpec } from './builtin.js';
import { DecodedAudioCache } from './decode-cache.js';
import { AudioFileError, describeFsError } from './errors.js';
import type { HostResolver } from './guarded-get.js';
import type { AudioSource } from './source.js';
import { SilenceSource } from './tone-source.js';
import { fetchToCache, redactUrl } from './url-cache.js';
import { decodeWav, decodeWavFile, MAX_AUDIO_FILE_BYTES } from './wav-decode.js';
import { WavSource } from './wav-source.js';

export interface OpenSourceOptions extends AddressPolicyOptions {
  /** Where downloaded audio is kept. */
  cacheDir: string;
  /** Total size of cacheDir (default 500 MB). */
  maxCacheBytes?: number;
  /** Play a file again from the start when it ends (hold and wait music). */
  loop?: boolean;
  /** How URL host names are resolved (default the system resolver); tests inject one. */
  resolveHost?: HostResolver;
  logger?: Logger;
  /** Largest audio file accepted, local or downloaded (default 50 MB). */
  maxFileBytes?: number;
  /** Start a file this many ms in (first pass only). */
  startMs?: number;
  /** Download timeout (default 30 s). */
  timeoutMs?: number;
  /** Drives the download timeout (default the system clock). */
  clock?: Clock;
  /** Decoded files shared between opens (default: one cache for the process). */
  decodedCache?: DecodedAudioCache;
}

/** The process-wide decoded-audio cache used when none is given. */
export const sharedDecodedAudioCache = new DecodedAudioCache();

const silentLogger = pino({ level: 'silent' });

type Target = { kind: 'file'; path: string } | { kind: 'url'; url: string };

function classify(spec: string): Target {
  if (/^https?:\/\//i.test(spec)) {
    try {
      new URL(spec);
    } catch {
      throw new AudioFileError(`malformed URL "${redactUrl(spec)}"`);
    }
    return { kind: 'url', url: spec };
  }
  if (/^file:/i.test(spec)) {
    try {
      return { kind: 'file', path: fileURLToPath(spec) };
    } catch (err) {
      throw new AudioFileError(`malformed file URL "${spec}"`, { cause: err });
    }
  }
  if (isAbsolute(spec)) return { kind: 'file', path: spec };
  throw new AudioFileError(
    `unknown audio source "${spec}" (expected beep:1, beep:2, ringback, silence, none, tone:<Hz>[:<ms>], ` +
      'an absolute path, a file:// URL or an http(s) URL)',
  );
}

/**
 * Opens an audio source by spec: a built-in name (see builtin.ts), a local
 * WAV file (absolute path or file:// URL) or an http(s) URL (downloaded once
 * into cacheDir, from public addresses only unless allowPrivateNetworks: see
 * address-policy.ts). Files are decoded to 8 kHz once and shared. Rejects
 * only with AudioFileError, whose message says what is wrong with which source.
 */
export async function openSource(spec: string, options: OpenSourceOptions): Promise<AudioSource> {
  const trimmed = spec.trim();
  if (trimmed === '') throw new AudioFileError('empty audio source');
  if (isBuiltinSpec(trimmed)) {
    const builtin = builtinSource(trimmed);
    if (builtin) return builtin;
  }
  const target = classify(trimmed);
  const cache = options.decodedCache ?? sharedDecodedAudioCache;
  const maxBytes = options.maxFileBytes ?? MAX_AUDIO_FILE_BYTES;
  const playback = { loop: options.loop, startMs: options.startMs };

  if (target.kind === 'file') {
    let key: string;
    try {
      const st = await stat(target.path);
      // Size and mtime in the key: an edited file is decoded again, not served stale.
      key = `file\0${target.path}\0${st.size}\0${st.mtimeMs}`;
    } catch (err) {
      throw new AudioFileError(describeFsError(err, target.path), { cause: err });
    }
    const decoded = await cache.get(key, () => decodeWavFile(target.path, { maxBytes }));
    return new WavSource(trimmed, decoded.samples, playback);
  }

  const shown = redactUrl(target.url);
  // Keyed like the disk cache: what allowPrivateNetworks let in stays apart.
  const key = `url\0${options.allowPrivateNetworks ? 'private' : 'public'}\0${target.url}`;
  const decoded = await cache.get(key, async () => {
    const path = await fetchToCache(target.url, { ...options, maxFileBytes: maxBytes });
    try {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (err) {
        throw new AudioFileError(describeFsError(err, path), { cause: err });
      }
      return await decodeWav(bytes, { maxBytes });
    } catch (err) {
      // Do not keep what we cannot play: a corrected file at the URL is fetched next time.
      await rm(path, { force: true }).catch(() => undefined);
      const why = err instanceof Error ? err.message : String(err);
      throw new AudioFileError(`${shown}: ${why}`, { cause: err });
    }
  });
  return new WavSource(shown, decoded.samples, playback);
}

export interface SourceOrSilence {
  source: AudioSource;
  /** Why the requested source could not be opened, when it could not. */
  error?: AudioFileError;
}

/**
 * openSource that never fails: on error it logs a warning and returns silence
 * with the error. The silence mirrors what was asked: endless when `loop` is
 * set (music that would have played until stopped), already ended otherwise
 * (a prompt that has nothing to say), so a caller waiting for a prompt to end
 * is not left waiting forever.
 */
export async function openSourceOrSilence(
  spec: string,
  options: OpenSourceOptions,
): Promise<SourceOrSilence> {
  try {
    return { source: await openSource(spec, options) };
  } catch (err) {
    const error =
      err instanceof AudioFileError
        ? err
        : new AudioFileError(err instanceof Error ? err.message : String(err), { cause: err });
    (options.logger ?? silentLogger).warn(
      { spec: redactUrl(spec), err: error.message },
      'audio source unavailable, playing silence',
    );
    return { source: new SilenceSource('silence', options.loop ? Infinity : 0), error };
  }
}
