/**
 * Part 4 of the API benchmark: signed event callbacks delivered. A PHLO
 * whose node has `event_callback_url: http://127.0.0.1:<port>/callbacks`,
 * a receiver process (callback-receiver.ts) that checks every signature
 * with verifyCallbackSignature and the account's AUTH_TOKEN and notes when
 * each callback arrived, and `liveCalls` calls (agent and customer: SIPp
 * tone callees) whose members the client (client.ts, a process of its own,
 * open loop) drives through hold → mute → unhold → unmute, round-robin over
 * every member, at stepped rates of member actions:
 *
 *   POST /v1/phlo/{phlo}/multi_party_call/{node}/members/{address} {"action":"hold"}
 *
 * Each action is one state change, one event, one callback. Per step: every
 * callback of the step's events (the receiver is drained and emptied between
 * steps), their delay — arrival at the receiver − the event's `at` (the time
 * in the body, µs, on the server's clock made wall-clock) — and the rate at
 * which they were delivered. README.md in this folder defines every number.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestServer } from '../../test/support/partyline-server.js';
import type { TrackedChild } from '../cps/child.js';
import { REPO_ROOT } from '../cps/peers.js';
import { processCpuUs } from '../media/machine.js';
import { percentile, round } from '../media/stats.js';
import type { ReceiverReport } from './callback-receiver.js';
import { othersPercent, repeatWhileContended, sampleCpu, type CpuSample } from './contention.js';
import {
  createNodePhlo,
  memberStates,
  procCpuMs,
  startBenchServer,
  startRun,
  until,
} from './server.js';
import {
  abandonSetUp,
  basicAuth,
  countNot201,
  cpuPercent,
  runClient,
  startReadyChild,
  workWithTone,
} from './harness.js';
import { startUas, type RunningUas } from './sipp-uas.js';
import { msFromPlivoTime, wallOffset } from './wall-clock.js';

export const DEFAULT_CALLBACK_RATES: readonly number[] = [50, 100, 200, 400, 800, 1600];

export interface CallbackOptions {
  /** Member actions per second, one step each; default DEFAULT_CALLBACK_RATES. */
  rates?: readonly number[];
  /** Seconds of actions per step; default 5. */
  seconds?: number;
  /** Calls whose members are acted on; default 8 (16 members). */
  liveCalls?: number;
  /** How long to wait for a step's callbacks after its last action; default 60 s. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CallbackStep {
  /** Member actions per second asked. */
  rate: number;
  passed: boolean;
  reason?: string;
  actions: number;
  /** Actions not answered 201 (status → count; 0 = no response). */
  not_201: Record<string, number>;
  /** Events the step made (the calls' event counts in the API, after − before). */
  events: number;
  /** Distinct event_ids received for them; duplicates = callbacks received − that. */
  delivered: number;
  duplicates: number;
  missing: number;
  /** Callbacks whose signature verified (verifyCallbackSignature, the account's token). */
  signatures_valid: number;
  signatures_invalid: number;
  /** Events ÷ (last `at` − first `at`): the rate state changed. */
  events_per_second: number;
  /** Events ÷ (last arrival − first `at`): the rate callbacks were delivered. */
  delivered_per_second: number;
  /** Arrival at the receiver − the event's `at` (first arrival of each event_id), ms. */
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** The server's (timeOrigin + performance.now()) − Date.now(), ms: the correction applied to `at`. */
  server_clock_correction_ms: number;
  server_cpu_pct: number;
  receiver_cpu_pct: number;
  client_cpu_pct: number;
  others_cpu_pct: number;
  contended?: boolean;
}

export interface CallbackResult {
  /** delivered_per_second of the fastest passing step. */
  callback_events_per_second: number;
  /** The most delivered_per_second of any step (a failing one too: the ceiling). */
  callback_events_per_second_max: number;
  callback_p50_ms: number;
  callback_p99_ms: number;
  /** Of that step. */
  callback_events: number;
  callback_signatures_valid: number;
  callback_duplicates: number;
  limit: string;
  steps: CallbackStep[];
  settings: Record<string, number>;
}

const RECEIVER = join(REPO_ROOT, 'bench', 'api', 'callback-receiver.ts');
const PATH = '/callbacks';
const ACTIONS = ['hold', 'mute', 'unhold', 'unmute'] as const;
const REQUEST_TIMEOUT_MS = 10_000;

