import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioFileError, decodeWav } from '../../../src/media/audio/index.js';
import { buildWav, fmtChunk, pcm16, sine, toInt16 } from './helpers.js';
import { seededRng as rng } from '../../support/mutator.js';

const INTERESTING_U32 = [
  0, 1, 2, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];

function mutate(base: Buffer, rand: () => number): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  let b = Buffer.from(base);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    // Bias towards the header, where the parser's decisions are made.
    const at = rand() < 0.8 ? int(Math.min(b.length, 96)) : int(b.length);
    switch (int(6)) {
      case 0:
        b[at] ^= 1 << int(8);
        break;
      case 1:
        b[at] = int(256);
        break;
      case 2:
        if (at + 4 <= b.length) b.writeUInt32LE(INTERESTING_U32[int(INTERESTING_U32.length)], at);
        break;
      case 3:
        if (at + 2 <= b.length)
          b.writeUInt16LE(INTERESTING_U32[int(INTERESTING_U32.length)] & 0xffff, at);
        break;
      case 4:
        b = b.subarray(0, int(b.length + 1));
        break;
      default: {
        const junk = Buffer.from(Array.from({ length: 1 + int(12) }, () => int(256)));
        b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
      }
    }
  }
  return b;
}

const tone = toInt16(sine(16000, 1000, 0.05, 12000));
const stereo = new Int16Array(tone.length * 2);
tone.forEach((v, i) => stereo.set([v, -v], 2 * i));
const BASES = [
  buildWav([
    { id: 'LIST', body: Buffer.from('INFOISFTxyz') },
    { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 16 }) },
    { id: 'data', body: pcm16(stereo) },
  ]),
  buildWav([
    {
      id: 'fmt ',
      body: fmtChunk({ tag: 1, channels: 1, rate: 44100, bits: 24, extensibleSubFormat: 1 }),
    },
    { id: 'fact', body: Buffer.from([1, 2, 3, 4]) },
    { id: 'data', body: Buffer.alloc(3 * 441, 0x35) },
  ]),
  buildWav([
    { id: 'fmt ', body: fmtChunk({ tag: 7, channels: 1, rate: 8000, bits: 8 }) },
    { id: 'data', body: Buffer.alloc(401, 0x7f) },
  ]),
];

test('5 000 mutations of valid files: each decodes or fails with AudioFileError, nothing else', async () => {
  const rand = rng(0x5eed);
  let decoded = 0;
  let refused = 0;
  for (let i = 0; i < 5000; i++) {
    const input = mutate(BASES[i % BASES.length], rand);
    try {
      const d = await decodeWav(input);
      assert.ok(d.samples instanceof Int16Array && d.samples.length > 0, `case ${i}: empty result`);
      decoded++;
    } catch (err) {
      if (!(err instanceof AudioFileError)) {
        assert.fail(`case ${i} (${input.subarray(0, 64).toString('hex')}…) threw ${String(err)}`);
      }
      assert.ok(err.message.length > 0);
      refused++;
    }
  }
  // The corpus must exercise both paths or the test proves little.
  assert.ok(decoded > 500, `only ${decoded} decoded`);
  assert.ok(refused > 500, `only ${refused} refused`);
});
