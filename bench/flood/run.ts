/**
 * The hostile-flood benchmark (issue 10 §6): while `calls` live calls carry
 * tones between real phones through a Partyline server, one source floods
 * the server with new INVITEs, REGISTERs, OPTIONS and garbage. Three
 * processes, so that none of them measures another's stalls:
 *
 * - the server (server-child.ts), sampling its own memory, SIP tables,
 *   stateless answers and event loop;
 * - the flooder (flooder.ts), open loop, counting every answer;
 * - this process: the phones' audio (RtpTestPeers; SIPp does their SIP),
 *   the mouth-to-ear probes, and an API client reading the PHLO every
 *   100 ms.
 *
 * Each scenario (a fresh server and fresh phones) has three windows: before
 * the flood, during it, and after it; every figure is given for each, so
 * what the flood changed is read side by side. See README.md.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TonePhone } from '../../test/support/phones/index.js';
import { spawnTracked, type TrackedChild } from '../cps/child.js';
import { saturatedSides } from '../cps/cpu.js';
import { percentile } from '../cps/percentile.js';
import { REPO_ROOT } from '../cps/peers.js';
import { busyPercent, procCpuMs, readCpuTimes } from '../media/machine.js';
import { round } from '../media/stats.js';
import { fromEpoch, heardWindow, probeWhile, type HeardWindow, type MouthToEar } from './audio.js';
import { readOverloadLog, type OverloadLog } from './episodes.js';
import { startFlood } from './flood-child.js';
import type { FloodReport } from './flooder.js';
import { DEFAULT_MIX, type FloodMix } from './messages.js';
import type { ServerCaps, ServerJob, ServerReady } from './server-child.js';
import { summariseWindow, type ServerSample, type ServerWindow } from './server-stats.js';

export const SCENARIOS = ['open', 'auth'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The production defaults (src/config/config.ts). */
export const DEFAULT_CAPS: ServerCaps = {
  maxServerTransactions: 500_000,
  maxDialogs: 10_000,
  newRequestsPerSecondPerSource: 1000,
};

export interface FloodBenchOptions {
  /** Live calls (two phones each); default 10. */
  calls?: number;
  /** Flood datagrams per second; default 50 000. */
  rate?: number;
  /** Length of the flood, s; default 10. */
  seconds?: number;
  /** Length of the windows before and after it, s; default 4. */
  quietSeconds?: number;
  scenarios?: readonly Scenario[];
  caps?: Partial<ServerCaps>;
  mix?: FloodMix;
  log?: (line: string) => void;
}

const SERVER_CHILD = join(REPO_ROOT, 'bench', 'flood', 'server-child.ts');
const AGENT_HZ = 1000;
const CUSTOMER_HZ = 1500;
/** Mouth-to-ear probes switch the agent's 1000 Hz to this (far from both tones). */
const PROBE_HZ = 1250;
const SAMPLE_EVERY_MS = 50;
const API_EVERY_MS = 100;
/**
 * How long the flooder listens after its last datagram: a server that fell
 * behind answers from its socket buffer (4 MiB, src/sip/transport/
 * udp-listener.ts: seconds of flood) well after the flood stopped.
 */
const DRAIN_MS = 3000;

