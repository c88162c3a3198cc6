/**
 * Part 3 of the API benchmark: warm transfer latency. Each transfer on a
 * fresh call: a run (agent U1, then customer U2) until both are connected
 * and U2 hears U1, then
 *
 *   POST /v1/phlo/{phlo}/multi_party_call/{node}
 *   {"action":"warm_transfer","trigger_source":U1,"to":U3,"role":"agent"}
 *
 * and two times from when the request was sent: until U3's INVITE was read
 * by its SIPp (uas-signalling.xml logs gettimeofday, µs, on every INVITE),
 * and until U2 received the first audio of its hold music.
 *
 * Who is who: U1 is a SIPp tone callee (uas-tone.xml, 440 Hz); U2 is a
 * TonePhone (test/support/phones: SIPp for its SIP, an RtpTestPeer decoding
 * the G.711 it receives, on this process's clock); U3 is
 * sip:u<N>@127.0.0.1:<port> of a uas-signalling SIPp that answers without
 * RTP and hangs up after `targetHoldMs`. The PHLO holds customers with
 * `tone:<holdHz>` (customer_hold_music) and has no enter/exit sounds and no
 * wait music, so the only new sound U2 can hear is its hold music.
 *
 * Hearing is Goertzel (levelDb of test/support/phones) over 20 ms windows
 * (160 samples) of what U2 received since the request, stepped by 10 ms: the
 * first window whose level at holdHz is at least HEARD_DB (−30 dBFS); the
 * time is when the packet completing that window arrived at U2's socket.
 * Transfers run one at a time (closed loop): this is latency at rest.
 */
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestServer } from '../../test/support/partyline-server.js';
import { HEARD_DB, levelDb, TonePhone } from '../../test/support/phones/index.js';
import { percentile, round } from '../media/stats.js';
import { othersPercent, sampleCpu } from './contention.js';
import { abandonSetUp, basicAuth, readInvites, workWithTone, type InviteLog } from './harness.js';
import { createNodePhlo, memberStates, startBenchServer, startRun, until } from './server.js';
import { startUas, type RunningUas } from './sipp-uas.js';
import { wallOffset } from './wall-clock.js';

export interface TransferOptions {
  /** Measured transfers (each on a fresh call); default 30. */
  transfers?: number;
  /** Transfers before them, not kept (JIT); default 3. */
  warmup?: number;
  /** U2's hold music, tone:<holdHz>; default 1800 Hz. */
  holdHz?: number;
  /** How long U3 stays after answering before its BYE; default 300 ms. */
  targetHoldMs?: number;
  log?: (line: string) => void;
}

/** One transfer; times in ms from when the request was sent. */
export interface TransferSample {
  /** Response complete (201). */
  response_ms: number;
  /** U3's SIPp read the INVITE (wall clock both sides). */
  invite_ms: number;
  /** U2 received the packet completing the first 20 ms of audio in which it hears its hold music. */
  hold_music_ms: number;
  /** Level of the hold tone in that window, dBFS. */
  hold_music_db: number;
  status: number;
  problem?: string;
}

export interface TransferResult {
  warm_transfer_invite_p50_ms: number;
  warm_transfer_invite_p99_ms: number;
  warm_transfer_hold_music_p50_ms: number;
  warm_transfer_hold_music_p99_ms: number;
  warm_transfer_201_p50_ms: number;
  warm_transfer_201_p99_ms: number;
  transfers: number;
  /** Kept transfers whose INVITE SIPp logged / whose hold music U2 heard. */
  invites_seen: number;
  hold_music_heard: number;
  /** Kept transfers that were not 201 or lacked a time, with why. */
  failures: string[];
  /** CPU of processes outside the benchmark over the kept transfers, % of one core. */
  others_cpu_pct: number;
  samples: TransferSample[];
  settings: Record<string, number>;
}

const AGENT_HZ = 440;
const CUSTOMER_HZ = 1000;
/** 20 ms of G.711 at 8 kHz: the window hearing is judged on, and half of it, the step. */
const WINDOW = 160;
const STEP = 80;
const WAIT_MS = 5_000;

interface Fixture extends InviteLog {
  srv: TestServer;
  phloId: string;
  nodeId: string;
  agentUas: RunningUas;
  targetUas: RunningUas;
  u2: TonePhone;
  agent: Agent;
  work: string;
}

