/**
 * Part 1 of the API benchmark: the `call` action end to end — request in,
 * 201 out, INVITE on the wire — at stepped, open-loop request rates, beside
 * a bare Fastify route driven by the same client at the same rates.
 *
 * Set-up (once): a Partyline server in this process (server.ts); a PHLO of
 * its own with max_participants 100; `liveCalls` runs, each an agent and a
 * customer that are SIPp tone callees (uas-tone.xml: they answer and send
 * G.711, so their legs never time out for lack of RTP); a second SIPp UAS
 * (uas-signalling.xml) for the members the action adds: it logs each
 * INVITE's arrival (gettimeofday, µs), answers at once without RTP, holds
 * `holdMs` and hangs up, so the calls keep room. Requests go round-robin
 * over the live calls (trigger_source = that call's agent), each with a `to`
 * of its own (sip:u<N>@127.0.0.1:<port>): no two requests dial the same
 * address, and at `rate` req/s a call holds about rate × holdMs / liveCalls
 * added members at a time, far below 98.
 *
 * A step (one rate, one target): a fresh client process (client.ts) sends
 * `warmupSeconds` of requests, then `seconds` of kept ones, at the rate;
 * afterwards the harness waits for the INVITEs of the kept requests in
 * SIPp's log, then for the added members to leave. Per request: time to the
 * 201 (due → response complete) and, for ours, time to the INVITE (due →
 * SIPp read it). README.md in this folder has every definition.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from '../../test/support/partyline-server.js';
import type { TrackedChild } from '../cps/child.js';
import { REPO_ROOT } from '../cps/peers.js';
import { busyPercent, processCpuUs } from '../media/machine.js';
import type { WindowProfiler } from '../media/profiler.js';
import { median, percentile, round } from '../media/stats.js';
import type { ClientReport } from './client.js';
import { othersPercent, repeatWhileContended, sampleCpu, type CpuSample } from './contention.js';
import {
  createPhlo,
  memberStates,
  procCpuMs,
  startBenchServer,
  startRun,
  until,
  type BenchPhlo,
} from './server.js';
import {
  abandonSetUp,
  basicAuth,
  countNot201,
  cpuPercent,
  readInvites,
  runClient,
  startReadyChild,
  workWithTone,
  type InviteLog,
} from './harness.js';
import {
  NUMBER_HEADER,
  ServerTimings,
  splitPhases,
  TIMINGS_PATH,
  type PhaseSplit,
  type Timings,
} from './server-timings.js';
import { startUas, type RunningUas } from './sipp-uas.js';
import { ioStallMs, readIoPressure, type IoPressure } from './io-pressure.js';

export const DEFAULT_RATES: readonly number[] = [
  25, 50, 100, 150, 200, 300, 400, 600, 800, 1200, 1600, 2400,
];

export interface CallActionOptions {
  rates?: readonly number[];
  /** Kept requests per step, seconds of sending; default 4. */
  seconds?: number;
  /** Requests sent before the kept ones in each step (same rate); default 2 s. */
  warmupSeconds?: number;
  /** Live calls the requests go round-robin over; default 8. */
  liveCalls?: number;
  /** How long an added member stays before its phone hangs up; default 200 ms. */
  holdMs?: number;
  /** Pass bound on the p99 of both times (to the 201, to the INVITE); default 20 ms. */
  boundMs?: number;
  /** Repeats of a failing step of ours; default 1. */
  retries?: number;
  /** One more rate between the last pass and the first failure; default true. */
  bisect?: boolean;
  /** Keep-alive connections of the client; default 64. */
  connections?: number;
  /**
   * The headline at 100 req/s: rounds of one long step per target, the
   * order alternating (default 3 rounds of 15 s; 0 rounds: the 100 req/s
   * step of the ladder is the headline, as before).
   */
  headlineRounds?: number;
  headlineSeconds?: number;
  /** Split each request's time at the server (server-timings.ts); default false. */
  phases?: boolean;
  profiler?: WindowProfiler;
  log?: (line: string) => void;
}

export type Target = 'partyline' | 'bare-fastify';

