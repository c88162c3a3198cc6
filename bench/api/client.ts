/**
 * The open-loop HTTP client of the API benchmark, a process of its own so
 * that its timing does not share an event loop with the server it drives.
 *
 *   node --import tsx bench/api/client.ts '<ClientJob as JSON>'
 *
 * Request i is due at start + i / rate, whatever happened to the earlier
 * ones (open loop: a slow server does not slow the client down, so its
 * delay is measured instead of hidden). Requests go over keep-alive HTTP/1.1
 * connections (node:http Agent, at most `connections`); one that finds
 * every connection busy waits in the agent, and that wait counts. The first
 * `warmupMs` of requests are sent at the same rate but not kept.
 *
 * Times are wall-clock milliseconds (the clock SIPp's gettimeofday(2)
 * reads), at microsecond resolution: performance.now() plus an offset to
 * Date.now() measured at millisecond edges at the start and at the end,
 * interpolated in between.
 * Each kept request: its number, when it was due, when the response's
 * last byte arrived, the HTTP status. Written as JSON to `out`; then the
 * process prints DONE and exits. It prints WINDOW-START when it sends the
 * first kept request and WINDOW-END after the last, so the harness can
 * sample CPU over the measured window.
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { wallOffset } from './wall-clock.js';

export interface ClientJob {
  /** http://127.0.0.1:port/path */
  url: string;
  headers: Record<string, string>;
  /** The JSON body; every "{n}" in it becomes the request's number, every "{r}" rotate[n % length]. */
  bodyTemplate: string;
  rotate?: string[];
  /** Request paths (with query) that replace the url's, request n taking paths[n % length]; default the url's. */
  paths?: string[];
  /** Number of the first request (warm-up included). */
  firstN: number;
  rate: number;
  warmupMs: number;
  durationMs: number;
  connections: number;
  /** When set, each request carries its number in this header (server-timings.ts). */
  numberHeader?: string;
  /** A request still unanswered this long after it was due counts as failed (status 0). */
  timeoutMs: number;
  out: string;
}

export interface ClientSample {
  n: number;
  /** Wall-clock ms when the request was due. */
  due: number;
  /** Wall-clock ms when the response was complete; NaN when none came. */
  done: number;
  /** HTTP status; 0 for a connection error or a timeout. */
  status: number;
  /** Wall-clock ms when http.request() was called (due + the client's own lateness). */
  sent: number;
}

export interface ClientReport {
  samples: ClientSample[];
  /** Requests sent in the measured window / its planned length. */
  achieved_rps: number;
  /** How far the two wall-clock calibrations (start, end) disagree, ms: the drift of the conversion. */
  clock_drift_ms: number;
  errors: string[];
}

async function run(job: ClientJob): Promise<void> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const offset0 = wallOffset();
  const perf0 = performance.now();
  const interval = 1000 / job.rate;
  const warm = Math.round((job.warmupMs / 1000) * job.rate);
  const kept = Math.round((job.durationMs / 1000) * job.rate);
  const total = warm + kept;
  const samples: ClientSample[] = [];
  const errors: string[] = [];
  let pending = total;
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const start = performance.now() + 20;
  let lastKeptSent = start;

  const send = (i: number): void => {
    const due = start + i * interval;
    const sent = performance.now();
    const n = job.firstN + i;
    const rotate = job.rotate ?? [];
    const body = job.bodyTemplate
      .replaceAll('{n}', String(n))
      .replaceAll('{r}', rotate.length ? rotate[n % rotate.length] : '');
    if (i === warm) process.stdout.write('WINDOW-START\n');
    let finished = false;
    const finish = (status: number, why?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (i >= warm) {
        // performance.now() values for now; made wall-clock at the end.
        samples.push({
          n,
          due,
          sent,
          done: status === 0 ? Number.NaN : performance.now(),
          status,
        });
        if (why && errors.length < 20) errors.push(`#${n}: ${why}`);
      }
      if (--pending === 0) resolveAll();
    };
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: job.paths?.length ? job.paths[n % job.paths.length] : url.pathname + url.search,
        method: 'POST',
        headers: {
          ...job.headers,
          ...(job.numberHeader ? { [job.numberHeader]: String(n) } : {}),
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The body of a refusal says why (kept for the report); a 201's is not needed.
        let text = '';
        if (status === 201) res.resume();
        else res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8').slice(0, 300)));
        res.on('end', () => finish(status, status === 201 ? undefined : `${status} ${text}`));
        res.on('error', (err) => finish(0, err.message));
      },
    );
    const timer = setTimeout(() => {
      finish(0, `no response within ${job.timeoutMs} ms`);
      req.destroy();
    }, job.timeoutMs);
    req.on('error', (err) => finish(0, err.message));
    req.end(body);
    if (i >= warm) lastKeptSent = sent;
    if (i === total - 1) process.stdout.write('WINDOW-END\n');
  };

  let next = 0;
  const pump = (): void => {
    const now = performance.now();
    while (next < total && start + next * interval <= now) send(next++);
    if (next < total) setTimeout(pump, Math.max(0, start + next * interval - performance.now()));
  };
  setTimeout(pump, Math.max(0, start - performance.now()));
  await allDone;
  const offset1 = wallOffset();
  const perf1 = performance.now();
  agent.destroy();
  // The offset drifts a little (NTP slews the wall clock, not the monotonic one): interpolate.
  const wall = (t: number): number =>
    t + offset0 + ((offset1 - offset0) * (t - perf0)) / Math.max(1, perf1 - perf0);
  for (const x of samples) {
    x.due = wall(x.due);
    x.sent = wall(x.sent);
    x.done = wall(x.done);
  }
  const windowMs = lastKeptSent - (start + warm * interval) + interval;
  const report: ClientReport = {
    samples: samples.sort((a, b) => a.n - b.n),
    achieved_rps: kept > 0 ? (kept / Math.max(windowMs, job.durationMs)) * 1000 : 0,
    clock_drift_ms: offset1 - offset0,
    errors,
  };
  writeFileSync(job.out, JSON.stringify(report));
  process.stdout.write('DONE\n');
}

const arg = process.argv[2];
if (arg === undefined) {
  console.error('usage: node --import tsx bench/api/client.ts <job JSON>');
  process.exit(2);
}
run(JSON.parse(arg) as ClientJob).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
