/**
 * What a restricted audience (a supervisor coaching an agent:
 * Room.setAudience(supervisor, [agent])) costs, measured two ways:
 *
 * - `load`: the concurrent-members step (bench/media/step.ts: real
 *   RtpStreams, the load generator, the MixerClock) at one member count,
 *   without and with one coach in every room of 5, alternated; whole-process
 *   CPU and the rooms' tick CPU per member-tick.
 * - `mixer`: the Room's tick alone, in this process, on in-memory ports (no
 *   sockets, no codec, no jitter buffer), for rooms of 5 and of 50 with
 *   none, one or several restricted members and audiences of 1 or 25: the
 *   mixing cost itself, where the O(N) claim lives — 'all' members cost the
 *   same whether or not someone in the room coaches, a coach costs one add
 *   per listener.
 *
 * Run alone with `node --expose-gc --import tsx bench/media/coaching.ts`
 * (`--help`); part of runMediaBench otherwise.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Room, type MixerPort } from '../../src/media/mixer/index.js';
import { PortPool } from '../../src/media/stream/index.js';
import { GeneratorControl } from './control.js';
import { collectGarbage, processCpuUs } from './machine.js';
import { median, ratio, round } from './stats.js';
import { formatStep, runLoadStep, type StepSettings } from './step.js';
import type { CoachingLoadResult, CoachingMixerRow, CoachingResult, MediaStep } from './types.js';

const FRAME = 160;

/** A peer saying a steady −20 dBFS 400 Hz tone; what it is sent is folded into a checksum (kept live). */
class MemoryPort implements MixerPort {
  private static readonly tone = (() => {
    const f = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++)
      f[i] = Math.round(3277 * Math.sin((2 * Math.PI * 400 * i) / 8000));
    return f;
  })();
  checksum = 0;

  readFrame(out: Int16Array): boolean {
    const t = MemoryPort.tone;
    for (let i = 0; i < FRAME; i++) out[i] = t[i];
    return true;
  }

  writeFrame(frame: Int16Array): void {
    this.checksum = (this.checksum + frame[7]) | 0;
  }
}

export interface MixerCase {
  room_size: number;
  /** Members with a restricted audience in each room (the last ones). */
  restricted: number;
  /** Listeners of each: 0 is 'none' (listening in), n the first n members. */
  audience_size: number;
}

/** Rooms of 5 as in the load ladder, and of 50 to show the cost does not grow with the room. */
export const MIXER_CASES: readonly MixerCase[] = [
  { room_size: 5, restricted: 0, audience_size: 0 },
  { room_size: 5, restricted: 1, audience_size: 1 },
  { room_size: 5, restricted: 1, audience_size: 0 },
  { room_size: 50, restricted: 0, audience_size: 0 },
  { room_size: 50, restricted: 1, audience_size: 1 },
  { room_size: 50, restricted: 5, audience_size: 1 },
  { room_size: 50, restricted: 1, audience_size: 25 },
];

function audienceOf(c: MixerCase): string {
  if (c.restricted === 0) return "everyone 'all'";
  const each = c.audience_size === 0 ? "'none'" : `${c.audience_size} listener(s)`;
  return `${c.restricted} heard by ${each}`;
}

/** Builds the rooms of a case (about `members` members in all). */
function buildRooms(c: MixerCase, members: number): { rooms: Room[]; ports: MemoryPort[] } {
  const rooms: Room[] = [];
  const ports: MemoryPort[] = [];
  const count = Math.max(1, Math.round(members / c.room_size));
  for (let r = 0; r < count; r++) {
    // No MixerClock: ticked by hand below. CPU measurement on, as in production.
    const room = new Room({ id: `coach-${r}` });
    for (let k = 0; k < c.room_size; k++) {
      const p = new MemoryPort();
      ports.push(p);
      room.addMember(`m${k}`, p);
    }
    for (let j = 0; j < c.restricted; j++) {
      const id = `m${c.room_size - 1 - j}`;
      const listeners = Array.from({ length: c.audience_size }, (_, k) => `m${k}`);
      room.setAudience(id, c.audience_size === 0 ? 'none' : listeners);
    }
    rooms.push(room);
  }
  return { rooms, ports };
}

/** CPU µs per member-tick of `ticks` ticks of every room (after `warmup` untimed ones). */
function timeRooms(rooms: readonly Room[], ticks: number, warmup: number): number {
  let now = 0;
  for (let t = 0; t < warmup; t++, now += 20) for (const r of rooms) r.tick(now);
  collectGarbage();
  const cpu0 = processCpuUs();
  for (let t = 0; t < ticks; t++, now += 20) for (const r of rooms) r.tick(now);
  const cpu = processCpuUs() - cpu0;
  const members = rooms.reduce((n, r) => n + r.stats().members, 0);
  return cpu / (members * ticks);
}

export interface MixerCoachingOptions {
  cases?: readonly MixerCase[];
  /** Members per case (rooms of the case's size); default 1000. */
  members?: number;
  /** Timed ticks per round; default 500 (10 s of audio for every member). */
  ticks?: number;
  /** Rounds, each running every case once in turn; the median is reported. Default 5. */
  rounds?: number;
}