/** One step: one target at one rate. Times in ms. */
export interface RateStep {
  target: Target;
  rate: number;
  passed: boolean;
  reason?: string;
  requests: number;
  /** Responses other than 201 (status → count; 0 = no response). */
  not_201: Record<string, number>;
  p50_201_ms: number;
  p99_201_ms: number;
  mean_201_ms: number;
  max_201_ms: number;
  /** Partyline only: INVITEs SIPp logged for the kept 201s, and their times. */
  invites_seen?: number;
  p50_invite_ms?: number;
  p99_invite_ms?: number;
  mean_invite_ms?: number;
  max_invite_ms?: number;
  /** Requests sent ÷ the window's planned length, req/s. */
  achieved_rps: number;
  /** How late the client called http.request() after a request was due, p99. */
  client_lateness_p99_ms: number;
  /** CPU over the measured window, % of one core: the server (or bare Fastify) process, the client, the SIPp callee. */
  server_cpu_pct: number;
  client_cpu_pct: number;
  sipp_cpu_pct?: number;
  /** All cores, every process, % busy. */
  machine_busy_pct: number;
  /** CPU of processes outside the benchmark, % of one core (contention.ts). */
  others_cpu_pct: number;
  /** The machine's I/O stall time over the window (io-pressure.ts): some task / every task. */
  io_stall_some_ms: number;
  io_stall_full_ms: number;
  /** Failed while others_cpu_pct was above the limit: repeated. */
  contended?: boolean;
  /** Disagreement of the client's two wall-clock calibrations, ms. */
  clock_drift_ms: number;
  /** With --phases: where the time to the 201 went (server-timings.ts). */
  phases?: PhaseSplit | null;
  profile?: string;
}

/** One round of the headline: both targets at 100 req/s, one after the other. */
export interface HeadlineRound {
  /** Which target ran first (the order alternates from round to round). */
  first: Target;
  partyline: RateStep;
  bare_fastify: RateStep;
  /** partyline p99 ÷ bare_fastify p99 (to the 201). */
  p99_ratio: number;
  /** partyline mean ÷ bare_fastify mean. */
  mean_ratio: number;
}

export interface CallActionResult {
  /**
   * p99 of time to the 201 at 100 req/s (Partyline): the median over the
   * headline rounds of each round's p99 (or the ladder's 100 req/s step
   * when there are no rounds).
   */
  call_p99_ms_at_100rps: number;
  /** p99 of time to the INVITE at 100 req/s, likewise. */
  invite_p99_ms_at_100rps: number;
  bare_p99_ms_at_100rps: number;
  /** The median over the rounds of each round's p99 ratio. */
  ratio_vs_bare_fastify: number;
  /** The median over the rounds of each round's ratio of the means. */
  ratio_of_means_vs_bare_fastify: number;
  /** Every round's p99 ratio, in the order run: the spread behind the median. */
  ratios_vs_bare_fastify: number[];
  /** Where the headline numbers come from. */
  headline_source: string;
  headline: HeadlineRound[];
  /** Highest rate whose Partyline step passed. */
  max_rps_no_failures: number;
  /** The step that ended the ladder. */
  limit: string;
  steps: { rate: number; partyline: RateStep; bare_fastify: RateStep }[];
  /** Every attempt of both targets, retries and contended repeats included, in the order run. */
  attempts: RateStep[];
  settings: Record<string, number>;
}

interface Fixture extends InviteLog {
  srv: TestServer;
  phlo: BenchPhlo;
  tone: RunningUas;
  callee: RunningUas;
  bare: TrackedChild;
  barePort: number;
  liveCalls: number;
  /** The agents of the current live calls, one per call. */
  agents: string[];
  /** How many sets of live calls were made (names differ per set). */
  generation: number;
  /** Members that stay for a whole step (agents and customers). */
  resident: number;
  work: string;
  nextN: number;
}

const BARE = join(REPO_ROOT, 'bench', 'api', 'bare-fastify.ts');
const REQUEST_TIMEOUT_MS = 10_000;

