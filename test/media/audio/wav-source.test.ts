import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  decodeWavFile,
  FRAME_SAMPLES,
  WavSource,
  type AudioSource,
} from '../../../src/media/audio/index.js';
import { makeTempDir, sine, sox, toInt16 } from './helpers.js';

const tmp = makeTempDir();
after(() => tmp.cleanup());

function play(source: AudioSource, frames: number): { samples: Int16Array; results: boolean[] } {
  const samples = new Int16Array(frames * FRAME_SAMPLES);
  const results: boolean[] = [];
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let f = 0; f < frames; f++) {
    frame.fill(12345);
    results.push(source.read(frame));
    samples.set(frame, f * FRAME_SAMPLES);
  }
  return { samples, results };
}

const ramp = Int16Array.from({ length: 400 }, (_, i) => i + 1); // 2.5 frames

test('plays the samples once, zero-fills the last partial frame, then ends', () => {
  const { samples, results } = play(new WavSource('ramp', ramp), 5);
  assert.deepEqual(results, [true, true, true, false, false]);
  assert.deepEqual(samples.subarray(0, 400), ramp);
  assert.ok(samples.subarray(400).every((v) => v === 0));
});

test('the shared samples are never modified', () => {
  const copy = Int16Array.from(ramp);
  play(new WavSource('ramp', ramp, { loop: true }), 10);
  assert.deepEqual(ramp, copy);
});

test('looping wraps inside a frame with no gap', () => {
  const { samples, results } = play(new WavSource('ramp', ramp, { loop: true }), 10);
  assert.ok(results.every(Boolean));
  for (let i = 0; i < samples.length; i++) assert.equal(samples[i], (i % 400) + 1, `sample ${i}`);
});

test('start offset: first pass only, wrapped when looping, past the end when not', () => {
  const s = new WavSource('ramp', ramp, { startMs: 10, loop: true }); // 10 ms = 80 samples
  assert.equal(s.positionMs, 10);
  const { samples } = play(s, 3);
  assert.equal(samples[0], 81);
  assert.equal(samples[320], 1, 'the loop restarts at 0, not at the offset');
  assert.equal(play(new WavSource('ramp', ramp, { startMs: 60, loop: true }), 1).samples[0], 81);
  assert.deepEqual(play(new WavSource('ramp', ramp, { startMs: 60 }), 2).results, [false, false]);
});

test('an empty buffer ends at once even when looping; close() ends playback', () => {
  assert.deepEqual(play(new WavSource('empty', new Int16Array(0), { loop: true }), 2).results, [
    false,
    false,
  ]);
  const s = new WavSource('ramp', ramp, { loop: true });
  play(s, 1);
  s.close();
  assert.deepEqual(play(s, 1).results, [false]);
});

/** Largest step between consecutive samples in [from, to). */
function maxStep(x: Int16Array, from = 1, to = x.length): number {
  let m = 0;
  for (let i = Math.max(1, from); i < to; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1]));
  return m;
}

test('a loop of whole tone cycles plays as one continuous tone', () => {
  // 1 kHz at 8 kHz: 8 samples a cycle; 1000 samples is 125 cycles and not a whole number of frames.
  const cycle = toInt16(sine(8000, 1000, 0.125, 10000));
  const { samples } = play(new WavSource('loop', cycle, { loop: true }), 50);
  const ideal = toInt16(sine(8000, 1000, 1, 10000));
  assert.deepEqual(samples, ideal);
});

test('looping a resampled file adds no step at the loop point beyond the signal’s own', async () => {
  const path = join(tmp.dir, 'loop48k.wav');
  sox(
    '-n',
    '-r',
    '48000',
    '-c',
    '1',
    '-b',
    '16',
    path,
    'synth',
    '0.5',
    'sine',
    '400',
    'vol',
    '0.5',
  );
  const { samples: decoded } = await decodeWavFile(path);
  const { samples } = play(new WavSource('loop48k', decoded, { loop: true }), 60);
  const own = maxStep(decoded);
  for (const boundary of [decoded.length, 2 * decoded.length]) {
    const step = Math.abs(samples[boundary] - samples[boundary - 1]);
    assert.ok(step <= own, `step ${step} at the loop point, the signal's own max is ${own}`);
  }
});
