import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTracked } from './child.js';
import { watchCpu, type CpuReading } from './cpu.js';
import { freeUdpPortPair, freeUdpPorts } from './ports.js';
import { parseRttFile, parseStatFile, type SippStatSummary } from './sipp-stats.js';

/** The response-time counter the UAC scenario starts at the INVITE and stops at the 200. */
export const SETUP_RTD = 'setup';

export interface SippUacRun {
  /** Cumulative counters from SIPp's statistics file; undefined if it wrote none. */
  stats: SippStatSummary | undefined;
  /** INVITE-to-200 times of the successful calls, in ms (SIPp's resolution is 1 ms). */
  setupTimesMs: number[];
  exitCode: number | null;
  /** True when the harness had to kill SIPp because it overran its time budget. */
  timedOut: boolean;
  stderr: string;
  /**
   * CPU while SIPp ran: `generator` (SIPp itself) and every pid of
   * SippUacOptions.watch, % of one core, and the machine's busy share.
   */
  cpu: CpuReading;
}

export interface SippUacOptions {
  /** Path of the UAC scenario (bench/sipp/uac-cps.xml). */
  scenario: string;
  targetPort: number;
  rate: number;
  calls: number;
  /** An empty directory SIPp runs in; its trace files are written there. */
  workDir: string;
  /** Other processes whose CPU is read over the same window as SIPp's (name → pid), e.g. the target. */
  watch?: Record<string, number>;
}

/** Seconds SIPp may run beyond the load itself: the scenario's 5 s receive timeouts plus slack. */
const OVERRUN_S = 12;

/**
 * Places `calls` calls at `rate` calls/s from SIPp to 127.0.0.1:<targetPort>
 * and collects SIPp's counters and per-call setup times.
 *
 * SIPp runs in the foreground (no -bg, which would fork away from our pid)
 * without stdin, with every port it binds chosen free: its SIP port (-p), its
 * media pair (-mp, -mp+2) and its control socket (-cp, on loopback), so that
 * it never collides with another SIPp on the machine.
 */
export async function runSippUac(opts: SippUacOptions): Promise<SippUacRun> {
  const [sipPort, controlPort] = await freeUdpPorts(2);
  const mediaPort = await freeUdpPortPair();
  const statFile = join(opts.workDir, 'stat.csv');
  const loadS = Math.ceil(opts.calls / opts.rate);
  const args = [
    'sipp',
    `127.0.0.1:${opts.targetPort}`,
    '-sf',
    opts.scenario,
    '-r',
    String(opts.rate),
    '-m',
    String(opts.calls),
    // Open calls allowed: the whole load may be in flight while the 5 s
    // receive timeouts run, so SIPp never throttles itself below the asked rate.
    '-l',
    String(opts.rate * 6 + 100),
    '-i',
    '127.0.0.1',
    '-p',
    String(sipPort),
    '-mp',
    String(mediaPort),
    '-ci',
    '127.0.0.1',
    '-cp',
    String(controlPort),
    '-buff_size',
    '1048576',
    '-nostdin',
    '-timeout',
    `${loadS + OVERRUN_S}s`,
    '-trace_stat',
    '-stf',
    statFile,
    '-fd',
    '1',
    '-trace_rtt',
    // SIPp writes rtt values in batches of -rtt_freq and drops a last,
    // incomplete batch, so the batch size must divide the number of calls.
    '-rtt_freq',
    String(largestDivisorUpTo(opts.calls, 100)),
  ];

  const sipp = spawnTracked(args, { cwd: opts.workDir });
  const cpuWatch = watchCpu({ ...opts.watch, generator: sipp.pid });
  let cpu: CpuReading;
  let timedOut = false;
  const abort = new AbortController();
  try {
    const outcome = await Promise.race([
      sipp.exited.then(() => 'exited' as const),
      sleep((loadS + OVERRUN_S + 5) * 1000, 'timeout' as const, { signal: abort.signal }),
    ]);
    if (outcome === 'timeout') timedOut = true;
  } finally {
    cpu = cpuWatch.stop();
    abort.abort();
    await sipp.stop();
  }

  const stats = parseStatFile(await readFile(statFile, 'utf8').catch(() => ''));
  const rttFile = (await readdir(opts.workDir)).find((f) => f.endsWith('_rtt.csv'));
  const rtt = rttFile === undefined ? '' : await readFile(join(opts.workDir, rttFile), 'utf8');
  return {
    stats,
    setupTimesMs: parseRttFile(rtt, SETUP_RTD),
    exitCode: sipp.exitStatus()?.code ?? null,
    timedOut,
    stderr: sipp.stderrTail(),
    cpu,
  };
}

/** The largest d <= max that divides n (1 at worst). */
export function largestDivisorUpTo(n: number, max: number): number {
  for (let d = Math.min(max, n); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
