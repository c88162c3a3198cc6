/**
 * The callback receiver of the API benchmark (callbacks.ts), a process of
 * its own: an HTTP server on 127.0.0.1 that takes every POST to `path`,
 * notes when its body was complete (performance.now(), made wall-clock with
 * an offset to Date.now() measured at millisecond edges, interpolated
 * between calibrations), checks its signature with verifyCallbackSignature
 * (src/callbacks) and the account's AUTH_TOKEN, and answers 204.
 *
 *   node --import tsx bench/api/callback-receiver.ts '{"token":"…","path":"/callbacks"}'
 *
 * Prints `READY <port>`. GET /counts → {call_id: distinct seqs received};
 * GET /report?reset=1 → every callback since the last reset (ReceivedCallback)
 * and forgets them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { verifyCallbackSignature } from '../../src/callbacks/index.js';
import { wallOffset } from './wall-clock.js';

export interface ReceivedCallback {
  event_id: string;
  call_id: string;
  seq: number;
  type: string;
  /** The body's `at`, as sent. */
  at: string;
  /** Wall-clock ms when the request's body was complete. */
  arrived: number;
  valid: boolean;
}

export interface ReceiverReport {
  callbacks: ReceivedCallback[];
  /** Requests whose body was not a callback payload. */
  malformed: number;
}

interface Pending extends Omit<ReceivedCallback, 'arrived'> {
  perf: number;
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function main(job: { token: string; path: string }): void {
  let pending: Pending[] = [];
  let malformed = 0;
  const seqs = new Map<string, Set<number>>();
  let cal = { perf: performance.now(), offset: wallOffset() };
  let url = '';

  const onCallback = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const perf = performance.now();
      const body = Buffer.concat(chunks);
      const valid = verifyCallbackSignature(
        {
          url,
          nonce: header(req, 'x-partyline-nonce'),
          timestamp: header(req, 'x-partyline-timestamp'),
          signature: header(req, 'x-partyline-signature'),
          body,
        },
        job.token,
      );
      res.writeHead(204).end();
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        malformed++;
        return;
      }
      const { event_id, call_id, seq, type, at } = doc;
      if (typeof event_id !== 'string' || typeof call_id !== 'string' || typeof seq !== 'number') {
        malformed++;
        return;
      }
      pending.push({
        event_id,
        call_id,
        seq,
        type: String(type),
        at: String(at),
        perf,
        valid,
      });
      let set = seqs.get(call_id);
      if (!set) seqs.set(call_id, (set = new Set()));
      set.add(seq);
    });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === job.path) return onCallback(req, res);
    if (req.method === 'GET' && path === '/counts') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries([...seqs].map(([k, v]) => [k, v.size]))));
      return;
    }
    if (req.method === 'GET' && path === '/report') {
      // Wall clock for what arrived since the last calibration, interpolated between the two.
      const next = { perf: performance.now(), offset: wallOffset() };
      const span = Math.max(1, next.perf - cal.perf);
      const c0 = cal;
      const wall = (t: number): number =>
        t + c0.offset + ((next.offset - c0.offset) * (t - c0.perf)) / span;
      const report: ReceiverReport = {
        callbacks: pending.map(({ perf, ...rest }) => ({ ...rest, arrived: wall(perf) })),
        malformed,
      };
      cal = next;
      if ((req.url ?? '').includes('reset=1')) {
        pending = [];
        malformed = 0;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    url = `http://127.0.0.1:${port}${job.path}`;
    process.stdout.write(`READY ${port}\n`);
  });
}

const arg = process.argv[2];
if (arg === undefined) {
  console.error('usage: node --import tsx bench/api/callback-receiver.ts <job JSON>');
  process.exit(2);
}
main(JSON.parse(arg) as { token: string; path: string });
