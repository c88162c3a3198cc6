import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AudioFileError,
  DecodedAudioCache,
  type DecodedAudio,
} from '../../../src/media/audio/index.js';

function audio(samples: number): DecodedAudio {
  return {
    samples: new Int16Array(samples),
    durationMs: samples / 8,
    source: { sampleRate: 8000, channels: 1, encoding: 'PCM 16-bit' },
  };
}

test('a key is loaded once, also when asked for concurrently', async () => {
  const cache = new DecodedAudioCache(1000);
  let loads = 0;
  const load = async (): Promise<DecodedAudio> => {
    loads++;
    await new Promise((r) => setImmediate(r));
    return audio(10);
  };
  const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
  const c = await cache.get('k', load);
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.equal(a, c);
  assert.equal(cache.bytes, 20);
});

test('bounded by bytes, least recently used out first; oversize entries are returned but not kept', async () => {
  const cache = new DecodedAudioCache(100); // 50 samples
  await cache.get('a', async () => audio(20));
  await cache.get('b', async () => audio(20));
  await cache.get('a', async () => assert.fail('a is cached')); // a is now the most recent
  await cache.get('c', async () => audio(20)); // 120 bytes: b goes
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => cache.has(k)),
    [true, false, true],
  );
  assert.equal(cache.bytes, 80);
  const huge = await cache.get('huge', async () => audio(1000));
  assert.equal(huge.samples.length, 1000);
  assert.equal(cache.has('huge'), false);
  assert.equal(cache.bytes, 80);
});

test('failures are not cached', async () => {
  const cache = new DecodedAudioCache();
  await assert.rejects(
    cache.get('k', async () => {
      throw new AudioFileError('bad');
    }),
    AudioFileError,
  );
  const ok = await cache.get('k', async () => audio(5));
  assert.equal(ok.samples.length, 5);
  assert.equal(cache.size, 1);
  cache.delete('k');
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});
