/**
 * A crash with calls live: the server (a child process, `partyline serve`)
 * is killed with SIGKILL while a call is connected and a third user is
 * being dialled. Started again on the same data directory, it marks that
 * call ended with cause `server-restart` and closes its members; every
 * request it had accepted (201) is in the store. Event callbacks still
 * pending at the crash (the receiver was down) are all delivered after the
 * restart, each event once, in the call's order.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { TonePhone } from '../support/phones/index.js';
import { freeTcpPort, freeUdpTcpPort } from '../support/ports.js';
import {
  agentAndCustomer,
  callbackPhlo,
  mediaRange,
  phone,
  type AfterHook,
} from '../support/partyline-server.js';
import { SERVER_V8_FLAGS } from '../../src/cli/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

async function serve(
  dataDir: string,
  httpPort: number,
  sipPort: number,
  nodeArgs: string[] = [],
): Promise<Child> {
  const range = mediaRange();
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--conditions=source',
      '--import',
      'tsx',
      join(ROOT, 'src', 'main.ts'),
      'serve',
      '--json-logs',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PARTYLINE_DATA_DIR: dataDir,
        PARTYLINE_HTTP_PORT: String(httpPort),
        PARTYLINE_SIP_PORT: String(sipPort),
        PARTYLINE_MEDIA_PORT_MIN: String(range.portMin),
        PARTYLINE_MEDIA_PORT_MAX: String(range.portMax),
        PARTYLINE_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 20_000;
  while (!output.includes('Partyline call server ready')) {
    if (child.exitCode !== null) assert.fail(`server exited:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`server not ready in 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { process: child, output: () => output, exited };
}

function banner(output: string, label: string): string {
  const m = new RegExp(`${label}\\s+(\\S+)`).exec(output);
  assert.ok(m, `no ${label} in the banner:\n${output}`);
  return m[1];
}

/** A first `partyline serve` on a fresh data directory, its credentials read from the banner. */
interface FirstStart {
  dataDir: string;
  httpPort: number;
  sipPort: number;
  child: Child;
  authId: string;
  phloId: string;
  nodeId: string;
  base: string;
  headers: Record<string, string>;
}

async function firstStart(t: AfterHook): Promise<FirstStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'partyline-restart-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpTcpPort();
  const child = await serve(dataDir, httpPort, sipPort);
  t.after(() => {
    if (child.process.exitCode === null) child.process.kill('SIGKILL');
  });
  const out = child.output();
  const authId = banner(out, 'AUTH_ID');
  const token = banner(out, 'AUTH_TOKEN');
  return {
    dataDir,
    httpPort,
    sipPort,
    child,
    authId,
    phloId: banner(out, 'PHLO id'),
    nodeId: banner(out, 'Node id'),
    base: `http://127.0.0.1:${httpPort}`,
    headers: {
      authorization: `Basic ${Buffer.from(`${authId}:${token}`).toString('base64')}`,
      'content-type': 'application/json',
    },
  };
}

