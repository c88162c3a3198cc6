import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../clock/index.js';
import type { AddressPolicyOptions } from './address-policy.js';
import { AudioFileError, describeFsError } from './errors.js';
import { DownloadError, guardedGet, redactUrl, type HostResolver } from './guarded-get.js';

export { redactUrl };

/**
 * A disk cache of audio fetched over HTTP(S): each URL is downloaded once and
 * kept under cacheDir as <sha256(url)>.audio. A download goes to a temporary
 * file that is renamed into place only when complete (rename is atomic within
 * a directory, POSIX rename(2)), so a reader never sees a half-written entry.
 * Total size is bounded; the least recently used entries (oldest mtime; a hit
 * touches the file) are evicted first.
 *
 * Only public addresses are fetched from unless allowPrivateNetworks is set
 * (address-policy.ts); the check is on the addresses connected to, after
 * DNS, and on every redirect hop (guarded-get.ts).
 */

export interface UrlCacheOptions extends AddressPolicyOptions {
  cacheDir: string;
  /** Total bytes kept in cacheDir (default 500 MB). */
  maxCacheBytes?: number;
  /** Largest single download (default 50 MB; never more than maxCacheBytes). */
  maxFileBytes?: number;
  /** Whole download, headers and body (default 30 s). */
  timeoutMs?: number;
  /** How host names are resolved (default the system resolver); tests inject one. */
  resolveHost?: HostResolver;
  clock?: Clock;
  logger?: Logger;
}

export const DEFAULT_MAX_CACHE_BYTES = 500 * 1024 * 1024;
export const DEFAULT_MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30_000;

const ENTRY_SUFFIX = '.audio';
const TEMP_PREFIX = '.tmp-';

/** Downloads in progress, so that rooms opening the same URL at once share one download. */
const inFlight = new Map<string, Promise<string>>();

