/**
 * What the flood benchmark and its end-to-end test read of a running
 * Partyline server, sampled every few tens of milliseconds: memory (RSS and
 * V8 heap), the SIP tables the caps bound (server and client transactions,
 * dialogs, calls), how many answers went out statelessly and how many of
 * those were load-shedding 503s, the server's receive side of its live
 * legs' RTP, and how busy its event loop was. The sampler runs in the
 * server's own process (its event loop is what the flood loads; a late
 * sample is itself a sign of that).
 */
import { performance } from 'node:perf_hooks';
import type { RunningServer } from '../../src/server/index.js';
import { legStats } from '../api/server.js';

export interface ServerSample {
  /** Epoch ms. */
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Off-heap memory V8 knows of (Buffers). */
  externalBytes: number;
  serverTransactions: number;
  clientTransactions: number;
  dialogs: number;
  /** Calls in any state (ringing, connecting, connected): what maxDialogs bounds. */
  calls: number;
  /** Responses sent without a transaction, so far. */
  stateless: number;
  /** Of those, 503s for load (table full or source over its rate), so far. */
  shed: number;
  /** RTP the server received from the live legs, so far (packets, RFC 3550 A.3). */
  rtpReceived: number;
  rtpExpected: number;
  /** Audio the jitter buffers concealed or dropped late, so far (frames). */
  rtpLate: number;
  rtpConcealed: number;
  /** Share of the time since the last sample the event loop was busy, 0..1. */
  eventLoopUtilization: number;
}

export interface ServerSampler {
  samples: ServerSample[];
  stop(): void;
}

/**
 * Samples `server` every `everyMs` into `samples` (and to `onSample`) until
 * stop(); the first sample is taken at once.
 */
export function sampleServer(
  server: RunningServer,
  everyMs = 50,
  onSample?: (s: ServerSample) => void,
): ServerSampler {
  const samples: ServerSample[] = [];
  let elu = performance.eventLoopUtilization();
  const take = (): void => {
    const now = performance.eventLoopUtilization();
    const sample = readServer(server, performance.eventLoopUtilization(now, elu).utilization);
    elu = now;
    samples.push(sample);
    onSample?.(sample);
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return { samples, stop: () => clearInterval(timer) };
}

export function readServer(server: RunningServer, eventLoopUtilization: number): ServerSample {
  const ua = server.engine.ua;
  const mem = process.memoryUsage();
  const tables = ua.transactions.size();
  const shedding = ua.transactions.stats();
  let rtpReceived = 0;
  let rtpExpected = 0;
  let rtpLate = 0;
  let rtpConcealed = 0;
  for (const s of legStats({ server })) {
    rtpReceived += s.packetsReceived;
    rtpExpected += s.packetsExpected;
    rtpLate += s.late;
    rtpConcealed += s.concealed;
  }
  return {
    at: Date.now(),
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    externalBytes: mem.external,
    serverTransactions: tables.server,
    clientTransactions: tables.client,
    dialogs: ua.dialogCount(),
    calls: ua.callCount(),
    stateless: shedding.stateless,
    shed: shedding.shed,
    rtpReceived,
    rtpExpected,
    rtpLate,
    rtpConcealed,
    eventLoopUtilization: Math.round(eventLoopUtilization * 1000) / 1000,
  };
}

export interface ServerWindow {
  samples: number;
  rss_high_water_mib: number;
  heap_high_water_mib: number;
  server_transactions_high_water: number;
  client_transactions_high_water: number;
  dialogs_high_water: number;
  calls_high_water: number;
  /** Stateless answers sent in the window, and the 503s for load among them. */
  stateless_sent: number;
  shed_503_sent: number;
  /** Server side of the live legs' audio in the window: share of expected packets not received, %. */
  rtp_in_loss_pct: number;
  rtp_late: number;
  rtp_concealed: number;
  /** Mean and highest event-loop utilisation of the samples, %. */
  event_loop_busy_mean_pct: number;
  event_loop_busy_max_pct: number;
  /** Longest gap between two samples, ms: how long the event loop could not run the sampler. */
  longest_sample_gap_ms: number;
}

const MIB = 2 ** 20;

/** The figures of the samples taken in [fromMs, toMs] (epoch ms). */
export function summariseWindow(
  all: readonly ServerSample[],
  fromMs: number,
  toMs: number,
): ServerWindow {
  const s = all.filter((x) => x.at >= fromMs && x.at <= toMs);
  const first = s[0];
  const last = s[s.length - 1];
  const max = (f: (x: ServerSample) => number): number => s.reduce((m, x) => Math.max(m, f(x)), 0);
  const delta = (f: (x: ServerSample) => number): number =>
    first && last ? f(last) - f(first) : 0;
  const expected = delta((x) => x.rtpExpected);
  const received = delta((x) => x.rtpReceived);
  let gap = 0;
  for (let i = 1; i < s.length; i++) gap = Math.max(gap, s[i].at - s[i - 1].at);
  const round1 = (v: number): number => Math.round(v * 10) / 10;
  return {
    samples: s.length,
    rss_high_water_mib: round1(max((x) => x.rssBytes) / MIB),
    heap_high_water_mib: round1(max((x) => x.heapUsedBytes) / MIB),
    server_transactions_high_water: max((x) => x.serverTransactions),
    client_transactions_high_water: max((x) => x.clientTransactions),
    dialogs_high_water: max((x) => x.dialogs),
    calls_high_water: max((x) => x.calls),
    stateless_sent: delta((x) => x.stateless),
    shed_503_sent: delta((x) => x.shed),
    rtp_in_loss_pct: expected > 0 ? round1((100 * Math.max(0, expected - received)) / expected) : 0,
    rtp_late: delta((x) => x.rtpLate),
    rtp_concealed: delta((x) => x.rtpConcealed),
    event_loop_busy_mean_pct: s.length
      ? round1((100 * s.reduce((a, x) => a + x.eventLoopUtilization, 0)) / s.length)
      : 0,
    event_loop_busy_max_pct: round1(100 * max((x) => x.eventLoopUtilization)),
    longest_sample_gap_ms: gap,
  };
}