/** Polls the call at `callUrl` until its two members are connected (15 s at most). */
async function waitBothConnected(callUrl: string, headers: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = (await (await fetch(callUrl, { headers })).json()) as {
      members: { state: string }[];
    };
    if (c.members.length === 2 && c.members.every((m) => m.state === 'connected')) return;
    if (Date.now() > deadline) assert.fail(`call not up: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface LiveChild {
  dataDir: string;
  httpPort: number;
  sipPort: number;
  child: Child;
  agent: TonePhone;
  customer: TonePhone;
  ringing: TonePhone;
  headers: Record<string, string>;
  callUrl: string;
  /** api_ids of the requests the server answered 201. */
  accepted: string[];
}

/**
 * A `partyline serve` child with a live call: agent and customer connected,
 * the customer on hold, and a third user being dialled (its phone rings).
 */
async function liveCallInChild(t: AfterHook): Promise<LiveChild> {
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 60 });
  const ringing = await phone(t, {
    behaviour: 'no-answer',
    toneHz: 2000,
    user: 'third',
    timeoutSeconds: 60,
  });
  const { dataDir, httpPort, sipPort, child, authId, phloId, nodeId, base, headers } =
    await firstStart(t);
  const accepted: string[] = [];
  const post = async (path: string, body: unknown): Promise<Record<string, string>> => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, string>;
    assert.equal(res.status, 201, JSON.stringify(json));
    accepted.push(json.api_id);
    return json;
  };
  const run = await post(`/v1/account/${authId}/phlo/${phloId}`, {
    from: agent.uri,
    to: customer.uri,
  });
  const callUrl = `${base}/v1/phlo/${phloId}/multi_party_call/${nodeId}/calls/${run.call_id}`;
  await waitBothConnected(callUrl, headers);
  await post(`/v1/phlo/${phloId}/multi_party_call/${nodeId}/members/${customer.uri}`, {
    action: 'hold',
  });
  await post(`/v1/phlo/${phloId}/multi_party_call/${nodeId}`, {
    action: 'call',
    to: ringing.uri,
    role: 'customer',
    trigger_source: agent.uri,
  });
  await ringing.waitEvent('ringing');
  return {
    dataDir,
    httpPort,
    sipPort,
    child,
    agent,
    customer,
    ringing,
    headers,
    callUrl,
    accepted,
  };
}

interface EndedCall {
  state: string;
  end_reason: string;
  members: { address: string; state: string; hangup_cause: string }[];
  events: { type: string }[];
}

/** Starts the server again on the same data and ports; stopped when the test ends. */
async function restart(t: AfterHook, live: LiveChild): Promise<{ child: Child; call: EndedCall }> {
  // Started as `npm start` starts it (the first start is not: it shows the warning).
  const child = await serve(
    live.dataDir,
    live.httpPort,
    live.sipPort,
    SERVER_V8_FLAGS.map((f) => f.flag),
  );
  t.after(async () => {
    if (child.process.exitCode === null) child.process.kill('SIGTERM');
    await child.exited;
  });
  assert.ok(!child.output().includes('AUTH_TOKEN'), 'no second first start');
  const call = (await (await fetch(live.callUrl, { headers: live.headers })).json()) as EndedCall;
  return { child, call };
}

function membersOf(call: EndedCall): string[][] {
  return call.members.map((m) => [m.address, m.state, m.hangup_cause]);
}

test('kill -9 with a call live: on restart the call is ended (server-restart) and every accepted request is there', async (t) => {
  const live = await liveCallInChild(t);
  live.child.process.kill('SIGKILL');
  await live.child.exited;

  const { child, call } = await restart(t, live);
  assert.match(child.output(), /server-restart/);
  // The first start ran without the server's V8 flags and said so; the restart had them.
  assert.ok(
    live.child
      .output()
      .includes(`Node was started without ${SERVER_V8_FLAGS.map((f) => f.flag).join(' ')}`),
    live.child.output(),
  );
  assert.doesNotMatch(child.output(), /Node was started without/);
  assert.equal(call.state, 'ended');
  assert.equal(call.end_reason, 'server-restart');
  assert.deepEqual(membersOf(call), [
    [live.agent.uri, 'disconnected', 'server-restart'],
    [live.customer.uri, 'disconnected', 'server-restart'],
    [live.ringing.uri, 'failed', 'server-restart'],
  ]);
  assert.equal(call.events.at(-1)?.type, 'call.ended');
  assert.ok(
    call.events.some((e) => e.type === 'member.held'),
    'the hold before the crash is in the history',
  );

  const db = new Database(join(live.dataDir, 'partyline.db'), { readonly: true });
  t.after(() => db.close());
  const stored = (db.prepare('SELECT api_id FROM requests').all() as { api_id: string }[]).map(
    (r) => r.api_id,
  );
  assert.equal(live.accepted.length, 3);
  for (const id of live.accepted)
    assert.ok(stored.includes(id), `accepted request ${id} is stored`);
});

test('SIGTERM with a call live: BYE to the connected, CANCEL to the ringing, calls ended with server-shutdown', async (t) => {
  const live = await liveCallInChild(t);
  live.child.process.kill('SIGTERM');
  await live.child.exited;
  assert.equal(live.child.process.exitCode, 0, live.child.output());
  await live.agent.waitEvent('bye-received', { timeoutMs: 1_000 });
  await live.customer.waitEvent('bye-received', { timeoutMs: 1_000 });
  await live.ringing.waitEvent('canceled', { timeoutMs: 1_000 });

  const { child, call } = await restart(t, live);
  assert.doesNotMatch(child.output(), /server-restart/, 'nothing was left live');
  assert.equal(call.state, 'ended');
  assert.equal(call.end_reason, 'server-shutdown');
  assert.deepEqual(membersOf(call), [
    [live.agent.uri, 'disconnected', 'server-shutdown'],
    [live.customer.uri, 'disconnected', 'server-shutdown'],
    [live.ringing.uri, 'failed', 'server-shutdown'],
  ]);
  await live.agent.passed(5_000);
  await live.customer.passed(5_000);
  await live.ringing.passed(5_000);
});

/** A callback receiver that answers 503 until up() and records what it took after. */
async function callbackReceiver(t: AfterHook) {
  let up = false;
  let refused = 0;
  const got: { event_id: string; seq: number; type: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (!up) {
        refused++;
        res.statusCode = 503;
        res.end();
        return;
      }
      got.push(JSON.parse(body) as (typeof got)[number]);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    got,
    up: () => (up = true),
    refused: () => refused,
  };
}

test('kill -9 with event callbacks pending: after the restart every event is delivered, once, in order', async (t) => {
  const rx = await callbackReceiver(t);
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 60 });
  const { dataDir, httpPort, sipPort, child, authId, base, headers } = await firstStart(t);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const phlo = await api('POST', '/v1/phlo', callbackPhlo('with callbacks', rx.url));
  assert.equal(phlo.status, 201, JSON.stringify(phlo.json));
  const phloId = String(phlo.json.phlo_id);
  const nodeId = String((phlo.json.document as { nodes: { id: string }[] }).nodes[0].id);
  const run = await api('POST', `/v1/account/${authId}/phlo/${phloId}`, {
    from: agent.uri,
    to: customer.uri,
  });
  assert.equal(run.status, 201, JSON.stringify(run.json));
  const callPath = `/v1/phlo/${phloId}/multi_party_call/${nodeId}/calls/${String(run.json.call_id)}`;
  await waitBothConnected(`${base}${callPath}`, headers);
  // The receiver has refused at least one attempt: deliveries are pending, in back-off.
  while (rx.refused() === 0) await new Promise((r) => setTimeout(r, 50));
  child.process.kill('SIGKILL');
  await child.exited;
  const db = new Database(join(dataDir, 'partyline.db'), { readonly: true });
  const pending = (
    db
      .prepare('SELECT count(*) AS n FROM outbox WHERE delivered_on IS NULL AND gave_up_on IS NULL')
      .get() as { n: number }
  ).n;
  db.close();
  assert.ok(pending >= 4, `deliveries pending at the crash: ${pending}`);
  assert.equal(rx.got.length, 0);

  rx.up();
  const again = await serve(dataDir, httpPort, sipPort);
  t.after(async () => {
    if (again.process.exitCode === null) again.process.kill('SIGTERM');
    await again.exited;
  });
  const ended = (await api('GET', callPath)).json as {
    state: string;
    events: { seq: number; type: string }[];
  };
  assert.equal(ended.state, 'ended');
  assert.equal(ended.events.at(-1)?.type, 'call.ended');
  const until = Date.now() + 30_000;
  while (rx.got.length < ended.events.length && Date.now() < until)
    await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    rx.got.map((g) => [g.seq, g.type]),
    ended.events.map((e) => [e.seq, e.type]),
    'every event of the call, before and after the crash, in order',
  );
  assert.equal(new Set(rx.got.map((g) => g.event_id)).size, rx.got.length, 'each once');
});
