import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PacketLossConcealer } from '../../../src/media/jitter/index.js';

function rms(frame: Int16Array): number {
  let sum = 0;
  for (const s of frame) sum += s * s;
  return Math.sqrt(sum / frame.length);
}

const tone = Int16Array.from({ length: 160 }, (_, i) =>
  Math.round(10000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
);

describe('PacketLossConcealer', () => {
  it('repeats the last frame 6 dB quieter per loss for three frames, then goes silent', () => {
    const plc = new PacketLossConcealer();
    assert.equal(plc.good(tone), tone);
    const base = rms(tone);
    const levels = [1, 2, 3].map(() => 20 * Math.log10(rms(plc.conceal()) / base));
    levels.forEach((db, k) =>
      assert.ok(Math.abs(db + 6 * (k + 1)) < 0.05, `repeat ${k + 1}: ${db.toFixed(2)} dB`),
    );
    const fourth = plc.conceal();
    assert.equal(fourth.length, 160);
    assert.ok(fourth.every((s) => s === 0));
    assert.ok(plc.conceal().every((s) => s === 0));
  });

  it('keeps its own copy of the good frame and restarts attenuation after one', () => {
    const plc = new PacketLossConcealer({ maxConcealedFrames: 2, attenuationDb: 20 });
    const reused = Int16Array.from(tone);
    plc.good(reused);
    reused.fill(0); // the decoder reuses its output buffer
    const first = plc.conceal();
    assert.equal(first[2], Math.round(tone[2] * 0.1));
    plc.conceal();
    assert.ok(plc.conceal().every((s) => s === 0));
    plc.good(tone);
    assert.equal(plc.conceal()[2], Math.round(tone[2] * 0.1));
  });

  it('conceals with silence before any good frame and after reset', () => {
    const plc = new PacketLossConcealer();
    assert.ok(plc.conceal().every((s) => s === 0));
    plc.good(tone);
    plc.reset();
    assert.ok(plc.conceal().every((s) => s === 0));
  });

  it('writes into a caller buffer', () => {
    const plc = new PacketLossConcealer({ frameSamples: 4 });
    plc.good(Int16Array.of(1000, -1000, 2000, -2000));
    const out = new Int16Array(6).fill(7);
    const frame = plc.conceal(out);
    assert.equal(frame.length, 4);
    assert.equal(frame.buffer, out.buffer);
    assert.deepEqual([...out], [501, -501, 1002, -1002, 7, 7]);
    assert.throws(() => plc.conceal(new Int16Array(3)), RangeError);
  });
});
