/**
 * How busy the whole machine is (every process, not only ours): the
 * aggregate "cpu" line of /proc/stat (proc(5)), sampled at both ends of a
 * window. On a machine shared with other work this tells "our process ran
 * out of CPU" apart from "the machine did".
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface CpuTimes {
  /** Jiffies spent doing anything but idle and iowait, all cores. */
  busy: number;
  total: number;
}

/** The aggregate cpu line of /proc/stat; undefined when absent or malformed. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time
  // is already counted in user and nice, so only the first eight are summed.
  if (fields.length < 4 || fields.slice(0, 8).some((v) => !Number.isFinite(v))) return undefined;
  const first = fields.slice(0, 8);
  const total = first.reduce((a, b) => a + b, 0);
  const idle = first[3] + (first[4] ?? 0);
  return { busy: total - idle, total };
}

export function readCpuTimes(): CpuTimes | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Share of all cores busy between two samples, %; NaN when unknown. */
export function busyPercent(a: CpuTimes | undefined, b: CpuTimes | undefined): number {
  if (!a || !b || b.total <= a.total) return Number.NaN;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}

export function loadAverage(): number[] {
  return loadavg().map((v) => Math.round(v * 100) / 100);
}

export function coreCount(): number {
  return cpus().length;
}

/** Our process's CPU time so far (user + system), µs. */
export function processCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Runs a full garbage collection when the process was started with --expose-gc. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

/** The bytes a per-member memory figure is made of: JS heap in use plus off-heap (Buffers, typed arrays). */
export function heapBytes(): { heapPlusExternal: number; rss: number } {
  const m = process.memoryUsage();
  return { heapPlusExternal: m.heapUsed + m.external, rss: m.rss };
}

/** CPU time (user + system) of process `pid` so far, ms, from /proc/<pid>/stat; NaN when gone. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name: utime is field 14, stime 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux Node runs on. */
const CLOCK_TICKS = 100;
