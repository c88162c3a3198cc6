/**
 * Bad input against the real server with a live call: each gets its exact
 * status and a message a person can act on, and nothing is stored — the
 * database's rows are counted before and after every request.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createAccount } from '../../src/server/index.js';
import { isoNow } from '../../src/mpc/index.js';
import {
  agentAndCustomer,
  connectedCall,
  createPhlo,
  startTestServer,
} from '../support/partyline-server.js';

const TABLES = ['accounts', 'phlos', 'runs', 'calls', 'members', 'events', 'requests'];

test('bad input: exact status, clear message, nothing stored', async (t) => {
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 60 });
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const db = new Database(join(srv.dataDir, 'partyline.db'), { readonly: true });
  t.after(() => db.close());
  const rows = (): Record<string, number> =>
    Object.fromEntries(
      TABLES.map((name) => [
        name,
        (db.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n,
      ]),
    );

  // A full call: a PHLO whose node takes two members.
  const { phloId, nodeId } = await createPhlo(srv, {
    name: 'pair',
    nodes: [
      {
        type: 'multi_party_call',
        name: 'pair',
        from: '{{start.from}}',
        to: '{{start.to}}',
        max_participants: 2,
      },
    ],
  });
  await connectedCall(srv, agent.uri, customer.uri, { phloId, nodeId });
  const other = await createAccount(srv.server.store, isoNow, 'other');
  const otherAuth = `Basic ${Buffer.from(`${other.authId}:${other.authToken}`).toString('base64')}`;

  const mpc = `/v1/phlo/${phloId}/multi_party_call/${nodeId}`;
  const call = (body: Record<string, unknown>) => ({
    action: 'call',
    trigger_source: agent.uri,
    to: 'sip:new@127.0.0.1:5999',
    role: 'agent',
    ...body,
  });
  type Case = [string, string, string, unknown, Record<string, string> | undefined, number, RegExp];
  const cases: Case[] = [
    ['malformed JSON', 'POST', mpc, '{"action": "call",', undefined, 400, /JSON/i],
    [
      'a 1 MB body',
      'POST',
      mpc,
      JSON.stringify({ action: 'call', to: 'x'.repeat(1024 * 1024) }),
      undefined,
      413,
      /too large|limit/i,
    ],
    [
      'no action',
      'POST',
      mpc,
      { to: 'sip:new@127.0.0.1', trigger_source: agent.uri },
      undefined,
      400,
      /action/,
    ],
    ['an empty action', 'POST', mpc, call({ action: '' }), undefined, 400, /action/],
    [
      'an unknown action',
      'POST',
      mpc,
      call({ action: 'teleport' }),
      undefined,
      400,
      /teleport|action/,
    ],
    ['a bad role', 'POST', mpc, call({ role: 'boss' }), undefined, 400, /role/],
    ['no to', 'POST', mpc, call({ to: '' }), undefined, 400, /\bto\b/],
    [
      'a bad address',
      'POST',
      mpc,
      call({ to: 'not an address' }),
      undefined,
      400,
      /neither a phone number nor a SIP address/,
    ],
    [
      'no trigger_source',
      'POST',
      mpc,
      call({ trigger_source: '' }),
      undefined,
      400,
      /trigger_source/,
    ],
    [
      'a trigger_source not in the call',
      'POST',
      mpc,
      call({ trigger_source: '+19995550000' }),
      undefined,
      404,
      /trigger_source \+19995550000 is not a member of a live call/,
    ],
    [
      'a customer as trigger_source',
      'POST',
      mpc,
      call({ trigger_source: customer.uri }),
      undefined,
      409,
      /not a connected agent/,
    ],
    [
      'to already in the call',
      'POST',
      mpc,
      call({ to: customer.uri }),
      undefined,
      409,
      /already in this call/,
    ],
    ['a full call', 'POST', mpc, call({}), undefined, 409, /call is full/],
    [
      'a warm transfer into a full call',
      'POST',
      mpc,
      call({ action: 'warm_transfer' }),
      undefined,
      409,
      /call is full/,
    ],
    [
      'a voicemail drop on a node with no voicemail_message',
      'POST',
      `${mpc}/members/${customer.uri}`,
      { action: 'voicemail_drop' },
      undefined,
      409,
      /has no voicemail_message/,
    ],
    [
      'resume_call without a consultation',
      'POST',
      `${mpc}/members/${agent.uri}`,
      { action: 'resume_call' },
      undefined,
      409,
      /no consultation to resume/,
    ],
    [
      'abort_transfer with nothing to abort',
      'POST',
      `${mpc}/members/${agent.uri}`,
      { action: 'abort-transfer' },
      undefined,
      409,
      /no transfer to abort/,
    ],
    [
      'coach by a member who is not a supervisor',
      'POST',
      `${mpc}/members/${agent.uri}`,
      { action: 'coach' },
      undefined,
      409,
      /only supervisors coach/,
    ],
    [
      'an unknown member',
      'POST',
      `${mpc}/members/+19995550000`,
      { action: 'hold' },
      undefined,
      404,
      /not in a live call/,
    ],
    [
      'an unknown PHLO',
      'POST',
      `/v1/phlo/00000000-0000-4000-8000-000000000000/multi_party_call/${nodeId}`,
      call({}),
      undefined,
      404,
      /PHLO .* not found/,
    ],
    [
      'an unknown node',
      'POST',
      `/v1/phlo/${phloId}/multi_party_call/00000000-0000-4000-8000-000000000000`,
      call({}),
      undefined,
      404,
      /node .* not found/,
    ],
    [
      "another account's PHLO",
      'POST',
      mpc,
      call({ to: 'sip:x@127.0.0.1' }),
      { authorization: otherAuth },
      404,
      /PHLO .* not found/,
    ],
    [
      "another account's run URL",
      'POST',
      `/v1/account/${other.authId}/phlo/${phloId}`,
      {},
      undefined,
      404,
      /not found/,
    ],
    [
      'a wrong token',
      'POST',
      mpc,
      call({}),
      { authorization: `Basic ${Buffer.from(`${srv.authId}:wrong`).toString('base64')}` },
      401,
      /./,
    ],
    ['no credentials', 'POST', mpc, call({}), { authorization: '' }, 401, /./],
    ['a wrong method', 'DELETE', mpc, undefined, undefined, 405, /./],
    [
      'a run payload missing a template key',
      'POST',
      `/v1/account/${srv.authId}/phlo/${phloId}`,
      { from: agent.uri },
      undefined,
      400,
      /run payload has no 'to'/,
    ],
    [
      'an invalid PHLO document',
      'POST',
      '/v1/phlo',
      {
        name: 'x',
        nodes: [{ type: 'multi_party_call', name: 'n', from: 'a', to: 'b', ring_timeout: 'soon' }],
      },
      undefined,
      400,
      /ring_timeout/,
    ],
  ];
  for (const [what, method, path, body, headers, status, message] of cases) {
    const before = rows();
    const res = await srv.api(method, path, body, headers);
    assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
    assert.match(String(res.json.api_id), /^[0-9a-f-]{36}$/, `${what}: api_id`);
    assert.match(String(res.json.error), message, `${what}: ${res.text}`);
    if (status === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/, what);
    assert.deepEqual(rows(), before, `${what}: nothing stored`);
  }
});
