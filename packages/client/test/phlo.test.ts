/**
 * PHLOs through the SDK against a real server: create (JSON and YAML), get,
 * run after get (broken in plivo 4.79), multiPartyCall.get, replace, list,
 * delete; voicemailDrop over real phones on a node whose event callbacks go
 * to a local receiver, each delivery verified with the SDK's
 * verifyCallbackSignature; and the typed errors of real 400/401/404/429
 * answers.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  ApiError,
  AuthenticationError,
  CALLBACK_HEADERS,
  NotFoundError,
  PhloClient,
  RateLimitError,
  ValidationError,
  verifyCallbackSignature,
} from '../src/index.js';
import {
  agentAndCustomer,
  phone,
  startTestServer,
} from '../../../test/support/partyline-server.js';
import { member, sdkServer, until, type SdkServer } from './support.js';

let s: SdkServer;
before(async () => {
  s = await sdkServer();
});
after(() => s.stop());

const node = (extra: Record<string, unknown> = {}) => ({
  type: 'multi_party_call',
  name: 'support',
  from: '{{start.from}}',
  to: '{{start.to}}',
  enter_sound: 'none',
  exit_sound: 'none',
  wait_music: 'none',
  ...extra,
});

test('PHLO management: create (JSON, YAML), get → run, multiPartyCall.get, replace, list, delete', async () => {
  const { phlo } = s.client;
  const made = await phlo.create({ name: 'sdk json', nodes: [node()] });
  assert.equal(made.name, 'sdk json');
  assert.equal(made.version, 1);
  assert.equal(made.nodes.length, 1);
  const nodeId = made.nodes[0].nodeId;
  const yaml = await phlo.create(
    'name: sdk yaml\nnodes:\n  - type: multi_party_call\n    name: line\n    from: "{{start.from}}"\n    to: "{{start.to}}"\n',
  );
  assert.equal(yaml.name, 'sdk yaml');

  const got = await phlo.get(made.phloId);
  assert.equal(got.phloId, made.phloId);
  assert.match(got.createdOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  // The PHLO `get` resolves runs (in plivo 4.79 `p.run is not a function`).
  // A busy agent: the call ends at once, leaving nothing for the server's stop to wait on.
  const busy = await phone(s, { behaviour: 'busy', toneHz: 1000, user: 'busy' });
  const run = await got.run({ from: busy.uri, to: 'sip:nobody@127.0.0.1:9' });
  assert.equal(run.phloId, made.phloId);
  assert.ok(run.callId);

  const mpcNode = await s.client.phlo(made.phloId).multiPartyCall.get(nodeId);
  assert.equal(mpcNode.nodeId, nodeId);
  assert.equal(mpcNode.phloId, made.phloId);
  assert.equal(mpcNode.nodeType, 'multi_party_call');
  assert.equal(mpcNode.name, 'support');
  assert.equal(typeof mpcNode.call, 'function', 'the retrieved node has the actions');
  assert.equal((await got.firstNode().getCall(run.callId)).callId, run.callId);

  const replaced = await phlo.replace(made.phloId, { name: 'sdk json v2', nodes: [node()] });
  assert.equal(replaced.version, 2);
  assert.equal(replaced.nodes[0].nodeId, nodeId, 'node ids kept by name');
  const names = (await phlo.list()).map((p) => p.name);
  for (const n of ['sdk json v2', 'sdk yaml']) assert.ok(names.includes(n), names.join(', '));

  const deleted = await s.client.phlo(yaml.phloId).delete();
  assert.match(deleted.message, /deleted/);
  await assert.rejects(phlo.get(yaml.phloId), NotFoundError);
});

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
}

async function receiver(): Promise<{ url: string; got: Delivery[]; close(): Promise<void> }> {
  const got: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events?from=sdk`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

test('voicemailDrop over real phones; every callback verifies with verifyCallbackSignature', async () => {
  const rx = await receiver();
  s.after(() => rx.close());
  const { agent, customer } = await agentAndCustomer(s, { timeoutSeconds: 60 });
  const made = await s.client.phlo.create({
    name: 'sdk voicemail',
    nodes: [node({ voicemail_message: 'tone:900:500', event_callback_url: rx.url })],
  });
  const mpc = made.firstNode();
  const { callId } = await made.run({ from: agent.uri, to: customer.uri });
  await until(
    mpc,
    callId,
    (c) => c.members.every((m) => m.state === 'connected') && c.members.length === 2,
    'connected',
  );
  await mpc.member(customer.uri).voicemailDrop();
  let c = await until(
    mpc,
    callId,
    (x) => member(x, customer.uri)?.state === 'disconnected',
    'dropped',
  );
  assert.equal(member(c, customer.uri)?.hangupCause, 'voicemail-drop');
  assert.ok(c.events.some((e) => e.type === 'member.voicemail-drop'));
  await mpc.member(agent.uri).hangup();
  c = await until(mpc, callId, (x) => x.state === 'ended', 'ended');

  const deadline = Date.now() + 10_000;
  while (rx.got.length < c.events.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(rx.got.length, c.events.length, 'every event delivered');
  for (const d of rx.got) {
    const h = (name: string) => String(d.headers[name]);
    const args = [
      rx.url,
      h(CALLBACK_HEADERS.nonce),
      h(CALLBACK_HEADERS.timestamp),
      d.body,
      h(CALLBACK_HEADERS.signature),
    ] as const;
    assert.equal(await verifyCallbackSignature(...args, s.srv.authToken), true, d.body);
    assert.equal(
      await verifyCallbackSignature(...args, s.srv.authToken, { toleranceSeconds: 60 }),
      true,
    );
    assert.equal(await verifyCallbackSignature(...args, 'another token'), false);
    const [url, nonce, ts, body, sig] = args;
    assert.equal(
      await verifyCallbackSignature(url, nonce, ts, `${body} `, sig, s.srv.authToken),
      false,
    );
    assert.equal(
      await verifyCallbackSignature(
        url,
        nonce,
        ts,
        new TextEncoder().encode(body),
        sig,
        s.srv.authToken,
      ),
      true,
      'raw bytes too',
    );
    const later = () => (Number(ts) + 301) * 1000;
    assert.equal(
      await verifyCallbackSignature(...args, s.srv.authToken, { now: later }),
      false,
      'outside the replay window',
    );
  }
});

test('typed errors from real answers: 401, 400, 404 (with apiId and the message)', async () => {
  const wrong = new PhloClient(s.srv.authId, 'not-the-token', { baseUrl: s.srv.baseUrl });
  await assert.rejects(wrong.phlo.get(s.srv.phloId), (e: unknown) => {
    assert.ok(e instanceof AuthenticationError);
    assert.equal(e.status, 401);
    assert.ok(e.apiId);
    return true;
  });
  await assert.rejects(
    s.client.phlo.create({ name: 'bad', nodes: [node({ colour: 'red' })] }),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.status, 400);
      assert.match(e.message, /colour: unknown field/);
      return true;
    },
  );
  await assert.rejects(s.mpc.member('+19995550000').hold(), (e: unknown) => {
    assert.ok(e instanceof NotFoundError && e instanceof ApiError);
    assert.equal(e.status, 404);
    assert.match(String(e.apiId), /^[0-9a-f-]{36}$/);
    assert.ok(e.message.length > 0);
    return true;
  });
  await assert.rejects(s.mpc.getCall('no-such-call'), NotFoundError);
});

test('429: RateLimitError with retryAfter (a server limited to 1 request/s, burst 1)', async () => {
  const srv = await startTestServer({
    configure: (c) => {
      c.http.rateLimitPerSecond = 1;
      c.http.rateLimitBurst = 1;
    },
  });
  after(() => srv.stop());
  const client = new PhloClient(srv.authId, srv.authToken, { baseUrl: srv.baseUrl });
  const results = await Promise.allSettled([1, 2, 3].map(() => client.phlo.get(srv.phloId)));
  const limited = results.find((r) => r.status === 'rejected');
  assert.ok(limited && limited.status === 'rejected', 'one refused');
  const e: unknown = limited.reason;
  assert.ok(e instanceof RateLimitError, String(e));
  assert.equal(e.status, 429);
  assert.equal(e.retryAfter, 1);
  assert.ok(e.apiId);
});
