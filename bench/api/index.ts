/**
 * API benchmark (part of `npm run bench`, never of `npm test`):
 *
 * 1. the `call` action end to end (call-action.ts): request in → 201 out →
 *    INVITE at a SIPp callee, at stepped open-loop request rates, beside a
 *    bare Fastify route driven by the same client at the same rates;
 * 2. whole-server capacity (capacity.ts): three-party calls created
 *    through the API against SIPp tone callees, stepped up in members,
 *    beside the media-only figure of bench/results/media.json;
 * 3. warm transfer latency (transfer.ts): request → U3's INVITE on the wire
 *    and → U2 hearing its hold music (tone detection), each on a fresh call;
 * 4. signed event callbacks (callbacks.ts): member actions at stepped rates,
 *    every callback verified at a receiver, events/s delivered and delay.
 *
 * Run alone with `node --expose-gc --import tsx bench/api/index.ts`
 * (`--help` for options). README.md in this folder defines every number.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../cps/peers.js';
import { coreCount, loadAverage } from '../media/machine.js';
import { WindowProfiler } from '../media/profiler.js';
import { round } from '../media/stats.js';
import {
  runCallActionBench,
  type CallActionOptions,
  type CallActionResult,
} from './call-action.js';
import { runCallbackBench, type CallbackOptions, type CallbackResult } from './callbacks.js';
import { runCapacityBench, type CapacityOptions, type CapacityResult } from './capacity.js';
import {
  formatTransfer,
  runTransferBench,
  type TransferOptions,
  type TransferResult,
} from './transfer.js';

export type ApiPart = 'call' | 'capacity' | 'transfer' | 'callbacks';
const PARTS: readonly ApiPart[] = ['call', 'capacity', 'transfer', 'callbacks'];

export interface ApiBenchOptions {
  callAction?: Omit<CallActionOptions, 'log' | 'profiler'>;
  capacity?: Omit<CapacityOptions, 'log' | 'profiler'>;
  transfer?: Omit<TransferOptions, 'log'>;
  callbacks?: Omit<CallbackOptions, 'log'>;
  /** Parts not to run; all run by default. */
  skip?: ReadonlySet<ApiPart>;
  /** Write a .cpuprofile of each measured window of the server here. */
  profileDir?: string;
  log?: (line: string) => void;
}

/** The media-only figure, as bench/results/media.json has it (written by `npm run bench -- media`). */
export interface MediaOnly {
  max_members: number;
  date: string | null;
  cpu: string | null;
  /** Whether media.json was measured on a CPU of the same model as this run. */
  same_cpu: boolean;
}

export interface ApiBenchResult {
  call_p99_ms_at_100rps: number;
  invite_p99_ms_at_100rps: number;
  bare_p99_ms_at_100rps: number;
  ratio_vs_bare_fastify: number;
  ratio_of_means_vs_bare_fastify: number;
  max_rps_no_failures: number;
  server_members_max: number;
  tick_lateness_p99_ms_at_max: number;
  media_only_max_members: number;
  /** server_members_max ÷ media_only_max_members. */
  ratio_vs_media_only: number;
  media_only: MediaOnly | null;
  /** The name: = warm_transfer_invite_p99_ms. */
  warm_transfer_p99_ms: number;
  warm_transfer_invite_p50_ms: number;
  warm_transfer_invite_p99_ms: number;
  warm_transfer_hold_music_p50_ms: number;
  warm_transfer_hold_music_p99_ms: number;
  callback_events_per_second: number;
  callback_p50_ms: number;
  callback_p99_ms: number;
  /** Of the step the three above come from: events, callbacks whose signature verified, duplicates. */
  callback_events: number;
  callback_signatures_valid: number;
  callback_duplicates: number;
  call_action: CallActionResult | null;
  capacity: CapacityResult | null;
  transfer: TransferResult | null;
  callbacks: CallbackResult | null;
  /** The code measured: its commit, and whether src/ had changes not committed. */
  tree: { commit: string | null; src_modified: boolean | null };
  load_average_start: number[];
  load_average_end: number[];
  definitions: Record<string, string>;
}

