/**
 * Media engine benchmark (part of `npm run bench`, never of `npm test`):
 *
 * 1. concurrent members — rooms of five in this process (production
 *    RtpStream, Room, MixerClock), fed and checked by a load generator in a
 *    separate process, stepped up until the mixer no longer keeps time or
 *    loses a frame;
 * 2. a plain Node UDP echo at the same packet rate, the floor our per-member
 *    CPU is compared with;
 * 3. the latency a click takes through a room;
 * 4. the G.711 codec throughput (bench/codec.ts);
 * 5. what coaching costs: restricted audiences under load and in the Room
 *    tick alone (bench/media/coaching.ts);
 * 6. whether a line's latency comes back after a key press and after a
 *    150 ms network stall (bench/media/recovery.ts).
 *
 * Run alone with `node --expose-gc --import tsx bench/media/index.ts`
 * (`--help` for options). README.md in this folder defines every number.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { PortPool } from '../../src/media/stream/index.js';
import { runCodecBench, type CodecBenchRow } from '../codec.js';
import { measureLoadCoaching, measureMixerCoaching, printCoachingResult } from './coaching.js';
import { GeneratorControl } from './control.js';
import { measureUdpEcho } from './echo.js';
import { climb } from './ladder.js';
import { measureMixerLatency } from './latency.js';
import {
  measureLatencyRecovery,
  RECOVERY_DEFINITIONS,
  recoverySummary,
  type LatencyRecoveryResult,
} from './recovery.js';
import { describeLimit } from './limit.js';
import { coreCount, loadAverage } from './machine.js';
import { WindowProfiler } from './profiler.js';
import { ratio, round } from './stats.js';
import { formatStep, runLoadStep, type StepSettings } from './step.js';
import type {
  CoachingResult,
  LatencyResult,
  MediaBenchResult,
  MediaStep,
  UdpEchoResult,
} from './types.js';

export type {
  CoachingResult,
  MediaBenchResult,
  MediaStep,
  UdpEchoResult,
  LatencyResult,
} from './types.js';

export const DEFAULT_LADDER: readonly number[] = [
  50, 100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000,
];
const ROOM_SIZE = 5;
const HOST = '127.0.0.1';
/** RTP port range of the streams; pairs held by other processes are skipped by the pool. */
const PORT_RANGE: readonly [number, number] = [42000, 53999];
/** Member count of the coaching load steps: well inside the ladder's range, where both kinds pass. */
const COACHING_MEMBERS = 300;

export interface MediaBenchOptions {
  /** Member counts to step through, ascending (multiples of 5); default DEFAULT_LADDER. */
  ladder?: readonly number[];
  /** Measured window of each step; default 8 s. */
  secondsPerStep?: number;
  /** Load before the window (JIT, jitter buffers); default 2 s. */
  warmupSeconds?: number;
  /** Generator sub-ticks per 20 ms; default 1 (every member's packet in one batch per tick). */
  phases?: number;
  /** Repeats of a failing step before it counts; default 1. */
  retries?: number;
  /** One more step between the last pass and the first failure; default true. */
  bisect?: boolean;
  /** Pass bound on the tick lateness p99; default 5 ms. */
  maxLatenessP99Ms?: number;
  /** Jitter buffer target delay of every stream; default 40 ms (the stream's default). */
  jitterTargetMs?: number;
  /** Latency test: rounds (fresh room and phase each) × clicks; default 6 × 4. */
  latencyRounds?: number;
  clicksPerRound?: number;
  /** Parts to run; all by default. */
  echo?: boolean;
  latency?: boolean;
  codec?: boolean;
  coaching?: boolean;
  recovery?: boolean;
  /** Rounds of each latency-recovery event; default 3. */
  recoveryRounds?: number;
  /** Member count of the coaching load steps; default 300, or less when max_members is smaller. */
  coachingMembers?: number;
  /** (plain, coached) pairs of coaching load steps; default 3 (an odd count: a true median). */
  coachingPairs?: number;
  /** Write a .cpuprofile of each step's measured window here. */
  profileDir?: string;
  /** Progress lines; silent when omitted. */
  log?: (line: string) => void;
}