interface Fixture {
  srv: TestServer;
  phloId: string;
  nodeId: string;
  tone: RunningUas;
  receiver: TrackedChild;
  receiverPort: number;
  members: string[];
  callIds: string[];
  work: string;
  nextN: number;
}

export async function runCallbackBench(opts: CallbackOptions = {}): Promise<CallbackResult> {
  const log = opts.log ?? (() => undefined);
  const rates = [...(opts.rates ?? DEFAULT_CALLBACK_RATES)].sort((a, b) => a - b);
  const settings = {
    seconds_per_step: opts.seconds ?? 5,
    live_calls: opts.liveCalls ?? 8,
    drain_timeout_ms: opts.drainTimeoutMs ?? 60_000,
    connections: 16,
    min_delivered_ratio: 0.95,
  };
  const fx = await setUp(settings.live_calls, log);
  try {
    const steps: CallbackStep[] = [];
    let best: CallbackStep | undefined;
    let failure: CallbackStep | undefined;
    for (const rate of rates) {
      const step = await repeatWhileContended(
        () => runStep(fx, rate, settings),
        (s) => {
          steps.push(s);
          log(formatCallbackStep(s));
        },
      );
      if (!step.passed) {
        failure = step;
        break;
      }
      best = step;
    }
    return {
      callback_events_per_second: best?.delivered_per_second ?? 0,
      callback_events_per_second_max: Math.max(0, ...steps.map((s) => s.delivered_per_second)),
      callback_p50_ms: best?.p50_ms ?? Number.NaN,
      callback_p99_ms: best?.p99_ms ?? Number.NaN,
      callback_events: best?.events ?? 0,
      callback_signatures_valid: best?.signatures_valid ?? 0,
      callback_duplicates: best?.duplicates ?? 0,
      limit: failure
        ? `${failure.rate} actions/s failed: ${failure.reason}`
        : `every rate up to ${rates[rates.length - 1]} actions/s passed`,
      steps,
      settings,
    };
  } finally {
    await tearDown(fx);
  }
}

async function setUp(liveCalls: number, log: (line: string) => void): Promise<Fixture> {
  const { work, wav } = workWithTone(440);
  const started: { stop(): Promise<unknown> }[] = [];
  try {
    const tone = await startUas({
      scenario: 'uas-tone.xml',
      fill: { '@TONE_WAV@': wav },
      timeoutSeconds: 1800,
    });
    started.push(tone);
    const srv = await startBenchServer();
    started.push(srv);
    const { child: receiver, port: receiverPort } = await startReadyChild(
      [RECEIVER, JSON.stringify({ token: srv.authToken, path: PATH })],
      'callback receiver',
    );
    started.push(receiver);
    const { phloId, nodeId } = await createNodePhlo(srv, 'API benchmark: callbacks', {
      name: 'callbacks',
      max_participants: 10,
      customer_hold_music: 'silence',
      agent_hold_music: 'silence',
      enter_sound: 'none',
      exit_sound: 'none',
      wait_music: 'none',
      event_callback_url: `http://127.0.0.1:${receiverPort}${PATH}`,
    });
    const members: string[] = [];
    for (let k = 0; k < liveCalls; k++) {
      const agent = `sip:cbagent${k}@127.0.0.1:${tone.port}`;
      const customer = `sip:cbcustomer${k}@127.0.0.1:${tone.port}`;
      await startRun(srv, phloId, agent, customer);
      members.push(agent, customer);
    }
    if (!(await until(() => memberStates(srv).connected === 2 * liveCalls, 15_000))) {
      throw new Error(`callback calls not connected: ${JSON.stringify(memberStates(srv))}`);
    }
    const list = await srv.api(
      'GET',
      `/v1/phlo/${phloId}/multi_party_call/${nodeId}/calls?limit=${liveCalls}`,
    );
    const callIds = ((list.json.calls as { call_id: string }[] | undefined) ?? []).map(
      (c) => c.call_id,
    );
    if (callIds.length !== liveCalls) throw new Error(`calls: ${list.status} ${list.text}`);
    log(
      `callbacks: ${liveCalls} calls (SIPp pid ${tone.pid}), receiver pid ${receiver.pid} ` +
        `:${receiverPort}${PATH}`,
    );
    const fx: Fixture = {
      srv,
      phloId,
      nodeId,
      tone,
      receiver,
      receiverPort,
      members,
      callIds,
      work,
      nextN: 0,
    };
    // The set-up's own callbacks (dialing, connected, ...) are not part of any step.
    await drain(fx, 30_000);
    await receiverReport(fx);
    return fx;
  } catch (err) {
    await abandonSetUp(started, work);
    throw err;
  }
}

