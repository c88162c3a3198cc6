import { saturatedSides } from './cpu.js';
import { percentile } from './percentile.js';
import type { SippUacRun } from './sipp-uac.js';
import type { CpsStep } from './types.js';

export interface StepCriteria {
  maxP99Ms: number;
  minAchievedRatio: number;
}

export interface StepInput {
  rate: number;
  /** Calls asked of SIPp (-m). */
  calls: number;
  run: SippUacRun;
  /** Set when the target process died during the load. */
  targetExit?: string;
}

/**
 * Turns one SIPp run into a step result. A step passes only when every asked
 * call completed, none failed, the 99th-percentile setup time is under the
 * bound and the achieved rate is close enough to the asked one; every unmet
 * condition is named in `reason`.
 */
/** CPU of every other process on the machine, % of one core (never below 0); NaN when unknown. */
function othersPct(machinePct: number, cores: number, ...ours: number[]): number {
  const total = (machinePct * cores) / 100;
  const value = ours.reduce((left, pct) => left - pct / 100, total);
  return Number.isFinite(value) ? Math.round(Math.max(0, value) * 1000) / 10 : Number.NaN;
}

export function evaluateStep(input: StepInput, criteria: StepCriteria): CpsStep {
  const { rate, calls, run } = input;
  const stats = run.stats;
  const attempted = stats?.created ?? 0;
  const successful = stats?.successful ?? 0;
  const failed = stats?.failed ?? 0;
  const p99 = percentile(run.setupTimesMs, 99);
  const achieved = stats !== undefined && stats.elapsedS > 0 ? successful / stats.elapsedS : 0;

  const reasons: string[] = [];
  if (input.targetExit !== undefined) reasons.push(`target ${input.targetExit} during the load`);
  if (run.timedOut) reasons.push('SIPp overran its time budget and was killed');
  if (stats === undefined) reasons.push('SIPp wrote no statistics');
  if (failed > 0) reasons.push(`${failed} calls failed`);
  if (successful < calls) reasons.push(`${successful} of ${calls} calls completed`);
  if (!(p99 < criteria.maxP99Ms)) {
    reasons.push(
      Number.isNaN(p99) ? 'no setup times recorded' : `p99 ${p99} ms >= ${criteria.maxP99Ms} ms`,
    );
  }
  if (achieved < criteria.minAchievedRatio * rate) {
    reasons.push(
      `achieved ${achieved.toFixed(0)} calls/s < ${Math.round(criteria.minAchievedRatio * 100)} % of ${rate}`,
    );
  }

  const generatorPct = run.cpu.processes.generator ?? Number.NaN;
  const targetPct = run.cpu.processes.target ?? Number.NaN;
  const step: CpsStep = {
    rate,
    attempted,
    successful,
    failed,
    p99_ms: p99,
    achieved_cps: Math.round(achieved * 10) / 10,
    passed: reasons.length === 0,
    generator_cpu_pct: generatorPct,
    target_cpu_pct: targetPct,
    machine_cpu_pct: run.cpu.machinePct,
    others_cpu_pct: othersPct(run.cpu.machinePct, run.cpu.cores, generatorPct, targetPct),
    saturated: saturatedSides(generatorPct, targetPct, run.cpu.machinePct),
  };
  if (reasons.length > 0) step.reason = reasons.join('; ');
  return step;
}