export const DEFINITIONS: Record<string, string> = {
  max_members:
    'largest member count (rooms of 5, PCMU, ptime 20) whose step passed: mixer tick lateness ' +
    'p99 < bound over the measured window, no tick skipped, and every packet each member stream ' +
    'sent received by the generator with no sequence gap',
  cpu_us_per_member_tick:
    'CPU time of the mixer process (process.cpuUsage, user + system) over the measured window ' +
    '÷ (members × ticks), at max_members: everything one member costs per 20 ms — receiving and ' +
    'jitter-buffering its packet, decoding, mixing, encoding, sending, timers, GC',
  ratio_vs_udp_echo:
    'cpu_us_per_member_tick ÷ the CPU time per datagram of a plain Node UDP echo (one socket ' +
    'per member, same generator, same packet rate: max_members × 50 packets/s in and out): how ' +
    'many times the bare minimum of Node UDP work per member per 20 ms the mixer costs',
  bytes_per_member:
    '((heapUsed + external) with the members up − after they closed), both after GC, ÷ members, ' +
    'at the largest passing step: streams, jitter buffers, room members, socket handles; kernel ' +
    'socket buffers not included',
  mixer_latency_ms:
    'median over the clicks of (first packet carrying the click received at another member − ' +
    'click packet sent), both timed by the generator; includes the jitter buffer target delay',
  tick_lateness_p99_ms_at_max: 'MixerClock latenessMs p99 over the measured window at max_members',
  'coaching.load':
    'the concurrent-members step at coaching.load.members, alternately without and with one ' +
    'coach per room of 5 (its last member heard only by its second: setAudience(m4, [m1])), ' +
    'medians per kind: cpu_us_per_member_tick as above, and tick_us_per_member_tick = the ' +
    "rooms' tick CPU (MixerClock tickCpuUs) ÷ (members × ticks); ratios are coached ÷ plain",
  'coaching.mixer':
    'Room.tick alone on in-memory ports (no sockets, codec or jitter buffer), ~1000 members ' +
    'per case in rooms of room_size, `restricted` members per room each heard by ' +
    "audience_size listeners (0: 'none'): median over rounds of CPU (process.cpuUsage) ÷ " +
    "(members × ticks), and its ratio to the same room size with every audience 'all'",
};

