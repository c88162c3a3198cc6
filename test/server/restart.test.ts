/**
 * A crash with calls live: the server (a child process, `partyline serve`)
 * is killed with SIGKILL while a call is connected and a third user is
 * being dialled. Started again on the same data directory, it marks that
 * call ended with cause `server-restart` and closes its members; every
 * request it had accepted (201) is in the store.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { TonePhone } from '../support/phones/index.js';
import { freeTcpPort, freeUdpTcpPort } from '../support/ports.js';
import { mediaRange } from '../support/partyline-server.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

async function serve(dataDir: string, httpPort: number, sipPort: number): Promise<Child> {
  const range = mediaRange();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), 'serve', '--json-logs'],
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

test('kill -9 with a call live: on restart the call is ended (server-restart) and every accepted request is there', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'partyline-restart-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const agent = await TonePhone.start({
    behaviour: 'answer',
    toneHz: 1000,
    user: 'agent',
    timeoutSeconds: 60,
  });
  t.after(() => agent.stop());
  const customer = await TonePhone.start({
    behaviour: 'answer',
    toneHz: 1500,
    user: 'customer',
    timeoutSeconds: 60,
  });
  t.after(() => customer.stop());
  const ringing = await TonePhone.start({
    behaviour: 'no-answer',
    toneHz: 2000,
    user: 'third',
    timeoutSeconds: 60,
  });
  t.after(() => ringing.stop());

  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpTcpPort();
  const first = await serve(dataDir, httpPort, sipPort);
  t.after(() => {
    if (first.process.exitCode === null) first.process.kill('SIGKILL');
  });
  const authId = banner(first.output(), 'AUTH_ID');
  const token = banner(first.output(), 'AUTH_TOKEN');
  const phloId = banner(first.output(), 'PHLO id');
  const nodeId = banner(first.output(), 'Node id');
  const base = `http://127.0.0.1:${httpPort}`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${authId}:${token}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, string> };
  };
  const accepted: string[] = [];
  const run = await post(`/v1/account/${authId}/phlo/${phloId}`, {
    from: agent.uri,
    to: customer.uri,
  });
  assert.equal(run.status, 201);
  accepted.push(run.json.api_id);
  const callId = run.json.call_id;
  const callUrl = `${base}/v1/phlo/${phloId}/multi_party_call/${nodeId}/calls/${callId}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = (await (await fetch(callUrl, { headers })).json()) as {
      members: { state: string }[];
    };
    if (c.members.length === 2 && c.members.every((m) => m.state === 'connected')) break;
    if (Date.now() > deadline) assert.fail(`call not up: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const add = await post(`/v1/phlo/${phloId}/multi_party_call/${nodeId}`, {
    action: 'call',
    to: ringing.uri,
    role: 'customer',
    trigger_source: agent.uri,
  });
  assert.equal(add.status, 201);
  accepted.push(add.json.api_id);
  const hold = await post(`/v1/phlo/${phloId}/multi_party_call/${nodeId}/members/${customer.uri}`, {
    action: 'hold',
  });
  assert.equal(hold.status, 201);
  accepted.push(hold.json.api_id);
  await ringing.waitEvent('ringing');

  first.process.kill('SIGKILL');
  await first.exited;

  const second = await serve(dataDir, httpPort, sipPort);
  t.after(async () => {
    if (second.process.exitCode === null) second.process.kill('SIGTERM');
    await second.exited;
  });
  assert.ok(!second.output().includes('AUTH_TOKEN'), 'no second first-start');
  assert.match(second.output(), /server-restart/);
  const call = (await (await fetch(callUrl, { headers })).json()) as {
    state: string;
    end_reason: string;
    members: { address: string; state: string; hangup_cause: string; held: boolean }[];
    events: { type: string }[];
  };
  assert.equal(call.state, 'ended');
  assert.equal(call.end_reason, 'server-restart');
  assert.deepEqual(
    call.members.map((m) => [m.address, m.state, m.hangup_cause]),
    [
      [agent.uri, 'disconnected', 'server-restart'],
      [customer.uri, 'disconnected', 'server-restart'],
      [ringing.uri, 'failed', 'server-restart'],
    ],
  );
  assert.equal(call.events.at(-1)?.type, 'call.ended');
  assert.ok(
    call.events.some((e) => e.type === 'member.held'),
    'the hold before the crash is in the history',
  );

  const db = new Database(join(dataDir, 'partyline.db'), { readonly: true });
  t.after(() => db.close());
  const stored = (db.prepare('SELECT api_id FROM requests').all() as { api_id: string }[]).map(
    (r) => r.api_id,
  );
  for (const id of accepted) assert.ok(stored.includes(id), `accepted request ${id} is stored`);
});

test('SIGTERM with a call live: BYE to the connected, CANCEL to the ringing, calls ended with server-shutdown', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'partyline-stop-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const agent = await TonePhone.start({ behaviour: 'answer', toneHz: 1000, user: 'agent' });
  t.after(() => agent.stop());
  const customer = await TonePhone.start({ behaviour: 'answer', toneHz: 1500, user: 'customer' });
  t.after(() => customer.stop());
  const ringing = await TonePhone.start({ behaviour: 'no-answer', toneHz: 2000, user: 'third' });
  t.after(() => ringing.stop());
  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpTcpPort();
  const first = await serve(dataDir, httpPort, sipPort);
  t.after(() => {
    if (first.process.exitCode === null) first.process.kill('SIGKILL');
  });
  const authId = banner(first.output(), 'AUTH_ID');
  const token = banner(first.output(), 'AUTH_TOKEN');
  const phloId = banner(first.output(), 'PHLO id');
  const nodeId = banner(first.output(), 'Node id');
  const base = `http://127.0.0.1:${httpPort}`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${authId}:${token}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const run = (await (
    await fetch(`${base}/v1/account/${authId}/phlo/${phloId}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ from: agent.uri, to: customer.uri }),
    })
  ).json()) as { call_id: string };
  const callUrl = `${base}/v1/phlo/${phloId}/multi_party_call/${nodeId}/calls/${run.call_id}`;
  await customer.waitEvent('answered', { timeoutMs: 10_000 });
  const add = await fetch(`${base}/v1/phlo/${phloId}/multi_party_call/${nodeId}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      action: 'call',
      to: ringing.uri,
      role: 'customer',
      trigger_source: agent.uri,
    }),
  });
  assert.equal(add.status, 201);
  await ringing.waitEvent('ringing');

  first.process.kill('SIGTERM');
  await first.exited;
  assert.equal(first.process.exitCode, 0, first.output());
  await agent.waitEvent('bye-received', { timeoutMs: 1_000 });
  await customer.waitEvent('bye-received', { timeoutMs: 1_000 });
  await ringing.waitEvent('canceled', { timeoutMs: 1_000 });

  const second = await serve(dataDir, httpPort, sipPort);
  t.after(async () => {
    if (second.process.exitCode === null) second.process.kill('SIGTERM');
    await second.exited;
  });
  assert.doesNotMatch(second.output(), /server-restart/, 'nothing was left live');
  const call = (await (await fetch(callUrl, { headers })).json()) as {
    state: string;
    end_reason: string;
    members: { state: string; hangup_cause: string }[];
  };
  assert.equal(call.state, 'ended');
  assert.equal(call.end_reason, 'server-shutdown');
  assert.deepEqual(
    call.members.map((m) => [m.state, m.hangup_cause]),
    [
      ['disconnected', 'server-shutdown'],
      ['disconnected', 'server-shutdown'],
      ['failed', 'server-shutdown'],
    ],
  );
  await agent.passed(5_000);
  await customer.passed(5_000);
  await ringing.passed(5_000);
});
