import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateStep, type StepCriteria } from './evaluate.js';
import { REPO_ROOT, UAC_SCENARIO, sippUasTarget } from './peers.js';
import { runSippUac } from './sipp-uac.js';
import { describeExit, startTarget, type RunningTarget } from './target.js';
import type { CpsOptions, CpsResult, CpsStep, CpsTarget } from './types.js';

/** Asked rates in calls per second, stepped up until one fails. */
export const DEFAULT_RATES: readonly number[] = [
  100, 200, 400, 800, 1200, 1600, 2400, 3200, 4800, 6400, 8000, 10000,
];

/**
 * Warm-up: 3000 calls at 1000/s (3 s) on every fresh target before the
 * measured load. A JIT needs that long to optimise the hot paths: with the
 * earlier 200 calls at 400/s, Partyline's first half second at 5600/s ran
 * unoptimised code and showed setup times of 50–110 ms, then 4–12 ms once
 * optimised, so the step measured start-up rather than the capacity a
 * long-running server has. 1000/s is below every target's capacity, so the
 * warm-up itself never stresses one.
 */
const WARMUP_RATE = 1000;
const WARMUP_CALLS = 3000;

/**
 * Finds the highest call-setup rate `target` sustains.
 *
 * Each step starts the target afresh on a free port, optionally warms it up
 * (lets a JIT compile the hot paths, so the first step is not judged on a cold
 * process), then has SIPp place rate × seconds calls (bench/sipp/uac-cps.xml)
 * and stops the target. A fresh process per step makes each step independent
 * of the ones before it: SIP keeps state for up to 32 s after a call (INVITE
 * server transactions, RFC 3261 §17.2.1 Timer H/L; dialog 2xx retransmission
 * windows), so a process kept across steps would be judged at rate N while
 * still carrying the timers of rate N-1.
 *
 * Rates are tried in ascending order until the first step fails; then, with
 * `bisect`, one more step halfway between the last pass and that failure.
 * A failing step is repeated (`retries`, default once) before it counts as a
 * failure: on a shared 2-core machine one scheduling hiccup of a few tens of
 * milliseconds delays every call placed during it, which at thousands of
 * calls per second is more than 1 % of a step's calls and so decides its p99.
 * A real limit fails again; a hiccup does not.
 * SIPp and the target share this machine's cores, so on a small machine the
 * result is a property of the pair; `measureSippCeiling` shows where SIPp
 * itself stops.
 *
 * Every child (target, SIPp) is killed by its process-group id before this
 * returns or throws, and the work directory under os.tmpdir() is removed.
 * Throws when the target cannot be started at all.
 */
export async function measureCps(target: CpsTarget, opts: CpsOptions = {}): Promise<CpsResult> {
  const rates = [...(opts.rates ?? DEFAULT_RATES)].sort((a, b) => a - b);
  const seconds = opts.secondsPerStep ?? 5;
  const criteria: StepCriteria = {
    maxP99Ms: opts.maxP99Ms ?? 50,
    minAchievedRatio: opts.minAchievedRatio ?? 0.9,
  };
  const warmupCalls = opts.warmupCalls ?? WARMUP_CALLS;
  const log = opts.log ?? (() => undefined);
  if (!(seconds > 0)) throw new Error(`secondsPerStep must be positive, got ${seconds}`);
  if (rates.some((r) => !Number.isInteger(r) || r <= 0)) {
    throw new Error(`rates must be positive integers, got ${rates.join(', ')}`);
  }

  const workRoot = await mkdtemp(join(tmpdir(), 'partyline-cps-'));
  const steps: CpsStep[] = [];
  const retries = opts.retries ?? 1;
  /** One rate: the first passing attempt, or the last failing one after `retries` repeats. */
  const runStep = async (rate: number): Promise<CpsStep> => {
    for (let attempt = 0; ; attempt++) {
      const step = await measureStep(target, rate, seconds, warmupCalls, criteria, workRoot);
      steps.push(step);
      log(formatStep(target.name, step));
      if (step.passed || attempt >= retries) return step;
    }
  };

  try {
    let best: CpsStep | undefined;
    let firstFail: CpsStep | undefined;
    for (const rate of rates) {
      const step = await runStep(rate);
      if (!step.passed) {
        firstFail = step;
        break;
      }
      best = step;
    }
    if ((opts.bisect ?? true) && best !== undefined && firstFail !== undefined) {
      const mid = roundRate((best.rate + firstFail.rate) / 2);
      if (mid > best.rate && mid < firstFail.rate) {
        const step = await runStep(mid);
        if (step.passed) best = step;
      }
    }
    return {
      name: target.name,
      cps_max: best?.rate ?? 0,
      p99_ms_at_max: best?.p99_ms ?? Number.NaN,
      steps,
    };
  } finally {
    await rm(workRoot, { recursive: true, force: true });
  }
}

/** The "SIPp answers SIPp" ceiling: what this machine and SIPp sustain with no real UA in the loop. */
export function measureSippCeiling(opts: CpsOptions = {}): Promise<CpsResult> {
  return measureCps(sippUasTarget(), opts);
}

async function measureStep(
  target: CpsTarget,
  rate: number,
  seconds: number,
  warmupCalls: number,
  criteria: StepCriteria,
  workRoot: string,
): Promise<CpsStep> {
  const calls = Math.max(1, Math.round(rate * seconds));
  const stepDir = await mkdtemp(join(workRoot, `rate-${rate}-`));
  let running: RunningTarget | undefined;
  try {
    running = await startTarget(target, REPO_ROOT);
    if (warmupCalls > 0) {
      const warmupDir = await mkdtemp(join(stepDir, 'warmup-'));
      await runSippUac({
        scenario: UAC_SCENARIO,
        targetPort: running.port,
        rate: Math.min(WARMUP_RATE, warmupCalls),
        calls: warmupCalls,
        workDir: warmupDir,
      });
    }
    const run = await runSippUac({
      scenario: UAC_SCENARIO,
      targetPort: running.port,
      rate,
      calls,
      workDir: stepDir,
    });
    if (run.stats === undefined && !run.timedOut) {
      // SIPp did not get as far as placing calls: a harness or machine
      // problem (e.g. a port taken), not a property of the target.
      throw new Error(
        `SIPp failed at ${rate} calls/s (exit ${run.exitCode}): ${run.stderr.trim()}`,
      );
    }
    const died = running.child.exitStatus() !== undefined;
    return evaluateStep(
      {
        rate,
        calls,
        run,
        targetExit: died ? `exited (${describeExit(running.child)})` : undefined,
      },
      criteria,
    );
  } finally {
    await running?.child.stop();
    await rm(stepDir, { recursive: true, force: true });
  }
}

/** Rounds a bisected rate to a multiple of 100 (50 below 1000) so reports stay readable. */
function roundRate(rate: number): number {
  const unit = rate < 1000 ? 50 : 100;
  return Math.round(rate / unit) * unit;
}

export function formatStep(name: string, s: CpsStep): string {
  const p99 = Number.isNaN(s.p99_ms) ? '-' : `${s.p99_ms} ms`;
  const verdict = s.passed ? 'pass' : `FAIL (${s.reason ?? ''})`;
  return (
    `${name} @ ${s.rate}/s: ${s.successful}/${s.attempted} ok, ${s.failed} failed, ` +
    `p99 ${p99}, achieved ${s.achieved_cps}/s: ${verdict}`
  );
}
