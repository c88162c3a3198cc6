/**
 * CPU of the processes of one CPS step while its load runs: the load
 * generator (SIPp's UAC), the target, and the whole machine. A step that
 * fails is only a measurement of the target when the target, not SIPp, ran
 * out of CPU: SIPp is one thread, and once it takes a whole core it cannot
 * place calls any faster, whatever answers them.
 *
 * Each process is sampled from /proc/<pid>/stat every SAMPLE_MS. A process
 * that has exited can no longer be read (Node reaps it at once), so the last
 * sample taken while it ran closes its window: the figure is the mean over
 * the sampled window, which covers the whole load for SIPp within one
 * sample period.
 */
import {
  busyPercent,
  coreCount,
  procCpuMs,
  readCpuTimes,
  type CpuTimes,
} from '../media/machine.js';
import { round } from '../media/stats.js';

const SAMPLE_MS = 200;

/** At or above this share of one core a single-threaded process counts as saturated. */
export const SATURATED_PCT = 90;

interface Mark {
  at: number;
  cpuMs: number;
}

interface ProcessWindow {
  first: Mark | undefined;
  last: Mark | undefined;
}

export interface CpuWatch {
  /** Stops sampling; % of one core per watched name (NaN when never read), and the machine's busy share of all cores. */
  stop(): CpuReading;
}

export interface CpuReading {
  /** % of one core over the sampled window, per name given to watchCpu. */
  processes: Record<string, number>;
  /** Busy share of all cores (every process on the machine), %. */
  machinePct: number;
  cores: number;
}

/** Samples the CPU of each named pid (and of the machine) until stop(). */
export function watchCpu(pids: Record<string, number>): CpuWatch {
  const windows = new Map<string, ProcessWindow>();
  for (const name of Object.keys(pids)) windows.set(name, { first: undefined, last: undefined });
  const sample = (): void => {
    const at = performance.now();
    for (const [name, pid] of Object.entries(pids)) {
      const cpuMs = procCpuMs(pid);
      if (!Number.isFinite(cpuMs)) continue;
      const w = windows.get(name)!;
      w.first ??= { at, cpuMs };
      w.last = { at, cpuMs };
    }
  };
  const machineStart: CpuTimes | undefined = readCpuTimes();
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();
  return {
    stop(): CpuReading {
      clearInterval(timer);
      sample();
      const processes: Record<string, number> = {};
      for (const [name, w] of windows) processes[name] = windowPercent(w);
      return {
        processes,
        machinePct: round(busyPercent(machineStart, readCpuTimes()), 1),
        cores: coreCount(),
      };
    },
  };
}

function windowPercent(w: ProcessWindow): number {
  if (!w.first || !w.last || !(w.last.at > w.first.at)) return Number.NaN;
  return round((100 * (w.last.cpuMs - w.first.cpuMs)) / (w.last.at - w.first.at), 1);
}

/** Which side of a step ran out of CPU (none, one or several), from its readings. */
export function saturatedSides(
  generatorPct: number,
  targetPct: number,
  machinePct: number,
): ('generator' | 'target' | 'machine')[] {
  const sides: ('generator' | 'target' | 'machine')[] = [];
  if (generatorPct >= SATURATED_PCT) sides.push('generator');
  if (targetPct >= SATURATED_PCT) sides.push('target');
  if (machinePct >= SATURATED_PCT) sides.push('machine');
  return sides;
}
