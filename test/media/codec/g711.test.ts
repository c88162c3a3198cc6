import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import alawmulaw from 'alawmulaw';
import {
  PCMA,
  PCMU,
  codecByName,
  codecByPayloadType,
  decodeAlaw,
  decodeAlawSample,
  decodeMulaw,
  decodeMulawSample,
  encodeAlaw,
  encodeAlawSample,
  encodeMulaw,
  encodeMulawSample,
} from '../../../src/media/codec/index.js';

const { alaw, mulaw } = alawmulaw;

interface Law {
  name: string;
  ref: { encodeSample(x: number): number; decodeSample(c: number): number };
  encodeSample(x: number): number;
  decodeSample(c: number): number;
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array;
  decode(bytes: Uint8Array, out?: Int16Array): Int16Array;
  /** The code for -0 (the encoding of -1 under G.191's one's complement). */
  negativeZero: number;
}

const laws: Law[] = [
  {
    name: 'µ-law',
    ref: mulaw,
    encodeSample: encodeMulawSample,
    decodeSample: decodeMulawSample,
    encode: encodeMulaw,
    decode: decodeMulaw,
    negativeZero: 0x7f,
  },
  {
    name: 'A-law',
    ref: alaw,
    encodeSample: encodeAlawSample,
    decodeSample: decodeAlawSample,
    encode: encodeAlaw,
    decode: decodeAlaw,
    negativeZero: 0x55,
  },
];

const ALL_SAMPLES = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

for (const law of laws) {
  describe(`G.711 ${law.name}`, () => {
    it('decodes all 256 codes exactly as alawmulaw', () => {
      const ours = law.decode(ALL_CODES);
      for (let c = 0; c < 256; c++) {
        assert.equal(ours[c], law.ref.decodeSample(c) | 0, `code 0x${c.toString(16)}`);
        assert.equal(law.decodeSample(c), ours[c]);
      }
    });

    it('encodes all 65 536 samples as alawmulaw except on negative decision thresholds', () => {
      const ours = law.encode(ALL_SAMPLES);
      const differing: number[] = [];
      for (let i = 0; i < 65536; i++) {
        const x = ALL_SAMPLES[i];
        const ref = law.ref.encodeSample(x) & 0xff;
        assert.equal(law.encodeSample(x), ours[i]);
        if (ours[i] === ref) continue;
        differing.push(x);
        // G.191 takes a negative sample's magnitude as ~x = -(x + 1): the
        // reference's code for x + 1 (still negative) must be ours.
        assert.ok(x < -1, `only negative samples may differ, got ${x}`);
        assert.equal(ours[i], law.ref.encodeSample(x + 1) & 0xff, `sample ${x}`);
        // ...and x is exactly where the reference steps to a larger magnitude.
        assert.notEqual(law.ref.encodeSample(x) & 0xff, law.ref.encodeSample(x + 1) & 0xff);
      }
      // One decision threshold between each pair of adjacent magnitude codes.
      assert.equal(differing.length, 127);
    });

    it('matches the G.191 one\u2019s-complement rule for every negative sample', () => {
      for (let x = -32768; x <= -2; x++) {
        assert.equal(law.encodeSample(x), law.ref.encodeSample(x + 1) & 0xff, `sample ${x}`);
      }
      assert.equal(law.encodeSample(-1), law.negativeZero);
    });

    it('round-trips every code through decode then encode', () => {
      const back = law.encode(law.decode(ALL_CODES));
      for (let c = 0; c < 256; c++) {
        const decoded = law.decodeSample(c);
        // µ-law has two zeros (0xFF, 0x7F) that both decode to 0, which encodes as +0.
        const expected = decoded === 0 && law.name === 'µ-law' ? 0xff : c;
        assert.equal(back[c], expected, `code 0x${c.toString(16)}`);
      }
    });

    it('encodes monotonically: larger input never yields a smaller decoded value', () => {
      let prev = -Infinity;
      for (let x = -32768; x < 32768; x++) {
        const y = law.decodeSample(law.encodeSample(x));
        assert.ok(y >= prev, `non-monotonic at ${x}`);
        prev = y;
      }
    });

    it('writes into a caller buffer and returns a view of the frame length', () => {
      const pcm = Int16Array.from([0, 1000, -1000, 32767, -32768]);
      const out = new Uint8Array(8).fill(0xaa);
      const coded = law.encode(pcm, out);
      assert.equal(coded.length, 5);
      assert.equal(coded.buffer, out.buffer);
      assert.equal(out[5], 0xaa);
      const pcmOut = new Int16Array(5);
      const decoded = law.decode(coded, pcmOut);
      assert.equal(decoded, pcmOut);
      assert.deepEqual(Array.from(decoded), Array.from(law.decode(law.encode(pcm))));
      assert.throws(() => law.encode(pcm, new Uint8Array(4)), RangeError);
      assert.throws(() => law.decode(coded, new Int16Array(4)), RangeError);
    });
  });
}

describe('Codec registry', () => {
  it('finds PCMU and PCMA by name (case-insensitive) and static payload type', () => {
    assert.equal(codecByName('PCMU'), PCMU);
    assert.equal(codecByName('pcma'), PCMA);
    assert.equal(codecByName('G722'), undefined);
    assert.equal(codecByPayloadType(0), PCMU);
    assert.equal(codecByPayloadType(8), PCMA);
    assert.equal(codecByPayloadType(9), undefined);
    assert.equal(PCMU.clockRate, 8000);
    assert.equal(PCMA.payloadType, 8);
  });

  it('encodes and decodes through the Codec interface', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    for (const codec of [PCMU, PCMA]) {
      const back = codec.decode(codec.encode(pcm));
      assert.equal(back.length, 160);
      for (let i = 0; i < 160; i++) {
        // G.711 step at ±8000 is 256 (µ) / 256 (A): error at most half a step.
        assert.ok(Math.abs(back[i] - pcm[i]) <= 128, `${codec.name} sample ${i}`);
      }
    }
  });
});