/** The Room tick alone, per case; each case's ratio is to the plain case of its room size. */
export function measureMixerCoaching(opts: MixerCoachingOptions = {}): CoachingMixerRow[] {
  const cases = opts.cases ?? MIXER_CASES;
  const members = opts.members ?? 1000;
  const ticks = opts.ticks ?? 500;
  const rounds = opts.rounds ?? 5;
  const built = cases.map((c) => buildRooms(c, members));
  const samples: number[][] = cases.map(() => []);
  // Rounds interleave the cases, so a slow moment of a shared machine hits all of them.
  for (let round = 0; round < rounds; round++) {
    built.forEach((b, i) => samples[i].push(timeRooms(b.rooms, ticks, round === 0 ? 100 : 10)));
  }
  for (const b of built) for (const r of b.rooms) void r.close();
  const us = samples.map((s) => median(s));
  return cases.map((c, i) => {
    const plain = cases.findIndex((p) => p.room_size === c.room_size && p.restricted === 0);
    return {
      room_size: c.room_size,
      restricted: c.restricted,
      audience_size: c.audience_size,
      audiences: audienceOf(c),
      members: built[i].ports.length,
      us_per_member_tick: round(us[i], 4),
      ratio_vs_plain: plain >= 0 ? round(ratio(us[i], us[plain]), 3) : Number.NaN,
      spread_us: [round(Math.min(...samples[i]), 4), round(Math.max(...samples[i]), 4)],
    };
  });
}

export interface LoadCoachingOptions {
  /** Member count of every step (rooms of settings.roomSize). */
  members: number;
  /** Pairs of (plain, coached) steps, alternated; default 3. */
  pairs?: number;
  log?: (line: string) => void;
}

/** The load step without and with a coach in every room, alternated; medians of each. */
export async function measureLoadCoaching(
  gen: GeneratorControl,
  settings: StepSettings,
  opts: LoadCoachingOptions,
): Promise<CoachingLoadResult> {
  const log = opts.log ?? (() => undefined);
  const plain: MediaStep[] = [];
  const coached: MediaStep[] = [];
  for (let i = 0; i < (opts.pairs ?? 3); i++) {
    for (const coaching of [false, true]) {
      const step = await runLoadStep(gen, opts.members, { ...settings, coaching });
      log(`${coaching ? 'coached' : 'plain  '} ${formatStep(step)}`);
      (coaching ? coached : plain).push(step);
    }
  }
  const med = (steps: MediaStep[], key: 'cpu_us_per_member_tick' | 'tick_us_per_member_tick') =>
    round(median(steps.map((s) => s[key] ?? Number.NaN)), 3);
  const cpuPlain = med(plain, 'cpu_us_per_member_tick');
  const cpuCoached = med(coached, 'cpu_us_per_member_tick');
  const tickPlain = med(plain, 'tick_us_per_member_tick');
  const tickCoached = med(coached, 'tick_us_per_member_tick');
  return {
    members: opts.members,
    room_size: settings.roomSize,
    coaching: 'in every room the last member is heard only by the second (setAudience(m4, [m1]))',
    cpu_us_per_member_tick_plain: cpuPlain,
    cpu_us_per_member_tick_coached: cpuCoached,
    cpu_ratio: round(ratio(cpuCoached, cpuPlain), 3),
    tick_us_per_member_tick_plain: tickPlain,
    tick_us_per_member_tick_coached: tickCoached,
    tick_ratio: round(ratio(tickCoached, tickPlain), 3),
    all_passed: [...plain, ...coached].every((s) => s.passed),
    plain,
    coached,
  };
}

export function printCoachingResult(r: CoachingResult): void {
  if (r.load) {
    console.log(
      `\n== media: coaching under load (${r.load.members} members, rooms of ${r.load.room_size}) ==`,
    );
    const { plain: _p, coached: _c, ...summary } = r.load;
    console.table([summary]);
  }
  if (r.mixer.length > 0) {
    console.log('\n== media: Room tick alone, µs per member-tick, by audiences ==');
    console.table(r.mixer);
  }
}

const USAGE = `usage: node --expose-gc --import tsx bench/media/coaching.ts [options]
  --members 300      member count of the load steps (0: skip them)
  --pairs 3          (plain, coached) load step pairs
  --mixer-members 1000 --ticks 500 --rounds 5   the Room-tick-only measurement`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: 'string' },
      pairs: { type: 'string' },
      'mixer-members': { type: 'string' },
      ticks: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const log = (line: string): void => console.log(`  ${line}`);
  const mixer = measureMixerCoaching({
    members: num(values['mixer-members'], 1000),
    ticks: num(values.ticks, 500),
    rounds: num(values.rounds, 5),
  });
  let load: CoachingLoadResult | null = null;
  const members = num(values.members, 300);
  if (members > 0) {
    const pool = new PortPool({ minPort: 42000, maxPort: 53999, bindAddress: '127.0.0.1' });
    const gen = await GeneratorControl.start();
    try {
      load = await measureLoadCoaching(
        gen,
        {
          pool,
          host: '127.0.0.1',
          roomSize: 5,
          jitterTargetMs: 40,
          warmupMs: 2000,
          measureMs: 8000,
          phases: 1,
          maxLatenessP99Ms: 5,
        },
        { members, pairs: num(values.pairs, 3), log },
      );
    } finally {
      await gen.close();
    }
  }
  printCoachingResult({ load, mixer });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
