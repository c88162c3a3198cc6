import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import {
  AudioFileError,
  DecodedAudioCache,
  encodeWav,
  FRAME_SAMPLES,
  openSource,
  openSourceOrSilence,
  SilenceSource,
  ToneSource,
  toneLevelDb,
  WavSource,
  type AudioSource,
} from '../../../src/media/audio/index.js';
import { makeTempDir, sine, sox, toInt16 } from './helpers.js';

const tmp = makeTempDir();
after(() => tmp.cleanup());
const cacheDir = join(tmp.dir, 'cache');

function readAll(source: AudioSource, frames: number): { samples: Int16Array; results: boolean[] } {
  const samples = new Int16Array(frames * FRAME_SAMPLES);
  const results: boolean[] = [];
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let f = 0; f < frames; f++) {
    results.push(source.read(frame));
    samples.set(frame, f * FRAME_SAMPLES);
  }
  return { samples, results };
}

async function rejectsWith(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AudioFileError, `not an AudioFileError: ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const tone = toInt16(sine(8000, 500, 0.1, 8000)); // 800 samples, 5 frames
const tonePath = join(tmp.dir, 'tone.wav');
writeFileSync(tonePath, encodeWav(tone));

test('built-in names open tone sources (surrounding spaces ignored)', async () => {
  assert.ok((await openSource('beep:1', { cacheDir })) instanceof ToneSource);
  assert.equal((await openSource('  ringback ', { cacheDir })).name, 'ringback');
  assert.ok((await openSource('silence', { cacheDir })) instanceof SilenceSource);
  await rejectsWith(openSource('tone:9000', { cacheDir }), /tone frequency 9000 Hz out of range/);
});

test('an absolute path or a file:// URL plays the file, looping on request', async () => {
  const decodedCache = new DecodedAudioCache();
  const once = await openSource(tonePath, { cacheDir, decodedCache });
  assert.ok(once instanceof WavSource);
  const a = readAll(once, 6);
  assert.deepEqual(a.results, [true, true, true, true, true, false]);
  assert.deepEqual(a.samples.subarray(0, 800), tone);

  const looped = await openSource(pathToFileURL(tonePath).href, {
    cacheDir,
    decodedCache,
    loop: true,
    startMs: 50,
  });
  const b = readAll(looped, 10);
  assert.ok(b.results.every(Boolean));
  assert.deepEqual(b.samples.subarray(0, 400), tone.subarray(400));
  assert.deepEqual(b.samples.subarray(400, 1200), tone);
});

test('one file opened by many rooms is decoded once; an edited file is decoded again', async () => {
  const path = join(tmp.dir, 'shared.wav');
  sox(
    '-n',
    '-r',
    '44100',
    '-c',
    '2',
    '-b',
    '16',
    path,
    'synth',
    '0.3',
    'sine',
    '1000',
    'vol',
    '0.5',
  );
  const decodedCache = new DecodedAudioCache();
  const sources = await Promise.all(
    Array.from({ length: 5 }, () => openSource(path, { cacheDir, decodedCache })),
  );
  assert.equal(decodedCache.size, 1);
  const played = readAll(sources[4], 15).samples;
  assert.ok(toneLevelDb(played.subarray(100, 2300), 8000, 1000) > -6.5);

  sox(
    '-n',
    '-r',
    '44100',
    '-c',
    '2',
    '-b',
    '16',
    path,
    'synth',
    '0.3',
    'sine',
    '440',
    'vol',
    '0.5',
  );
  utimesSync(path, new Date(), new Date(Date.now() + 5000)); // a different mtime, whatever the clock resolution
  const edited = readAll(await openSource(path, { cacheDir, decodedCache }), 15).samples;
  assert.equal(decodedCache.size, 2);
  assert.ok(toneLevelDb(edited.subarray(100, 2300), 8000, 440) > -6.5);
});

test('bad specs and bad files are clear AudioFileErrors', async () => {
  await rejectsWith(openSource('', { cacheDir }), /^empty audio source$/);
  await rejectsWith(
    openSource('music/hold.wav', { cacheDir }),
    /^unknown audio source "music\/hold.wav" \(expected/,
  );
  await rejectsWith(openSource('ftp://example.com/a.wav', { cacheDir }), /unknown audio source/);
  await rejectsWith(
    openSource(join(tmp.dir, 'missing.wav'), { cacheDir }),
    /^file not found: .*missing\.wav$/,
  );
  await rejectsWith(openSource('file://remote-host/x.wav', { cacheDir }), /malformed file URL/);
  const junk = join(tmp.dir, 'junk.wav');
  writeFileSync(
    junk,
    Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x03\x00', 'latin1'),
  );
  await rejectsWith(openSource(junk, { cacheDir }), /junk\.wav: truncated fmt chunk/);
  await rejectsWith(
    openSource(tonePath, { cacheDir, maxFileBytes: 100, decodedCache: new DecodedAudioCache() }),
    /over the 0.0 MB limit/,
  );
});

test('openSourceOrSilence: the error is logged and returned with silence shaped like the request', async () => {
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    }),
  );
  const music = await openSourceOrSilence(join(tmp.dir, 'nope.wav'), {
    cacheDir,
    logger,
    loop: true,
  });
  assert.ok(music.error instanceof AudioFileError);
  assert.match(music.error.message, /file not found/);
  assert.ok(
    readAll(music.source, 50).results.every(Boolean),
    'looping music falls back to endless silence',
  );
  const prompt = await openSourceOrSilence('junk:spec', { cacheDir, logger });
  assert.ok(prompt.error instanceof AudioFileError);
  const p = readAll(prompt.source, 2);
  assert.deepEqual(
    p.results,
    [false, false],
    'a prompt falls back to silence that has already ended',
  );
  assert.ok(p.samples.every((v) => v === 0));
  assert.equal(lines.length, 2);
  assert.match(lines[0], /audio source unavailable, playing silence/);
  assert.match(lines[0], /file not found/);

  const ok = await openSourceOrSilence('beep:2', { cacheDir });
  assert.equal(ok.error, undefined);
  assert.equal(ok.source.name, 'beep:2');
});

test('a URL is fetched from public addresses only, unless allowPrivateNetworks (issue 9 §3)', async () => {
  const message =
    'http://10.0.0.5/moh.wav: address 10.0.0.5 is in a private range; set media.allowPrivateAudioUrls to allow it';
  await rejectsWith(
    openSource('http://10.0.0.5/moh.wav', { cacheDir }),
    new RegExp(`^${message.replace(/[.]/g, '\\.')}$`),
  );
  const music = await openSourceOrSilence('http://10.0.0.5/moh.wav', { cacheDir, loop: true });
  assert.equal(music.error?.message, message);
  assert.ok(music.source instanceof SilenceSource);
  // The host name is resolved (here by an injected resolver) and its address judged.
  const resolveHost = async (): Promise<{ address: string; family: 4 | 6 }[]> => [
    { address: '127.0.0.1', family: 4 },
  ];
  await rejectsWith(
    openSource('https://moh.example/a.wav', { cacheDir, resolveHost }),
    /^https:\/\/moh\.example\/a\.wav: address 127\.0\.0\.1 of moh\.example is a loopback address; set media\.allowPrivateAudioUrls to allow it$/,
  );
  // Allowed, it is fetched from (nothing listens at that port: the refusal is the socket's now).
  await rejectsWith(
    openSource('http://moh.example:1/a.wav', { cacheDir, resolveHost, allowPrivateNetworks: true }),
    /^download of http:\/\/moh\.example:1\/a\.wav failed: connect ECONNREFUSED 127\.0\.0\.1:1$/,
  );
});
