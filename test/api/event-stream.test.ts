/**
 * The live stream (GET /v1/events/stream, src/api/event-stream.ts) over the
 * service test double, on a real socket: auth and filters, what an account
 * sees, Last-Event-ID resume, heartbeats (manual clock), a slow reader cut
 * off, streams ended when the API closes.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import pino from 'pino';
import { ServiceError, type LiveUpdate } from '../../src/api/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { SseReader } from '../support/sse-reader.js';
import { AUTH, OTHER_AUTH_ID, AUTH_ID, callView, harness } from './fake-service.js';

async function listening(t: TestContext, options: Parameters<typeof harness>[0] = {}) {
  const h = await harness(options);
  t.after(() => h.close());
  const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  return { h, base };
}

function callUpdate(
  authId: string,
  callId: string,
  phloId = 'P',
): Extract<LiveUpdate, { kind: 'call' }> {
  return {
    kind: 'call',
    authId,
    call: { ...callView(callId), phloId },
    talking: ['M1'],
    events: [{ at: '2026-12-02T04:00:00Z', type: 'member.connected', memberId: 'M1', data: {} }],
  };
}

test('a stream needs credentials and a known PHLO / node; node_id needs phlo_id', async (t) => {
  const { h, base } = await listening(t);
  assert.equal((await fetch(`${base}/v1/events/stream`)).status, 401);
  const bad = await fetch(`${base}/v1/events/stream?node_id=N`, {
    headers: { authorization: AUTH },
  });
  assert.equal(bad.status, 400);
  assert.match(String(((await bad.json()) as { error: string }).error), /node_id needs phlo_id/);
  h.service.fail('getPhlo', new ServiceError('not-found', 'PHLO X not found'));
  const unknown = await fetch(`${base}/v1/events/stream?phlo_id=X`, {
    headers: { authorization: AUTH },
  });
  assert.equal(unknown.status, 404);
});

test("a client gets a snapshot of its account's live calls, then only its account's changes", async (t) => {
  const { h, base } = await listening(t);
  h.service.live = [{ call: callView('C1'), talking: ['M1'] }];
  const all = await SseReader.open(AUTH, `${base}/v1/events/stream`);
  const onlyP2 = await SseReader.open(AUTH, `${base}/v1/events/stream?phlo_id=P2`);
  t.after(() => (all.close(), onlyP2.close()));
  assert.equal(all.status, 200);
  await all.waitFor(() => all.frames.length === 1, 'the snapshot');
  const snapshot = JSON.parse(all.frames[0].data) as { calls: Record<string, unknown>[] };
  assert.equal(all.frames[0].event, 'snapshot');
  assert.equal(snapshot.calls[0].call_id, 'C1');
  assert.deepEqual(snapshot.calls[0].talking, ['M1']);
  assert.equal(snapshot.calls[0].created_on, '2018-11-14 04:41:31.827796+00:00');

  h.service.emit(callUpdate(OTHER_AUTH_ID, 'OTHER'));
  h.service.emit(callUpdate(AUTH_ID, 'C2'));
  h.service.emit(callUpdate(AUTH_ID, 'C3', 'P2'));
  h.service.emit({
    kind: 'talking',
    authId: AUTH_ID,
    phloId: 'P',
    nodeId: 'N',
    callId: 'C2',
    memberId: 'M1',
    talking: false,
  });
  await all.waitFor(() => all.frames.length === 4, 'three frames after the snapshot');
  assert.deepEqual(all.events(), ['snapshot', 'call', 'call', 'talking']);
  const c2 = JSON.parse(all.frames[1].data) as Record<string, unknown>;
  assert.equal(c2.call_id, 'C2');
  assert.deepEqual(c2.events, [
    { at: '2026-12-02 04:00:00.000000+00:00', type: 'member.connected', member_id: 'M1', data: {} },
  ]);
  assert.deepEqual(JSON.parse(all.frames[3].data), {
    call_id: 'C2',
    phlo_id: 'P',
    node_id: 'N',
    member_id: 'M1',
    talking: false,
  });
  await onlyP2.waitFor(() => onlyP2.frames.length === 2, 'the P2 client: snapshot and C3');
  assert.deepEqual(JSON.parse(onlyP2.frames[0].data), { calls: [] });
  assert.equal((JSON.parse(onlyP2.frames[1].data) as { call_id: string }).call_id, 'C3');
});

test('Last-Event-ID resumes with what was missed; an unknown or too old id gets a new snapshot', async (t) => {
  const { h, base } = await listening(t, { eventStream: { replay: 3 } });
  const first = await SseReader.open(AUTH, `${base}/v1/events/stream`);
  h.service.emit(callUpdate(AUTH_ID, 'C1'));
  await first.waitFor(() => first.frames.length === 2, 'snapshot and C1');
  first.close();
  const seen = first.frames[1].id!;
  h.service.emit(callUpdate(AUTH_ID, 'C2'));
  h.service.emit(callUpdate(OTHER_AUTH_ID, 'OTHER'));
  const again = await SseReader.open(AUTH, `${base}/v1/events/stream`, { 'last-event-id': seen });
  t.after(() => again.close());
  await again.waitFor(() => again.frames.length === 1, 'the missed frame');
  assert.deepEqual(again.events(), ['call']);
  assert.equal((JSON.parse(again.frames[0].data) as { call_id: string }).call_id, 'C2');

  // Three more: the replay (3 frames) no longer reaches back to `seen`.
  for (const id of ['C3', 'C4', 'C5']) h.service.emit(callUpdate(AUTH_ID, id));
  for (const lastId of [seen, 'deadbeef.1', 'junk']) {
    const late = await SseReader.open(AUTH, `${base}/v1/events/stream`, {
      'last-event-id': lastId,
    });
    await late.waitFor(() => late.frames.length === 1, `a snapshot for ${lastId}`);
    late.close();
    assert.deepEqual(late.events(), ['snapshot'], lastId);
  }
});

test('with nobody watching past the replay grace, the feed is not followed: a resume from before gets a snapshot', async (t) => {
  const clock = new ManualClock();
  const { h, base } = await listening(t, { clock, eventStream: { replayGraceMs: 10_000 } });
  // Before anyone connects the service is not followed: it builds no update at all.
  assert.equal(h.service.watching, 0);
  const first = await SseReader.open(AUTH, `${base}/v1/events/stream`);
  h.service.emit(callUpdate(AUTH_ID, 'C1'));
  await first.waitFor(() => first.frames.length === 2, 'snapshot and C1');
  const seen = first.frames[1].id!;
  first.close();
  await noConnections(h.app.server);
  // Within the grace a change is kept for the resume …
  clock.advance(9_999);
  assert.equal(h.service.watching, 1);
  h.service.emit(callUpdate(AUTH_ID, 'C2'));
  const soon = await SseReader.open(AUTH, `${base}/v1/events/stream`, { 'last-event-id': seen });
  await soon.waitFor(() => soon.frames.length === 1, 'the missed frame');
  assert.deepEqual(soon.events(), ['call']);
  const seenAgain = soon.frames[0].id!;
  soon.close();
  await noConnections(h.app.server);
  // … past it the feed is let go, and resuming across that gap is a snapshot.
  clock.advance(10_000);
  assert.equal(h.service.watching, 0);
  h.service.emit(callUpdate(AUTH_ID, 'C3'));
  const late = await SseReader.open(AUTH, `${base}/v1/events/stream`, {
    'last-event-id': seenAgain,
  });
  t.after(() => late.close());
  await late.waitFor(() => late.frames.length === 1, 'a snapshot');
  assert.deepEqual(late.events(), ['snapshot']);
  // Watched again: changes stream as before.
  h.service.emit(callUpdate(AUTH_ID, 'C4'));
  await late.waitFor(() => late.frames.length === 2, 'C4');
  assert.equal((JSON.parse(late.frames[1].data) as { call_id: string }).call_id, 'C4');
});

test('heartbeats keep a quiet stream open; closing the API ends every stream', async (t) => {
  const clock = new ManualClock();
  const { h, base } = await listening(t, { clock, eventStream: { heartbeatMs: 5000 } });
  const r = await SseReader.open(AUTH, `${base}/v1/events/stream`);
  await r.waitFor(() => r.frames.length === 1, 'the snapshot');
  clock.advance(4999);
  clock.advance(1);
  await r.waitFor(() => r.comments.length === 1, 'a heartbeat');
  clock.advance(5000);
  await r.waitFor(() => r.comments.length === 2, 'a second heartbeat');
  const closed = h.close();
  await r.waitFor(() => r.ended, 'the stream to end');
  await closed;
});

test('a client that does not read is cut off once its unsent bytes pass the limit', async (t) => {
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const { h, base } = await listening(t, { logger, eventStream: { maxBufferedBytes: 64 * 1024 } });
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  t.after(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\n\r\n`);
  // Never read: the kernel's buffers fill, then the server's.
  socket.pause();
  await waitUntil(() => h.service.calls.some((c) => c.method === 'liveCalls'), 'the stream open');
  const big = callUpdate(AUTH_ID, 'C1');
  big.events = Array.from({ length: 50 }, () => ({
    at: '2026-12-02T04:00:00Z',
    type: 'member.connected',
    memberId: 'M1',
    data: { pad: 'x'.repeat(200) },
  }));
  for (let i = 0; i < 4000 && !lines.some((l) => l.includes('reads too slowly')); i++) {
    h.service.emit(big);
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.ok(
    lines.some((l) => l.includes('reads too slowly')),
    'the slow client was cut off (its buffer bounded)',
  );
});

/** Waits until the server holds no connection: a closed stream's client has been dropped. */
async function noConnections(server: Server): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const n = await new Promise<number>((resolve, reject) =>
      server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
    );
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${n} connections still open`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
