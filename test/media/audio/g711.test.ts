import assert from 'node:assert/strict';
import { test } from 'node:test';
import alawmulaw from 'alawmulaw';
import { ALAW_TO_LINEAR, ULAW_TO_LINEAR } from '../../../src/media/audio/g711.js';

const { alaw, mulaw } = alawmulaw;

// An independent implementation (the alawmulaw package) as the witness for all 256 codes
// of each law (+ 0 because it returns −0 for one µ-law code; Int16Array has no −0).
test('µ-law expansion matches an independent G.711 decoder for every code', () => {
  for (let c = 0; c < 256; c++)
    assert.equal(ULAW_TO_LINEAR[c], mulaw.decodeSample(c) + 0, `code ${c}`);
});

test('A-law expansion matches an independent G.711 decoder for every code', () => {
  for (let c = 0; c < 256; c++)
    assert.equal(ALAW_TO_LINEAR[c], alaw.decodeSample(c) + 0, `code ${c}`);
});

test('known points: silence and the extremes', () => {
  assert.equal(ULAW_TO_LINEAR[0xff], 0);
  assert.equal(ULAW_TO_LINEAR[0x00], -32124);
  assert.equal(ULAW_TO_LINEAR[0x80], 32124);
  assert.equal(ALAW_TO_LINEAR[0xd5], 8);
  assert.equal(ALAW_TO_LINEAR[0xaa], 32256);
  assert.equal(ALAW_TO_LINEAR[0x2a], -32256);
});
