// Unit tests of the statistics and decision parts of the media benchmark
// harness: percentiles, sequence tracking, the step rule, the ladder, the
// generator's pacing and the limit description.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateStep } from '../../../bench/media/evaluate.js';
import { bisectPoint, climb } from '../../../bench/media/ladder.js';
import { describeLimit } from '../../../bench/media/limit.js';
import { Pacer } from '../../../bench/media/pacer.js';
import { SeqTracker } from '../../../bench/media/seq-tracker.js';
import { median, percentile, ratio, round } from '../../../bench/media/stats.js';
import type { MediaStep } from '../../../bench/media/types.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('percentile', () => {
  it('uses the nearest rank and never interpolates', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 95), 95);
    assert.equal(percentile(new Float64Array([5, 1, 3]), 50), 3);
    assert.equal(median([4, 1, 3, 2]), 2);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.ok(Number.isNaN(percentile([1], 0)));
  });

  it('round and ratio', () => {
    assert.equal(round(1.23456, 2), 1.23);
    assert.ok(Number.isNaN(round(Number.NaN)));
    assert.equal(ratio(6, 3), 2);
    assert.ok(Number.isNaN(ratio(1, 0)));
  });
});

describe('SeqTracker', () => {
  it('counts gaps across the 16-bit wrap', () => {
    const t = new SeqTracker();
    for (const s of [65533, 65534, 65535, 0, 1, 3, 4]) t.push(s);
    assert.equal(t.received, 7);
    assert.equal(t.gaps, 1);
    assert.equal(t.reordered, 0);
  });

  it('a late packet fills the gap it left; repeats are duplicates', () => {
    const t = new SeqTracker();
    for (const s of [10, 12, 11, 12]) t.push(s);
    assert.equal(t.gaps, 0);
    assert.equal(t.reordered, 1);
    assert.equal(t.duplicates, 1);
  });

  it('resetCounts keeps the stream position', () => {
    const t = new SeqTracker();
    t.push(100);
    t.resetCounts();
    t.push(103);
    assert.equal(t.received, 1);
    assert.equal(t.gaps, 2);
  });
});

describe('evaluateStep', () => {
  const ok = {
    latenessP99Ms: 1,
    skippedTicks: 0,
    faults: 0,
    sent: [100, 100],
    received: [100, 100],
    gaps: [0, 0],
  };

  it('passes when on time and nothing is lost', () => {
    assert.deepEqual(evaluateStep(ok, { maxLatenessP99Ms: 5 }), {
      passed: true,
      reasons: [],
      lost: 0,
      gaps: 0,
    });
  });

  it('fails on each criterion, naming every one missed', () => {
    const v = evaluateStep(
      {
        ...ok,
        latenessP99Ms: 5,
        skippedTicks: 2,
        faults: 1,
        received: [98, 100],
        gaps: [2, 0],
      },
      { maxLatenessP99Ms: 5 },
    );
    assert.equal(v.passed, false);
    assert.equal(v.lost, 2);
    assert.equal(v.gaps, 2);
    assert.equal(v.reasons.length, 5);
    assert.match(v.reasons.join('|'), /lateness p99 5\.00 ms ≥ 5 ms/);
    assert.match(v.reasons.join('|'), /2 packets lost \(1 members\)/);
  });

  it('a missing report counts as loss', () => {
    const v = evaluateStep({ ...ok, received: [100] }, { maxLatenessP99Ms: 5 });
    assert.equal(v.passed, false);
    assert.equal(v.lost, 100);
  });
});

