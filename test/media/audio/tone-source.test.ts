import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AudioFileError,
  builtinSource,
  FRAME_SAMPLES,
  isBuiltinSpec,
  TONE_PEAK,
  toneLevelDb,
  type AudioSource,
} from '../../../src/media/audio/index.js';

interface Played {
  samples: Int16Array;
  /** Result of each read. */
  results: boolean[];
}

function play(source: AudioSource, frames: number): Played {
  const samples = new Int16Array(frames * FRAME_SAMPLES);
  const results: boolean[] = [];
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let f = 0; f < frames; f++) {
    frame.fill(12345); // whatever the source does not write would show
    results.push(source.read(frame));
    samples.set(frame, f * FRAME_SAMPLES);
  }
  return { samples, results };
}

function mustBuild(spec: string): AudioSource {
  const s = builtinSource(spec);
  assert.ok(s, spec);
  return s;
}

function frameRms(x: Int16Array, frame: number): number {
  let sum = 0;
  for (let i = frame * FRAME_SAMPLES; i < (frame + 1) * FRAME_SAMPLES; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / FRAME_SAMPLES);
}

/** Largest step between consecutive samples: a click is a step far above what the tone itself makes. */
function maxStep(x: Int16Array): number {
  let m = 0;
  for (let i = 1; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1]));
  return m;
}

test('tone:440 is a continuous 440 Hz sine at −12 dBFS with no break between frames', () => {
  const src = mustBuild('tone:440');
  assert.equal(src.name, 'tone:440');
  const { samples, results } = play(src, 500);
  assert.ok(results.every(Boolean), 'never ends');
  const body = samples.subarray(FRAME_SAMPLES);
  assert.ok(Math.abs(toneLevelDb(body, 8000, 440) - -12) < 0.1);
  assert.ok(toneLevelDb(body, 8000, 440) - toneLevelDb(body, 8000, 500) > 60);
  // After the 5 ms fade-in it is exactly one sine, frame boundaries included.
  for (let n = 40; n < samples.length; n++) {
    const ideal = TONE_PEAK * Math.sin((2 * Math.PI * 440 * n) / 8000);
    assert.ok(Math.abs(samples[n] - ideal) <= 1, `sample ${n}: ${samples[n]} vs ${ideal}`);
  }
  // The steepest step of a 440 Hz sine at this peak is 2π·440/8000·peak ≈ 0.35·peak.
  assert.ok(maxStep(samples) <= Math.ceil((2 * Math.PI * 440 * TONE_PEAK) / 8000) + 1);
});

test('tone:<Hz>:<ms> lasts that long, then ends with silence', () => {
  const a = play(mustBuild('tone:1000:500'), 30);
  assert.deepEqual(a.results, [...Array(25).fill(true), ...Array(5).fill(false)]);
  assert.ok(a.samples.subarray(25 * FRAME_SAMPLES).every((v) => v === 0));
  const b = play(mustBuild('tone:697.5:510'), 30);
  // 510 ms is 25.5 frames: the 26th frame is half tone, half zeros.
  assert.deepEqual(b.results, [...Array(26).fill(true), ...Array(4).fill(false)]);
  assert.ok(b.samples.subarray(4080).every((v) => v === 0));
  assert.ok(toneLevelDb(b.samples.subarray(40, 4000), 8000, 697.5) > -12.2);
});

test('beep:1 is one 400 ms 1 kHz beep, then ends', () => {
  const { samples, results } = play(mustBuild('beep:1'), 25);
  assert.deepEqual(results, [...Array(20).fill(true), ...Array(5).fill(false)]);
  const loud = [...samples].map((v, i) => (Math.abs(v) > 100 ? i : -1)).filter((i) => i >= 0);
  const first = loud[0];
  const last = loud[loud.length - 1];
  // Loud from within the 5 ms ramp-in to within the ramp-out: 400 ms.
  assert.ok(first < 40 && last > 3160 && last < 3200, `beep spans ${first}..${last}`);
  assert.ok(Math.abs(toneLevelDb(samples.subarray(40, 3160), 8000, 1000) - -12) < 0.2);
  assert.ok(
    maxStep(samples) <= Math.ceil((2 * Math.PI * 1000 * TONE_PEAK) / 8000) + 1,
    'no click at on/off',
  );
});