export const DEFINITIONS: Record<string, string> = {
  call_p99_ms_at_100rps:
    'p99 of (response complete − request due) for POST /v1/phlo/{phlo}/multi_party_call/{node} ' +
    '{action: call} answered 201, at 100 req/s: the median over the headline rounds (default 3, ' +
    'each 15 s = 1500 kept requests per target, the order of the two targets alternating) of ' +
    "each round's p99",
  invite_p99_ms_at_100rps:
    'p99 at 100 req/s of (SIPp callee read the INVITE the request caused − request due), median ' +
    'over the headline rounds; wall clock on both sides (gettimeofday in SIPp, performance.now() + ' +
    'a Date.now() offset in the client)',
  ratio_vs_bare_fastify:
    "the median over the headline rounds of (that round's call p99 ÷ the p99 of a bare Fastify " +
    'route — same path, 201 {api_id, error: ""} at once, its own process — driven by the same ' +
    'client at 100 req/s in the same round): the tail is what the target is about, so the tails ' +
    "are compared; every round's ratio is in call_action.ratios_vs_bare_fastify, and " +
    "ratio_of_means_vs_bare_fastify (median of the rounds' ratios of the means) is beside it",
  max_rps_no_failures:
    'highest asked rate whose Partyline step passed: every kept request answered 201, every one of ' +
    'their INVITEs seen by SIPp, p99 of both times < bound (20 ms), the client sent ≥ 95 % of the rate',
  server_members_max:
    'most members (three-party calls made by a run + the call action, every member a SIPp callee ' +
    'sending a G.711 tone) with mixer tick lateness p99 < 5 ms over the measured window, no tick ' +
    'skipped or faulted, no inbound RTP lost (RFC 3550), every member sent a frame every tick, none dropped',
  media_only_max_members:
    'max_members of bench/results/media.json: rooms of 5 in a bare media engine fed by a Node load ' +
    'generator — no SIP, no API, no store',
  warm_transfer_invite_p50_ms:
    'p50 over N transfers, each on a fresh call (run: agent U1 and customer U2 connected, U2 hearing ' +
    "U1), of (U3's SIPp read the INVITE − the warm_transfer request was sent: POST " +
    '/v1/phlo/{phlo}/multi_party_call/{node} {action: warm_transfer, trigger_source: U1, to: U3, ' +
    'role: agent}); wall clock both sides (gettimeofday in SIPp, performance.now() + a Date.now() ' +
    'offset measured just before the request); one transfer at a time',
  warm_transfer_invite_p99_ms: 'p99 (nearest rank) of the same times',
  warm_transfer_p99_ms: "= warm_transfer_invite_p99_ms (the issue's name for it)",
  warm_transfer_hold_music_p50_ms:
    'p50 over the same transfers of (U2 received the packet completing the first 20 ms window ' +
    '(160 samples, stepped by 10 ms) of its audio since the request whose Goertzel level at the ' +
    "node's customer_hold_music tone (tone:1800) is ≥ −30 dBFS − the request was sent); U2 is a " +
    'TonePhone whose RTP socket is in the benchmark process (one clock)',
  warm_transfer_hold_music_p99_ms: 'p99 (nearest rank) of the same times',
  callback_events_per_second:
    'of the fastest passing step of member actions (hold/mute/unhold/unmute round-robin over the ' +
    "members of 8 live calls, open loop): the step's events ÷ (last callback arrival at the receiver − " +
    'first event `at`); a step passes when every action got 201, every event was delivered, every ' +
    'signature verified (verifyCallbackSignature, the account token) and this rate was ≥ 95 % of the ' +
    "rate the events happened (events ÷ (last `at` − first `at`)): no backlog. Server's default " +
    'dispatcher: 4 requests in flight to one URL, one per call',
  callback_p50_ms:
    "p50 in that step of (callback's body complete at the receiver, wall clock − its `at`, the " +
    "event's µs time in the body made wall clock with the server's measured clock offset); first " +
    'arrival of each event_id',
  callback_p99_ms: 'p99 (nearest rank) of the same delays',
  callback_events: "events in that step (the calls' event counts in the API, after − before)",
  callback_signatures_valid: 'callbacks of that step whose signature verified',
  callback_duplicates: 'callbacks of that step received − distinct event_ids',
};