/** user:password in the URL travels as Basic auth (RFC 7617), never in the request line. */
function basicAuthHeader(url: string): Record<string, string> {
  const u = new URL(url);
  if (!u.username && !u.password) return {};
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * Where the cached copy of `url` is kept. Entries fetched with
 * allowPrivateNetworks are kept apart from the others, so that turning the
 * option off also stops serving what it let in (from disk or in flight).
 */
export function cacheEntryPath(
  cacheDir: string,
  url: string,
  policy: AddressPolicyOptions = {},
): string {
  const key = policy.allowPrivateNetworks ? `private\0${url}` : url;
  return join(cacheDir, createHash('sha256').update(key).digest('hex') + ENTRY_SUFFIX);
}

/** Path of the cached copy of `url`, downloading it first if needed. Rejects only with AudioFileError. */
export async function fetchToCache(url: string, options: UrlCacheOptions): Promise<string> {
  const entry = cacheEntryPath(options.cacheDir, url, options);
  try {
    const st = await stat(entry);
    if (st.isFile()) {
      const now = new Date();
      // Touch: mtime is the LRU clock of the eviction below.
      await utimes(entry, now, now).catch(() => undefined);
      return entry;
    }
  } catch {
    // not cached yet
  }
  const pending = inFlight.get(entry);
  if (pending) return pending;
  const p = download(url, entry, options).finally(() => inFlight.delete(entry));
  inFlight.set(entry, p);
  return p;
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

async function download(url: string, entry: string, options: UrlCacheOptions): Promise<string> {
  const shown = redactUrl(url);
  // Underlying errors may quote the URL: never let its password through.
  const fail = (why: string, cause?: unknown): AudioFileError =>
    new AudioFileError(`download of ${shown} failed: ${why.split(url).join(shown)}`, { cause });
  const limit = Math.min(
    options.maxFileBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
    options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES,
  );
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const clock = options.clock ?? systemClock;

  try {
    await mkdir(options.cacheDir, { recursive: true });
  } catch (err) {
    throw new AudioFileError(
      `cannot create audio cache: ${describeFsError(err, options.cacheDir)}`,
      { cause: err },
    );
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const temp = join(options.cacheDir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  let file: FileHandle | undefined;
  let res: IncomingMessage | undefined;
  try {
    try {
      res = (
        await guardedGet(url, {
          signal: controller.signal,
          headers: basicAuthHeader(url),
          allowPrivateNetworks: options.allowPrivateNetworks,
          resolveHost: options.resolveHost,
        })
      ).response;
    } catch (err) {
      if (err instanceof AudioFileError) throw err; // refused by the address policy
      throw timedOut ? fail(`no answer within ${timeoutMs} ms`, err) : fail(errorText(err), err);
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      throw fail(`HTTP ${status}${res.statusMessage ? ' ' + res.statusMessage : ''}`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > limit) {
      throw fail(`file is ${megabytes(declared)}, over the ${megabytes(limit)} limit`);
    }
    try {
      file = await open(temp, 'wx');
    } catch (err) {
      throw fail(describeFsError(err, temp), err);
    }
    let received = 0;
    const body = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    for (;;) {
      const chunk = await body.next().catch((err: unknown) => {
        throw timedOut
          ? fail(`not complete within ${timeoutMs} ms`, err)
          : fail(errorText(err), err);
      });
      if (chunk.done) break;
      received += chunk.value.byteLength;
      // Content-Length may be absent or wrong: count what actually arrives.
      if (received > limit) throw fail(`file is over the ${megabytes(limit)} limit`);
      try {
        await file.write(chunk.value);
      } catch (err) {
        throw fail(describeFsError(err, temp), err);
      }
    }
    // A connection that closed early can end the body without an error.
    if (!res.complete || (Number.isFinite(declared) && received !== declared)) {
      throw fail(`connection closed after ${received} bytes, before the end of the file`);
    }
    try {
      await file.close();
      file = undefined;
      await rename(temp, entry);
    } catch (err) {
      throw fail(describeFsError(err, entry), err);
    }
    options.logger?.info({ url: shown, bytes: received }, 'audio downloaded to cache');
  } catch (err) {
    controller.abort();
    res?.destroy();
    await file?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw err instanceof AudioFileError ? err : fail(errorText(err), err);
  } finally {
    clock.clearTimeout(timer);
  }
  await evict(
    options.cacheDir,
    options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES,
    entry,
    staleTempAgeMs(timeoutMs),
    options.logger,
  );
  return entry;
}

function errorText(err: unknown): string {
  if (err instanceof DownloadError) return err.message;
  if (!(err instanceof Error)) return String(err);
  // Socket errors: "connect ECONNREFUSED 192.0.2.1:80", "socket hang up" (ECONNRESET)...
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

/**
 * A download ends (complete or aborted) within its timeout, and its temporary
 * file is written to as it goes: one untouched for twice that long (and at
 * least a minute) was left by a process that died mid-download.
 */
function staleTempAgeMs(timeoutMs: number): number {
  return Math.max(60_000, 2 * timeoutMs);
}

/**
 * Removes the temporary files of downloads a crashed process left behind,
 * then the least recently used entries until the cache fits, never the one
 * just added.
 */
async function evict(
  dir: string,
  maxBytes: number,
  keep: string,
  staleTempMs: number,
  logger?: Logger,
): Promise<void> {
  try {
    const all = await readdir(dir);
    const now = Date.now();
    for (const name of all.filter((n) => n.startsWith(TEMP_PREFIX))) {
      const path = join(dir, name);
      const st = await stat(path).catch(() => undefined);
      if (st?.isFile() && now - st.mtimeMs > staleTempMs) {
        await rm(path, { force: true });
        logger?.info({ path }, 'left-over partial download removed from the audio cache');
      }
    }
    const names = all.filter((n) => n.endsWith(ENTRY_SUFFIX) && !n.startsWith(TEMP_PREFIX));
    const files: { path: string; size: number; mtimeMs: number }[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const st = await stat(path).catch(() => undefined);
      if (st?.isFile()) files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of files) {
      if (total <= maxBytes) break;
      if (f.path === keep) continue;
      await rm(f.path, { force: true });
      total -= f.size;
      logger?.debug({ path: f.path, bytes: f.size }, 'audio cache entry evicted');
    }
  } catch (err) {
    // Eviction is housekeeping: failing it must not fail the open that triggered it.
    logger?.warn({ err, dir }, 'audio cache eviction failed');
  }
}