export async function runCallActionBench(opts: CallActionOptions = {}): Promise<CallActionResult> {
  const log = opts.log ?? (() => undefined);
  const rates = [...(opts.rates ?? DEFAULT_RATES)].sort((a, b) => a - b);
  const seconds = opts.seconds ?? 4;
  const warmup = opts.warmupSeconds ?? 2;
  const bound = opts.boundMs ?? 20;
  const retries = opts.retries ?? 1;
  const settings = {
    seconds_per_step: seconds,
    warmup_seconds: warmup,
    live_calls: opts.liveCalls ?? 8,
    hold_ms: opts.holdMs ?? 200,
    bound_p99_ms: bound,
    connections: opts.connections ?? 64,
    max_participants: 100,
    headline_rounds: opts.headlineRounds ?? 3,
    headline_seconds: opts.headlineSeconds ?? 15,
  };
  const fx = await setUp(settings.live_calls, settings.hold_ms, opts.phases ?? false, log);
  try {
    const step = (target: Target, rate: number, keep = true): Promise<RateStep> =>
      runStep(fx, target, rate, keep ? seconds : 0, keep ? warmup : 3, settings, bound, opts);
    // JIT warm-up of both servers (and of the calls' queues): 3 s at 200/s, nothing kept.
    log('warm-up: 3 s at 200 req/s to each target, not kept');
    await step('bare-fastify', 200, false);
    await step('partyline', 200, false);

    const steps: CallActionResult['steps'] = [];
    const attempts: RateStep[] = [];
    const record = (s: RateStep): void => {
      attempts.push(s);
      log(formatRateStep(s));
    };

    // The headline first, on servers just warmed up: the ladder's 4 s steps keep 400 requests
    // at 100 req/s, so their p99 is the fourth slowest and moves by ±30 % from run to run on
    // this machine; long steps in rounds whose order alternates (so neither target always runs
    // on a machine that has just been busier) give a median with its spread beside it.
    const headline: HeadlineRound[] = [];
    for (let r = 0; r < settings.headline_rounds; r++) {
      const long = (target: Target): Promise<RateStep> =>
        repeatWhileContended(
          () => runStep(fx, target, 100, settings.headline_seconds, warmup, settings, bound, opts),
          (s) => log(`headline ${r + 1}: ${formatRateStep(s)}`),
          { evenIfPassed: true },
        );
      const first: Target = r % 2 === 0 ? 'bare-fastify' : 'partyline';
      const a = await long(first);
      const b = await long(first === 'partyline' ? 'bare-fastify' : 'partyline');
      const [partyline, bareFastify] = first === 'partyline' ? [a, b] : [b, a];
      headline.push({ first, ...compared(partyline, bareFastify) });
    }

    const attempt = async (rate: number): Promise<RateStep> => {
      const bare = await repeatWhileContended(() => step('bare-fastify', rate), record);
      let ours: RateStep;
      for (let i = 0; ; i++) {
        ours = await repeatWhileContended(() => step('partyline', rate), record);
        if (ours.passed || i >= retries) break;
      }
      steps.push({ rate, partyline: ours, bare_fastify: bare });
      return ours;
    };
    let best: RateStep | undefined;
    let failure: RateStep | undefined;
    for (const rate of rates) {
      const ours = await attempt(rate);
      if (!ours.passed) {
        failure = ours;
        break;
      }
      best = ours;
    }
    if (failure && (opts.bisect ?? true)) {
      const low = best?.rate ?? 0;
      const mid = Math.round((low + failure.rate) / 2 / 25) * 25;
      if (mid > low && mid < failure.rate) {
        const ours = await attempt(mid);
        if (ours.passed) best = ours;
        else failure = ours;
      }
    }
    steps.sort((a, b) => a.rate - b.rate);
    const at100 = steps.find((s) => s.rate === 100);
    const rounds: Omit<HeadlineRound, 'first'>[] = headline.length
      ? headline
      : at100
        ? [compared(at100.partyline, at100.bare_fastify)]
        : [];
    const med = (pick: (r: Omit<HeadlineRound, 'first'>) => number | undefined): number =>
      round(median(rounds.map(pick).filter((v): v is number => Number.isFinite(v))), 3);
    return {
      call_p99_ms_at_100rps: med((r) => r.partyline.p99_201_ms),
      invite_p99_ms_at_100rps: med((r) => r.partyline.p99_invite_ms),
      bare_p99_ms_at_100rps: med((r) => r.bare_fastify.p99_201_ms),
      ratio_vs_bare_fastify: med((r) => r.p99_ratio),
      ratio_of_means_vs_bare_fastify: med((r) => r.mean_ratio),
      ratios_vs_bare_fastify: rounds.map((r) => r.p99_ratio),
      headline_source: headline.length
        ? `median of ${headline.length} rounds of ${settings.headline_seconds} s per target at 100 req/s`
        : at100
          ? 'the ladder step at 100 req/s'
          : 'no step at 100 req/s',
      headline,
      max_rps_no_failures: best?.rate ?? 0,
      limit: failure
        ? `${failure.rate} req/s failed: ${failure.reason}`
        : `every rate up to ${rates[rates.length - 1]} req/s passed`,
      steps,
      attempts,
      settings,
    };
  } finally {
    await tearDown(fx);
  }
}

