/**
 * The machine is shared: other people's test runs can take both cores in
 * the middle of a step, and a p99 of a few milliseconds then measures them,
 * not us. So each step also records how much CPU went to processes that
 * are not part of the benchmark — every core's busy time (/proc/stat) minus
 * the CPU of the benchmark's own processes (/proc/<pid>/stat) — and a step
 * that failed while others took more than OTHERS_LIMIT_PCT of a core is run
 * again, up to MAX_CONTENDED_REPEATS times, before its failure counts. The
 * repeats are kept in the results, marked `contended`.
 */
import { coreCount, readCpuTimes, type CpuTimes } from '../media/machine.js';
import { round } from '../media/stats.js';
import { procCpuMs } from './server.js';

/** % of one core taken by other processes above which a failed step is repeated. */
export const OTHERS_LIMIT_PCT = 25;
export const MAX_CONTENDED_REPEATS = 2;

export interface CpuSample {
  at: number;
  machine: CpuTimes | undefined;
  /** CPU ms of each benchmark process so far. */
  ours: number;
}

/** A sample of the machine and of the benchmark's processes (this one and `pids`). */
export function sampleCpu(pids: readonly number[]): CpuSample {
  let ours = 0;
  for (const pid of [process.pid, ...pids]) {
    const ms = procCpuMs(pid);
    if (Number.isFinite(ms)) ours += ms;
  }
  return { at: performance.now(), machine: readCpuTimes(), ours };
}

/** CPU of processes outside the benchmark between two samples, % of one core; NaN when unknown. */
export function othersPercent(a: CpuSample | undefined, b: CpuSample | undefined): number {
  if (!a || !b || !a.machine || !b.machine || b.machine.total <= a.machine.total) return Number.NaN;
  const wallMs = b.at - a.at;
  if (!(wallMs > 0)) return Number.NaN;
  const machinePct =
    (100 * coreCount() * (b.machine.busy - a.machine.busy)) / (b.machine.total - a.machine.total);
  const oursPct = (100 * (b.ours - a.ours)) / wallMs;
  return round(Math.max(0, machinePct - oursPct), 1);
}

/**
 * Runs `run` until it passes, or fails while the machine was not contended,
 * or has been repeated MAX_CONTENDED_REPEATS times for contention. Every
 * attempt goes to `record`; the last one is returned. `evenIfPassed`: a
 * contended attempt is repeated whether it passed or not — for a figure
 * that is reported as measured (a headline), not only judged pass/fail.
 */
export async function repeatWhileContended<
  S extends { passed: boolean; others_cpu_pct: number; contended?: boolean },
>(
  run: () => Promise<S>,
  record: (step: S) => void,
  { evenIfPassed = false }: { evenIfPassed?: boolean } = {},
): Promise<S> {
  for (let i = 0; ; i++) {
    const step = await run();
    step.contended = step.others_cpu_pct > OTHERS_LIMIT_PCT;
    record(step);
    const settled = step.passed && !evenIfPassed;
    if (settled || !step.contended || i >= MAX_CONTENDED_REPEATS) return step;
  }
}
