// Unit tests of the pure parts of the CPS harness: SIPp file parsing,
// percentiles and the pass/fail rules of a step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { evaluateStep } from '../../../bench/cps/evaluate.js';
import { percentile } from '../../../bench/cps/percentile.js';
import { parseRttFile, parseStatFile } from '../../../bench/cps/sipp-stats.js';
import { largestDivisorUpTo, type SippUacRun } from '../../../bench/cps/sipp-uac.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseStatFile', () => {
  it('reads the cumulative counters and wall time of a real SIPp 3.6.1 file', () => {
    const s = parseStatFile(fixture('sipp-stat.csv'));
    assert.ok(s);
    assert.equal(s.created, 20);
    assert.equal(s.successful, 20);
    assert.equal(s.failed, 0);
    assert.equal(s.retransmissions, 0);
    // CurrentTime 1795599706.685011 - StartTime 1795599706.274407
    assert.ok(Math.abs(s.elapsedS - 0.410604) < 1e-6);
  });

  it('falls back to the last complete row when the final one is truncated', () => {
    const lines = fixture('sipp-stat.csv').trimEnd().split('\n');
    const truncated = [...lines, lines[lines.length - 1].slice(0, 40)].join('\n');
    assert.equal(parseStatFile(truncated)?.successful, 20);
  });

  it('returns undefined for empty or header-only input', () => {
    assert.equal(parseStatFile(''), undefined);
    assert.equal(parseStatFile(fixture('sipp-stat.csv').split('\n')[0]), undefined);
  });
});

describe('parseRttFile', () => {
  it('reads every value of the named counter from a real file', () => {
    const values = parseRttFile(fixture('sipp-rtt.csv'), 'setup');
    assert.equal(values.length, 20);
    assert.ok(values.every((v) => v === 0));
  });

  it('keeps only the named counter and skips malformed rows', () => {
    const text =
      'Date_ms;response_time_ms;rtd_no\n1;4;setup\n2;8;other\n3;x;setup\n4;12;setup\n5;9';
    assert.deepEqual(parseRttFile(text, 'setup'), [4, 12]);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile([5, 1, 3], 50), 3);
    assert.equal(percentile([7], 99), 7);
  });

  it('is NaN for no values or an invalid p', () => {
    assert.ok(Number.isNaN(percentile([], 99)));
    assert.ok(Number.isNaN(percentile([1, 2], 0)));
    assert.ok(Number.isNaN(percentile([1, 2], 101)));
  });
});

describe('largestDivisorUpTo', () => {
  it('finds a divisor so SIPp flushes every rtt batch', () => {
    assert.equal(largestDivisorUpTo(5000, 100), 100);
    assert.equal(largestDivisorUpTo(450, 100), 90);
    assert.equal(largestDivisorUpTo(97, 100), 97);
    assert.equal(largestDivisorUpTo(101, 100), 1);
  });
});

describe('evaluateStep', () => {
  const criteria = { maxP99Ms: 50, minAchievedRatio: 0.9 };
  const run = (
    over: Partial<SippUacRun> = {},
    stats: Partial<NonNullable<SippUacRun['stats']>> = {},
  ): SippUacRun => ({
    stats: {
      created: 1000,
      successful: 1000,
      failed: 0,
      retransmissions: 0,
      elapsedS: 5,
      ...stats,
    },
    setupTimesMs: Array.from({ length: 1000 }, () => 4),
    exitCode: 0,
    timedOut: false,
    stderr: '',
    cpu: { processes: { generator: 40, target: 30 }, machinePct: 50, cores: 2 },
    ...over,
  });

  it('passes a clean run and reports its numbers', () => {
    const step = evaluateStep({ rate: 200, calls: 1000, run: run() }, criteria);
    assert.deepEqual(step, {
      rate: 200,
      attempted: 1000,
      successful: 1000,
      failed: 0,
      p99_ms: 4,
      achieved_cps: 200,
      passed: true,
      generator_cpu_pct: 40,
      target_cpu_pct: 30,
      machine_cpu_pct: 50,
      // 2 cores at 50 % = one core, of which SIPp took 0.4 and the target 0.3.
      others_cpu_pct: 30,
      saturated: [],
    });
  });

  it('names the side that ran out of CPU', () => {
    const busy = (generator: number, target: number, machinePct: number): string[] =>
      evaluateStep(
        {
          rate: 200,
          calls: 1000,
          run: run({ cpu: { processes: { generator, target }, machinePct, cores: 2 } }),
        },
        criteria,
      ).saturated;
    assert.deepEqual(busy(97, 40, 70), ['generator']);
    assert.deepEqual(busy(50, 99.5, 75), ['target']);
    assert.deepEqual(busy(95, 120, 96), ['generator', 'target', 'machine']);
    assert.deepEqual(busy(Number.NaN, Number.NaN, Number.NaN), []);
  });

  it('fails on failed calls, missing calls, a slow p99 and a low achieved rate', () => {
    const cases: Array<[SippUacRun, RegExp]> = [
      [run({}, { successful: 990, failed: 10 }), /10 calls failed/],
      [run({}, { created: 900, successful: 900 }), /900 of 1000 calls completed/],
      [
        run({
          setupTimesMs: [
            ...Array.from({ length: 980 }, () => 4),
            ...Array.from({ length: 20 }, () => 504),
          ],
        }),
        /p99 504 ms >= 50 ms/,
      ],
      [run({}, { elapsedS: 6 }), /achieved 167 calls\/s < 90 % of 200/],
      [run({ timedOut: true }), /overran/],
      [run({ stats: undefined }), /no statistics/],
      [run({ setupTimesMs: [] }), /no setup times/],
    ];
    for (const [r, reason] of cases) {
      const step = evaluateStep({ rate: 200, calls: 1000, run: r }, criteria);
      assert.equal(step.passed, false);
      assert.match(step.reason ?? '', reason);
    }
  });

  it('fails when the target died during the load', () => {
    const step = evaluateStep(
      { rate: 200, calls: 1000, run: run(), targetExit: 'exited (code 1)' },
      criteria,
    );
    assert.equal(step.passed, false);
    assert.match(step.reason ?? '', /target exited \(code 1\)/);
  });
});
