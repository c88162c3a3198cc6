/** The phones' scenario files render into SIPp scenarios with every blank filled and every part pasted. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PHONE_SCENARIOS, renderScenario } from '../support/phones/index.js';

const TIMINGS = {
  answerDelayMs: 1,
  hangupAfterMs: 0,
  holdAfterMs: 2,
  resumeAfterMs: 3,
  byeCseq: 1,
};
const BEHAVIOURS = readdirSync(PHONE_SCENARIOS).filter((f) => f.endsWith('.xml'));

describe('phone scenarios', () => {
  it('has one file per behaviour', () => {
    assert.deepEqual(BEHAVIOURS.sort(), [
      'answer.xml',
      'busy.xml',
      'decline.xml',
      'early-media.xml',
      'hold-us.xml',
      'no-answer.xml',
    ]);
  });

  for (const file of BEHAVIOURS) {
    it(`${file}: includes pasted, blanks filled, labels defined once`, () => {
      const xml = renderScenario(file, TIMINGS);
      assert.doesNotMatch(xml, /@include|\{\{/);
      assert.match(xml, /^<\?xml/);
      const labels = [...xml.matchAll(/<label id="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(new Set(labels).size, labels.length, `duplicate labels: ${labels.join(', ')}`);
      for (const m of xml.matchAll(/(?:next|ontimeout)="([^"]+)"/g)) {
        assert.ok(labels.includes(m[1]), `jump to undefined label ${m[1]}`);
      }
    });
  }

  it('refuses to render with a blank left unfilled', () => {
    assert.throws(
      () => renderScenario('answer.xml', { answerDelayMs: 1 }),
      /needs a value for \{\{/,
    );
  });
});
