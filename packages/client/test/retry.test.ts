/**
 * Timeouts and retries against tiny local HTTP servers (a real server
 * cannot be made to answer 503 on cue): a 503 is retried with back-off and
 * Retry-After until the answer; retries are bounded; a POST that timed out
 * or whose connection broke after it was sent is never sent again, while a
 * GET is; a refused connection (nothing sent) is retried for a POST too.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  ConnectionError,
  PhloClient,
  ServerError,
  TimeoutError,
  type PhloClientOptions,
} from '../src/index.js';
import { parseRetryAfter, retryDelayMs, DEFAULT_RETRY } from '../src/retry.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A server answering request n (1, 2, …) with `handler`; counts requests and their times. */
async function local(
  t: { after(fn: () => unknown): void },
  handler: Handler,
): Promise<{ baseUrl: string; requests: { method: string; url: string; at: number }[] }> {
  const requests: { method: string; url: string; at: number }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: String(req.method), url: String(req.url), at: Date.now() });
      handler(req, res, requests.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function json(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const client = (baseUrl: string, opts: PhloClientOptions = {}) =>
  new PhloClient('MA0123456789ABCDEFGH', 'token', { baseUrl, ...opts });

const RUN_ANSWER = { api_id: 'a1', phlo_run_id: 'r1', phlo_id: 'p1', call_id: 'c1', message: 'ok' };

test('503 twice, then 201: the run is retried, honouring Retry-After, and succeeds', async (t) => {
  const srv = await local(t, (_req, res, n) =>
    n <= 2
      ? json(
          res,
          503,
          { api_id: `x${n}`, error: 'starting' },
          { 'retry-after': n === 1 ? '0' : '1' },
        )
      : json(res, 201, RUN_ANSWER),
  );
  const run = await client(srv.baseUrl).phlo('p1').run({ from: '+1415' });
  assert.deepEqual(run, {
    apiId: 'a1',
    phloRunId: 'r1',
    phloId: 'p1',
    callId: 'c1',
    message: 'ok',
  });
  assert.equal(srv.requests.length, 3);
  assert.ok(
    srv.requests.every(
      (r) => r.method === 'POST' && r.url === '/v1/account/MA0123456789ABCDEFGH/phlo/p1',
    ),
  );
  const waited = srv.requests[2].at - srv.requests[1].at;
  assert.ok(waited >= 950, `Retry-After: 1 honoured (${waited} ms)`);
});

test('503 every time: bounded by `retries`, then ServerError with the status, apiId and message', async (t) => {
  const srv = await local(t, (_req, res, n) =>
    json(res, 503, { api_id: `x${n}`, error: 'overloaded' }),
  );
  const c = client(srv.baseUrl, { retries: { retries: 3, baseDelayMs: 10 } });
  await assert.rejects(c.phlo.get('p1'), (e: unknown) => {
    assert.ok(e instanceof ServerError);
    assert.equal(e.status, 503);
    assert.equal(e.apiId, 'x4');
    assert.equal(e.message, 'overloaded');
    return true;
  });
  assert.equal(srv.requests.length, 4);
  await assert.rejects(client(srv.baseUrl, { retries: 0 }).phlo.get('p1'), ServerError);
  assert.equal(srv.requests.length, 5, 'retries: 0 sends once');
});

test('500 and 429 are not retried', async (t) => {
  const srv = await local(t, (_req, res, n) =>
    n === 1
      ? json(res, 500, { api_id: 'e', error: 'boom' })
      : json(res, 429, { api_id: 'l', error: 'slow down' }, { 'retry-after': '7' }),
  );
  await assert.rejects(client(srv.baseUrl).phlo.get('p1'), ServerError);
  await assert.rejects(client(srv.baseUrl).phlo.get('p1'), {
    name: 'RateLimitError',
    retryAfter: 7,
  });
  assert.equal(srv.requests.length, 2);
});

test('a POST that times out is not retried (it may have been applied); a GET is', async (t) => {
  const srv = await local(t, (req, res) => {
    // Never answers in time.
    setTimeout(() => json(res, 201, RUN_ANSWER), 2_000).unref();
  });
  const c = client(srv.baseUrl, { timeoutMs: 150, retries: { retries: 2, baseDelayMs: 10 } });
  await assert.rejects(
    c.phlo('p1').multiPartyCall('n1').call('+1000', '+2000', 'customer'),
    (e: unknown) => {
      assert.ok(e instanceof TimeoutError, String(e));
      assert.match(e.message, /not retried/);
      return true;
    },
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(srv.requests.length, 1, 'the POST was sent once');
  await assert.rejects(c.phlo.get('p1'), TimeoutError);
  assert.equal(srv.requests.length, 4, 'the GET was sent 1 + 2 times');
});

test('a POST whose connection broke after sending is not retried', async (t) => {
  const srv = await local(t, (req) => req.socket.destroy());
  const c = client(srv.baseUrl, { retries: { retries: 2, baseDelayMs: 10 } });
  await assert.rejects(c.phlo('p1').multiPartyCall('n1').member('+3000').hold(), ConnectionError);
  assert.equal(srv.requests.length, 1);
  await assert.rejects(c.phlo.get('p1'), ConnectionError);
  assert.equal(srv.requests.length, 4, 'a GET is retried');
});

test('a refused connection (nothing sent) is retried, for a POST too, then ConnectionError', async () => {
  // A port that was just free: bind, read it, close.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  let attempts = 0;
  const counting: typeof fetch = (input, init) => {
    attempts++;
    return fetch(input, init);
  };
  const c = client(`http://127.0.0.1:${port}`, {
    fetch: counting,
    retries: { retries: 2, baseDelayMs: 10 },
  });
  await assert.rejects(c.phlo('p1').run(), (e: unknown) => {
    assert.ok(e instanceof ConnectionError, String(e));
    assert.match(e.message, /ECONNREFUSED|fetch failed/);
    return true;
  });
  assert.equal(attempts, 3);
});

test('back-off: exponential, jittered in the upper half, capped; Retry-After as seconds or a date', () => {
  const o = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    retryDelayMs(1, o, undefined, () => 0),
    50,
  );
  assert.equal(
    retryDelayMs(1, o, undefined, () => 1),
    100,
  );
  assert.equal(
    retryDelayMs(3, o, undefined, () => 1),
    400,
  );
  assert.equal(
    retryDelayMs(10, o, undefined, () => 1),
    1000,
  );
  assert.equal(
    retryDelayMs(1, o, 30, () => 0),
    1000,
    'Retry-After capped',
  );
  assert.equal(parseRetryAfter('3'), 3);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2026-12-01T10:00:00Z');
  assert.equal(parseRetryAfter('Tue, 01 Dec 2026 10:00:05 GMT', now), 5);
});

test('credentials from PARTYLINE_*, then PLIVO_*; /v1 added to the base URL once', async (t) => {
  const srv = await local(t, (req, res) =>
    json(res, 200, { api_id: 'a', phlo_id: 'p', auth: req.headers.authorization }),
  );
  const saved = { ...process.env };
  t.after(() => {
    for (const k of [
      'PARTYLINE_AUTH_ID',
      'PARTYLINE_AUTH_TOKEN',
      'PLIVO_AUTH_ID',
      'PLIVO_AUTH_TOKEN',
    ])
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });
  for (const k of [
    'PARTYLINE_AUTH_ID',
    'PARTYLINE_AUTH_TOKEN',
    'PLIVO_AUTH_ID',
    'PLIVO_AUTH_TOKEN',
  ])
    delete process.env[k];
  assert.throws(() => new PhloClient(), /PARTYLINE_AUTH_ID/);
  process.env.PLIVO_AUTH_ID = 'MAPLIVO';
  process.env.PLIVO_AUTH_TOKEN = 'plivo-token';
  assert.equal(new PhloClient(undefined, undefined, { baseUrl: srv.baseUrl }).authId, 'MAPLIVO');
  process.env.PARTYLINE_AUTH_ID = 'MAPARTY';
  process.env.PARTYLINE_AUTH_TOKEN = 'party-token';
  const c = new PhloClient(undefined, undefined, { baseUrl: `${srv.baseUrl}/v1/` });
  assert.equal(c.authId, 'MAPARTY');
  assert.equal(c.baseUrl, `${srv.baseUrl}/v1`);
  await c.phlo.get('p');
  assert.equal(srv.requests[0].url, '/v1/phlo/p');
  assert.equal(
    new PhloClient('a', 'b', { baseUrl: 'http://h:1/proxy' }).baseUrl,
    'http://h:1/proxy/v1',
  );
});
