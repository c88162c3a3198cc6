/**
 * How long the machine waited on its disk during a step, from the kernel's
 * pressure stall information (/proc/pressure/io, Linux ≥ 4.20 with PSI):
 * `some` is the time at least one task was stalled on I/O, `full` the
 * time every runnable task was. The server's own WAL syncs show in `some`
 * (a task waits while each flush runs); a stall of the shared disk, which
 * holds the syncs of a round for tens to hundreds of ms, shows in both —
 * that is what tells a round that measured the disk from one that
 * measured the server (README "Benchmarks → API": rounds of 100–837 ms
 * p99 on both sides of every A/B). Reported beside each step, never a
 * pass/fail criterion.
 */
import { readFileSync } from 'node:fs';

/** Cumulative stall time, µs, as the kernel counts it. */
export interface IoPressure {
  someUs: number;
  fullUs: number;
}

/** The counters now; undefined where the kernel has no PSI. */
export function readIoPressure(path = '/proc/pressure/io'): IoPressure | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const total = (kind: string): number => {
    const m = new RegExp(`^${kind} .*\\btotal=(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  const p = { someUs: total('some'), fullUs: total('full') };
  return Number.isFinite(p.someUs) && Number.isFinite(p.fullUs) ? p : undefined;
}

/** Stall ms between two readings: [some, full]; NaN where unknown. */
export function ioStallMs(
  a: IoPressure | undefined,
  b: IoPressure | undefined,
): { some: number; full: number } {
  if (!a || !b) return { some: Number.NaN, full: Number.NaN };
  return {
    some: Math.round((b.someUs - a.someUs) / 1000),
    full: Math.round((b.fullUs - a.fullUs) / 1000),
  };
}