async function tearDown(fx: Fixture): Promise<void> {
  await fx.srv.stop();
  await fx.receiver.stop();
  await fx.tone.stop();
  rmSync(fx.work, { recursive: true, force: true });
}

async function receiverGet<T>(fx: Fixture, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${fx.receiverPort}${path}`);
  if (!res.ok) throw new Error(`receiver ${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** Every callback since the last report, and the receiver forgets them. */
function receiverReport(fx: Fixture): Promise<ReceiverReport> {
  return receiverGet<ReceiverReport>(fx, '/report?reset=1');
}

/** Events each call has so far (the API's view of the call). */
async function eventCounts(fx: Fixture): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of fx.callIds) {
    const call = await fx.srv.getCall(id, { phloId: fx.phloId, nodeId: fx.nodeId });
    out.set(id, Array.isArray(call.events) ? call.events.length : 0);
  }
  return out;
}

/** Waits until the receiver has, for every call, as many distinct seqs as the call has events. */
async function drain(fx: Fixture, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const want = await eventCounts(fx);
  for (;;) {
    const have = await receiverGet<Record<string, number>>(fx, '/counts');
    if ([...want].every(([id, n]) => (have[id] ?? 0) >= n)) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/** (timeOrigin + performance.now()) − Date.now(): what the server's event times are ahead of the wall clock. */
function serverClockAhead(): number {
  return performance.timeOrigin - wallOffset();
}

interface Mark {
  server: number;
  receiver: number;
  client: number;
  all: CpuSample;
  at: number;
}

async function runStep(
  fx: Fixture,
  rate: number,
  settings: {
    seconds_per_step: number;
    drain_timeout_ms: number;
    connections: number;
    min_delivered_ratio: number;
  },
): Promise<CallbackStep> {
  const before = await eventCounts(fx);
  const node = `/v1/phlo/${fx.phloId}/multi_party_call/${fx.nodeId}`;
  // Request n acts on member n % M with action ⌊n / M⌋ % 4: each member goes hold → mute → unhold → unmute.
  const m = fx.members.length;
  const paths: string[] = [];
  const rotate: string[] = [];
  for (const action of ACTIONS) {
    for (const member of fx.members) {
      paths.push(`${node}/members/${encodeURIComponent(member)}`);
      rotate.push(action);
    }
  }
  // Whole cycles, so that every step starts and ends with everyone unheld and unmuted.
  const total = Math.max(1, Math.round((settings.seconds_per_step * rate) / (4 * m))) * 4 * m;
  const firstN = fx.nextN;
  fx.nextN += total;
  const job = {
    url: `http://127.0.0.1:${fx.srv.server.httpPort}${node}`,
    headers: { authorization: basicAuth(fx.srv), 'content-type': 'application/json' },
    bodyTemplate: JSON.stringify({ action: '{r}' }),
    rotate,
    paths,
    firstN,
    rate,
    warmupMs: 0,
    durationMs: (total / rate) * 1000,
    connections: settings.connections,
    timeoutMs: REQUEST_TIMEOUT_MS,
  };
  const ahead0 = serverClockAhead();
  let clientPid = 0;
  const mark = (): Mark => ({
    server: processCpuUs() / 1000,
    receiver: procCpuMs(fx.receiver.pid),
    client: procCpuMs(clientPid),
    all: sampleCpu([clientPid, fx.receiver.pid, fx.tone.pid]),
    at: performance.now(),
  });
  let begin: Mark | undefined;
  const report = await runClient(fx.work, job, {
    what: `callbacks, ${rate}/s`,
    budgetMs: settings.seconds_per_step * 1000 + REQUEST_TIMEOUT_MS + 15_000,
    onSpawn: (pid) => (clientPid = pid),
    onStdoutLine: (line) => {
      if (line === 'WINDOW-START') begin = mark();
    },
  });
  const drained = await drain(fx, settings.drain_timeout_ms);
  const end = mark();
  const ahead = (ahead0 + serverClockAhead()) / 2;
  const after = await eventCounts(fx);
  const got = await receiverReport(fx);

  const notOk = countNot201(report.samples);
  let events = 0;
  for (const [id, n] of after) events += n - (before.get(id) ?? 0);
  const first = new Map<string, { at: number; arrived: number }>();
  let valid = 0;
  for (const c of got.callbacks) {
    if (c.valid) valid++;
    if (first.has(c.event_id)) continue;
    first.set(c.event_id, { at: msFromPlivoTime(c.at) - ahead, arrived: c.arrived });
  }
  const delays: number[] = [];
  let firstAt = Infinity;
  let lastAt = -Infinity;
  let lastArrival = -Infinity;
  for (const { at, arrived } of first.values()) {
    delays.push(arrived - at);
    firstAt = Math.min(firstAt, at);
    lastAt = Math.max(lastAt, at);
    lastArrival = Math.max(lastArrival, arrived);
  }
  const n = first.size;
  const wallMs = begin ? end.at - begin.at : Number.NaN;
  const pct = (a: number | undefined, b: number): number => cpuPercent(a, b, wallMs);
  const step: CallbackStep = {
    rate,
    passed: false,
    actions: report.samples.length,
    not_201: notOk,
    events,
    delivered: n,
    duplicates: got.callbacks.length - n,
    missing: Math.max(0, events - n),
    signatures_valid: valid,
    signatures_invalid: got.callbacks.length - valid,
    events_per_second: round(n > 1 ? (n / (lastAt - firstAt)) * 1000 : Number.NaN, 1),
    delivered_per_second: round(n > 1 ? (n / (lastArrival - firstAt)) * 1000 : Number.NaN, 1),
    p50_ms: round(percentile(delays, 50), 3),
    p99_ms: round(percentile(delays, 99), 3),
    max_ms: round(delays.length ? Math.max(...delays) : Number.NaN, 3),
    server_clock_correction_ms: round(ahead, 3),
    server_cpu_pct: pct(begin?.server, end.server),
    receiver_cpu_pct: pct(begin?.receiver, end.receiver),
    client_cpu_pct: pct(begin?.client, end.client),
    others_cpu_pct: othersPercent(begin?.all, end.all),
  };
  const problems: string[] = [];
  const failed = report.samples.length - report.samples.filter((s) => s.status === 201).length;
  if (failed > 0) problems.push(`${failed} actions not 201 (${JSON.stringify(notOk)})`);
  if (!drained || step.missing > 0) problems.push(`${step.missing} of ${events} callbacks missing`);
  if (step.signatures_invalid > 0) problems.push(`${step.signatures_invalid} signatures invalid`);
  if (got.malformed > 0) problems.push(`${got.malformed} malformed callbacks`);
  if (!(step.delivered_per_second >= settings.min_delivered_ratio * step.events_per_second)) {
    problems.push(
      `delivered ${step.delivered_per_second}/s < ${settings.min_delivered_ratio} × ${step.events_per_second} events/s (a backlog)`,
    );
  }
  step.passed = problems.length === 0;
  if (!step.passed) step.reason = problems.join('; ');
  return step;
}

export function formatCallbackStep(s: CallbackStep): string {
  return (
    `callbacks ${String(s.rate).padStart(5)}/s: ${s.passed ? 'pass' : 'FAIL'}  ${s.events} events at ` +
    `${s.events_per_second}/s, delivered ${s.delivered_per_second}/s, delay p50 ${s.p50_ms} p99 ${s.p99_ms} ` +
    `max ${s.max_ms} ms; valid ${s.signatures_valid}, dup ${s.duplicates}, missing ${s.missing}; ` +
    `server ${s.server_cpu_pct} %, receiver ${s.receiver_cpu_pct} %, others ${s.others_cpu_pct} %` +
    (s.reason ? `  — ${s.reason}${s.contended ? ' (contended: repeated)' : ''}` : '')
  );
}
