// The ladder's rates and the trust put in the ratios computed from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ladderRates } from '../../../bench/cps/measure.js';
import { cpsRatio, cpsSummary, formatCpsMax, isLowerBound } from '../../../bench/cps/ratio.js';
import type { CpsResult } from '../../../bench/cps/types.js';

describe('ladderRates', () => {
  it('rises geometrically in readable steps', () => {
    assert.deepEqual(
      ladderRates(2000, 1.5, 12),
      [2000, 3000, 4500, 6800, 10100, 15200, 22800, 34200, 51300, 76900, 115300, 173000],
    );
    assert.deepEqual(ladderRates(1000, 2, 4), [1000, 2000, 4000, 8000]);
  });

  it('never repeats a rate and refuses a ladder that does not rise', () => {
    // 100, 110, 121, 133 rounded to multiples of 50: the repeats are dropped.
    assert.deepEqual(ladderRates(100, 1.1, 4), [100, 150]);
    assert.throws(() => ladderRates(1000, 1, 5), /bad ladder/);
    assert.throws(() => ladderRates(0, 2, 5), /bad ladder/);
    assert.throws(() => ladderRates(1000, 2, 0), /bad ladder/);
  });
});

const result = (name: string, cps: number, over: Partial<CpsResult> = {}): CpsResult => ({
  name,
  cps_max: cps,
  p99_ms_at_max: 8,
  capped: false,
  limited_by: ['target'],
  steps: [],
  ...over,
});

describe('cpsRatio', () => {
  it('is exact when both targets failed on their own', () => {
    assert.deepEqual(cpsRatio(result('a', 9000), result('b', 12000)), {
      ratio: 0.75,
      kind: 'exact',
    });
  });

  it('is a bound when a side never failed or was stopped by the generator', () => {
    const capped = result('a', 15200, { capped: true, limited_by: undefined });
    const bySipp = result('b', 10100, { limited_by: ['generator', 'machine'] });
    assert.equal(isLowerBound(capped), true);
    assert.equal(isLowerBound(bySipp), true);
    assert.equal(cpsRatio(capped, result('c', 7600)).kind, 'lower_bound');
    assert.equal(cpsRatio(result('c', 7600), bySipp).kind, 'upper_bound');
    assert.equal(cpsRatio(capped, bySipp).kind, 'unknown');
    assert.equal(formatCpsMax(capped), '>=15200');
    assert.equal(cpsRatio(result('a', 1), result('z', 0)).ratio, 0);
  });
});

describe('cpsSummary', () => {
  it('writes Partyline against each peer measured, with the kind of each ratio', () => {
    const summary = cpsSummary([
      result('partyline', 10100),
      result('sipgo', 15200, { capped: true, limited_by: undefined }),
      result('sipp-uas', 22800, { limited_by: ['generator'] }),
    ]);
    assert.deepEqual(summary, {
      cps_max: 10100,
      cps_max_is_lower_bound: false,
      cps_p99_ms_at_max: 8,
      cps_ratio_vs_sipgo: 0.66,
      cps_ratio_vs_sipgo_kind: 'upper_bound',
      cps_ratio_vs_sipp: 0.44,
      cps_ratio_vs_sipp_kind: 'upper_bound',
    });
    assert.deepEqual(cpsSummary([result('sipgo', 1)]), {});
  });
});
