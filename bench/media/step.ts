/**
 * One step of the concurrent-members ladder: `members` RtpStreams in rooms
 * of five on one MixerClock in this process, the load generator sending each
 * a 20 ms PCMU tone and counting what comes back; after a warm-up, a
 * measured window of our CPU time, the clock's tick lateness and the
 * inbound concealment; then the mixer stops, in-flight packets drain, and
 * what each member's stream sent is compared with what the generator got.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortPool } from '../../src/media/stream/index.js';
import { BenchConference } from './conference.js';
import type { GeneratorControl } from './control.js';
import { evaluateStep } from './evaluate.js';
import {
  busyPercent,
  collectGarbage,
  heapBytes,
  loadAverage,
  processCpuUs,
  readCpuTimes,
} from './machine.js';
import type { WindowProfiler } from './profiler.js';
import { ratio, round } from './stats.js';
import type { MediaStep } from './types.js';

export interface StepSettings {
  pool: PortPool;
  host: string;
  roomSize: number;
  jitterTargetMs: number;
  warmupMs: number;
  measureMs: number;
  /** Generator sub-ticks per 20 ms (1: every member's packet in one batch). */
  phases: number;
  maxLatenessP99Ms: number;
  profiler?: WindowProfiler;
  /** One supervisor coaching one agent in every room (BenchConference `coaching`). */
  coaching?: boolean;
}

/** After the post-warm-up GC, before the window: lets its catch-up ticks leave the stats window. */
const SETTLE_MS = 1000;
/** After the streams close: their sockets finish closing before the memory baseline. */
const CLOSE_SETTLE_MS = 300;
/** After the mixer stops: packets still in sockets reach the generator. */
const DRAIN_MS = 300;

export async function runLoadStep(
  gen: GeneratorControl,
  members: number,
  s: StepSettings,
): Promise<MediaStep> {
  collectGarbage();
  const rss0 = heapBytes().rss;
  const statsWindow = Math.max(1, Math.round(s.measureMs / 20));
  const conf = await BenchConference.open(members, {
    pool: s.pool,
    host: s.host,
    roomSize: s.roomSize,
    jitterTargetMs: s.jitterTargetMs,
    statsWindow,
    coaching: s.coaching,
  });
  let step: MediaStep;
  let withMembers: { heapPlusExternal: number; rss: number };
  try {
    const genPorts = await gen.setup(s.host, conf.ports());
    conf.start(genPorts);
    await gen.start('tone', s.phases);
    await sleep(s.warmupMs);
    collectGarbage();
    withMembers = heapBytes();
    await sleep(SETTLE_MS);

    // ---- measured window ----
    const in0 = conf.inbound();
    const clock0 = conf.clockStats();
    const genCpu0 = await gen.mark();
    await s.profiler?.start();
    const machine0 = readCpuTimes();
    const t0 = performance.now();
    const cpu0 = processCpuUs();
    await sleep(s.measureMs);
    const cpu1 = processCpuUs();
    const t1 = performance.now();
    const machine1 = readCpuTimes();
    await s.profiler?.stop(`members-${members}${s.coaching ? '-coaching' : ''}`);
    const clock1 = conf.clockStats();
    const genWindow = await gen.report();
    const in1 = conf.inbound();
    const load = loadAverage();

    // ---- drain and count ----
    await gen.stop();
    await conf.stopMixing();
    await sleep(DRAIN_MS);
    const final = await gen.report();
    const sent = conf.streamStats().map((st) => st.packetsSent);
    await gen.teardown();

    if (!clock0 || !clock1) throw new Error('mixer clock was not running');
    const ticks = clock1.ticks - clock0.ticks;
    const wallMs = t1 - t0;
    const cpuUs = cpu1 - cpu0;
    const tickUs = clock1.tickCpuUs.mean * Math.min(ticks, clock1.tickCpuUs.count);
    const verdict = evaluateStep(
      {
        latenessP99Ms: clock1.latenessMs.p99,
        skippedTicks: clock1.skippedTicks,
        faults: clock1.faults,
        sent,
        received: final.received,
        gaps: final.gaps,
      },
      { maxLatenessP99Ms: s.maxLatenessP99Ms },
    );
    step = {
      members,
      rooms: conf.roomCount || Math.ceil(members / s.roomSize),
      passed: verdict.passed,
      lateness_p50_ms: round(clock1.latenessMs.p50, 3),
      lateness_p99_ms: round(clock1.latenessMs.p99, 3),
      ticks,
      skipped_ticks: clock1.skippedTicks,
      cpu_us_per_member_tick: round(ratio(cpuUs, members * ticks), 3),
      tick_us_per_member_tick: round(ratio(tickUs, members * ticks), 3),
      cpu_pct: round((100 * cpuUs) / 1000 / wallMs, 1),
      tick_share_pct: round((100 * tickUs) / cpuUs, 1),
      generator_cpu_pct: round((100 * (genWindow.cpuUs - genCpu0)) / 1000 / wallMs, 1),
      generator_lateness_p99_ms: round(genWindow.pacing.latenessP99Ms, 3),
      machine_busy_pct: round(busyPercent(machine0, machine1), 1),
      load_1m: load[0],
      lost: verdict.lost,
      gaps: verdict.gaps,
      inbound_concealed: in1.concealed - in0.concealed,
      inbound_late: in1.late - in0.late,
      bytes_per_member: 0,
      rss_bytes_per_member: Math.round((withMembers.rss - rss0) / members),
    };
    if (!verdict.passed) step.reason = verdict.reasons.join('; ');
  } finally {
    await conf.close();
  }
  // The baseline is taken after the members are gone rather than before they
  // came: by then the JIT's code and the process's other one-time growth
  // exist in both samples, and only what the members held differs.
  await sleep(CLOSE_SETTLE_MS);
  collectGarbage();
  collectGarbage();
  const without = heapBytes();
  step.bytes_per_member = Math.round(
    (withMembers.heapPlusExternal - without.heapPlusExternal) / members,
  );
  return step;
}

/** One line of progress for a step. */
export function formatStep(s: MediaStep): string {
  const verdict = s.passed ? 'pass' : `FAIL (${s.reason})`;
  return (
    `${String(s.members).padStart(5)} members: lateness p99 ${s.lateness_p99_ms} ms, ` +
    `${s.cpu_us_per_member_tick} µs/member-tick, us ${s.cpu_pct} % / gen ${s.generator_cpu_pct} % ` +
    `/ machine ${s.machine_busy_pct} %, lost ${s.lost}, gaps ${s.gaps} — ${verdict}`
  );
}