export async function runApiBench(opts: ApiBenchOptions = {}): Promise<ApiBenchResult> {
  const log = opts.log ?? (() => undefined);
  const loadStart = loadAverage();
  log(`load average ${loadStart.join(' ')} on ${coreCount()} cores`);
  const profiler = opts.profileDir ? new WindowProfiler(opts.profileDir) : undefined;
  const call = opts.skip?.has('call')
    ? null
    : await runCallActionBench({ ...opts.callAction, profiler, log });
  const capacity = opts.skip?.has('capacity')
    ? null
    : await runCapacityBench({ ...opts.capacity, profiler, log });
  const transfer = opts.skip?.has('transfer')
    ? null
    : await runTransferBench({ ...opts.transfer, log });
  if (transfer) log(formatTransfer(transfer));
  const callbacks = opts.skip?.has('callbacks')
    ? null
    : await runCallbackBench({ ...opts.callbacks, log });
  const media = readMediaOnly();
  const nan = Number.NaN;
  const serverMax = capacity?.server_members_max ?? nan;
  return {
    call_p99_ms_at_100rps: call?.call_p99_ms_at_100rps ?? nan,
    invite_p99_ms_at_100rps: call?.invite_p99_ms_at_100rps ?? nan,
    bare_p99_ms_at_100rps: call?.bare_p99_ms_at_100rps ?? nan,
    ratio_vs_bare_fastify: call?.ratio_vs_bare_fastify ?? nan,
    ratio_of_means_vs_bare_fastify: call?.ratio_of_means_vs_bare_fastify ?? nan,
    max_rps_no_failures: call?.max_rps_no_failures ?? nan,
    server_members_max: serverMax,
    tick_lateness_p99_ms_at_max: capacity?.tick_lateness_p99_ms_at_max ?? nan,
    media_only_max_members: media?.max_members ?? nan,
    ratio_vs_media_only:
      media && media.max_members > 0 ? round(serverMax / media.max_members, 2) : nan,
    media_only: media,
    warm_transfer_p99_ms: transfer?.warm_transfer_invite_p99_ms ?? nan,
    warm_transfer_invite_p50_ms: transfer?.warm_transfer_invite_p50_ms ?? nan,
    warm_transfer_invite_p99_ms: transfer?.warm_transfer_invite_p99_ms ?? nan,
    warm_transfer_hold_music_p50_ms: transfer?.warm_transfer_hold_music_p50_ms ?? nan,
    warm_transfer_hold_music_p99_ms: transfer?.warm_transfer_hold_music_p99_ms ?? nan,
    callback_events_per_second: callbacks?.callback_events_per_second ?? nan,
    callback_p50_ms: callbacks?.callback_p50_ms ?? nan,
    callback_p99_ms: callbacks?.callback_p99_ms ?? nan,
    callback_events: callbacks?.callback_events ?? nan,
    callback_signatures_valid: callbacks?.callback_signatures_valid ?? nan,
    callback_duplicates: callbacks?.callback_duplicates ?? nan,
    call_action: call,
    capacity,
    transfer,
    callbacks,
    tree: measuredTree(),
    load_average_start: loadStart,
    load_average_end: loadAverage(),
    definitions: DEFINITIONS,
  };
}

/**
 * The commit of the repository the server was loaded from and whether its
 * src/ differed from it; from PARTYLINE_BENCH_COMMIT when run from an
 * export without .git (src then is that commit's).
 */
function measuredTree(): ApiBenchResult['tree'] {
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  try {
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      src_modified: git('status', '--porcelain', '--', 'src').trim().length > 0,
    };
  } catch {
    const commit = process.env.PARTYLINE_BENCH_COMMIT ?? null;
    return { commit, src_modified: commit ? false : null };
  }
}

function readMediaOnly(): MediaOnly | null {
  try {
    const doc = JSON.parse(
      readFileSync(join(REPO_ROOT, 'bench', 'results', 'media.json'), 'utf8'),
    ) as { max_members?: unknown; date?: unknown; machine?: { cpu?: unknown } };
    if (typeof doc.max_members !== 'number') return null;
    const cpu = typeof doc.machine?.cpu === 'string' ? doc.machine.cpu : null;
    return {
      max_members: doc.max_members,
      date: typeof doc.date === 'string' ? doc.date : null,
      cpu,
      same_cpu: cpu !== null && cpus()[0]?.model === cpu,
    };
  } catch {
    return null;
  }
}

