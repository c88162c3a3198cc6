import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateStep, type StepCriteria } from './evaluate.js';
import { REPO_ROOT, UAC_SCENARIO, sippUasTarget } from './peers.js';
import { runSippUac } from './sipp-uac.js';
import { describeExit, startTarget, type RunningTarget } from './target.js';
import type { CpsOptions, CpsResult, CpsStep, CpsTarget } from './types.js';

/** The default ladder: from 2000 calls/s, × 1.5 per step, at most 12 rates (2000 … 173 000). */
export const DEFAULT_START_RATE = 2000;
export const DEFAULT_FACTOR = 1.5;
export const DEFAULT_MAX_STEPS = 12;
/** Wall time of a whole ladder (every target) before no new rate is started, s. */
export const DEFAULT_BUDGET_S = 180;

/**
 * Warm-up: 3000 calls at 2000/s (1.5 s) on every fresh target before the
 * measured load. A JIT needs that many calls to optimise the hot paths: with
 * an earlier 200 calls at 400/s, Partyline's first half second at 5600/s ran
 * unoptimised code and showed setup times of 50–110 ms, then 4–12 ms once
 * optimised, so the step measured start-up rather than the capacity a
 * long-running server has. 2000/s is below every target's capacity (the
 * slowest, the npm `sip` peer, passed 4800/s), so the warm-up itself never
 * stresses one, and it is the ladder's first rate.
 */
const WARMUP_RATE = 2000;
const WARMUP_CALLS = 3000;

/**
 * The default rates: `start` × `factor`^i for i < maxSteps, rounded to a
 * multiple of 100 (50 below 1000) so reports stay readable.
 */
export function ladderRates(start: number, factor: number, maxSteps: number): number[] {
  if (!(start > 0) || !(factor > 1) || !Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new Error(`bad ladder: start ${start}, factor ${factor}, maxSteps ${maxSteps}`);
  }
  const rates: number[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const rate = roundRate(start * factor ** i);
    if (rate > (rates[rates.length - 1] ?? 0)) rates.push(rate);
  }
  return rates;
}

/**
 * Finds the highest call-setup rate each target sustains, on one ladder.
 *
 * The rates rise (by default geometrically, see ladderRates) until every
 * target has failed a step; a target that failed leaves the ladder and the
 * others go on, so the ratios between them come from true maxima rather than
 * from a grid that stopped while all of them still passed. Each rate is
 * tried on every target still in, one after the other (never side by side:
 * they would share the cores). The ladder stops early only at its last rate
 * or when its time budget is spent (checked before each new rate); the
 * targets still passing then are `capped` — their cps_max is a lower bound.
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
 * A failing step is repeated (`retries`, default once) before it counts as a
 * failure: on a shared 2-core machine one scheduling hiccup of a few tens of
 * milliseconds delays every call placed during it, which at thousands of
 * calls per second is more than 1 % of a step's calls and so decides its p99.
 * A real limit fails again; a hiccup does not. Then, with `bisect`, one more
 * step halfway between the target's last pass and that failure.
 *
 * SIPp and the target share this machine's cores, and SIPp is one thread:
 * every step records the CPU of both and of the machine, and the failing
 * step that ends a target's ladder names what saturated (`limited_by`). A
 * target limited by the generator was not measured to its end either.
 *
 * Every child (target, SIPp) is killed by its process-group id before this
 * returns or throws, and the work directory under os.tmpdir() is removed.
 * Throws when a target cannot be started at all.
 */
export async function measureLadder(
  targets: readonly CpsTarget[],
  opts: CpsOptions = {},
): Promise<CpsResult[]> {
  const rates = [
    ...(opts.rates ??
      ladderRates(
        opts.startRate ?? DEFAULT_START_RATE,
        opts.factor ?? DEFAULT_FACTOR,
        opts.maxSteps ?? DEFAULT_MAX_STEPS,
      )),
  ].sort((a, b) => a - b);
  const seconds = opts.secondsPerStep ?? 3;
  const budgetMs = (opts.budgetSeconds ?? DEFAULT_BUDGET_S) * 1000;
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
  const retries = opts.retries ?? 1;
  const started = performance.now();
  const ladders = targets.map((target) => new TargetLadder(target));
  /** One rate: the first passing attempt, or the last failing one after `retries` repeats. */
  const runStep = async (ladder: TargetLadder, rate: number): Promise<CpsStep> => {
    for (let attempt = 0; ; attempt++) {
      const step = await measureStep(ladder.target, rate, seconds, warmupCalls, criteria, workRoot);
      ladder.steps.push(step);
      log(formatStep(ladder.target.name, step));
      if (step.passed || attempt >= retries) return step;
    }
  };

  try {
    for (const rate of rates) {
      const climbing = ladders.filter((l) => l.firstFail === undefined);
      if (climbing.length === 0) break;
      if (performance.now() - started > budgetMs) {
        log(`ladder budget of ${budgetMs / 1000} s spent before ${rate}/s: stopping`);
        break;
      }
      for (const ladder of climbing) {
        const step = await runStep(ladder, rate);
        if (step.passed) {
          ladder.best = step;
          continue;
        }
        ladder.firstFail = step;
        if ((opts.bisect ?? true) && ladder.best !== undefined) {
          const mid = roundRate((ladder.best.rate + step.rate) / 2);
          if (mid > ladder.best.rate && mid < step.rate) {
            const bisected = await runStep(ladder, mid);
            if (bisected.passed) ladder.best = bisected;
            else ladder.firstFail = bisected;
          }
        }
      }
    }
    return ladders.map((l) => l.result());
  } finally {
    await rm(workRoot, { recursive: true, force: true });
  }
}

/** One target's way up the ladder. */
class TargetLadder {
  readonly steps: CpsStep[] = [];
  best: CpsStep | undefined;
  /** The failing step that ended its ladder (the bisected one when that failed too). */
  firstFail: CpsStep | undefined;

  constructor(readonly target: CpsTarget) {}

  result(): CpsResult {
    const r: CpsResult = {
      name: this.target.name,
      cps_max: this.best?.rate ?? 0,
      p99_ms_at_max: this.best?.p99_ms ?? Number.NaN,
      capped: this.firstFail === undefined,
      steps: this.steps,
    };
    if (this.firstFail !== undefined) r.limited_by = this.firstFail.saturated;
    return r;
  }
}

/** measureLadder for one target. */
export async function measureCps(target: CpsTarget, opts: CpsOptions = {}): Promise<CpsResult> {
  const [result] = await measureLadder([target], opts);
  return result;
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
      watch: { target: running.child.pid },
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
  const saturated = s.saturated.length > 0 ? `, saturated: ${s.saturated.join('+')}` : '';
  return (
    `${name} @ ${s.rate}/s: ${s.successful}/${s.attempted} ok, ${s.failed} failed, ` +
    `p99 ${p99}, achieved ${s.achieved_cps}/s, CPU SIPp ${s.generator_cpu_pct} % ` +
    `target ${s.target_cpu_pct} % others ${s.others_cpu_pct} % machine ${s.machine_cpu_pct} %` +
    `${saturated}: ${verdict}`
  );
}
