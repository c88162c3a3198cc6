/**
 * Part 2 of the API benchmark: whole-server capacity. Three-party calls
 * created through the API — a run (agent, then customer) and the `call`
 * action for the third member — against SIPp tone callees (uas-tone.xml:
 * each answers and sends a 440 Hz G.711 µ-law tone, 20 ms packets, with
 * SIPp's rtp_stream), stepped up in members until the mixer no longer keeps
 * time or a frame is lost.
 *
 * A step: a fresh server and a fresh SIPp (so nothing of the last step is
 * in the counters); members / 3 runs, `setupWidth` at a time, until every
 * agent and customer is connected; the `call` action for every call, until
 * all are connected; `warmupSeconds`; then a measured window of `seconds`
 * in which the harness only sleeps. Over the window: the mixer's tick
 * lateness (mixer-window.ts), skipped and faulted ticks, per leg the RTP it
 * received (RFC 3550 loss, jitter-buffer late and concealed frames) and
 * sent, CPU of the server (this process), SIPp and the machine. Then the
 * server stops (every call ends, BYEs) and SIPp is killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeMulaw, type RtpStreamStats } from '../../src/media/index.js';
import type { TestServer } from '../../test/support/partyline-server.js';
import { climb } from '../media/ladder.js';
import {
  busyPercent,
  collectGarbage,
  loadAverage,
  processCpuUs,
  readCpuTimes,
} from '../media/machine.js';
import type { WindowProfiler } from '../media/profiler.js';
import { round } from '../media/stats.js';
import { othersPercent, repeatWhileContended, sampleCpu } from './contention.js';
import { markMixer, readMixer, type MixerWindow } from './mixer-window.js';
import {
  callAction,
  createPhlo,
  inParallel,
  legStats,
  memberStates,
  procCpuMs,
  startBenchServer,
  startRun,
  until,
} from './server.js';
import { startUas, writeToneWav, type RunningUas } from './sipp-uas.js';

/**
 * Up past the media-only figure (800): the 2026-12-04 run passed every step
 * up to 900 at 66 % of a core, so a ladder ending there measured its own top.
 */
export const DEFAULT_MEMBERS: readonly number[] = [
  30, 90, 180, 270, 360, 450, 540, 660, 780, 900, 1020, 1140, 1260, 1380, 1500,
];

export interface CapacityOptions {
  /** Member counts, multiples of 3; default DEFAULT_MEMBERS. */
  members?: readonly number[];
  /** Measured window; default 5 s. */
  seconds?: number;
  /** After every member is connected, before the window; default 1 s. */
  warmupSeconds?: number;
  retries?: number;
  bisect?: boolean;
  /** Pass bound on the tick lateness p99; default 5 ms (as bench/media). */
  maxLatenessP99Ms?: number;
  /** API requests in flight while setting a step up; default 10. */
  setupWidth?: number;
  profiler?: WindowProfiler;
  log?: (line: string) => void;
}

export interface CapacityStep extends Omit<MixerWindow, 'ticks'> {
  members: number;
  calls: number;
  passed: boolean;
  reason?: string;
  /** Time to create the calls through the API and see every member connected, s. */
  setup_s: number;
  /** Mixer tick lateness while the calls were being set up (not a pass criterion), ms. */
  setup_lateness_p99_ms: number;
  setup_lateness_max_ms: number;
  ticks: number;
  /** Members not connected at the end of the window. */
  dropped_members: number;
  /** RTP the server received over the window (SIPp → server). */
  inbound_packets: number;
  /** RFC 3550 A.3 loss: never arrived. */
  inbound_lost: number;
  /** Jitter buffer: arrived after their playout time / never in time (concealed). */
  inbound_late: number;
  inbound_concealed: number;
  inbound_jitter_max_ms: number;
  /** Frames the server did not send: Σ over legs of (ticks − packets sent), when positive. */
  outbound_missing: number;
  send_errors: number;
  /** % of one core over the window: the server (this process), SIPp; all cores, every process. */
  server_cpu_pct: number;
  sipp_cpu_pct: number;
  machine_busy_pct: number;
  /** CPU of processes outside the benchmark, % of one core (contention.ts). */
  others_cpu_pct: number;
  contended?: boolean;
  load_1m: number;
  profile?: string;
}

export interface CapacityResult {
  server_members_max: number;
  tick_lateness_p99_ms_at_max: number;
  limit: string;
  steps: CapacityStep[];
  settings: Record<string, number>;
}