/** Both targets' steps of one headline round, with their ratios. */
function compared(partyline: RateStep, bareFastify: RateStep): Omit<HeadlineRound, 'first'> {
  return {
    partyline,
    bare_fastify: bareFastify,
    p99_ratio: ratioOf(partyline.p99_201_ms, bareFastify.p99_201_ms),
    mean_ratio: ratioOf(partyline.mean_201_ms, bareFastify.mean_201_ms),
  };
}

function ratioOf(a: number | undefined, b: number | undefined): number {
  return a !== undefined && b !== undefined && b > 0 ? round(a / b, 2) : Number.NaN;
}

async function setUp(
  liveCalls: number,
  holdMs: number,
  phases: boolean,
  log: (line: string) => void,
): Promise<Fixture> {
  const { work, wav } = workWithTone(440);
  const started: { stop(): Promise<unknown> }[] = [];
  try {
    const tone = await startUas({
      scenario: 'uas-tone.xml',
      fill: { '@TONE_WAV@': wav },
      timeoutSeconds: 900,
    });
    started.push(tone);
    const callee = await startUas({
      scenario: 'uas-signalling.xml',
      fill: { holdMs: String(holdMs) },
      timeoutSeconds: 900,
    });
    started.push(callee);
    const srv = await startBenchServer();
    started.push(srv);
    const phlo = await createPhlo(srv, 100);
    const { child: bare, port: barePort } = await startReadyChild(
      phases ? [BARE, '--timings'] : [BARE],
      'bare Fastify',
    );
    started.push(bare);
    log(
      `server pid ${process.pid} (in-process), ${liveCalls} live calls (agents + customers on SIPp ` +
        `pid ${tone.pid}), callee SIPp pid ${callee.pid} :${callee.port}, bare Fastify pid ${bare.pid} :${barePort}`,
    );
    const fx: Fixture = {
      srv,
      phlo,
      tone,
      callee,
      bare,
      barePort,
      liveCalls,
      agents: [],
      generation: 0,
      resident: 2 * liveCalls,
      work,
      nextN: 1,
      logOffset: 0,
      invites: new Map(),
    };
    await freshCalls(fx);
    return fx;
  } catch (err) {
    await abandonSetUp(started, work);
    throw err;
  }
}

/**
 * Ends the live calls (their agents hung up through the API: a call ends
 * with its last agent) and makes `liveCalls` new ones, so that every step
 * of ours starts on calls with nothing in them but their agent and
 * customer: a call keeps each member that has left (its record, its leg)
 * until it ends, and some work per request grows with them.
 */
async function freshCalls(fx: Fixture): Promise<void> {
  const { srv, phlo } = fx;
  const node = `/v1/phlo/${phlo.phloId}/multi_party_call/${phlo.nodeId}`;
  for (const agent of fx.agents) {
    const res = await srv.api('POST', `${node}/members/${encodeURIComponent(agent)}`, {
      action: 'hangup',
    });
    if (res.status !== 201) throw new Error(`hangup ${agent}: ${res.status} ${res.text}`);
  }
  if (!(await until(() => srv.server.mpc.stats().liveCalls === 0, 15_000))) {
    throw new Error(`calls not ended: ${JSON.stringify(srv.server.mpc.stats())}`);
  }
  const g = ++fx.generation;
  const port = fx.tone.port;
  fx.agents = [];
  for (let k = 0; k < fx.liveCalls; k++) {
    const agent = `sip:agent${g}x${k}@127.0.0.1:${port}`;
    await startRun(srv, phlo.phloId, agent, `sip:customer${g}x${k}@127.0.0.1:${port}`);
    fx.agents.push(agent);
  }
  if (!(await until(() => memberStates(srv).connected === fx.resident, 15_000))) {
    throw new Error(`live calls not connected: ${JSON.stringify(memberStates(srv))}`);
  }
}

async function tearDown(fx: Fixture): Promise<void> {
  await fx.bare.stop();
  await fx.srv.stop();
  await fx.callee.stop();
  await fx.tone.stop();
  rmSync(fx.work, { recursive: true, force: true });
}

interface CpuMark {
  io: IoPressure | undefined;
  server: number;
  client: number;
  sipp: number;
  all: CpuSample;
  at: number;
}

