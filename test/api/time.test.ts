import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plivoTimestamp } from '../../src/api/index.js';

test('Plivo timestamps: space, six fraction digits, +00:00', () => {
  assert.equal(plivoTimestamp('2018-11-14T04:41:31.827796Z'), '2018-11-14 04:41:31.827796+00:00');
  // Date#toISOString (milliseconds) is padded to microseconds.
  assert.equal(plivoTimestamp('2018-11-14T04:41:31.827Z'), '2018-11-14 04:41:31.827000+00:00');
  assert.equal(
    plivoTimestamp(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)).toISOString()),
    '2020-01-02 03:04:05.006000+00:00',
  );
  assert.equal(plivoTimestamp('2018-11-14T04:41:31Z'), '2018-11-14 04:41:31.000000+00:00');
  assert.equal(plivoTimestamp('2018-11-14T04:41:31.5+00:00'), '2018-11-14 04:41:31.500000+00:00');
  // Nanoseconds are cut to microseconds, not rounded into the next second.
  assert.equal(
    plivoTimestamp('2018-11-14T04:41:31.999999999Z'),
    '2018-11-14 04:41:31.999999+00:00',
  );
  // Already in Plivo's format: unchanged.
  assert.equal(
    plivoTimestamp('2018-11-14 04:41:31.827796+00:00'),
    '2018-11-14 04:41:31.827796+00:00',
  );
  // No zone: the service's times are UTC.
  assert.equal(plivoTimestamp('2018-11-14T04:41:31.1'), '2018-11-14 04:41:31.100000+00:00');
});

test('Plivo timestamps: other offsets are converted to UTC, the fraction kept', () => {
  assert.equal(
    plivoTimestamp('2018-11-14T06:41:31.827796+02:00'),
    '2018-11-14 04:41:31.827796+00:00',
  );
  assert.equal(plivoTimestamp('2018-11-13T23:41:31.25-0500'), '2018-11-14 04:41:31.250000+00:00');
});

test('Plivo timestamps: a non-time is an error, never a null or a made-up time', () => {
  assert.throws(() => plivoTimestamp('yesterday'), /not an ISO-8601 time/);
  assert.throws(() => plivoTimestamp(''), /not an ISO-8601 time/);
});