export async function runTransferBench(opts: TransferOptions = {}): Promise<TransferResult> {
  const log = opts.log ?? (() => undefined);
  const settings = {
    transfers: opts.transfers ?? 30,
    warmup: opts.warmup ?? 3,
    hold_hz: opts.holdHz ?? 1800,
    agent_hz: AGENT_HZ,
    target_hold_ms: opts.targetHoldMs ?? 300,
    heard_db: HEARD_DB,
    window_ms: (WINDOW / 8000) * 1000,
  };
  const fx = await setUp(settings, log);
  try {
    const samples: TransferSample[] = [];
    let cpu0 = sampleCpu([]);
    for (let i = 0; i < settings.warmup + settings.transfers; i++) {
      if (i === settings.warmup) cpu0 = sampleCpu(cpuPids(fx));
      const s = await oneTransfer(fx, i, settings);
      if (i >= settings.warmup) samples.push(s);
      if (s.problem) log(`transfer ${i}: ${s.problem}`);
    }
    const others = othersPercent(cpu0, sampleCpu(cpuPids(fx)));
    const ok = (k: 'invite_ms' | 'hold_music_ms' | 'response_ms'): number[] =>
      samples.map((s) => s[k]).filter((v) => Number.isFinite(v));
    const invites = ok('invite_ms');
    const hold = ok('hold_music_ms');
    const responses = samples.filter((s) => s.status === 201).map((s) => s.response_ms);
    const r = (v: number): number => round(v, 3);
    return {
      warm_transfer_invite_p50_ms: r(percentile(invites, 50)),
      warm_transfer_invite_p99_ms: r(percentile(invites, 99)),
      warm_transfer_hold_music_p50_ms: r(percentile(hold, 50)),
      warm_transfer_hold_music_p99_ms: r(percentile(hold, 99)),
      warm_transfer_201_p50_ms: r(percentile(responses, 50)),
      warm_transfer_201_p99_ms: r(percentile(responses, 99)),
      transfers: samples.length,
      invites_seen: invites.length,
      hold_music_heard: hold.length,
      failures: samples.flatMap((s, i) => (s.problem ? [`#${i}: ${s.problem}`] : [])),
      others_cpu_pct: others,
      samples: samples.map((s) => ({
        ...s,
        response_ms: r(s.response_ms),
        invite_ms: r(s.invite_ms),
        hold_music_ms: r(s.hold_music_ms),
        hold_music_db: round(s.hold_music_db, 1),
      })),
      settings,
    };
  } finally {
    await tearDown(fx);
  }
}

function cpuPids(fx: Fixture): number[] {
  return [fx.agentUas.pid, fx.targetUas.pid, fx.u2.sipp.pid ?? 0].filter((p) => p > 0);
}

async function setUp(
  settings: { transfers: number; warmup: number; hold_hz: number; target_hold_ms: number },
  log: (line: string) => void,
): Promise<Fixture> {
  const { work, wav } = workWithTone(AGENT_HZ);
  const started: { stop(): Promise<unknown> }[] = [];
  try {
    const agentUas = await startUas({
      scenario: 'uas-tone.xml',
      fill: { '@TONE_WAV@': wav },
      timeoutSeconds: 1800,
    });
    started.push(agentUas);
    const targetUas = await startUas({
      scenario: 'uas-signalling.xml',
      fill: { holdMs: String(settings.target_hold_ms) },
      timeoutSeconds: 1800,
    });
    started.push(targetUas);
    const u2 = await TonePhone.start({
      behaviour: 'answer',
      toneHz: CUSTOMER_HZ,
      user: 'customer',
      calls: settings.warmup + settings.transfers,
      answerDelayMs: 1,
      timeoutSeconds: 1800,
    });
    started.push(u2);
    const srv = await startBenchServer();
    started.push(srv);
    const phlo = await createNodePhlo(srv, 'API benchmark: warm transfer', {
      name: 'transfer',
      max_participants: 10,
      customer_hold_music: `tone:${settings.hold_hz}`,
      agent_hold_music: `tone:${settings.hold_hz}`,
      enter_sound: 'none',
      exit_sound: 'none',
      wait_music: 'none',
    });
    log(
      `transfer: U1 SIPp tone pid ${agentUas.pid}, U2 TonePhone :${u2.port} (in-process RTP), ` +
        `U3 SIPp pid ${targetUas.pid} :${targetUas.port}; hold music tone:${settings.hold_hz}`,
    );
    return {
      srv,
      ...phlo,
      agentUas,
      targetUas,
      u2,
      agent: new Agent({ keepAlive: true, maxSockets: 1 }),
      work,
      logOffset: 0,
      invites: new Map(),
    };
  } catch (err) {
    await abandonSetUp(started, work);
    throw err;
  }
}

async function tearDown(fx: Fixture): Promise<void> {
  fx.agent.destroy();
  await fx.srv.stop();
  await fx.u2.stop();
  await fx.targetUas.stop();
  await fx.agentUas.stop();
  rmSync(fx.work, { recursive: true, force: true });
}

