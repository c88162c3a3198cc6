import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goertzelPower, LEVEL_FLOOR_DB, toneLevelDb } from '../../../src/media/audio/index.js';
import { sine, toInt16 } from './helpers.js';

test('a full-scale sine reads 0 dBFS and half of it −6 dBFS', () => {
  const full = toInt16(sine(8000, 1000, 0.5, 32767));
  assert.ok(Math.abs(toneLevelDb(full, 8000, 1000)) < 0.01);
  const half = toInt16(sine(8000, 1000, 0.5, 16384));
  assert.ok(Math.abs(toneLevelDb(half, 8000, 1000) - -6.02) < 0.02);
});

test('power is A²/2 off bin centre too, with either window', () => {
  // 437.3 Hz over 1000 samples is far from a DFT bin centre.
  const x = sine(8000, 437.3, 0.125, 1000);
  for (const window of ['hann', 'rectangular'] as const) {
    const p = goertzelPower(x, 8000, 437.3, { window });
    assert.ok(Math.abs(p / 500_000 - 1) < 0.01, `${window}: ${p}`);
  }
});

test('Float32Array defaults to a full scale of 1.0', () => {
  const x = sine(16000, 1000, 0.25, 0.5);
  assert.ok(Math.abs(toneLevelDb(x, 16000, 1000) - -6.02) < 0.02);
  assert.ok(
    Math.abs(
      toneLevelDb(sine(16000, 1000, 0.25, 16384), 16000, 1000, { fullScale: 32768 }) + 6.02,
    ) < 0.02,
  );
});

test('separates two tones: each is measured, an absent one reads far lower', () => {
  const a = sine(8000, 440, 1, 8000);
  const b = sine(8000, 1000, 1, 8000);
  const mix = toInt16(a.map((v, i) => v + b[i]));
  const l440 = toneLevelDb(mix, 8000, 440);
  const l1000 = toneLevelDb(mix, 8000, 1000);
  assert.ok(Math.abs(l440 - l1000) < 0.1);
  assert.ok(l440 - toneLevelDb(mix, 8000, 700) > 60);
  // Even one 20 ms frame tells 440 Hz from 1 kHz.
  const frame = mix.subarray(0, 160);
  assert.ok(
    toneLevelDb(toInt16(a).subarray(0, 160), 8000, 440) -
      toneLevelDb(toInt16(a).subarray(0, 160), 8000, 1000) >
      20,
  );
  assert.ok(toneLevelDb(frame, 8000, 1000) > -20);
});

test('empty or silent input gives zero power and the floor level', () => {
  assert.equal(goertzelPower(new Int16Array(0), 8000, 1000), 0);
  assert.equal(toneLevelDb(new Int16Array(800), 8000, 1000), LEVEL_FLOOR_DB);
});
