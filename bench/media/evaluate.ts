/**
 * The pass rule of one step of the concurrent-members ladder: the mixer
 * kept time (tick lateness p99 under the bound, no tick skipped, no tick
 * fault) and lost no frame (every packet each member's stream sent reached
 * the generator, with no gap in its sequence numbers).
 */

export interface StepCriteria {
  /** Tick lateness p99 must be strictly below this, ms (default 5). */
  maxLatenessP99Ms: number;
}

export interface StepObservation {
  latenessP99Ms: number;
  skippedTicks: number;
  faults: number;
  /** Per member: audio packets its stream sent, and what the generator received of them. */
  sent: readonly number[];
  received: readonly number[];
  /** Per member: sequence numbers missing at the generator. */
  gaps: readonly number[];
}

export interface StepVerdict {
  passed: boolean;
  /** Every criterion missed, in words; empty when passed. */
  reasons: string[];
  /** Packets sent but not received, summed over members. */
  lost: number;
  gaps: number;
}

export function evaluateStep(o: StepObservation, c: StepCriteria): StepVerdict {
  const reasons: string[] = [];
  if (!(o.latenessP99Ms < c.maxLatenessP99Ms)) {
    reasons.push(`tick lateness p99 ${o.latenessP99Ms.toFixed(2)} ms ≥ ${c.maxLatenessP99Ms} ms`);
  }
  if (o.skippedTicks > 0) reasons.push(`${o.skippedTicks} mixer ticks skipped`);
  if (o.faults > 0) reasons.push(`${o.faults} mixer tick faults`);
  let lost = 0;
  let short = 0;
  let gaps = 0;
  if (o.sent.length !== o.received.length) {
    reasons.push(`${o.received.length} generator reports for ${o.sent.length} members`);
  }
  for (let i = 0; i < o.sent.length; i++) {
    const missing = o.sent[i] - (o.received[i] ?? 0);
    if (missing > 0) {
      lost += missing;
      short++;
    }
    gaps += o.gaps[i] ?? 0;
  }
  if (lost > 0) reasons.push(`${lost} packets lost (${short} members)`);
  if (gaps > 0) reasons.push(`${gaps} sequence gaps`);
  return { passed: reasons.length === 0, reasons, lost, gaps };
}
