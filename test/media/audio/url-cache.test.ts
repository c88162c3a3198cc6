import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
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
  MAX_REDIRECTS,
  openSource,
  type HostResolver,
  type ResolvedAddress,
} from '../../../src/media/audio/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { makeTempDir, sine, toInt16 } from './helpers.js';

const tmp = makeTempDir();
const tone = toInt16(sine(8000, 1000, 0.2, 8000));
const wav = encodeWav(tone);
const hits = new Map<string, number>();
/** The request headers each path last arrived with. */
const seen = new Map<string, IncomingHttpHeaders>();
/**
 * These tests fetch from a server on 127.0.0.1, which the address policy
 * refuses by default: the cache tests open it up; the policy tests below do not.
 */
const allow = { allowPrivateNetworks: true };
/** Resolved when the server has received a request for the path (for the timeout tests). */
const arrived = new Map<string, () => void>();
let server: Server;
let base: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  hits.set(path, (hits.get(path) ?? 0) + 1);
  seen.set(path, req.headers);
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
    case '/to-metadata':
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    case '/to-ftp':
      res.writeHead(301, { location: 'ftp://127.0.0.1/a.wav' }).end();
      return;
    case '/to-private':
      res.writeHead(307, { location: '/private.wav' }).end();
      return;
    case '/to-other': {
      // Another origin (a name the injected resolver knows), same server.
      const port = (server.address() as AddressInfo).port;
      res.writeHead(302, { location: `http://other.test:${port}/other.wav` }).end();
      return;
    }
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
      if (path.startsWith('/hops/')) {
        // /hops/3 → /hops/2 → /hops/1 → /hops/0 → /hops.wav: n redirects.
        const n = Number(path.slice('/hops/'.length));
        res.writeHead(302, { location: n > 0 ? `/hops/${n - 1}` : '/hops.wav' }).end();
        return;
      }
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
  const first = await openSource(url, {
    cacheDir,
    ...allow,
    decodedCache: new DecodedAudioCache(),
  });
  const second = await openSource(url, {
    cacheDir,
    ...allow,
    decodedCache: new DecodedAudioCache(),
  });
  assert.equal(hits.get('/a.wav'), 1);
  for (const src of [first, second]) {
    const out = new Int16Array(FRAME_SAMPLES);
    assert.equal(src.read(out), true);
    assert.deepEqual(out, tone.subarray(0, FRAME_SAMPLES));
  }
  assert.deepEqual(listing(cacheDir), [cacheEntryPath(cacheDir, url, allow).split('/').pop()]);
  assert.match(listing(cacheDir)[0], /^[0-9a-f]{64}\.audio$/);
});

test('concurrent requests for one URL share one download', async () => {
  const cacheDir = freshDir();
  const paths = await Promise.all(
    [1, 2, 3].map(() => fetchToCache(`${base}/shared.wav`, { cacheDir, ...allow })),
  );
  assert.equal(new Set(paths).size, 1);
  assert.equal(hits.get('/shared.wav'), 1);
});

test('redirects are followed', async () => {
  const cacheDir = freshDir();
  const src = await openSource(`${base}/redirect`, {
    cacheDir,
    ...allow,
    decodedCache: new DecodedAudioCache(),
  });
  assert.equal(src.read(new Int16Array(FRAME_SAMPLES)), true);
});

