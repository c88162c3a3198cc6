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

  const step: CpsStep = {
    rate,
    attempted,
    successful,
    failed,
    p99_ms: p99,
    achieved_cps: Math.round(achieved * 10) / 10,
    passed: reasons.length === 0,
  };
  if (reasons.length > 0) step.reason = reasons.join('; ');
  return step;
}
