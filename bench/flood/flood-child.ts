/**
 * Runs the hostile sender (flooder.ts) as a child process, tracked by its
 * process group (bench/cps/child.ts: killed on stop, and when this process
 * exits or is interrupted), and hands back its START/STOP times and its
 * report.
 */
import { join } from 'node:path';
import { spawnTracked, type TrackedChild } from '../cps/child.js';
import { REPO_ROOT } from '../cps/peers.js';
import type { FloodJob, FloodReport } from './flooder.js';

const FLOODER = join(REPO_ROOT, 'bench', 'flood', 'flooder.ts');

export interface RunningFlood {
  child: TrackedChild;
  /** Epoch ms of the first datagram. */
  started: Promise<number>;
  /** Epoch ms after the last datagram. */
  stopped: Promise<number>;
  /** The report, once the sender has drained and exited; rejects when it exits without one. */
  report: Promise<FloodReport>;
}

export function startFlood(job: FloodJob): RunningFlood {
  let onStart: (at: number) => void = () => undefined;
  let onStop: (at: number) => void = () => undefined;
  let report: FloodReport | undefined;
  const child = spawnTracked([process.execPath, '--import', 'tsx', FLOODER, JSON.stringify(job)], {
    cwd: REPO_ROOT,
    onStdoutLine: (line) => {
      const [word, rest] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      if (word === 'START') onStart(Number(rest));
      else if (word === 'STOP') onStop(Number(rest));
      else if (word === 'DONE') report = JSON.parse(rest) as FloodReport;
    },
  });
  const exitedWithout = (what: string) =>
    child.exited.then((status) => {
      throw new Error(
        `flooder exited (${status.code ?? status.signal}) before ${what}: ${child.stderrTail()}`,
      );
    });
  const started = Promise.race([
    new Promise<number>((resolve) => (onStart = resolve)),
    exitedWithout('it started'),
  ]);
  const stopped = Promise.race([
    new Promise<number>((resolve) => (onStop = resolve)),
    exitedWithout('it stopped sending'),
  ]);
  const done = child.exited.then((status) => {
    if (status.code !== 0 || report === undefined) {
      throw new Error(
        `flooder exited (${status.code ?? status.signal}) without a report: ${child.stderrTail()}`,
      );
    }
    return report;
  });
  // Whoever awaits only some of these must not leave the others unhandled.
  for (const p of [started, stopped, done]) p.catch(() => undefined);
  return { child, started, stopped, report: done };
}