test('404 → clear error, nothing left in the cache', async () => {
  const cacheDir = freshDir();
  await rejectsWith(
    openSource(`${base}/missing`, { cacheDir, ...allow }),
    /^download of http:\/\/127\.0\.0\.1:\d+\/missing failed: HTTP 404 Not Found$/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('oversize by Content-Length or by what arrives → error, no partial file', async () => {
  const cacheDir = freshDir();
  const opts = { cacheDir, ...allow, maxFileBytes: 1024 * 1024 };
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
    openSource(`${base}/big`, { cacheDir, ...allow, maxCacheBytes: 2 * 1024 * 1024 }),
    /over the 2\.0 MB limit/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('content that is not a WAV is refused and not kept', async () => {
  const cacheDir = freshDir();
  await rejectsWith(
    openSource(`${base}/not-audio`, { cacheDir, ...allow }),
    /^http:\/\/127\.0\.0\.1:\d+\/not-audio: not a RIFF file$/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('a server that never answers times out (driven by the injected clock), no partial file', async () => {
  const cacheDir = freshDir();
  const clock = new ManualClock();
  const came = new Promise<void>((resolve) => arrived.set('/slow', resolve));
  const p = openSource(`${base}/slow`, { cacheDir, ...allow, clock, timeoutMs: 5000 });
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
  const p = fetchToCache(`${base}/slow-body`, { cacheDir, ...allow, clock, timeoutMs: 5000 });
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
    openSource(`http://127.0.0.1:${port}/x.wav`, { cacheDir, ...allow }),
    /failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
  );
  assert.deepEqual(listing(cacheDir), []);
});

test('user:password in the URL is sent as Basic auth and never shown', async () => {
  const cacheDir = freshDir();
  const good = `${base.replace('http://', 'http://user:s3cret@')}/private.wav`;
  const src = await openSource(good, { cacheDir, ...allow, decodedCache: new DecodedAudioCache() });
  assert.doesNotMatch(src.name, /s3cret/);
  assert.equal(src.read(new Int16Array(FRAME_SAMPLES)), true);
  const bad = `${base.replace('http://', 'http://user:wrong@')}/private.wav`;
  await assert.rejects(openSource(bad, { cacheDir, ...allow }), (err: unknown) => {
    assert.ok(err instanceof AudioFileError);
    assert.match(err.message, /HTTP 401/);
    assert.doesNotMatch(err.message, /wrong/);
    return true;
  });
});

test('partial downloads a crashed process left behind are removed; a live one is not', async () => {
  const cacheDir = freshDir();
  await fetchToCache(`${base}/first.wav`, { cacheDir, ...allow });
  const stale = join(cacheDir, '.tmp-0123456789abcdef');
  const live = join(cacheDir, '.tmp-fedcba9876543210');
  writeFileSync(stale, 'half a download');
  writeFileSync(live, 'a download in progress');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(stale, hourAgo, hourAgo);
  await fetchToCache(`${base}/second.wav`, { cacheDir, ...allow });
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(live), true);
});

test('total size is bounded: least recently used entries are evicted first', async () => {
  const cacheDir = freshDir();
  const maxCacheBytes = Math.floor(wav.length * 2.5);
  const url = (n: string): string => `${base}/lru-${n}.wav`;
  await fetchToCache(url('a'), { cacheDir, ...allow, maxCacheBytes });
  await fetchToCache(url('b'), { cacheDir, ...allow, maxCacheBytes });
  const past = (s: number): Date => new Date(Date.now() - s * 1000);
  utimesSync(cacheEntryPath(cacheDir, url('a'), allow), past(100), past(100));
  utimesSync(cacheEntryPath(cacheDir, url('b'), allow), past(50), past(50));
  await fetchToCache(url('a'), { cacheDir, ...allow, maxCacheBytes }); // a hit: a becomes the most recent
  assert.equal(hits.get('/lru-a.wav'), 1);
  await fetchToCache(url('c'), { cacheDir, ...allow, maxCacheBytes });
  assert.equal(existsSync(cacheEntryPath(cacheDir, url('a'), allow)), true);
  assert.equal(existsSync(cacheEntryPath(cacheDir, url('b'), allow)), false);
  assert.equal(existsSync(cacheEntryPath(cacheDir, url('c'), allow)), true);
});

// ---- The address policy (issue 9 §3): what a REST-supplied URL may reach ----

/** A resolver that answers from a table and counts what it was asked. */
function fakeResolver(table: Record<string, string[]>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    const answer = table[host];
    if (!answer)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

test('by default loopback is refused before any request is made, and nothing is cached', async () => {
  const cacheDir = freshDir();
  const before = hits.get('/policy.wav') ?? 0;
  await rejectsWith(
    openSource(`${base}/policy.wav`, { cacheDir }),
    /^http:\/\/127\.0\.0\.1:\d+\/policy\.wav: address 127\.0\.0\.1 is a loopback address; set media\.allowPrivateAudioUrls to allow it$/,
  );
  assert.equal(hits.get('/policy.wav') ?? 0, before);
  assert.deepEqual(listing(cacheDir), []);
});

test('address literals in every notation are refused by the range they are in', async () => {
  const cacheDir = freshDir();
  // timeoutMs only bounds a failure of this test (a refusal makes no connection).
  const opts = { cacheDir, timeoutMs: 2000 };
  const port = new URL(base).port;
  const cases: [string, RegExp][] = [
    [
      'http://10.0.0.5/moh.wav',
      /^http:\/\/10\.0\.0\.5\/moh\.wav: address 10\.0\.0\.5 is in a private range; set media\.allowPrivateAudioUrls to allow it$/,
    ],
    ['http://172.16.1.1/a.wav', /address 172\.16\.1\.1 is in a private range/],
    ['https://192.168.1.10/a.wav', /address 192\.168\.1\.10 is in a private range/],
    [
      'http://100.64.0.1/a.wav',
      /address 100\.64\.0\.1 is in the shared \(carrier-grade NAT\) range/,
    ],
    ['http://169.254.169.254/latest/meta-data/', /address 169\.254\.169\.254 is link-local/],
    ['http://0.0.0.0/a.wav', /address 0\.0\.0\.0 is the unspecified address/],
    ['http://224.0.0.1/a.wav', /address 224\.0\.0\.1 is a multicast address/],
    ['http://255.255.255.255/a.wav', /address 255\.255\.255\.255 is the broadcast address/],
    ['http://192.0.2.1/a.wav', /address 192\.0\.2\.1 is in a range reserved for documentation/],
    ['http://240.0.0.1/a.wav', /address 240\.0\.0\.1 is in a reserved range/],
    // WHATWG URL normalises other IPv4 notations before the check sees them.
    [`http://2130706433:${port}/a.wav`, /address 127\.0\.0\.1 is a loopback address/],
    [`http://0x7f.1:${port}/a.wav`, /address 127\.0\.0\.1 is a loopback address/],
    [`http://017700000001:${port}/a.wav`, /address 127\.0\.0\.1 is a loopback address/],
    [`http://[::1]:${port}/a.wav`, /address ::1 is a loopback address/],
    [`http://[::]:${port}/a.wav`, /address :: is the unspecified address/],
    [
      `http://[::ffff:127.0.0.1]:${port}/a.wav`,
      /address ::ffff:7f00:1 \(IPv4 127\.0\.0\.1\) is a loopback address/,
    ],
    ['http://[::ffff:10.0.0.5]/a.wav', /\(IPv4 10\.0\.0\.5\) is in a private range/],
    ['http://[64:ff9b::a9fe:a9fe]/a.wav', /\(IPv4 169\.254\.169\.254\) is link-local/],
    ['http://[2002:c0a8:101::1]/a.wav', /\(IPv4 192\.168\.1\.1\) is in a private range/],
    ['http://[fd00::1]/a.wav', /address fd00::1 is in a private range/],
    ['http://[fe80::1]/a.wav', /address fe80::1 is link-local/],
    ['http://[ff02::1]/a.wav', /address ff02::1 is a multicast address/],
    ['http://[2001:db8::1]/a.wav', /address 2001:db8::1 is in a range reserved for documentation/],
  ];
  for (const [url, message] of cases) await rejectsWith(fetchToCache(url, opts), message);
  assert.deepEqual(listing(cacheDir), []);
});

test('a host name is judged by every address it resolves to, and the password is never shown', async () => {
  const cacheDir = freshDir();
  const resolveHost = fakeResolver({
    'music.internal': ['10.0.0.5'],
    'localhost.example': ['::1'],
    // One bad answer among good ones refuses the lot: a connect might pick any.
    'mixed.example': ['93.184.216.34', '2606:2800:220:1::1', '192.168.0.7'],
    'metadata.example': ['::ffff:169.254.169.254'],
  });
  await rejectsWith(
    openSource('http://admin:hunter2@music.internal/moh.wav', { cacheDir, resolveHost }),
    /^http:\/\/music\.internal\/moh\.wav: address 10\.0\.0\.5 of music\.internal is in a private range; set media\.allowPrivateAudioUrls to allow it$/,
  );
  await rejectsWith(
    fetchToCache('https://localhost.example/a.wav', { cacheDir, resolveHost }),
    /address ::1 of localhost\.example is a loopback address/,
  );
  await rejectsWith(
    fetchToCache('https://mixed.example/a.wav', { cacheDir, resolveHost }),
    /address 192\.168\.0\.7 of mixed\.example is in a private range/,
  );
  await rejectsWith(
    fetchToCache('http://metadata.example/a.wav', { cacheDir, resolveHost, ...allow }),
    /address ::ffff:169\.254\.169\.254 of metadata\.example \(IPv4 169\.254\.169\.254\) is link-local.*even with media\.allowPrivateAudioUrls$/,
  );
  await rejectsWith(
    fetchToCache('http://nowhere.example/a.wav', { cacheDir, resolveHost }),
    /^download of http:\/\/nowhere\.example\/a\.wav failed: cannot resolve nowhere\.example \(ENOTFOUND\)$/,
  );
  assert.deepEqual(resolveHost.asked, [
    'music.internal',
    'localhost.example',
    'mixed.example',
    'metadata.example',
    'nowhere.example',
  ]);
  assert.deepEqual(listing(cacheDir), []);
});

test('the connection goes to the address that was checked: resolved once, Host header kept', async () => {
  const cacheDir = freshDir();
  const port = new URL(base).port;
  // A rebinding name: checked once as 127.0.0.1 (allowed here), then it
  // would answer with the metadata address. Only the first answer is used.
  let answers = 0;
  const resolveHost: HostResolver = async () =>
    answers++ === 0
      ? [{ address: '127.0.0.1', family: 4 }]
      : [{ address: '169.254.169.254', family: 4 }];
  const path = await fetchToCache(`http://music.test:${port}/rebind.wav`, {
    cacheDir,
    resolveHost,
    ...allow,
  });
  assert.equal(existsSync(path), true);
  assert.equal(answers, 1);
  assert.equal(hits.get('/rebind.wav'), 1);
  assert.equal(seen.get('/rebind.wav')?.host, `music.test:${port}`);
});

test('an IPv6 literal host is reached at that address', async () => {
  const v6 = createServer(handle);
  try {
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
    const port = (v6.address() as AddressInfo).port;
    const path = await fetchToCache(`http://[::1]:${port}/v6.wav`, {
      cacheDir: freshDir(),
      ...allow,
    });
    assert.equal(existsSync(path), true);
    assert.equal(seen.get('/v6.wav')?.host, `[::1]:${port}`);
  } finally {
    v6.closeAllConnections();
    await new Promise((resolve) => v6.close(resolve));
  }
});

test('redirects: up to MAX_REDIRECTS hops are followed, one more is refused', async () => {
  const cacheDir = freshDir();
  assert.equal(MAX_REDIRECTS, 3);
  assert.equal(existsSync(await fetchToCache(`${base}/hops/2`, { cacheDir, ...allow })), true);
  await rejectsWith(
    fetchToCache(`${base}/hops/3`, { cacheDir, ...allow }),
    /^download of http:\/\/127\.0\.0\.1:\d+\/hops\/3 failed: too many redirects \(more than 3\)$/,
  );
  assert.equal(hits.get('/hops.wav'), 1);
});

test('redirects: every hop is checked by the address policy, and must stay http(s)', async () => {
  const cacheDir = freshDir();
  await rejectsWith(
    fetchToCache(`${base}/to-metadata`, { cacheDir, ...allow }),
    /^http:\/\/127\.0\.0\.1:\d+\/to-metadata: redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data\/ refused: address 169\.254\.169\.254 is link-local/,
  );
  await rejectsWith(
    fetchToCache(`${base}/to-ftp`, { cacheDir, ...allow }),
    /redirect to ftp:\/\/127\.0\.0\.1\/a\.wav refused: ftp: is not http: or https:$/,
  );
  // A hop to another name is resolved (and checked) on its own.
  const resolveHost = fakeResolver({ 'other.test': ['0.0.0.0'] });
  await rejectsWith(
    fetchToCache(`${base}/to-other`, { cacheDir, ...allow, resolveHost }),
    /redirect to http:\/\/other\.test:\d+\/other\.wav refused: address 0\.0\.0\.0 of other\.test is the unspecified address/,
  );
  assert.deepEqual(resolveHost.asked, ['other.test']);
  assert.equal(hits.get('/other.wav'), undefined);
  assert.deepEqual(listing(cacheDir), []);
});

test('redirects: credentials go to the same origin only', async () => {
  const cacheDir = freshDir();
  const withPassword = (path: string): string =>
    `${base.replace('http://', 'http://user:s3cret@')}${path}`;
  // Same origin: Basic auth follows (the file needs it).
  assert.equal(
    existsSync(await fetchToCache(withPassword('/to-private'), { cacheDir, ...allow })),
    true,
  );
  // Another origin: it does not.
  const resolveHost = fakeResolver({ 'other.test': ['127.0.0.1'] });
  await fetchToCache(withPassword('/to-other'), { cacheDir, ...allow, resolveHost });
  assert.ok(seen.get('/to-other')?.authorization);
  assert.equal(seen.get('/other.wav')?.authorization, undefined);
  assert.match(seen.get('/other.wav')?.host ?? '', /^other\.test:\d+$/);
});

test('what allowPrivateNetworks let in is not served once it is off', async () => {
  const cacheDir = freshDir();
  const url = `${base}/opened.wav`;
  const decodedCache = new DecodedAudioCache();
  await openSource(url, { cacheDir, ...allow, decodedCache });
  assert.equal(existsSync(cacheEntryPath(cacheDir, url, allow)), true);
  assert.equal(existsSync(cacheEntryPath(cacheDir, url)), false);
  await rejectsWith(fetchToCache(url, { cacheDir }), /address 127\.0\.0\.1 is a loopback address/);
  await rejectsWith(
    openSource(url, { cacheDir, decodedCache }),
    /address 127\.0\.0\.1 is a loopback address/,
  );
  assert.equal(hits.get('/opened.wav'), 1);
});
