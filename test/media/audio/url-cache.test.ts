import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  AudioFileError,
  cacheEntryPath,
  DecodedAudioCache,
  encodeWav,
  fetchToCache,
  FRAME_SAMPLES,
  openSource,
} from '../../../src/media/audio/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { makeTempDir, sine, toInt16 } from './helpers.js';

const tmp = makeTempDir();
const tone = toInt16(sine(8000, 1000, 0.2, 8000));
const wav = encodeWav(tone);
const hits = new Map<string, number>();
/** Resolved when the server has received a request for the path (for the timeout tests). */
const arrived = new Map<string, () => void>();
let server: Server;
let base: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  hits.set(path, (hits.get(path) ?? 0) + 1);
  arrived.get(path)?.();
  switch (path) {
    case '/missing':
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such file');
      return;
    case '/big':
      res.writeHead(200, { 'content-length': String(3 * 1024 * 1024) });
      res.end(Buffer.alloc(3 * 1024 * 1024));
      return;
    case '/big-chunked': {
      // No Content-Length: the limit must be enforced on what arrives.
      res.writeHead(200, { 'content-type': 'audio/wav' });
      for (let i = 0; i < 12; i++) res.write(Buffer.alloc(256 * 1024));
      res.end();
      return;
    }
    case '/not-audio':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
      return;
    case '/redirect':
      res.writeHead(302, { location: '/a.wav' }).end();
      return;
    case '/private.wav':
      if (req.headers.authorization !== `Basic ${Buffer.from('user:s3cret').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
        return;
      }
      res.writeHead(200, { 'content-length': String(wav.length) }).end(wav);
      return;
    case '/slow':
      return; // never answers
    case '/slow-body':
      res.writeHead(200, { 'content-length': String(wav.length) });
      res.write(wav.subarray(0, 100)); // and never the rest
      return;
    default:
      if (path.endsWith('.wav')) {
        res
          .writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(wav.length) })
          .end(wav);
        return;
      }
      res.writeHead(500).end();
  }
}

before(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

let dirs = 0;
/** A fresh cache folder per test, so file listings are the test's own. */
function freshDir(): string {
  return join(tmp.dir, `cache-${++dirs}`);
}

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

async function rejectsWith(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AudioFileError, `not an AudioFileError: ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

test('a URL is fetched once; the next open (new process memory) is served from disk', async () => {
  const cacheDir = freshDir();
  const url = `${base}/a.wav?v=1`;
  const first = await openSource(url, { cacheDir, decodedCache: new DecodedAudioCache() });
  const second = await openSource(url, { cacheDir, decodedCache: new DecodedAudioCache() });
  assert.equal(hits.get('/a.wav'), 1);
  for (const src of [first, second]) {
    const out = new Int16Array(FRAME_SAMPLES);
    assert.equal(src.read(out), true);
    assert.deepEqual(out, tone.subarray(0, FRAME_SAMPLES));
  }
  assert.deepEqual(listing(cacheDir), [cacheEntryPath(cacheDir, url).split('/').pop()]);
  assert.match(listing(cacheDir)[0], /^[0-9a-f]{64}\.audio$/);
});

test('concurrent requests for one URL share one download', async () => {
  const cacheDir = freshDir();
  const paths = await Promise.all(
    [1, 2, 3].map(() => fetchToCache(`${base}/shared.wav`, { cacheDir })),
  );
  assert.equal(new Set(paths).size, 1);
  assert.equal(hits.get('/shared.wav'), 1);
});

test('redirects are followed', async () => {
  const cacheDir = freshDir();
  const src = await openSource(`${base}/redirect`, {
    cacheDir,
    decodedCache: new DecodedAudioCache(),
  });
  assert.equal(src.read(new Int16Array(FRAME_SAMPLES)), true);
});

test('404 → clear error, nothing left in the cache', async () => {
  const cacheDir = freshDir();
  await rejectsWith(
    openSource(`${base}/missing`, { cacheDir }),
    /^download of http:\/\/127\.0\.0\.1:\d+\/missing failed: HTTP 404 Not Found$/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('oversize by Content-Length or by what arrives → error, no partial file', async () => {
  const cacheDir = freshDir();
  const opts = { cacheDir, maxFileBytes: 1024 * 1024 };
  await rejectsWith(
    openSource(`${base}/big`, opts),
    /failed: file is 3\.0 MB, over the 1\.0 MB limit/,
  );
  await rejectsWith(
    openSource(`${base}/big-chunked`, opts),
    /failed: file is over the 1\.0 MB limit/,
  );
  assert.deepEqual(listing(cacheDir), []);
  // The total cache size caps a single file too.
  await rejectsWith(
    openSource(`${base}/big`, { cacheDir, maxCacheBytes: 2 * 1024 * 1024 }),
    /over the 2\.0 MB limit/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('content that is not a WAV is refused and not kept', async () => {
  const cacheDir = freshDir();
  await rejectsWith(
    openSource(`${base}/not-audio`, { cacheDir }),
    /^http:\/\/127\.0\.0\.1:\d+\/not-audio: not a RIFF file$/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('a server that never answers times out (driven by the injected clock), no partial file', async () => {
  const cacheDir = freshDir();
  const clock = new ManualClock();
  const came = new Promise<void>((resolve) => arrived.set('/slow', resolve));
  const p = openSource(`${base}/slow`, { cacheDir, clock, timeoutMs: 5000 });
  await came;
  clock.advance(5000);
  await rejectsWith(p, /failed: no answer within 5000 ms/);
  assert.equal(clock.armed(), 0);
  assert.deepEqual(listing(cacheDir), []);
});

test('a body that stops half way times out, no partial file', async () => {
  const cacheDir = freshDir();
  const clock = new ManualClock();
  const came = new Promise<void>((resolve) => arrived.set('/slow-body', resolve));
  const p = fetchToCache(`${base}/slow-body`, { cacheDir, clock, timeoutMs: 5000 });
  await came;
  // Let the headers and the first bytes reach the temp file before the deadline.
  for (let i = 0; i < 50 && !listing(cacheDir).some((n) => n.startsWith('.tmp-')); i++) {
    await new Promise((r) => setImmediate(r));
  }
  clock.advance(5000);
  await rejectsWith(p, /failed: (not complete|no answer) within 5000 ms/);
  assert.deepEqual(listing(cacheDir), []);
});

test('connection refused: a clear error naming the cause', async () => {
  const cacheDir = freshDir();
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await rejectsWith(
    openSource(`http://127.0.0.1:${port}/x.wav`, { cacheDir }),
    /failed: fetch failed \(.*ECONNREFUSED/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('user:password in the URL is sent as Basic auth and never shown', async () => {
  const cacheDir = freshDir();
  const good = `${base.replace('http://', 'http://user:s3cret@')}/private.wav`;
  const src = await openSource(good, { cacheDir, decodedCache: new DecodedAudioCache() });
  assert.doesNotMatch(src.name, /s3cret/);
  assert.equal(src.read(new Int16Array(FRAME_SAMPLES)), true);
  const bad = `${base.replace('http://', 'http://user:wrong@')}/private.wav`;
  await assert.rejects(openSource(bad, { cacheDir }), (err: unknown) => {
    assert.ok(err instanceof AudioFileError);
    assert.match(err.message, /HTTP 401/);
    assert.doesNotMatch(err.message, /wrong/);
    return true;
  });
});

test('partial downloads a crashed process left behind are removed; a live one is not', async () => {
  const cacheDir = freshDir();
  await fetchToCache(`${base}/first.wav`, { cacheDir });
  const stale = join(cacheDir, '.tmp-0123456789abcdef');
  const live = join(cacheDir, '.tmp-fedcba9876543210');
  writeFileSync(stale, 'half a download');
  writeFileSync(live, 'a download in progress');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(stale, hourAgo, hourAgo);
  await fetchToCache(`${base}/second.wav`, { cacheDir });
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(live), true);
});

test('total size is bounded: least recently used entries are evicted first', async () => {
  const cacheDir = freshDir();
  const maxCacheBytes = Math.floor(wav.length * 2.5);
  const url = (n: string): string => `${base}/lru-${n}.wav`;
  await fetchToCache(url('a'), { cacheDir, maxCacheBytes });
  await fetchToCache(url('b'), { cacheDir, maxCacheBytes });
  const past = (s: number): Date => new Date(Date.now() - s * 1000);
  utimesSync(cacheEntryPath(cacheDir, url('a')), past(100), past(100));
  utimesSync(cacheEntryPath(cacheDir, url('b')), past(50), past(50));
  await fetchToCache(url('a'), { cacheDir, maxCacheBytes }); // a hit: a becomes the most recent
  assert.equal(hits.get('/lru-a.wav'), 1);
  await fetchToCache(url('c'), { cacheDir, maxCacheBytes });
  assert.equal(existsSync(cacheEntryPath(cacheDir, url('a'))), true);
  assert.equal(existsSync(cacheEntryPath(cacheDir, url('b'))), false);
  assert.equal(existsSync(cacheEntryPath(cacheDir, url('c'))), true);
});
