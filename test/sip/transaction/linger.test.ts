import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { LingerTimers, type Lingering } from '../../../src/sip/transaction/linger.js';
import { ManualClock } from '../../support/manual-clock.js';

const silent = pino({ level: 'silent' });

function recorder(log: string[], name: string): Lingering {
  return { lingerEnded: () => log.push(name) };
}

describe('LingerTimers', () => {
  it('ends each linger exactly `ms` after it began, in the order they began', () => {
    const clock = new ManualClock();
    const lingers = new LingerTimers(clock, silent);
    const log: string[] = [];
    lingers.start(1000, recorder(log, 'a'));
    clock.advance(300);
    lingers.start(1000, recorder(log, 'b'));
    lingers.start(1000, recorder(log, 'c'));
    clock.advance(699);
    assert.deepEqual(log, []);
    clock.advance(1);
    assert.deepEqual(log, ['a']);
    clock.advance(299);
    assert.deepEqual(log, ['a']);
    clock.advance(1);
    assert.deepEqual(log, ['a', 'b', 'c']);
  });

  it('keeps durations apart: a short linger begun later ends first', () => {
    const clock = new ManualClock();
    const lingers = new LingerTimers(clock, silent);
    const log: string[] = [];
    lingers.start(32_000, recorder(log, 'long'));
    lingers.start(5_000, recorder(log, 'short'));
    clock.advance(5_000);
    assert.deepEqual(log, ['short']);
    clock.advance(27_000);
    assert.deepEqual(log, ['short', 'long']);
  });

  it('starts again after its queue emptied', () => {
    const clock = new ManualClock();
    const lingers = new LingerTimers(clock, silent);
    const log: string[] = [];
    lingers.start(10, recorder(log, 'first'));
    clock.advance(10);
    lingers.start(10, recorder(log, 'second'));
    clock.advance(9);
    assert.deepEqual(log, ['first']);
    clock.advance(1);
    assert.deepEqual(log, ['first', 'second']);
  });

  it('a throwing entry is logged and the others still end', () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });
    const lingers = new LingerTimers(clock, logger);
    const log: string[] = [];
    lingers.start(10, {
      lingerEnded: () => {
        throw new Error('machine bug');
      },
    });
    lingers.start(10, recorder(log, 'after'));
    clock.advance(10);
    assert.deepEqual(log, ['after']);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /machine bug/);
  });

  it('clear() drops every pending linger without calling it', () => {
    const clock = new ManualClock();
    const lingers = new LingerTimers(clock, silent);
    const log: string[] = [];
    lingers.start(10, recorder(log, 'a'));
    lingers.start(20, recorder(log, 'b'));
    lingers.clear();
    clock.advance(100);
    assert.deepEqual(log, []);
  });

  it('stays in order across the compaction of a long queue', () => {
    const clock = new ManualClock();
    const lingers = new LingerTimers(clock, silent);
    const ended: number[] = [];
    // 5000 lingers begun 1 ms apart, ending while new ones keep being added.
    let next = 0;
    for (let step = 0; step < 6000; step++) {
      if (next < 5000) {
        const n = next++;
        lingers.start(700, { lingerEnded: () => ended.push(n) });
      }
      clock.advance(1);
    }
    assert.equal(ended.length, 5000);
    assert.ok(ended.every((n, i) => n === i));
  });
});