describe('ladder', () => {
  it('bisectPoint is a multiple of the quantum strictly between', () => {
    assert.equal(bisectPoint(600, 800, 5), 700);
    assert.equal(bisectPoint(500, 600, 5), 550);
    assert.equal(bisectPoint(600, 610, 5), 605);
    assert.equal(bisectPoint(600, 605, 5), undefined);
    assert.equal(bisectPoint(0, 50, 5), 25);
  });

  const fake = (limit: number, flaky = new Set<number>()) => {
    const runs: number[] = [];
    const run = async (members: number) => {
      runs.push(members);
      const passed =
        members <= limit && !(flaky.has(members) && runs.filter((m) => m === members).length === 1);
      return { members, passed };
    };
    return { runs, run };
  };

  it('stops at the first failure after a retry, then bisects once', async () => {
    const { runs, run } = fake(650);
    const out = await climb([100, 600, 800, 1000], run, { quantum: 5 });
    assert.deepEqual(runs, [100, 600, 800, 800, 700, 700]);
    assert.equal(out.best?.members, 600);
    assert.equal(out.failure?.members, 700);
  });

  it('a step that fails once and then passes counts as passed', async () => {
    const { runs, run } = fake(1000, new Set([600]));
    const out = await climb([100, 600], run, { retries: 1 });
    assert.deepEqual(runs, [100, 600, 600]);
    assert.equal(out.best?.members, 600);
    assert.equal(out.failure, undefined);
  });

  it('a passing bisection becomes the best', async () => {
    const { run } = fake(750);
    const out = await climb([600, 800], run, { retries: 0, quantum: 5 });
    assert.equal(out.best?.members, 700);
    assert.equal(out.failure?.members, 800);
  });
});

describe('Pacer', () => {
  it('runs sub-ticks on a drift-free schedule and catches up after a stall', () => {
    const clock = new ManualClock();
    const phases: number[] = [];
    const pacer = new Pacer({ clock, phases: 2, onSubTick: (p) => phases.push(p) });
    pacer.start();
    assert.deepEqual(phases, [0]);
    clock.advance(20);
    assert.deepEqual(phases, [0, 1, 0]);
    // A stall: the timer cannot fire for 50 ms; every due sub-tick still runs.
    const stalled = new ManualClock();
    const ticks: number[] = [];
    const p2 = new Pacer({ clock: stalled, onSubTick: (p) => ticks.push(p) });
    p2.start();
    stalled.advance(100);
    assert.equal(ticks.length, 6);
    const report = p2.report();
    assert.equal(report.ticks, 6);
    pacer.stop();
    p2.stop();
    clock.advance(100);
    assert.equal(phases.length, 3);
  });

  it('mark restarts the statistics', () => {
    const clock = new ManualClock();
    const pacer = new Pacer({ clock, onSubTick: () => undefined });
    pacer.start();
    clock.advance(200);
    pacer.mark();
    assert.deepEqual(pacer.report(), { ticks: 0, latenessP99Ms: 0, latenessMaxMs: 0 });
    clock.advance(40);
    assert.equal(pacer.report().ticks, 2);
    pacer.stop();
  });
});

describe('describeLimit', () => {
  const step = (over: Partial<MediaStep>): MediaStep => ({
    members: 700,
    rooms: 140,
    passed: false,
    reason: 'tick lateness p99 9.00 ms ≥ 5 ms',
    lateness_p50_ms: 0.5,
    lateness_p99_ms: 9,
    ticks: 400,
    skipped_ticks: 0,
    cpu_us_per_member_tick: 23,
    cpu_pct: 50,
    tick_share_pct: 34,
    generator_cpu_pct: 40,
    generator_lateness_p99_ms: 1,
    machine_busy_pct: 60,
    load_1m: 1,
    lost: 0,
    gaps: 0,
    inbound_concealed: 0,
    inbound_late: 0,
    bytes_per_member: 15000,
    rss_bytes_per_member: 20000,
    ...over,
  });

  it('names the saturated resource', () => {
    assert.match(
      describeLimit(undefined, step({ cpu_pct: 92 }), 2, 2000),
      /our process is CPU-bound: 92 %/,
    );
    assert.match(
      describeLimit(undefined, step({ machine_busy_pct: 97 }), 2, 2000),
      /machine is saturated \(97 % of 2 cores/,
    );
    assert.match(describeLimit(undefined, step({}), 2, 2000), /event-loop scheduling/);
  });

  it('says when the ladder never failed', () => {
    assert.match(describeLimit(step({ passed: true }), undefined, 2, 2000), /not reached/);
  });
});
