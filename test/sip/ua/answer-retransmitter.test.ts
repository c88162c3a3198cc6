/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): T1, doubling up
 * to T2, until the ACK; give up after 64·T1. Over TCP no retransmission,
 * but the same wait for the ACK. Driven by a ManualClock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../support/manual-clock.js';
import { AnswerRetransmitter } from '../../../src/sip/ua/answer-retransmitter.js';

const timers = { T1: 500, T2: 4_000, T4: 5_000 };

function start(reliable: boolean): {
  clock: ManualClock;
  sends: number[];
  gaveUp: number[];
  r: AnswerRetransmitter;
} {
  const clock = new ManualClock();
  const sends: number[] = [];
  const gaveUp: number[] = [];
  const r = new AnswerRetransmitter(
    clock,
    timers,
    () => sends.push(clock.now()),
    () => gaveUp.push(clock.now()),
    reliable,
  );
  return { clock, sends, gaveUp, r };
}

describe('AnswerRetransmitter', () => {
  it('over UDP resends at T1, 2·T1, 4·T1 … capped at T2, and gives up at 64·T1', () => {
    const { clock, sends, gaveUp } = start(false);
    clock.advance(64 * timers.T1);
    assert.deepEqual(sends.slice(0, 5), [500, 1_500, 3_500, 7_500, 11_500]);
    for (let i = 4; i < sends.length; i++) assert.equal(sends[i]! - sends[i - 1]!, 4_000);
    assert.equal(sends.at(-1)! <= 32_000, true);
    assert.deepEqual(gaveUp, [32_000]);
    assert.equal(clock.armed(), 0);
  });

  it('stops at the ACK: no more resends, no give-up', () => {
    const { clock, sends, gaveUp, r } = start(false);
    clock.advance(1_600);
    r.stop();
    clock.advance(64 * timers.T1);
    assert.deepEqual(sends, [500, 1_500]);
    assert.deepEqual(gaveUp, []);
    assert.equal(clock.armed(), 0);
  });

  it('over TCP never resends but still gives up without ACK after 64·T1', () => {
    const { clock, sends, gaveUp } = start(true);
    clock.advance(64 * timers.T1);
    assert.deepEqual(sends, []);
    assert.deepEqual(gaveUp, [32_000]);
  });
});