export async function runMediaBench(opts: MediaBenchOptions = {}): Promise<MediaBenchResult> {
  const log = opts.log ?? (() => undefined);
  const ladder = [...(opts.ladder ?? DEFAULT_LADDER)].sort((a, b) => a - b);
  if (ladder.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`ladder must hold positive integers, got ${ladder.join(', ')}`);
  }
  const seconds = opts.secondsPerStep ?? 8;
  const warmup = opts.warmupSeconds ?? 2;
  const phases = opts.phases ?? 1;
  const jitterTargetMs = opts.jitterTargetMs ?? 40;
  const maxLatenessP99Ms = opts.maxLatenessP99Ms ?? 5;
  const loadStart = loadAverage();
  const pool = new PortPool({ minPort: PORT_RANGE[0], maxPort: PORT_RANGE[1], bindAddress: HOST });
  const top = ladder[ladder.length - 1] ?? 0;
  if (pool.size < top + 10) throw new Error(`port range holds ${pool.size} pairs, need ${top}`);

  const gen = await GeneratorControl.start();
  try {
    log(
      `load generator pid ${gen.pid}; load average ${loadStart.join(' ')} on ${coreCount()} cores`,
    );
    const settings: StepSettings = {
      pool,
      host: HOST,
      roomSize: ROOM_SIZE,
      jitterTargetMs,
      warmupMs: warmup * 1000,
      measureMs: seconds * 1000,
      phases,
      maxLatenessP99Ms,
      profiler: opts.profileDir ? new WindowProfiler(opts.profileDir) : undefined,
    };
    const ladderRun = await climb(
      ladder,
      async (members) => {
        const step = await runLoadStep(gen, members, settings);
        log(formatStep(step));
        return step;
      },
      { retries: opts.retries ?? 1, bisect: opts.bisect ?? true, quantum: ROOM_SIZE },
    );
    const best = ladderRun.best;
    const maxMembers = best?.members ?? 0;

    let echo: UdpEchoResult | null = null;
    if (opts.echo ?? true) {
      const members = maxMembers || ladder[0];
      echo = await measureUdpEcho(gen, members, {
        host: HOST,
        warmupMs: warmup * 1000,
        measureMs: seconds * 1000,
        phases,
      });
      log(
        `udp echo, ${members} sockets, ${echo.packets_per_s} packets/s: ` +
          `${echo.cpu_us_per_packet} µs/packet, ${echo.cpu_pct} % of a core, lost ${echo.lost}`,
      );
    }

    let latency: LatencyResult | null = null;
    if (opts.latency ?? true) {
      latency = await measureMixerLatency(gen, {
        pool,
        host: HOST,
        jitterTargetMs,
        roomMembers: 3,
        rounds: opts.latencyRounds ?? 6,
        clicksPerRound: opts.clicksPerRound ?? 4,
      });
      log(
        `mixer latency (room of 3, jitter target ${jitterTargetMs} ms): median ` +
          `${latency.median_ms} ms, p95 ${latency.p95_ms} ms over ${latency.samples_ms.length} clicks`,
      );
    }

    let codec: CodecBenchRow[] = [];
    if (opts.codec ?? true) codec = runCodecBench();

    let coaching: CoachingResult | null = null;
    if (opts.coaching ?? true) {
      const wanted = opts.coachingMembers ?? COACHING_MEMBERS;
      const members = maxMembers > 0 ? Math.min(wanted, maxMembers) : wanted;
      const load = await measureLoadCoaching(gen, settings, {
        members,
        pairs: opts.coachingPairs ?? 3,
        log: (line) => log(`coaching: ${line}`),
      });
      log(
        `coaching under load, ${members} members: ${load.cpu_us_per_member_tick_plain} → ` +
          `${load.cpu_us_per_member_tick_coached} µs/member-tick (×${load.cpu_ratio}), ticks ` +
          `${load.tick_us_per_member_tick_plain} → ${load.tick_us_per_member_tick_coached} (×${load.tick_ratio})`,
      );
      const mixer = measureMixerCoaching();
      for (const row of mixer) {
        log(
          `coaching, Room tick alone, rooms of ${row.room_size}, ${row.audiences}: ` +
            `${row.us_per_member_tick} µs/member-tick (×${row.ratio_vs_plain})`,
        );
      }
      coaching = { load, mixer };
    }

    let recovery: LatencyRecoveryResult | null = null;
    if (opts.recovery ?? true) {
      recovery = await measureLatencyRecovery({
        rounds: opts.recoveryRounds ?? 3,
        jitterTargetMs,
        log: (line) => log(`latency recovery: ${line}`),
      });
    }
    const recoveryFigures = recovery
      ? recoverySummary(recovery)
      : {
          latency_before_event_ms: Number.NaN,
          latency_after_key_press_ms: Number.NaN,
          latency_after_stall_ms: Number.NaN,
        };

    // Memory is read at the largest step that passed (many members: the per-member share is steady).
    const memoryStep: MediaStep | undefined =
      best ??
      ladderRun.all.reduce<MediaStep | undefined>(
        (a, s) => (a && a.members >= s.members ? a : s),
        undefined,
      );
    const cpuPerMemberTick = best?.cpu_us_per_member_tick ?? Number.NaN;
    return {
      max_members: maxMembers,
      cpu_us_per_member_tick: cpuPerMemberTick,
      ratio_vs_udp_echo: round(ratio(cpuPerMemberTick, echo?.cpu_us_per_packet ?? Number.NaN), 2),
      bytes_per_member: memoryStep?.bytes_per_member ?? Number.NaN,
      mixer_latency_ms: latency?.median_ms ?? Number.NaN,
      mixer_latency_p95_ms: latency?.p95_ms ?? Number.NaN,
      tick_lateness_p99_ms_at_max: best?.lateness_p99_ms ?? Number.NaN,
      limit: describeLimit(best, ladderRun.failure, coreCount(), top) + floorNote(best, echo),
      steps: ladderRun.all,
      udp_echo: echo,
      latency,
      codec,
      coaching,
      latency_before_event_ms: recoveryFigures.latency_before_event_ms,
      latency_after_key_press_ms: recoveryFigures.latency_after_key_press_ms,
      latency_after_stall_ms: recoveryFigures.latency_after_stall_ms,
      latency_recovery: recovery,
      settings: {
        room_size: ROOM_SIZE,
        seconds_per_step: seconds,
        warmup_seconds: warmup,
        generator_phases: phases,
        jitter_target_ms: jitterTargetMs,
        max_lateness_p99_ms: maxLatenessP99Ms,
      },
      load_average_start: loadStart,
      load_average_end: loadAverage(),
      definitions: { ...DEFINITIONS, ...RECOVERY_DEFINITIONS },
    };
  } finally {
    await gen.close();
  }
}

/** How much of the per-member CPU the bare UDP work alone accounts for. */
function floorNote(best: MediaStep | undefined, echo: UdpEchoResult | null): string {
  if (!best || !echo || !(echo.cpu_us_per_packet > 0)) return '';
  const share = Math.round((100 * echo.cpu_us_per_packet) / best.cpu_us_per_member_tick);
  return (
    `. At ${best.members} members a plain Node UDP echo costs ${echo.cpu_us_per_packet} µs per ` +
    `datagram in and out, ${share} % of the mixer's ${best.cpu_us_per_member_tick} µs per member-tick`
  );
}