/** The result as console tables. */
export function printApiResult(r: ApiBenchResult): void {
  const c = r.call_action;
  if (c) {
    console.log('\n== api: the call action (open loop, per step) vs bare Fastify, times in ms ==');
    console.table(
      c.steps.map(({ rate, partyline: p, bare_fastify: b }) => ({
        'req/s': rate,
        passed: p.passed,
        '201 p50': p.p50_201_ms,
        '201 p99': p.p99_201_ms,
        'INVITE p50': p.p50_invite_ms,
        'INVITE p99': p.p99_invite_ms,
        'not 201': notOk(p.not_201),
        'INVITE missing': p.requests - notOk(p.not_201) - (p.invites_seen ?? 0),
        'bare p50': b.p50_201_ms,
        'bare p99': b.p99_201_ms,
        'p99 ratio': b.p99_201_ms > 0 ? round(p.p99_201_ms / b.p99_201_ms, 2) : Number.NaN,
        'server %': p.server_cpu_pct,
        'bare %': b.server_cpu_pct,
        'SIPp %': p.sipp_cpu_pct,
        'machine %': p.machine_busy_pct,
      })),
    );
    for (const s of c.attempts.filter((a) => !a.passed)) console.log(`  ${s.rate}/s: ${s.reason}`);
    console.log(`limit: ${c.limit}`);
    if (c.headline.length) {
      console.log(
        `\n== api: the call action at 100 req/s, headline rounds (${c.headline_source}) ==`,
      );
      console.table(
        c.headline.map((h, i) => ({
          round: i + 1,
          first: h.first,
          '201 p50': h.partyline.p50_201_ms,
          '201 p99': h.partyline.p99_201_ms,
          'INVITE p99': h.partyline.p99_invite_ms,
          'bare p50': h.bare_fastify.p50_201_ms,
          'bare p99': h.bare_fastify.p99_201_ms,
          'p99 ratio': h.p99_ratio,
          'mean ratio': h.mean_ratio,
          'server %': h.partyline.server_cpu_pct,
          'others %': Math.max(h.partyline.others_cpu_pct, h.bare_fastify.others_cpu_pct),
          // Ours only: bare Fastify touches no disk, so its window shows the machine's alone.
          'I/O stall ms (some/full)': `${h.partyline.io_stall_some_ms} / ${h.partyline.io_stall_full_ms}`,
        })),
      );
      const split = c.headline.flatMap((h, i) =>
        [h.partyline, h.bare_fastify].flatMap((s) => (s.phases ? [{ round: i + 1, s }] : [])),
      );
      if (split.length) {
        console.log(
          '\n== where the time to the 201 went, ms: p99 / mean of the slowest 2 % (server-timings.ts) ==',
        );
        const cell = (p: { p99: number; slowest_2pct_mean: number }): string =>
          `${p.p99} / ${p.slowest_2pct_mean}`;
        console.table(
          split.map(({ round, s }) => ({
            round,
            target: s.target,
            late: cell(s.phases!.late),
            to_server: cell(s.phases!.to_server),
            in_server: cell(s.phases!.in_server),
            from_server: cell(s.phases!.from_server),
          })),
        );
      }
    }
  }
  const k = r.capacity;
  if (k) {
    console.log(
      '\n== api: whole-server capacity, three-party calls via the API, SIPp tone callees ==',
    );
    console.table(
      k.steps.map((s) => ({
        members: s.members,
        passed: s.passed,
        'lateness p50': s.lateness_p50_ms,
        'lateness p99': s.lateness_p99_ms,
        skipped: s.skipped_ticks,
        'lost in': s.inbound_lost,
        'not sent': s.outbound_missing,
        late: s.inbound_late,
        concealed: s.inbound_concealed,
        'server %': s.server_cpu_pct,
        'SIPp %': s.sipp_cpu_pct,
        'machine %': s.machine_busy_pct,
        'set-up s': s.setup_s,
        'set-up lateness max': s.setup_lateness_max_ms,
      })),
    );
    for (const s of k.steps.filter((a) => !a.passed)) console.log(`  ${s.members}: ${s.reason}`);
    console.log(`limit: ${k.limit}`);
  }
  const t = r.transfer;
  if (t) {
    console.log(
      `\n== api: warm transfer, ${t.transfers} transfers each on a fresh call, ms from the request ==`,
    );
    console.table([
      {
        'INVITE p50': t.warm_transfer_invite_p50_ms,
        'INVITE p99': t.warm_transfer_invite_p99_ms,
        'hold music p50': t.warm_transfer_hold_music_p50_ms,
        'hold music p99': t.warm_transfer_hold_music_p99_ms,
        '201 p50': t.warm_transfer_201_p50_ms,
        '201 p99': t.warm_transfer_201_p99_ms,
        'INVITEs seen': t.invites_seen,
        'hold music heard': t.hold_music_heard,
        'others %': t.others_cpu_pct,
      },
    ]);
    for (const f of t.failures) console.log(`  ${f}`);
  }
  const b = r.callbacks;
  if (b) {
    console.log('\n== api: signed event callbacks, member actions per step, delays in ms ==');
    console.table(
      b.steps.map((s) => ({
        'actions/s': s.rate,
        passed: s.passed,
        events: s.events,
        'events/s': s.events_per_second,
        'delivered/s': s.delivered_per_second,
        'delay p50': s.p50_ms,
        'delay p99': s.p99_ms,
        'delay max': s.max_ms,
        valid: s.signatures_valid,
        invalid: s.signatures_invalid,
        dup: s.duplicates,
        missing: s.missing,
        'server %': s.server_cpu_pct,
        'receiver %': s.receiver_cpu_pct,
        'others %': s.others_cpu_pct,
      })),
    );
    for (const s of b.steps.filter((a) => !a.passed)) console.log(`  ${s.rate}/s: ${s.reason}`);
    console.log(`limit: ${b.limit}`);
  }
  console.log('\n== api summary ==');
  console.table([
    {
      call_p99_ms_at_100rps: r.call_p99_ms_at_100rps,
      invite_p99_ms_at_100rps: r.invite_p99_ms_at_100rps,
      ratio_vs_bare_fastify: r.ratio_vs_bare_fastify,
      ratio_of_means: r.ratio_of_means_vs_bare_fastify,
      max_rps_no_failures: r.max_rps_no_failures,
      server_members_max: r.server_members_max,
      media_only_max_members: r.media_only_max_members,
    },
  ]);
  console.table([
    {
      warm_transfer_p99_ms: r.warm_transfer_p99_ms,
      warm_transfer_invite_p50_ms: r.warm_transfer_invite_p50_ms,
      warm_transfer_hold_music_p50_ms: r.warm_transfer_hold_music_p50_ms,
      warm_transfer_hold_music_p99_ms: r.warm_transfer_hold_music_p99_ms,
      callback_events_per_second: r.callback_events_per_second,
      callback_p50_ms: r.callback_p50_ms,
      callback_p99_ms: r.callback_p99_ms,
      callback_events: r.callback_events,
      callback_signatures_valid: r.callback_signatures_valid,
      callback_duplicates: r.callback_duplicates,
    },
  ]);
  if (r.media_only && !r.media_only.same_cpu) {
    console.log(
      `note: media.json (${r.media_only.date}) was measured on "${r.media_only.cpu}", not this CPU`,
    );
  }
  console.log(
    `load average: start ${r.load_average_start.join(' ')}, end ${r.load_average_end.join(' ')}`,
  );
}

