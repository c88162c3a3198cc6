/**
 * Where a request's time to the 201 goes (`--phases`): the client puts
 * each request's number in a header (NUMBER_HEADER), and the server under
 * test notes on the wall clock when node:http began that request and when
 * its response was handed to the kernel (diagnostics_channel
 * `http.server.request.start` and `http.server.response.finish`). With the
 * client's own times (due, sent, done) that splits a request into
 *
 *   late        due → sent:    the client's own lateness in calling http.request()
 *   to_server   sent → start:  the wire and the server's event loop reaching the request
 *   in_server   start → finish: the server's work, the commit and its sync included
 *   from_server finish → done: the wire and the client's event loop reading the response
 *
 * each as p50/p99 and as the mean over the slowest 2 % of requests (what
 * decides the p99). The server under test runs in the bench's process, so
 * it is watched there; the bare Fastify baseline watches itself when started
 * with --timings and hands its notes over on GET TIMINGS_PATH. Wall clocks of
 * two processes agree to about 0.1–0.3 ms (wall-clock.ts), so a phase of
 * one request can come out slightly negative; the split of the slowest
 * ones, several ms, is well above that.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { percentile, round } from '../media/stats.js';
import type { ClientSample } from './client.js';
import { wallOffset } from './wall-clock.js';

export const NUMBER_HEADER = 'x-bench-n';
export const TIMINGS_PATH = '/__bench-timings';

/** Request number → [start, finish], wall-clock ms (finish 0 while unanswered). */
export type Timings = Record<string, [number, number]>;

type HttpMessage = { request: IncomingMessage };

/** Notes the start and finish of every numbered request this process serves, until stopped. */
export class ServerTimings {
  /** On performance.now()'s scale, made wall-clock when taken (the offset drifts over minutes). */
  private notes: Timings = {};
  private readonly onStart = (m: unknown): void => {
    const n = (m as HttpMessage).request.headers[NUMBER_HEADER];
    if (typeof n === 'string') this.notes[n] = [performance.now(), 0];
  };
  private readonly onFinish = (m: unknown): void => {
    const n = (m as HttpMessage).request.headers[NUMBER_HEADER];
    const note = typeof n === 'string' ? this.notes[n] : undefined;
    if (note) note[1] = performance.now();
  };

  constructor() {
    subscribe('http.server.request.start', this.onStart);
    subscribe('http.server.response.finish', this.onFinish);
  }

  /** The notes so far on the wall clock (about 5 ms of spinning: wallOffset), forgotten here. */
  take(): Timings {
    const notes = this.notes;
    this.notes = {};
    const offset = wallOffset();
    for (const note of Object.values(notes)) {
      note[0] += offset;
      if (note[1]) note[1] += offset;
    }
    return notes;
  }

  stop(): void {
    unsubscribe('http.server.request.start', this.onStart);
    unsubscribe('http.server.response.finish', this.onFinish);
  }
}

const PHASES = ['late', 'to_server', 'in_server', 'from_server'] as const;
type Phase = (typeof PHASES)[number];

/** Each phase, ms: p50, p99, and the mean over the slowest 2 % of requests (by time to the 201). */
export type PhaseSplit = Record<Phase, { p50: number; p99: number; slowest_2pct_mean: number }> & {
  requests: number;
};

/** The split of the answered samples the server noted; null when it noted none of them. */
export function splitPhases(samples: readonly ClientSample[], timings: Timings): PhaseSplit | null {
  const rows: (Record<Phase, number> & { total: number })[] = [];
  for (const s of samples) {
    const note = timings[String(s.n)];
    if (s.status !== 201 || !note || !note[1]) continue;
    const [start, finish] = note;
    rows.push({
      total: s.done - s.due,
      late: s.sent - s.due,
      to_server: start - s.sent,
      in_server: finish - start,
      from_server: s.done - finish,
    });
  }
  if (!rows.length) return null;
  const slowest = [...rows].sort((a, b) => b.total - a.total).slice(0, Math.ceil(rows.length / 50));
  const split = { requests: rows.length } as PhaseSplit;
  for (const p of PHASES) {
    const values = rows.map((r) => r[p]);
    split[p] = {
      p50: round(percentile(values, 50), 3),
      p99: round(percentile(values, 99), 3),
      slowest_2pct_mean: round(slowest.reduce((a, r) => a + r[p], 0) / slowest.length, 3),
    };
  }
  return split;
}