export async function runCapacityBench(opts: CapacityOptions = {}): Promise<CapacityResult> {
  const log = opts.log ?? (() => undefined);
  const ladder = [...(opts.members ?? DEFAULT_MEMBERS)];
  if (ladder.some((n) => !Number.isInteger(n) || n <= 0 || n % 3 !== 0)) {
    throw new Error(`member counts must be positive multiples of 3, got ${ladder.join(', ')}`);
  }
  const settings = {
    seconds_per_step: opts.seconds ?? 5,
    warmup_seconds: opts.warmupSeconds ?? 1,
    max_lateness_p99_ms: opts.maxLatenessP99Ms ?? 5,
    setup_width: opts.setupWidth ?? 10,
    members_per_call: 3,
  };
  const work = mkdtempSync(join(tmpdir(), 'partyline-bench-api-'));
  const wav = join(work, 'tone-440.wav');
  writeToneWav(wav, 440, 1, encodeMulaw);
  const all: CapacityStep[] = [];
  const record = (step: CapacityStep): void => {
    all.push(step);
    log(formatCapacityStep(step));
  };
  try {
    const run = await climb(
      ladder,
      (members) =>
        repeatWhileContended(
          () =>
            runCapacityStep(members, wav, settings, opts).catch((err: unknown) =>
              setupFailed(members, err),
            ),
          record,
        ),
      { retries: opts.retries ?? 1, bisect: opts.bisect ?? true, quantum: 3 },
    );
    return {
      server_members_max: run.best?.members ?? 0,
      tick_lateness_p99_ms_at_max: run.best?.lateness_p99_ms ?? Number.NaN,
      limit: run.failure
        ? `${run.failure.members} members failed: ${run.failure.reason}; server ${run.failure.server_cpu_pct} % ` +
          `of one core, SIPp ${run.failure.sipp_cpu_pct} %, machine ${run.failure.machine_busy_pct} % busy`
        : `every count up to ${ladder[ladder.length - 1]} passed`,
      steps: all,
      settings,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runCapacityStep(
  members: number,
  wav: string,
  settings: {
    seconds_per_step: number;
    warmup_seconds: number;
    max_lateness_p99_ms: number;
    setup_width: number;
  },
  opts: CapacityOptions,
): Promise<CapacityStep> {
  const calls = members / 3;
  let tone: RunningUas | undefined;
  let srv: TestServer | undefined;
  try {
    tone = await startUas({
      scenario: 'uas-tone.xml',
      fill: { '@TONE_WAV@': wav },
      timeoutSeconds: 300,
    });
    srv = await startBenchServer();
    const server = srv;
    const phlo = await createPhlo(server, 10);
    const at = (who: string, k: number): string => `sip:${who}${k}@127.0.0.1:${tone!.port}`;
    const t0 = performance.now();
    const setupMark = markMixer(server.server.engine);
    const ids = Array.from({ length: calls }, (_, k) => k);
    await inParallel(
      settings.setup_width,
      ids.map((k) => () => startRun(server, phlo.phloId, at('agent', k), at('customer', k))),
    );
    const setupBudget = 20_000 + members * 50;
    if (!(await until(() => memberStates(server).connected === 2 * calls, setupBudget))) {
      throw new Error(`${members}: runs not connected: ${JSON.stringify(memberStates(server))}`);
    }
    await inParallel(
      settings.setup_width,
      ids.map((k) => () => callAction(server, phlo, at('third', k), at('agent', k))),
    );
    if (!(await until(() => memberStates(server).connected === members, setupBudget))) {
      throw new Error(
        `${members}: third members not connected: ${JSON.stringify(memberStates(server))}`,
      );
    }
    const setupS = (performance.now() - t0) / 1000;
    const setupMixer = readMixer(server.server.engine, setupMark);
    // The forced GC goes before the warm-up, not just before the window: its pause
    // (70–80 ms with this process's heap) made the next mixer tick late and the
    // jitter buffers conceal, and both landed in the window as if the server did it.
    collectGarbage();
    await sleep(settings.warmup_seconds * 1000);

    const engine = server.server.engine;
    const before = new Map(legStats(server).map((s) => [s.localPort, s]));
    const mixer0 = markMixer(engine);
    const cpu0 = processCpuUs();
    const sipp0 = procCpuMs(tone.pid);
    const machine0 = readCpuTimes();
    const all0 = sampleCpu([tone.pid]);
    const wall0 = performance.now();
    await opts.profiler?.start();
    await sleep(settings.seconds_per_step * 1000);
    const profile = await opts.profiler?.stop(`api-capacity-${members}`);
    const wallMs = performance.now() - wall0;
    const machine1 = readCpuTimes();
    const all1 = sampleCpu([tone.pid]);
    const sipp1 = procCpuMs(tone.pid);
    const cpu1 = processCpuUs();
    const mixer = readMixer(engine, mixer0);
    const after = legStats(server);
    const connected = memberStates(server).connected;

    const delta = sumDeltas(before, after, mixer.ticks);
    const step: CapacityStep = {
      members,
      calls,
      passed: false,
      setup_s: round(setupS, 2),
      setup_lateness_p99_ms: setupMixer.lateness_p99_ms,
      setup_lateness_max_ms: setupMixer.lateness_max_ms,
      ...mixer,
      dropped_members: members - connected,
      ...delta,
      server_cpu_pct: round((100 * (cpu1 - cpu0)) / 1000 / wallMs, 1),
      sipp_cpu_pct: round((100 * (sipp1 - sipp0)) / wallMs, 1),
      machine_busy_pct: round(busyPercent(machine0, machine1), 1),
      others_cpu_pct: othersPercent(all0, all1),
      load_1m: loadAverage()[0] ?? Number.NaN,
    };
    if (profile) step.profile = profile;
    const problems: string[] = [];
    const bound = settings.max_lateness_p99_ms;
    if (!(mixer.lateness_p99_ms < bound))
      problems.push(`tick lateness p99 ${mixer.lateness_p99_ms} ms ≥ ${bound} ms`);
    if (mixer.skipped_ticks > 0) problems.push(`${mixer.skipped_ticks} ticks skipped`);
    if (mixer.faults > 0) problems.push(`${mixer.faults} ticks faulted`);
    if (step.dropped_members > 0) problems.push(`${step.dropped_members} members dropped`);
    if (step.inbound_lost > 0) problems.push(`${step.inbound_lost} inbound packets lost`);
    if (step.outbound_missing > 0) problems.push(`${step.outbound_missing} frames not sent`);
    if (step.send_errors > 0) problems.push(`${step.send_errors} send errors`);
    step.passed = problems.length === 0;
    if (!step.passed) step.reason = problems.join('; ');
    return step;
  } finally {
    await srv?.stop();
    await tone?.stop();
  }
}

/** A step whose calls could not all be set up: failed, with why, and nothing measured. */
function setupFailed(members: number, err: unknown): CapacityStep {
  const nan = Number.NaN;
  return {
    members,
    calls: members / 3,
    passed: false,
    reason: `set-up failed: ${err instanceof Error ? err.message : String(err)}`,
    setup_s: nan,
    setup_lateness_p99_ms: nan,
    setup_lateness_max_ms: nan,
    source: 'window',
    ticks: 0,
    skipped_ticks: 0,
    faults: 0,
    lateness_p50_ms: nan,
    lateness_p99_ms: nan,
    lateness_max_ms: nan,
    tick_cpu_p50_us: nan,
    tick_cpu_p99_us: nan,
    published_lateness_p99_ms: nan,
    dropped_members: 0,
    inbound_packets: 0,
    inbound_lost: 0,
    inbound_late: 0,
    inbound_concealed: 0,
    inbound_jitter_max_ms: nan,
    outbound_missing: 0,
    send_errors: 0,
    server_cpu_pct: nan,
    sipp_cpu_pct: nan,
    machine_busy_pct: nan,
    others_cpu_pct: nan,
    load_1m: loadAverage()[0] ?? nan,
  };
}

function sumDeltas(
  before: Map<number, RtpStreamStats>,
  after: RtpStreamStats[],
  ticks: number,
): Pick<
  CapacityStep,
  | 'inbound_packets'
  | 'inbound_lost'
  | 'inbound_late'
  | 'inbound_concealed'
  | 'inbound_jitter_max_ms'
  | 'outbound_missing'
  | 'send_errors'
> {
  let packets = 0;
  let lost = 0;
  let late = 0;
  let concealed = 0;
  let jitter = 0;
  let missing = 0;
  let sendErrors = 0;
  for (const a of after) {
    const b = before.get(a.localPort);
    if (!b) continue;
    packets += a.packetsReceived - b.packetsReceived;
    lost += a.packetsLost - b.packetsLost;
    late += a.late - b.late;
    concealed += a.concealed - b.concealed;
    jitter = Math.max(jitter, a.jitterMs);
    sendErrors += a.sendErrors - b.sendErrors;
    // One frame per tick per member; a tick that straddles the marks can count once either way.
    missing += Math.max(0, ticks - 1 - (a.packetsSent - b.packetsSent));
  }
  return {
    inbound_packets: packets,
    inbound_lost: lost,
    inbound_late: late,
    inbound_concealed: concealed,
    inbound_jitter_max_ms: round(jitter, 2),
    outbound_missing: missing,
    send_errors: sendErrors,
  };
}

export function formatCapacityStep(s: CapacityStep): string {
  return (
    `${String(s.members).padStart(4)} members (${s.calls} calls): ${s.passed ? 'pass' : 'FAIL'}  ` +
    `lateness p50 ${s.lateness_p50_ms} p99 ${s.lateness_p99_ms} ms (${s.source}; /metrics ${s.published_lateness_p99_ms}), ` +
    `skipped ${s.skipped_ticks}, lost in ${s.inbound_lost}, late ${s.inbound_late}, concealed ${s.inbound_concealed}, ` +
    `not sent ${s.outbound_missing}; server ${s.server_cpu_pct} %, SIPp ${s.sipp_cpu_pct} %, ` +
    `machine ${s.machine_busy_pct} %, others ${s.others_cpu_pct} %; set-up ${s.setup_s} s (lateness p99 ${s.setup_lateness_p99_ms}, ` +
    `max ${s.setup_lateness_max_ms} ms)` +
    (s.reason ? `  — ${s.reason}${s.contended ? ' (contended: repeated)' : ''}` : '')
  );
}
