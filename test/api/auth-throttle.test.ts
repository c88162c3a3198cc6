/** AuthThrottle: what unauthenticated clients can make the server verify with scrypt. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE, clientKey } from '../../src/api/auth-throttle.js';
import { KeyedRateLimiter } from '../../src/api/rate-limit.js';
import { HttpError } from '../../src/api/errors.js';
import { ManualClock } from '../support/manual-clock.js';

function refusal(fn: () => void): HttpError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err;
  }
  assert.fail('admitted');
}

describe('AuthThrottle', () => {
  test('one address: its burst, then 429 with Retry-After naming it; other addresses go on; refilled over time', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle(
      { perAddress: { perSecond: 0.5, burst: 3 }, overall: { perSecond: 100, burst: 100 } },
      clock,
    );
    for (let i = 0; i < 3; i++) t.admit('192.0.2.1');
    const err = refusal(() => t.admit('192.0.2.1'));
    assert.equal(err.statusCode, 429);
    assert.equal(err.headers['Retry-After'], '2');
    assert.match(err.message, /too many credential checks from 192\.0\.2\.1: retry in 2 s/);
    t.admit('192.0.2.2');
    clock.advance(1999);
    refusal(() => t.admit('192.0.2.1'));
    clock.advance(1);
    t.admit('192.0.2.1');
    refusal(() => t.admit('192.0.2.1'));
  });

  test('everybody together: the overall bucket refuses a crowd of addresses', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle(
      { perAddress: { perSecond: 1, burst: 5 }, overall: { perSecond: 2, burst: 4 } },
      clock,
    );
    for (let i = 0; i < 4; i++) t.admit(`198.51.100.${i}`);
    const err = refusal(() => t.admit('198.51.100.9'));
    assert.equal(err.statusCode, 429);
    assert.equal(err.headers['Retry-After'], '1');
    assert.match(err.message, /too many credential checks on this server right now/);
    clock.advance(500);
    t.admit('198.51.100.9');
  });

  test('the defaults: 20 checks from one address at once, 100 overall', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle(DEFAULT_AUTH_THROTTLE, clock);
    for (let i = 0; i < 20; i++) t.admit('203.0.113.1');
    refusal(() => t.admit('203.0.113.1'));
    for (let i = 0; i < 80; i++) t.admit(`203.0.113.${2 + (i % 50)}`);
    refusal(() => t.admit('203.0.113.200'));
  });

  test('an IPv6 client is one /64; an IPv4-mapped address is its IPv4 address', () => {
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('::FFFF:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:0db8:0000:0001:ffff:0:0:9'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    const clock = new ManualClock();
    const t = new AuthThrottle(
      { perAddress: { perSecond: 1, burst: 2 }, overall: { perSecond: 100, burst: 100 } },
      clock,
    );
    t.admit('2001:db8:0:1::5');
    t.admit('2001:db8:0:1::6');
    refusal(() => t.admit('2001:db8:0:1:abcd::7'));
    t.admit('2001:db8:0:2::5');
  });

  test('buckets stay bounded when every key is busy: the oldest are dropped', () => {
    const clock = new ManualClock();
    const limiter = new KeyedRateLimiter({ perSecond: 0.001, burst: 1 }, clock);
    for (let i = 0; i < 25_000; i++) limiter.take(`k${i}`);
    assert.ok(limiter.size <= 20_000, `${limiter.size} buckets`);
    // The newest keys are still remembered as spent.
    assert.equal(limiter.take('k24999').ok, false);
  });

  test('bad options are refused with the setting named', () => {
    const clock = new ManualClock();
    assert.throws(
      () =>
        new AuthThrottle(
          { perAddress: { perSecond: 0, burst: 1 }, overall: { perSecond: 1, burst: 1 } },
          clock,
        ),
      /authThrottle\.perAddress\.perSecond/,
    );
    assert.throws(
      () =>
        new AuthThrottle(
          { perAddress: { perSecond: 1, burst: 1 }, overall: { perSecond: 1, burst: 0 } },
          clock,
        ),
      /authThrottle\.overall\.burst/,
    );
  });
});