async function runStep(
  fx: Fixture,
  target: Target,
  rate: number,
  seconds: number,
  warmupSeconds: number,
  settings: { connections: number },
  bound: number,
  opts: CallActionOptions,
): Promise<RateStep> {
  const ours = target === 'partyline';
  if (ours) await freshCalls(fx);
  const firstN = fx.nextN;
  const total = Math.round((seconds + warmupSeconds) * rate);
  fx.nextN += total;
  const port = ours ? fx.srv.server.httpPort : fx.barePort;
  const job = {
    url: `http://127.0.0.1:${port}/v1/phlo/${fx.phlo.phloId}/multi_party_call/${fx.phlo.nodeId}`,
    headers: { authorization: basicAuth(fx.srv), 'content-type': 'application/json' },
    bodyTemplate: JSON.stringify({
      action: 'call',
      to: `sip:u{n}@127.0.0.1:${fx.callee.port}`,
      role: 'customer',
      trigger_source: '{r}',
    }),
    rotate: fx.agents,
    firstN,
    rate,
    warmupMs: warmupSeconds * 1000,
    durationMs: seconds * 1000,
    connections: settings.connections,
    timeoutMs: REQUEST_TIMEOUT_MS,
    numberHeader: opts.phases ? NUMBER_HEADER : undefined,
  };
  // With --phases: the server under test is this process, so it is watched here.
  const watch = opts.phases && ours ? new ServerTimings() : undefined;
  const serverPid = ours ? process.pid : fx.bare.pid;
  const serverCpu = (): number => (ours ? processCpuUs() / 1000 : procCpuMs(serverPid));
  let clientPid = 0;
  const mark = (): CpuMark => ({
    io: readIoPressure(),
    server: serverCpu(),
    client: procCpuMs(clientPid),
    sipp: procCpuMs(fx.callee.pid),
    all: sampleCpu([clientPid, fx.callee.pid, fx.tone.pid, fx.bare.pid]),
    at: performance.now(),
  });
  let begin: CpuMark | undefined;
  let end: CpuMark | undefined;
  let profiling: Promise<void> | undefined;
  let profile: Promise<string | null> | undefined;
  const profileName = `api-${target}-${rate}rps-${firstN}`;
  let report: ClientReport;
  let timings: Timings | undefined;
  try {
    report = await runClient(fx.work, job, {
      what: `${target}, ${rate}/s`,
      budgetMs: (seconds + warmupSeconds) * 1000 + REQUEST_TIMEOUT_MS + 15_000,
      onSpawn: (pid) => (clientPid = pid),
      onStdoutLine: (line) => {
        if (line === 'WINDOW-START' && seconds > 0) {
          begin = mark();
          if (ours && opts.profiler) profiling = opts.profiler.start();
        } else if (line === 'WINDOW-END' && seconds > 0) {
          end = mark();
          if (profiling) profile = profiling.then(() => opts.profiler!.stop(profileName));
        }
      },
    });
    if (opts.phases) timings = watch ? watch.take() : await bareTimings(fx);
  } finally {
    watch?.stop();
  }

  // The kept requests' INVITEs (bounded wait), then the added members' hang-ups.
  if (ours) {
    const wanted = report.samples.filter((s) => s.status === 201).map((s) => s.n);
    await until(() => {
      readInvites(fx.callee.logPath, fx);
      return wanted.every((n) => fx.invites.has(n));
    }, 3_000);
    const drained = await until(() => {
      const m = memberStates(fx.srv);
      return m.dialing + m.ringing + m.connected + m.on_hold <= fx.resident;
    }, 15_000);
    if (!drained)
      opts.log?.(`  members still up after the step: ${JSON.stringify(memberStates(fx.srv))}`);
  }
  const result = summarise(fx, target, rate, report, begin, end, bound, ours);
  if (timings && seconds > 0) result.phases = splitPhases(report.samples, timings);
  const path = await profile;
  if (path) result.profile = path;
  // Forget this step's INVITEs: numbers never repeat.
  if (ours) for (const s of report.samples) fx.invites.delete(s.n);
  return result;
}

/** The bare Fastify child's notes of the step (started with --timings). */
async function bareTimings(fx: Fixture): Promise<Timings> {
  const res = await fetch(`http://127.0.0.1:${fx.barePort}${TIMINGS_PATH}`);
  if (!res.ok) throw new Error(`bare Fastify's timings: HTTP ${res.status}`);
  return (await res.json()) as Timings;
}