export interface ApiWindow {
  requests: number;
  /** Requests that did not get 200 (or no answer within 5 s). */
  failed: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface Windows<T> {
  before: T;
  during: T;
  after: T;
}

export interface ScenarioResult {
  scenario: Scenario;
  /** `open`: INVITEs reach the call layer (404, statefully); `auth`: every INVITE is challenged (401, statelessly). */
  inbound_auth: boolean;
  calls: number;
  caps: ServerCaps;
  flood: FloodReport;
  server: Windows<ServerWindow>;
  audio: Windows<HeardWindow>;
  mouth_to_ear: Windows<MouthToEar>;
  api: Windows<ApiWindow>;
  overload_log: OverloadLog;
  /** Live calls no longer active at the end, or one of whose phones the server hung up. */
  calls_dropped: number;
  /** UDP datagrams the kernel dropped for full receive buffers during the flood (the whole machine: /proc/net/snmp). */
  kernel_udp_rcvbuf_drops: number;
  /**
   * CPU during the flood: the server, the flooder and this process (the
   * phones' audio and the probes) in % of one core — each is mostly one
   * thread — and the machine's busy share of all its cores, %.
   */
  cpu: { server_pct: number; flooder_pct: number; phones_pct: number; machine_pct: number };
  /** What ran out of CPU during the flood: `generator` is the flooder, `target` the server. */
  saturated: ('generator' | 'target' | 'machine')[];
}

export interface FloodBenchResult {
  rate: number;
  seconds: number;
  mix: FloodMix;
  scenarios: ScenarioResult[];
}

export async function runFloodBench(opts: FloodBenchOptions = {}): Promise<FloodBenchResult> {
  const settings = {
    calls: opts.calls ?? 10,
    rate: opts.rate ?? 50_000,
    seconds: opts.seconds ?? 10,
    quietMs: (opts.quietSeconds ?? 4) * 1000,
    caps: { ...DEFAULT_CAPS, ...opts.caps },
    mix: opts.mix ?? DEFAULT_MIX,
    log: opts.log ?? (() => undefined),
  };
  const scenarios: ScenarioResult[] = [];
  for (const scenario of opts.scenarios ?? SCENARIOS) {
    scenarios.push(await runScenario(scenario, settings));
  }
  return { rate: settings.rate, seconds: settings.seconds, mix: settings.mix, scenarios };
}

interface Settings {
  calls: number;
  rate: number;
  seconds: number;
  quietMs: number;
  caps: ServerCaps;
  mix: FloodMix;
  log: (line: string) => void;
}

async function runScenario(scenario: Scenario, s: Settings): Promise<ScenarioResult> {
  const work = mkdtempSync(join(tmpdir(), 'partyline-flood-'));
  const phones: TonePhone[] = [];
  let server: ServerProcess | undefined;
  let flooder: TrackedChild | undefined;
  let api: ApiPinger | undefined;
  try {
    const pairs: { agent: TonePhone; customer: TonePhone }[] = [];
    for (let i = 0; i < s.calls; i++) {
      const agent = await startPhone(`agent${i}`, AGENT_HZ);
      phones.push(agent);
      const customer = await startPhone(`customer${i}`, CUSTOMER_HZ);
      phones.push(customer);
      pairs.push({ agent, customer });
    }
    const logFile = join(work, 'server.log');
    server = await startServerProcess({
      calls: pairs.map((p) => [p.agent.uri, p.customer.uri]),
      caps: s.caps,
      inboundAuth: scenario === 'auth',
      logFile,
      sampleEveryMs: SAMPLE_EVERY_MS,
    });
    const listeners = pairs.flatMap(({ agent, customer }) => [
      { phone: agent as TonePhone, partnerHz: CUSTOMER_HZ },
      { phone: customer as TonePhone, partnerHz: AGENT_HZ },
    ]);
    for (const { phone, partnerHz } of listeners) await phone.waitHearing(partnerHz, 10_000);
    s.log(`flood/${scenario}: ${s.calls} calls connected; measuring before the flood`);
    const probes = pairs.map((p) => ({
      speaker: p.agent,
      listener: p.customer,
      toneHz: AGENT_HZ,
      probeHz: PROBE_HZ,
    }));
    api = new ApiPinger(server.ready);

    const beforeFrom = Date.now();
    const before = await probeWhile(probes, () => Date.now() < beforeFrom + s.quietMs);
    const snmp0 = udpRcvbufErrors();
    const cpu0 = { server: procCpuMs(server.ready.pid), phones: procCpuMs(process.pid) };
    const machine0 = readCpuTimes();
    const flood = startFlood({
      host: '127.0.0.1',
      port: server.ready.sipPort,
      rate: s.rate,
      seconds: s.seconds,
      mix: s.mix,
      drainMs: DRAIN_MS,
    });
    flooder = flood.child;
    let flooding = true;
    const startedAt = await flood.started;
    void flood.stopped.finally(() => (flooding = false));
    const during = await probeWhile(probes, () => flooding);
    const stoppedAt = await flood.stopped;
    const cpu1 = { server: procCpuMs(server.ready.pid), phones: procCpuMs(process.pid) };
    const machinePct = round(busyPercent(machine0, readCpuTimes()), 1);
    const report = await flood.report;
    const snmp1 = udpRcvbufErrors();
    s.log(
      `flood/${scenario}: sent ${report.sent_total} at ${report.achieved_rate}/s ` +
        `(asked ${s.rate}/s, flooder CPU ${report.cpu_pct} %); measuring after`,
    );
    const afterFrom = Date.now();
    const after = await probeWhile(probes, () => Date.now() < afterFrom + s.quietMs);
    const afterTo = Date.now();
    api.stop();
    const active = await server.activeCalls();
    const hungUp = (p: TonePhone): boolean => p.events().some((e) => e.kind === 'bye-received');
    const dropped = pairs.filter((p, i) => !active[i] || hungUp(p.agent) || hungUp(p.customer));
    await server.stop();
    const samples = server.samples;
    const window = (from: number, to: number): ServerWindow => summariseWindow(samples, from, to);
    const heard = (from: number, to: number): HeardWindow =>
      heardWindow(listeners, fromEpoch(from), fromEpoch(to));
    const floodMs = stoppedAt - startedAt;
    const serverPct = round((100 * (cpu1.server - cpu0.server)) / floodMs, 1);
    const result: ScenarioResult = {
      scenario,
      inbound_auth: scenario === 'auth',
      calls: s.calls,
      caps: s.caps,
      flood: report,
      server: {
        before: window(beforeFrom, startedAt),
        during: window(startedAt, stoppedAt),
        after: window(stoppedAt, afterTo),
      },
      audio: {
        before: heard(beforeFrom, startedAt),
        during: heard(startedAt, stoppedAt),
        after: heard(afterFrom, afterTo),
      },
      mouth_to_ear: { before, during, after },
      api: {
        before: api.window(beforeFrom, startedAt),
        during: api.window(startedAt, stoppedAt),
        after: api.window(stoppedAt, afterTo),
      },
      overload_log: readOverloadLog(readFileSync(logFile, 'utf8')),
      calls_dropped: dropped.length,
      kernel_udp_rcvbuf_drops: snmp1 - snmp0,
      cpu: {
        server_pct: serverPct,
        flooder_pct: report.cpu_pct,
        phones_pct: round((100 * (cpu1.phones - cpu0.phones)) / floodMs, 1),
        machine_pct: machinePct,
      },
      saturated: saturatedSides(report.cpu_pct, serverPct, machinePct),
    };
    s.log(`flood/${scenario}: ${formatScenario(result)}`);
    return result;
  } finally {
    api?.stop();
    await flooder?.stop();
    await server?.stop();
    for (const p of phones) await p.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function startPhone(user: string, toneHz: number): Promise<TonePhone> {
  // The phones outlive the whole scenario (SIPp's own timeout is its lifetime).
  return TonePhone.start({ behaviour: 'answer', toneHz, user, timeoutSeconds: 600 });
}

interface ServerProcess {
  ready: ServerReady;
  samples: ServerSample[];
  /** Per call of the job, in order: still active. */
  activeCalls(): Promise<boolean[]>;
  stop(): Promise<void>;
}

async function startServerProcess(job: ServerJob): Promise<ServerProcess> {
  const samples: ServerSample[] = [];
  let ready: ServerReady | undefined;
  const child: TrackedChild = spawnTracked(
    [process.execPath, '--import', 'tsx', SERVER_CHILD, JSON.stringify(job)],
    {
      cwd: REPO_ROOT,
      onStdoutLine: (line) => {
        if (line.startsWith('S ')) samples.push(JSON.parse(line.slice(2)) as ServerSample);
        else if (line.startsWith('READY ')) ready = JSON.parse(line.slice(6)) as ServerReady;
      },
    },
  );
  const deadline = Date.now() + 60_000 + 5_000 * job.calls.length;
  while (ready === undefined) {
    if (child.exitStatus() !== undefined || Date.now() > deadline) {
      await child.stop();
      throw new Error(`the flood's server did not start: ${child.stderrTail()}`);
    }
    await sleep(50);
  }
  const r = ready;
  return {
    ready: r,
    samples,
    async activeCalls() {
      const active: boolean[] = [];
      for (const id of r.callIds) {
        const res = await fetch(
          `${r.baseUrl}/v1/phlo/${r.phloId}/multi_party_call/${r.nodeId}/calls/${id}`,
          { headers: { authorization: r.authorization } },
        );
        const call = (await res.json()) as { state?: string };
        active.push(call.state === 'active');
      }
      return active;
    },
    async stop() {
      await child.stop(10_000);
    },
  };
}

/** GET /v1/phlo/{id} every 100 ms, timed: does the API keep answering under the flood? */
class ApiPinger {
  private readonly results: { at: number; ms: number; ok: boolean }[] = [];
  private stopped = false;

  constructor(private readonly ready: ServerReady) {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
  }

  window(fromMs: number, toMs: number): ApiWindow {
    const r = this.results.filter((x) => x.at >= fromMs && x.at < toMs);
    const times = r.filter((x) => x.ok).map((x) => x.ms);
    return {
      requests: r.length,
      failed: r.filter((x) => !x.ok).length,
      p50_ms: round(percentile(times, 50), 1),
      p99_ms: round(percentile(times, 99), 1),
      max_ms: round(times.length ? Math.max(...times) : Number.NaN, 1),
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const at = Date.now();
      const t0 = performance.now();
      let ok = false;
      try {
        const res = await fetch(`${this.ready.baseUrl}/v1/phlo/${this.ready.phloId}`, {
          headers: { authorization: this.ready.authorization },
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        ok = res.status === 200;
      } catch {
        ok = false;
      }
      this.results.push({ at, ms: performance.now() - t0, ok });
      await sleep(Math.max(0, API_EVERY_MS - (performance.now() - t0)));
    }
  }
}

/** The machine's UDP receive-buffer drops so far (RcvbufErrors of /proc/net/snmp); 0 when unreadable. */
function udpRcvbufErrors(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp: '));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const i = names?.indexOf('RcvbufErrors') ?? -1;
    return i > 0 && values ? Number(values[i]) : 0;
  } catch {
    return 0;
  }
}

/** One line for the progress log and the table. */
export function formatScenario(r: ScenarioResult): string {
  const d = r.server.during;
  return (
    `RSS high-water ${d.rss_high_water_mib} MiB (before ${r.server.before.rss_high_water_mib}), ` +
    `heap ${d.heap_high_water_mib} MiB, server transactions ≤ ${d.server_transactions_high_water} ` +
    `(cap ${r.caps.maxServerTransactions}), dialogs ≤ ${d.dialogs_high_water}, ` +
    `audio loss ${r.audio.before.loss_pct} → ${r.audio.during.loss_pct} %, ` +
    `mouth-to-ear median ${r.mouth_to_ear.before.median_ms} → ${r.mouth_to_ear.during.median_ms} ms, ` +
    `calls dropped ${r.calls_dropped}, rate-limit episodes ${r.overload_log.rate.started}`
  );
}
