import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import {
  AudioFileError,
  decodeWav,
  encodeWav,
  repairRecordings,
  repairWav,
} from '../../../src/media/audio/index.js';
import { buildWav, fmtChunk, makeTempDir, pcm16 } from './helpers.js';

const tmp = makeTempDir();
after(() => tmp.cleanup());

const samples = Int16Array.from({ length: 1000 }, (_, i) => (i * 37) % 3000);
const audio = pcm16(samples);
const fmt = { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 }) };

let n = 0;
function file(bytes: Buffer): string {
  const path = join(tmp.dir, `f${++n}.wav`);
  writeFileSync(path, bytes);
  return path;
}

/** Asserts the file now has exact sizes and holds `expected`. */
async function assertWhole(path: string, expected: Int16Array): Promise<void> {
  const bytes = readFileSync(path);
  assert.equal(bytes.readUInt32LE(4), bytes.length - 8, 'RIFF size');
  assert.deepEqual((await decodeWav(bytes)).samples, expected);
}

for (const [label, size, riff] of [
  ['zero sizes', 0, 0],
  ['unknown sizes (0xFFFFFFFF)', 0xffffffff, 0xffffffff],
  ['a data size beyond the file', 5000, 36 + 5000],
  ['a data size short of the audio that follows', 600, 36 + 600],
] as const) {
  test(`${label}: sizes rewritten from the file length`, async () => {
    const path = file(buildWav([fmt, { id: 'data', body: audio, size }], riff));
    const r = await repairWav(path);
    assert.deepEqual(r, { path, repaired: true, dataBytes: 2000, truncatedBytes: 0 });
    await assertWhole(path, samples);
    assert.equal(readFileSync(path).readUInt32LE(40), 2000);
  });
}

test('a partial last sample is cut off', async () => {
  const path = file(
    Buffer.concat([buildWav([fmt, { id: 'data', body: audio, size: 0 }]), Buffer.from([0x55])]),
  );
  const r = await repairWav(path);
  assert.deepEqual(r, { path, repaired: true, dataBytes: 2000, truncatedBytes: 1 });
  assert.equal(readFileSync(path).length, 44 + 2000);
  await assertWhole(path, samples);
});

test('a stereo file is cut to whole frames', async () => {
  const stereo = { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 2, rate: 8000, bits: 16 }) };
  const path = file(buildWav([stereo, { id: 'data', body: audio.subarray(0, 1998), size: 0 }]));
  const r = await repairWav(path);
  assert.equal(r.dataBytes, 1996);
  assert.equal(r.truncatedBytes, 2);
});

test('valid files are left alone, including data followed by a LIST chunk', async () => {
  const plain = file(encodeWav(samples));
  assert.equal((await repairWav(plain)).repaired, false);
  const tagged = buildWav([
    fmt,
    { id: 'data', body: audio },
    { id: 'LIST', body: Buffer.from('INFOISFTabc') },
  ]);
  const path = file(tagged);
  assert.deepEqual(await repairWav(path), {
    path,
    repaired: false,
    dataBytes: 2000,
    truncatedBytes: 0,
  });
  assert.deepEqual(readFileSync(path), tagged);
});

test('only the RIFF size wrong: only it is fixed', async () => {
  const good = encodeWav(samples);
  good.writeUInt32LE(12, 4);
  const path = file(good);
  assert.deepEqual(await repairWav(path), {
    path,
    repaired: true,
    dataBytes: 2000,
    truncatedBytes: 0,
  });
  await assertWhole(path, samples);
});

test('what cannot be repaired is an AudioFileError', async () => {
  await assert.rejects(
    repairWav(file(Buffer.from('hello world, not a wav'))),
    /not a RIFF\/WAVE file, cannot repair/,
  );
  await assert.rejects(
    repairWav(file(buildWav([{ id: 'data', body: audio }]))),
    /no usable fmt chunk/,
  );
  await assert.rejects(repairWav(file(buildWav([fmt]))), /no data chunk/);
  await assert.rejects(repairWav(join(tmp.dir, 'absent.wav')), (err: unknown) => {
    assert.ok(err instanceof AudioFileError);
    assert.match(err.message, /file not found/);
    return true;
  });
});

test('repairRecordings repairs every .wav of a folder and reports the rest', async () => {
  const dir = join(tmp.dir, 'recordings');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a-good.wav'), encodeWav(samples));
  writeFileSync(
    join(dir, 'b-crashed.WAV'),
    buildWav([fmt, { id: 'data', body: audio, size: 0xffffffff }], 0xffffffff),
  );
  writeFileSync(join(dir, 'c-junk.wav'), 'junk');
  writeFileSync(join(dir, 'notes.txt'), 'not audio');
  mkdirSync(join(dir, 'd-folder.wav'));
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    }),
  );
  const result = await repairRecordings(dir, logger);
  assert.deepEqual(
    result.repaired.map((r) => r.path),
    [join(dir, 'b-crashed.WAV')],
  );
  assert.deepEqual(
    result.failed.map((f) => f.path),
    [join(dir, 'c-junk.wav')],
  );
  assert.ok(result.failed[0].error instanceof AudioFileError);
  await assertWhole(join(dir, 'b-crashed.WAV'), samples);
  assert.ok(lines.some((l) => /repaired recording/.test(l)));
  assert.ok(lines.some((l) => /cannot repair recording/.test(l)));
  assert.deepEqual(await repairRecordings(join(tmp.dir, 'no-such-folder')), {
    repaired: [],
    failed: [],
  });
});