/** The result as console tables: steps, then the summary, echo, latency and codec. */
export function printMediaResult(r: MediaBenchResult): void {
  console.log('\n== media: concurrent members (rooms of 5), stepping up ==');
  console.table(
    r.steps.map((s) => ({
      members: s.members,
      passed: s.passed,
      'lateness p99 ms': s.lateness_p99_ms,
      'µs/member-tick': s.cpu_us_per_member_tick,
      'tick µs/member-tick': s.tick_us_per_member_tick,
      'cpu %': s.cpu_pct,
      'tick %': s.tick_share_pct,
      'gen cpu %': s.generator_cpu_pct,
      'machine %': s.machine_busy_pct,
      lost: s.lost,
      gaps: s.gaps,
      'in concealed': s.inbound_concealed,
      'B/member': s.bytes_per_member,
    })),
  );
  const failures = r.steps.filter((s) => !s.passed);
  for (const s of failures) console.log(`  ${s.members}: ${s.reason}`);
  if (r.udp_echo) {
    console.log('\n== media: plain Node UDP echo at the same packet rate ==');
    console.table([r.udp_echo]);
  }
  if (r.latency) {
    console.log('\n== media: added latency through a room (click → heard) ==');
    const { samples_ms: _samples, ...latency } = r.latency;
    console.table([latency]);
  }
  if (r.latency_recovery) {
    console.log('\n== media: latency after a key press and after a 150 ms stall ==');
    console.table(
      [r.latency_recovery.key_press, r.latency_recovery.stall].map(({ rounds: _r, ...row }) => row),
    );
  }
  if (r.codec.length > 0) {
    console.log('\n== media: G.711 codec, frames/s ==');
    console.table(r.codec);
  }
  if (r.coaching) printCoachingResult(r.coaching);
  console.log('\n== media summary ==');
  console.table([
    {
      max_members: r.max_members,
      cpu_us_per_member_tick: r.cpu_us_per_member_tick,
      ratio_vs_udp_echo: r.ratio_vs_udp_echo,
      bytes_per_member: r.bytes_per_member,
      mixer_latency_ms: r.mixer_latency_ms,
      mixer_latency_p95_ms: r.mixer_latency_p95_ms,
      tick_lateness_p99_ms_at_max: r.tick_lateness_p99_ms_at_max,
    },
  ]);
  console.log(`limit: ${r.limit}`);
  console.log(
    `load average: start ${r.load_average_start.join(' ')}, end ${r.load_average_end.join(' ')}`,
  );
  console.log('\nratio_vs_udp_echo = ' + r.definitions.ratio_vs_udp_echo);
}

const USAGE = `usage: node --expose-gc --import tsx bench/media/index.ts [options]
  --steps 50,100,...   member counts to step through (multiples of 5)
  --seconds 8          measured window per step
  --warmup 2           warm-up per step, seconds
  --phases 1           generator sub-ticks per 20 ms (1 = all members in one batch)
  --retries 1          repeats of a failing step
  --no-bisect          no extra step between the last pass and the first failure
  --skip echo,latency,codec,coaching,recovery
  --coaching-members 300   member count of the coaching load steps
  --profile DIR        write a .cpuprofile of each measured window to DIR
  --json FILE          also write the result as JSON`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      phases: { type: 'string' },
      retries: { type: 'string' },
      'no-bisect': { type: 'boolean' },
      skip: { type: 'string' },
      'coaching-members': { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const num = (v: string | undefined): number | undefined =>
    v === undefined ? undefined : Number(v);
  const skip = new Set((values.skip ?? '').split(',').filter(Boolean));
  const result = await runMediaBench({
    ladder: values.steps?.split(',').map(Number),
    secondsPerStep: num(values.seconds),
    warmupSeconds: num(values.warmup),
    phases: num(values.phases),
    retries: num(values.retries),
    bisect: !values['no-bisect'],
    echo: !skip.has('echo'),
    latency: !skip.has('latency'),
    codec: !skip.has('codec'),
    coaching: !skip.has('coaching'),
    recovery: !skip.has('recovery'),
    coachingMembers: num(values['coaching-members']),
    profileDir: values.profile,
    log: (line) => console.log(`  ${line}`),
  });
  printMediaResult(result);
  if (values.json) await writeFile(values.json, JSON.stringify(result, null, 2) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
