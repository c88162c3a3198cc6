/** The running session timer (RFC 4028 §10) and §14.1's glare wait, on injected time and randomness. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionTimer, expiryLeadMs } from '../../../src/sip/ua/session-timer.js';
import { glareDelayMs } from '../../../src/sip/ua/reinvite-client.js';
import { ManualClock } from '../../support/manual-clock.js';

function timer(): { clock: ManualClock; t: SessionTimer; log: string[] } {
  const clock = new ManualClock();
  const log: string[] = [];
  const t = new SessionTimer(clock, {
    refresh: () => log.push(`refresh@${clock.now()}`),
    expire: () => log.push(`expire@${clock.now()}`),
  });
  return { clock, t, log };
}

describe('SessionTimer', () => {
  it('the refresher refreshes at half the interval; without a refresh, it expires 30 s early (of 90)', () => {
    const { clock, t, log } = timer();
    t.start({ intervalS: 90, weRefresh: true });
    clock.advance(120_000);
    assert.deepEqual(log, ['refresh@45000', 'expire@60000']);
    assert.equal(clock.armed(), 0);
  });

  it('a successful refresh restarts both timers; the other side only watches', () => {
    const { clock, t, log } = timer();
    t.start({ intervalS: 1800, weRefresh: false });
    clock.advance(1000_000);
    t.start({ intervalS: 1800, weRefresh: false });
    clock.advance(1767_999);
    assert.deepEqual(log, []);
    clock.advance(1);
    assert.deepEqual(log, ['expire@2768000'], 'at 1800 − 32 s after the refresh');
    assert.equal(expiryLeadMs(1800), 32_000);
  });

  it('stop() leaves nothing armed', () => {
    const { clock, t } = timer();
    t.start({ intervalS: 90, weRefresh: true });
    t.stop();
    assert.equal(clock.armed(), 0);
  });
});

describe('glareDelayMs (RFC 3261 §14.1)', () => {
  it('owner of the Call-ID: 2.1 to 4 s; the other side: 0 to 2 s; in units of 10 ms', () => {
    assert.equal(
      glareDelayMs(true, () => 0),
      2100,
    );
    assert.equal(
      glareDelayMs(true, () => 0.999_999_9),
      4000,
    );
    assert.equal(
      glareDelayMs(false, () => 0),
      0,
    );
    assert.equal(
      glareDelayMs(false, () => 0.999_999_9),
      2000,
    );
    assert.equal(glareDelayMs(false, () => 0.5) % 10, 0);
  });
});