test('beep:2 is two 200 ms beeps 200 ms apart, then ends', () => {
  const { samples, results } = play(mustBuild('beep:2'), 35);
  assert.deepEqual(results, [...Array(30).fill(true), ...Array(5).fill(false)]);
  const pattern = Array.from({ length: 35 }, (_, f) =>
    frameRms(samples, f) > 1000 ? 'x' : '.',
  ).join('');
  assert.equal(pattern, 'xxxxxxxxxx..........xxxxxxxxxx.....');
  assert.ok(
    maxStep(samples) <= Math.ceil((2 * Math.PI * 1000 * TONE_PEAK) / 8000) + 1,
    'no click at on/off',
  );
});

test('ringback: 440 + 480 Hz, 2 s on and 4 s off, looping', () => {
  const { samples, results } = play(mustBuild('ringback'), 700);
  assert.ok(results.every(Boolean), 'loops forever');
  const on = (f: number): boolean => frameRms(samples, f) > 1000;
  const expected = (f: number): boolean => f % 300 < 100;
  for (let f = 0; f < 700; f++) assert.equal(on(f), expected(f), `frame ${f}`);
  // Both tones, each at half the −12 dBFS peak, in the second burst too.
  for (const start of [0, 300 * FRAME_SAMPLES]) {
    const burst = samples.subarray(start + 40, start + 16000 - 40);
    for (const f of [440, 480])
      assert.ok(Math.abs(toneLevelDb(burst, 8000, f) - -18.06) < 0.2, `${f} Hz`);
    assert.ok(toneLevelDb(burst, 8000, 460) < -50);
  }
  // The peak stays at about −12 dBFS.
  assert.ok(Math.max(...samples.map(Math.abs)) <= TONE_PEAK);
});

test('silence never ends; none has already ended', () => {
  const s = play(mustBuild('silence'), 100);
  assert.ok(s.results.every(Boolean));
  assert.ok(s.samples.every((v) => v === 0));
  const n = play(mustBuild('none'), 2);
  assert.deepEqual(n.results, [false, false]);
  assert.ok(n.samples.every((v) => v === 0));
});

test('close() ends a source', () => {
  const src = mustBuild('tone:440');
  const frame = new Int16Array(FRAME_SAMPLES);
  assert.equal(src.read(frame), true);
  src.close?.();
  assert.equal(src.read(frame), false);
  assert.ok(frame.every((v) => v === 0));
});

test('names: built-ins are recognised, malformed tones are clear errors, others are not built-ins', () => {
  for (const bad of [
    'tone:5000',
    'tone:4000',
    'tone:0',
    'tone:abc',
    'tone:440:0',
    'tone:440:x',
    'tone:',
    'tone:440:99999999999',
  ]) {
    assert.ok(isBuiltinSpec(bad));
    assert.throws(() => builtinSource(bad), AudioFileError, bad);
  }
  for (const other of ['beep:3', 'constructor', 'toString', '/tmp/x.wav', 'ringback2']) {
    assert.equal(isBuiltinSpec(other), false, other);
    assert.equal(builtinSource(other), undefined, other);
  }
});

test('a short segment is synthesised once and copied: the same samples as the oscillator, read in any frame size', () => {
  // tone:1000:400 (3200 samples) is copied from its first rendering; tone:1000:2500
  // (20 000 samples, past the 2 s kept) is synthesised as it plays. Until the short
  // one's 5 ms ramp-out (40 samples) they are the same sine, sample for sample.
  const short = play(mustBuild('tone:1000:400'), 20).samples;
  const long = play(mustBuild('tone:1000:2500'), 20).samples;
  assert.deepEqual(short.subarray(0, 3200 - 40), long.subarray(0, 3200 - 40));
  assert.notDeepEqual(short.subarray(3200 - 40), long.subarray(3200 - 40));
  // A second source of the segment, read 77 samples at a time, gives the same again.
  const again = mustBuild('tone:1000:400');
  const odd = new Int16Array(3200);
  const chunk = new Int16Array(77);
  for (let at = 0; at < 3200; at += 77) {
    again.read(chunk);
    odd.set(chunk.subarray(0, Math.min(77, 3200 - at)), at);
  }
  assert.deepEqual(odd, short);
});
