/**
 * Event callbacks from the real server: a node with event_callback_url gets
 * every event of its call POSTed to a receiver on 127.0.0.1, each one signed
 * (verified here with verifyCallbackSignature and the account's token), in
 * the call's order, with an event id; a receiver that fails the first three
 * deliveries still gets every event, once each; a full warm transfer's
 * events arrive the same way.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { CALLBACK_HEADERS, verifyCallbackSignature } from '../../src/callbacks/index.js';
import {
  agentAndCustomer,
  callbackPhlo,
  connectedCall,
  createPhlo,
  phone,
  startTestServer,
  type CallState,
} from '../support/partyline-server.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  json: { event_id: string; call_id: string; seq: number; type: string };
}

async function receiver(
  failFirst: number,
): Promise<{ url: string; got: Received[]; attempts: number; close(): Promise<void> }> {
  const got: Received[] = [];
  let attempts = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      attempts++;
      if (attempts <= failFirst) {
        res.statusCode = 503;
        res.end();
        return;
      }
      got.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    got,
    get attempts() {
      return attempts;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

test('every event of a call is delivered signed, in order, once — even after three failures', async (t) => {
  const rx = await receiver(3);
  t.after(() => rx.close());
  const { agent, customer } = await agentAndCustomer(t);
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const node = await createPhlo(srv, callbackPhlo('with callbacks', rx.url));
  const callId = await connectedCall(srv, agent.uri, customer.uri, node);
  const mpc = `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}`;
  assert.equal(
    (await srv.api('POST', `${mpc}/members/${customer.uri}`, { action: 'hold' })).status,
    201,
  );
  assert.equal(
    (await srv.api('POST', `${mpc}/members/${customer.uri}`, { action: 'unhold' })).status,
    201,
  );
  assert.equal(
    (await srv.api('POST', `${mpc}/members/${agent.uri}`, { action: 'hangup' })).status,
    201,
  );
  const ended = await srv.waitCall((c) => c.state === 'ended', 'call ended', { callId, node });
  const types = await assertAllDelivered(rx, ended, srv.authToken, callId);
  assert.ok(rx.attempts >= ended.events.length + 3);
  for (const t of [
    'call.initialized',
    'member.connected',
    'member.held',
    'member.unheld',
    'member.disconnected',
    'call.ended',
  ])
    assert.ok(types.includes(t), `${t} delivered`);
});

/**
 * Waits (30 s at most: back-off after failures is 1 s, 2 s, 4 s with jitter)
 * until the receiver has every event of the ended call, then checks: the
 * call's order, seq 1…n, one delivery per event id, each signed for the
 * account's token (and not for another token, nor for a changed body).
 */
async function assertAllDelivered(
  rx: Awaited<ReturnType<typeof receiver>>,
  ended: CallState,
  authToken: string,
  callId: string,
): Promise<string[]> {
  const stored = ended.events.length;
  const deadline = Date.now() + 30_000;
  while (rx.got.length < stored && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(
    rx.got.length,
    stored,
    `every stored event delivered (${rx.got.length} of ${stored})`,
  );
  const types = rx.got.map((g) => g.json.type);
  assert.deepEqual(
    types,
    ended.events.map((e) => e.type),
    'the call order',
  );
  assert.deepEqual(
    rx.got.map((g) => g.json.seq),
    rx.got.map((_, i) => i + 1),
  );
  const ids = new Set(rx.got.map((g) => g.json.event_id));
  assert.equal(ids.size, rx.got.length, 'one delivery per event');
  for (const g of rx.got) {
    assert.equal(g.json.call_id, callId);
    assert.equal(g.headers[CALLBACK_HEADERS.eventId.toLowerCase()], g.json.event_id);
    const signed = {
      url: rx.url,
      nonce: String(g.headers[CALLBACK_HEADERS.nonce.toLowerCase()]),
      timestamp: String(g.headers[CALLBACK_HEADERS.timestamp.toLowerCase()]),
      body: g.body,
      signature: String(g.headers[CALLBACK_HEADERS.signature.toLowerCase()]),
    };
    assert.ok(verifyCallbackSignature(signed, authToken), `signature of ${g.json.type}`);
    assert.ok(!verifyCallbackSignature(signed, 'another token'), 'a wrong token does not verify');
    assert.ok(
      !verifyCallbackSignature({ ...signed, body: `${g.body} ` }, authToken),
      'a changed body does not verify',
    );
  }
  return types;
}

test('a full warm transfer: every event delivered signed, in order, transfer.started → answered → completed', async (t) => {
  const rx = await receiver(0);
  t.after(() => rx.close());
  const { agent, customer } = await agentAndCustomer(t);
  const target = await phone(t, { behaviour: 'answer', toneHz: 2000, user: 'target' });
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const node = await createPhlo(srv, callbackPhlo('transfers with callbacks', rx.url));
  const callId = await connectedCall(srv, agent.uri, customer.uri, node);
  const mpc = `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}`;
  const warm = await srv.api('POST', mpc, {
    action: 'warm_transfer',
    trigger_source: agent.uri,
    to: target.uri,
    role: 'agent',
  });
  assert.equal(warm.status, 201, warm.text);
  await srv.waitCall((c) => c.events.some((e) => e.type === 'transfer.answered'), 'U3 answered', {
    callId,
    node,
  });
  assert.equal(
    (await srv.api('POST', `${mpc}/members/${agent.uri}`, { action: 'hangup' })).status,
    201,
  );
  await srv.waitCall(
    (c) => c.events.some((e) => e.type === 'transfer.completed'),
    'the transfer completed',
    { callId, node },
  );
  assert.equal(
    (await srv.api('POST', `${mpc}/members/${target.uri}`, { action: 'hangup' })).status,
    201,
  );
  const ended = await srv.waitCall((c) => c.state === 'ended', 'call ended', { callId, node });
  const types = await assertAllDelivered(rx, ended, srv.authToken, callId);
  assert.deepEqual(
    types.filter((e) => e.startsWith('transfer.')),
    ['transfer.started', 'transfer.answered', 'transfer.completed'],
  );
  for (const e of ['member.held', 'member.unheld', 'member.connected', 'call.ended'])
    assert.ok(types.includes(e), `${e} delivered`);
  const started = rx.got.find((g) => g.json.type === 'transfer.started');
  assert.equal((started?.json as { member?: { address?: string } }).member?.address, agent.uri);
});