function summarise(
  fx: Fixture,
  target: Target,
  rate: number,
  report: ClientReport,
  begin: CpuMark | undefined,
  end: CpuMark | undefined,
  bound: number,
  ours: boolean,
): RateStep {
  const samples = report.samples;
  const ok = samples.filter((s) => s.status === 201);
  const notOk = countNot201(samples);
  const toResponse = ok.map((s) => s.done - s.due);
  const lateness = samples.map((s) => s.sent - s.due);
  const wallMs = begin && end ? end.at - begin.at : Number.NaN;
  const pct = (a: number | undefined, b: number | undefined): number => cpuPercent(a, b, wallMs);
  const io = ioStallMs(begin?.io, end?.io);
  const step: RateStep = {
    target,
    rate,
    passed: false,
    requests: samples.length,
    not_201: notOk,
    ...times('201', toResponse),
    achieved_rps: round(report.achieved_rps, 1),
    client_lateness_p99_ms: round(percentile(lateness, 99), 3),
    server_cpu_pct: pct(begin?.server, end?.server),
    client_cpu_pct: pct(begin?.client, end?.client),
    machine_busy_pct: round(busyPercent(begin?.all.machine, end?.all.machine), 1),
    others_cpu_pct: othersPercent(begin?.all, end?.all),
    io_stall_some_ms: io.some,
    io_stall_full_ms: io.full,
    clock_drift_ms: round(report.clock_drift_ms, 3),
  } as RateStep;
  const problems: string[] = [];
  const failed = samples.length - ok.length;
  if (failed > 0) {
    problems.push(
      `${failed} of ${samples.length} not 201 (${Object.entries(notOk)
        .map(([k, v]) => `${k === '0' ? 'no response' : k}: ${v}`)
        .join(', ')}${report.errors[0] ? `; ${report.errors[0]}` : ''})`,
    );
  }
  if (ours) {
    const invites: number[] = [];
    for (const s of ok) {
      const at = fx.invites.get(s.n);
      if (at !== undefined) invites.push(at - s.due);
    }
    Object.assign(step, times('invite', invites), {
      invites_seen: invites.length,
      sipp_cpu_pct: pct(begin?.sipp, end?.sipp),
    });
    if (invites.length < ok.length) problems.push(`${ok.length - invites.length} INVITEs not seen`);
    if (!(step.p99_invite_ms! < bound))
      problems.push(`INVITE p99 ${step.p99_invite_ms} ms ≥ ${bound} ms`);
  }
  if (!(step.p99_201_ms < bound)) problems.push(`201 p99 ${step.p99_201_ms} ms ≥ ${bound} ms`);
  if (step.achieved_rps < 0.95 * rate) problems.push(`client sent only ${step.achieved_rps} req/s`);
  step.passed = problems.length === 0;
  if (!step.passed) step.reason = problems.join('; ');
  return step;
}

function times(kind: '201' | 'invite', values: number[]): Record<string, number> {
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
  return {
    [`p50_${kind}_ms`]: round(percentile(values, 50), 3),
    [`p99_${kind}_ms`]: round(percentile(values, 99), 3),
    [`mean_${kind}_ms`]: round(mean, 3),
    [`max_${kind}_ms`]: round(values.length ? Math.max(...values) : Number.NaN, 3),
  };
}

export function formatRateStep(s: RateStep): string {
  const invite =
    s.target === 'partyline'
      ? `, INVITE p50 ${s.p50_invite_ms} p99 ${s.p99_invite_ms} ms (${s.invites_seen} seen), sipp ${s.sipp_cpu_pct} %`
      : '';
  return (
    `${s.target.padEnd(12)} ${String(s.rate).padStart(5)}/s: ${s.passed ? 'pass' : 'FAIL'}  ` +
    `201 p50 ${s.p50_201_ms} p99 ${s.p99_201_ms} ms${invite}; server ${s.server_cpu_pct} %, ` +
    `client ${s.client_cpu_pct} %, machine ${s.machine_busy_pct} %, others ${s.others_cpu_pct} %, ` +
    `I/O stall ${s.io_stall_some_ms} / ${s.io_stall_full_ms} ms` +
    (s.reason ? `  — ${s.reason}${s.contended ? ' (contended: repeated)' : ''}` : '')
  );
}
