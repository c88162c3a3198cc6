import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resample, Resampler, resampleSync, toneLevelDb } from '../../../src/media/audio/index.js';
import { middle, sine } from './helpers.js';

/** Level change in dB of a tone at `freq` through rate conversion, measured at `outFreq` in the output. */
function gainDb(inRate: number, freq: number, outFreq = freq): number {
  const input = sine(inRate, freq, 1, 16384);
  const out = resampleSync(input, inRate, 8000);
  const before = toneLevelDb(middle(input, 2000), inRate, freq, { fullScale: 32768 });
  return toneLevelDb(middle(out, 400), 8000, outFreq) - before;
}

test('48 kHz → 8 kHz: a 1 kHz tone stays at 1 kHz within 1 dB', () => {
  const g = gainDb(48000, 1000);
  assert.ok(Math.abs(g) < 1, `gain ${g.toFixed(3)} dB`);
  assert.ok(Math.abs(g) < 0.01, `gain ${g.toFixed(4)} dB (design ripple is far smaller)`);
});

test('48 kHz → 8 kHz: a 6 kHz tone (above the new Nyquist) is rejected by ≥ 40 dB at its alias', () => {
  // 6 kHz sampled at 8 kHz would fold to 2 kHz.
  const g = gainDb(48000, 6000, 2000);
  assert.ok(g <= -40, `alias at ${g.toFixed(1)} dB`);
  assert.ok(g <= -75, `alias at ${g.toFixed(1)} dB (design is 80 dB)`);
});

test('48 kHz → 8 kHz: 3 kHz passes within 1 dB', () => {
  const g = gainDb(48000, 3000);
  assert.ok(Math.abs(g) < 1, `gain ${g.toFixed(3)} dB`);
});

test('44.1 kHz (ratio 441/80) and other rates: pass band kept, everything above 4 kHz rejected', () => {
  for (const rate of [44100, 16000, 11025, 22050, 96000, 8363]) {
    for (const f of [300, 1000, 3000]) {
      const g = gainDb(rate, f);
      assert.ok(Math.abs(g) < 1, `${rate} Hz, ${f} Hz tone: gain ${g.toFixed(3)} dB`);
    }
    for (const f of [4300, 5000, 6000, 7900]) {
      if (f >= rate / 2) continue;
      const alias = Math.abs(f - 8000 * Math.round(f / 8000));
      const g = gainDb(rate, f, alias);
      assert.ok(g <= -40, `${rate} Hz, ${f} Hz tone: alias at ${alias} Hz is ${g.toFixed(1)} dB`);
    }
  }
});

test('a rate with too many phases for a bank (95 999 Hz) is interpolated just as well', () => {
  assert.ok(Math.abs(gainDb(95999, 1000)) < 0.05);
  assert.ok(gainDb(95999, 6000, 2000) <= -70);
});

test('output is the ideal 8 kHz sampling of the tone: same phase, no delay, tiny error, ends included', () => {
  // 0.5 s holds whole cycles, so with the input taken as periodic even the
  // first and last samples (where a loop joins) are exact.
  for (const rate of [48000, 44100]) {
    const out = resampleSync(sine(rate, 1000, 0.5, 16384), rate, 8000);
    const ideal = sine(8000, 1000, 0.5, 16384);
    let maxErr = 0;
    for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - ideal[i]));
    // −60 dB of the amplitude; rounding alone is 0.5.
    assert.ok(maxErr < 16, `${rate}: max error ${maxErr}`);
  }
});

test('lengths, identity, saturation and slicing', async () => {
  assert.equal(new Resampler(44100, 8000).outputLength(44100), 8000);
  assert.equal(new Resampler(48000, 8000).outputLength(4801), 801);
  const same = resampleSync(Float32Array.from([1.4, -2.6, 40000, -40000]), 8000, 8000);
  assert.deepEqual([...same], [1, -3, 32767, -32768]);
  const hot = resampleSync(new Float32Array(4800).fill(40000), 48000, 8000);
  assert.ok(
    hot.subarray(100, 700).every((v) => v === 32767),
    'clipped, not wrapped',
  );
  const x = sine(44100, 1234, 3, 12000);
  const sync = resampleSync(x, 44100, 8000);
  const sliced = await resample(x, 44100, 8000);
  assert.deepEqual(sliced, sync);
  assert.equal(resampleSync(new Float32Array(0), 44100, 8000).length, 0);
});

test('invalid rates are refused', () => {
  assert.throws(() => new Resampler(0, 8000), RangeError);
  assert.throws(() => new Resampler(44100.5, 8000), RangeError);
});
