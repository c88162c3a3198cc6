import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import {
  AudioFileError,
  decodeWav,
  repairWav,
  WavRecorder,
} from '../../../src/media/audio/index.js';
import { makeTempDir, sampleAt } from './helpers.js';

const tmp = makeTempDir();
after(() => tmp.cleanup());

function frames(count: number, start = 0): Int16Array[] {
  return Array.from({ length: count }, (_, f) =>
    Int16Array.from({ length: 160 }, (_, i) => sampleAt(start + f * 160 + i)),
  );
}

test('write, close, read back: the same samples and exact header sizes', async () => {
  const path = join(tmp.dir, 'rec.wav');
  // A chunk size that frames do not divide, so frames straddle chunks.
  const rec = await WavRecorder.open(path, { chunkBytes: 1000 });
  const input = frames(73);
  for (const f of input) rec.write(f);
  const info = await rec.close();
  assert.deepEqual(info, { path, samples: 73 * 160, durationMs: 1460, droppedSamples: 0 });
  const bytes = readFileSync(path);
  assert.equal(bytes.length, 44 + 73 * 320);
  assert.equal(bytes.readUInt32LE(4), bytes.length - 8);
  assert.equal(bytes.readUInt32LE(40), 73 * 320);
  const decoded = await decodeWav(bytes);
  const expected = new Int16Array(73 * 160);
  input.forEach((f, i) => expected.set(f, i * 160));
  assert.deepEqual(decoded.samples, expected);
  assert.equal((await repairWav(path)).repaired, false, 'a closed recording needs no repair');
});

test('an empty recording is a valid header; close is idempotent; writes after close are ignored', async () => {
  const path = join(tmp.dir, 'empty.wav');
  const rec = await WavRecorder.open(path);
  const first = rec.close();
  assert.equal(rec.close(), first);
  rec.write(new Int16Array(160).fill(5));
  assert.equal((await first).samples, 0);
  const bytes = readFileSync(path);
  assert.equal(bytes.length, 44);
  assert.equal(bytes.readUInt32LE(4), 36);
  assert.equal(bytes.readUInt32LE(40), 0);
});

test('the header carries "unknown size" until close, and flush() puts samples on disk', async () => {
  const path = join(tmp.dir, 'open.wav');
  const rec = await WavRecorder.open(path);
  for (const f of frames(10)) rec.write(f);
  assert.equal(readFileSync(path).length, 44, 'frames are buffered, not written one by one');
  await rec.flush();
  const bytes = readFileSync(path);
  assert.equal(bytes.length, 44 + 3200);
  assert.equal(bytes.readUInt32LE(40), 0xffffffff);
  // Even unrepaired it reads: the data runs to the end of the file.
  assert.equal((await decodeWav(bytes)).samples.length, 1600);
  await rec.close();
});

test('never clobbers a recording; clear errors for bad paths', async () => {
  const path = join(tmp.dir, 'exists.wav');
  writeFileSync(path, 'keep me');
  await assert.rejects(WavRecorder.open(path), (err: unknown) => {
    assert.ok(err instanceof AudioFileError);
    assert.match(err.message, /^recording already exists: .*exists\.wav$/);
    return true;
  });
  assert.equal(readFileSync(path, 'utf8'), 'keep me');
  const rec = await WavRecorder.open(path, { overwrite: true });
  await rec.close();
  assert.equal(readFileSync(path).length, 44);
  await assert.rejects(
    WavRecorder.open(join(tmp.dir, 'no-such-dir', 'x.wav')),
    /AudioFileError: file not found/,
  );
});

test('crash: a recorder killed with SIGKILL leaves a file that repairWav makes whole, with every flushed sample', async () => {
  const path = join(tmp.dir, 'crash.wav');
  const script = fileURLToPath(new URL('./record-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let flushed = 0;
  try {
    flushed = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /flushed (\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    await exited;
  }
  assert.equal(flushed, 8000);
  const before = readFileSync(path);
  assert.equal(before.readUInt32LE(4), 0xffffffff, 'the header was never patched');
  const result = await repairWav(path);
  assert.deepEqual(result, { path, repaired: true, dataBytes: 16000, truncatedBytes: 0 });
  const after = readFileSync(path);
  assert.equal(after.readUInt32LE(4), after.length - 8);
  assert.equal(after.readUInt32LE(40), 16000);
  const decoded = await decodeWav(after);
  assert.deepEqual(
    decoded.samples,
    Int16Array.from({ length: 8000 }, (_, i) => sampleAt(i)),
  );
});

test('a full disk fails open() with a clear error', async () => {
  // /dev/full accepts the open and fails every write with ENOSPC: the header write fails.
  await assert.rejects(WavRecorder.open('/dev/full', { overwrite: true }), (err: unknown) => {
    assert.ok(err instanceof AudioFileError);
    assert.match(err.message, /no space left on device/);
    return true;
  });
});

test('a disk failure while recording is reported, never thrown from write()', async () => {
  const path = join(tmp.dir, 'failing.wav');
  const rec = await WavRecorder.open(path, { chunkBytes: 320 });
  // Node offers no way to make a regular file fail mid-write; raise the
  // error the write stream would emit (ENOSPC) on the recorder's stream.
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
  });
  (rec as unknown as { stream: NodeJS.EventEmitter }).stream.emit('error', enospc);
  for (const f of frames(20)) rec.write(f);
  await assert.rejects(rec.close(), (err: unknown) => {
    assert.ok(err instanceof AudioFileError);
    assert.match(err.message, /recording failed: no space left on device/);
    return true;
  });
  assert.ok(rec.error instanceof AudioFileError);
  rec.write(frames(1)[0]);
});
