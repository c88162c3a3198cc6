/** The talking indicator's throttle (src/mpc/talking.ts), on a manual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TalkingIndicators } from '../../src/mpc/talking.js';
import { ManualClock } from '../support/manual-clock.js';

function indicators() {
  const clock = new ManualClock();
  const published: [string, boolean][] = [];
  const t = new TalkingIndicators(clock, 250, (id, talking) => published.push([id, talking]));
  return { clock, published, t };
}

test('a change is published at once when nothing was published in the last interval', () => {
  const { published, t } = indicators();
  t.update('a', true);
  assert.deepEqual(published, [['a', true]]);
  assert.deepEqual(t.talking(), ['a']);
  t.update('a', true);
  assert.equal(published.length, 1, 'the same state again publishes nothing');
});

test('changes inside the interval are folded: only the state that holds at its end is published', () => {
  const { clock, published, t } = indicators();
  t.update('a', true);
  clock.advance(100);
  t.update('a', false);
  t.update('a', true);
  t.update('a', false);
  assert.equal(published.length, 1, 'nothing before the interval ends');
  clock.advance(150);
  assert.deepEqual(published, [
    ['a', true],
    ['a', false],
  ]);
  // A start and a stop inside one interval publish nothing at all.
  clock.advance(50);
  t.update('a', true);
  t.update('a', false);
  clock.advance(1000);
  assert.equal(published.length, 2);
});

test('members are throttled independently; many transitions publish at most one per interval', () => {
  const { clock, published, t } = indicators();
  for (let ms = 0; ms < 2000; ms += 20) {
    t.update('a', ms % 40 === 0);
    t.update('b', true);
    clock.advance(20);
  }
  const a = published.filter(([id]) => id === 'a').length;
  assert.ok(a <= 2000 / 250 + 1, `a flapping member published ${a} times in 2 s`);
  assert.deepEqual(
    published.filter(([id]) => id === 'b'),
    [['b', true]],
  );
});

test('forget publishes a stop for a member shown talking; close cancels what was pending', () => {
  const { clock, published, t } = indicators();
  t.update('a', true);
  t.update('b', true);
  t.forget('a');
  assert.deepEqual(published.at(-1), ['a', false]);
  assert.deepEqual(t.talking(), ['b']);
  t.forget('never-seen');
  clock.advance(10);
  t.update('b', false);
  t.close();
  clock.advance(1000);
  assert.deepEqual(published, [
    ['a', true],
    ['b', true],
    ['a', false],
  ]);
});

test('forgetAllBut forgets exactly the members no longer present', () => {
  const { published, t } = indicators();
  t.update('a', true);
  t.update('b', true);
  t.update('c', true);
  t.forgetAllBut((id) => id !== 'b');
  assert.deepEqual(t.talking(), ['a', 'c']);
  assert.deepEqual(published.at(-1), ['b', false]);
});