/** A POST over a kept-alive connection of this process: status, when the response was complete. */
function post(
  fx: Fixture,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string; doneAt: number }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent: fx.agent,
        host: '127.0.0.1',
        port: fx.srv.server.httpPort,
        path,
        method: 'POST',
        headers: {
          authorization: basicAuth(fx.srv),
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, doneAt: performance.now() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function oneTransfer(
  fx: Fixture,
  i: number,
  settings: { hold_hz: number },
): Promise<TransferSample> {
  const { srv } = fx;
  const node = `/v1/phlo/${fx.phloId}/multi_party_call/${fx.nodeId}`;
  const u1 = `sip:xfer${i}@127.0.0.1:${fx.agentUas.port}`;
  const sample: TransferSample = {
    response_ms: Number.NaN,
    invite_ms: Number.NaN,
    hold_music_ms: Number.NaN,
    hold_music_db: Number.NaN,
    status: 0,
  };
  await startRun(srv, fx.phloId, u1, fx.u2.uri);
  if (!(await until(() => memberStates(srv).connected === 2, 15_000))) {
    throw new Error(`transfer ${i}: call not connected: ${JSON.stringify(memberStates(srv))}`);
  }
  await fx.u2.waitHearing(AGENT_HZ, WAIT_MS);
  const n = i + 1;
  const offset = wallOffset();
  const t0 = performance.now();
  const res = await post(fx, node, {
    action: 'warm_transfer',
    trigger_source: u1,
    to: `sip:u${n}@127.0.0.1:${fx.targetUas.port}`,
    role: 'agent',
  });
  sample.status = res.status;
  sample.response_ms = res.doneAt - t0;
  const problems: string[] = [];
  if (res.status !== 201) problems.push(`${res.status} ${res.text.slice(0, 200)}`);
  else {
    const seen = (): boolean => {
      readInvites(fx.targetUas.logPath, fx);
      return fx.invites.has(n);
    };
    if (await until(seen, WAIT_MS)) {
      sample.invite_ms = fx.invites.get(n)! - (t0 + offset);
    } else problems.push('INVITE not seen');
    let onset: { at: number; db: number } | null = null;
    const heard = (): boolean => {
      onset = holdMusicOnset(fx.u2, t0, settings.hold_hz);
      return onset !== null;
    };
    await until(heard, WAIT_MS);
    const found = onset as { at: number; db: number } | null;
    if (found) {
      sample.hold_music_ms = found.at - t0;
      sample.hold_music_db = found.db;
    } else problems.push(`U2 did not hear tone:${settings.hold_hz}`);
  }
  if (problems.length) sample.problem = problems.join('; ');
  fx.invites.delete(n);
  // The call ends with its agents: U1 hung up through the API, U3 by its own BYE.
  const hangup = await srv.api('POST', `${node}/members/${encodeURIComponent(u1)}`, {
    action: 'hangup',
  });
  if (hangup.status !== 201) throw new Error(`hangup ${u1}: ${hangup.status} ${hangup.text}`);
  if (!(await until(() => srv.server.mpc.stats().liveCalls === 0, 15_000))) {
    throw new Error(`transfer ${i}: call not ended: ${JSON.stringify(srv.server.mpc.stats())}`);
  }
  // Let U2's SIPp finish the call (200 to the BYE) before the next INVITE.
  await sleep(50);
  return sample;
}

/**
 * When U2 first heard `hz` after `since` (this process's performance.now()):
 * the arrival of the packet completing the first 160-sample window, stepped
 * by 80, of the audio received since then whose Goertzel level at `hz` is at
 * least HEARD_DB; null when there is none yet.
 */
function holdMusicOnset(
  u2: TonePhone,
  since: number,
  hz: number,
): { at: number; db: number } | null {
  const peer = u2.peer;
  const audio = peer.receivedSince(since);
  for (let s = 0; s + WINDOW <= audio.length; s += STEP) {
    const db = levelDb(audio.subarray(s, s + WINDOW), hz);
    if (db < HEARD_DB) continue;
    // The earliest time by which that many samples had arrived: bisection on the
    // arrival times (receivedBetween counts packets with since <= at < t).
    const need = s + WINDOW;
    let lo = since;
    let hi = peer.now() + 1;
    for (let k = 0; k < 40 && hi - lo > 0.0005; k++) {
      const mid = (lo + hi) / 2;
      if (peer.receivedBetween(since, mid).length >= need) hi = mid;
      else lo = mid;
    }
    return { at: hi, db };
  }
  return null;
}

export function formatTransfer(r: TransferResult): string {
  return (
    `warm transfer ×${r.transfers}: INVITE p50 ${r.warm_transfer_invite_p50_ms} p99 ${r.warm_transfer_invite_p99_ms} ms ` +
    `(${r.invites_seen} seen), hold music p50 ${r.warm_transfer_hold_music_p50_ms} p99 ` +
    `${r.warm_transfer_hold_music_p99_ms} ms (${r.hold_music_heard} heard), 201 p99 ${r.warm_transfer_201_p99_ms} ms, ` +
    `others ${r.others_cpu_pct} %`
  );
}