function notOk(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

const USAGE = `usage: node --expose-gc --import tsx bench/api/index.ts [options]
  --rates 25,50,...    request rates of the call action steps
  --seconds 4          kept requests per rate step, seconds of sending
  --headline-rounds 3  rounds at 100 req/s behind the headline (0: the ladder's step)
  --headline-seconds 15  kept requests per target per round, seconds
  --members 30,60,...  member counts of the capacity steps (multiples of 3)
  --window 5           measured window of a capacity step, seconds
  --retries 1          repeats of a failing step
  --no-bisect          no extra step between the last pass and the first failure
  --transfers 30       warm transfers measured (each on a fresh call)
  --cb-rates 50,100,.. member actions per second of the callback steps
  --cb-seconds 5       seconds of actions per callback step
  --skip call,capacity,transfer,callbacks
  --phases             split each request's time at the server (client lateness,
                       to the server, in it, back): bench/api/server-timings.ts
  --profile DIR        write a .cpuprofile of each measured window to DIR
  --json FILE          also write the result as JSON`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string' },
      seconds: { type: 'string' },
      'headline-rounds': { type: 'string' },
      'headline-seconds': { type: 'string' },
      members: { type: 'string' },
      window: { type: 'string' },
      retries: { type: 'string' },
      transfers: { type: 'string' },
      'cb-rates': { type: 'string' },
      'cb-seconds': { type: 'string' },
      'no-bisect': { type: 'boolean' },
      skip: { type: 'string' },
      profile: { type: 'string' },
      phases: { type: 'boolean' },
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
  const list = (v: string | undefined): number[] | undefined => v?.split(',').map(Number);
  const retries = num(values.retries);
  const bisect = !values['no-bisect'];
  const result = await runApiBench({
    callAction: {
      rates: list(values.rates),
      seconds: num(values.seconds),
      retries,
      bisect,
      headlineRounds: num(values['headline-rounds']),
      headlineSeconds: num(values['headline-seconds']),
      phases: values.phases,
    },
    capacity: { members: list(values.members), seconds: num(values.window), retries, bisect },
    transfer: { transfers: num(values.transfers) },
    callbacks: { rates: list(values['cb-rates']), seconds: num(values['cb-seconds']) },
    skip: new Set(
      (values.skip ?? '').split(',').filter((s): s is ApiPart => PARTS.includes(s as ApiPart)),
    ),
    profileDir: values.profile,
    log: (line) => console.log(`  ${line}`),
  });
  printApiResult(result);
  if (values.json) await writeFile(values.json, JSON.stringify(result, null, 2) + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
