/**
 * What stopped the ladder, in words, from the failing step's own numbers:
 * which criterion failed, and whether CPU was short — for our process
 * (Node runs the mixer on one thread: ~100 % of a core is its ceiling) or
 * for the machine (the generator and other work share its cores).
 */
import type { MediaStep } from './types.js';

/**
 * Our process at this average share of one core has no CPU left to keep
 * ticks on time: the load is bursty within each 20 ms (a batch of packets
 * arrives, a tick runs), so the bursts saturate the thread well before the
 * average reaches 100 %.
 */
const PROCESS_SATURATED_PCT = 75;
/** The machine at this share of all its cores leaves our process waiting for a core. */
const MACHINE_SATURATED_PCT = 90;

export function describeLimit(
  best: MediaStep | undefined,
  failure: MediaStep | undefined,
  cores: number,
  ladderTop: number,
): string {
  if (!failure) {
    return best
      ? `not reached: the largest step tried (${ladderTop} members) passed`
      : 'no step was run';
  }
  const causes: string[] = [];
  if (failure.cpu_pct >= PROCESS_SATURATED_PCT) {
    causes.push(
      `our process is CPU-bound: ${failure.cpu_pct} % of one core on average (the mixer runs on ` +
        `one thread, and each tick competes with the batch of ${failure.members} packets ` +
        `received per 20 ms; ${failure.tick_share_pct} % of our CPU is in ticks)`,
    );
  }
  if (failure.machine_busy_pct >= MACHINE_SATURATED_PCT) {
    causes.push(
      `the machine is saturated (${failure.machine_busy_pct} % of ${cores} cores busy, ` +
        `the load generator alone ${failure.generator_cpu_pct} % of a core, load ${failure.load_1m})`,
    );
  }
  if (failure.generator_lateness_p99_ms >= 5) {
    causes.push(
      `the generator itself ran late (pacing p99 ${failure.generator_lateness_p99_ms} ms), ` +
        `so its packets arrived in bursts`,
    );
  }
  if (causes.length === 0) {
    causes.push(
      `CPU was not saturated (us ${failure.cpu_pct} % of a core, machine ` +
        `${failure.machine_busy_pct} %): event-loop scheduling — the tick waits behind socket ` +
        `events queued before it (${failure.tick_share_pct} % of our CPU is in ticks)`,
    );
  }
  return `${failure.members} members failed: ${failure.reason ?? 'criteria not met'}; ${causes.join('; ')}`;
}
