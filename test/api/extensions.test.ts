/** Our extensions: PHLO management and the calls of a node. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_ID, json, sharedHarness } from './fake-service.js';

const MPC = '/v1/phlo/P/multi_party_call/N';
const PLIVO_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const YAML_DOC = `name: Support line
nodes:
  - id: N
    type: multi_party_call
    from: "{{start.from}}"
    ring_timeout: 30
`;

const h = sharedHarness();

describe('PHLO management', () => {
  test('POST /v1/phlo with JSON → 201 with the PHLO', async () => {
    const doc = { name: 'Support line', nodes: [{ id: 'N', type: 'multi_party_call' }] };
    const res = await h.send({
      method: 'POST',
      url: '/v1/phlo/',
      payload: JSON.stringify(doc),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = json(res);
    assert.equal(body.phlo_id, 'PNEW');
    assert.match(String(body.created_on), PLIVO_TIME);
    assert.match(String(body.updated_on), PLIVO_TIME);
    assert.equal(body.version, 2);
    assert.deepEqual(body.document, {
      name: 'Support line',
      nodes: [{ id: 'N', type: 'multi_party_call' }],
    });
    const [authId, document, apiId] = h.service.callsTo('createPhlo')[0].args;
    assert.equal(authId, AUTH_ID);
    assert.deepEqual(document, doc);
    assert.equal(apiId, body.api_id);
  });

  for (const type of [
    'application/yaml',
    'text/yaml',
    'application/x-yaml',
    'application/yaml; charset=utf-8',
  ]) {
    test(`POST /v1/phlo with ${type} → parsed document`, async () => {
      const res = await h.send({
        method: 'POST',
        url: '/v1/phlo',
        payload: YAML_DOC,
        headers: { 'content-type': type },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(h.service.callsTo('createPhlo')[0].args[1], {
        name: 'Support line',
        nodes: [{ id: 'N', type: 'multi_party_call', from: '{{start.from}}', ring_timeout: 30 }],
      });
    });
  }

  test('malformed YAML → 400 naming the problem', async () => {
    const res = await h.send({
      method: 'POST',
      url: '/v1/phlo',
      payload: 'name: [unclosed\nnodes: 1',
      headers: { 'content-type': 'application/yaml' },
    });
    assert.equal(res.statusCode, 400);
    assert.match(String(json(res).error), /^malformed YAML body: .+/);
    assert.equal(h.service.callsTo('createPhlo').length, 0);
  });

  test('PUT /v1/phlo/P → 200 with the new version', async () => {
    const res = await h.send({
      method: 'PUT',
      url: '/v1/phlo/P/',
      payload: YAML_DOC,
      headers: { 'content-type': 'text/yaml' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).version, 3);
    const [authId, phloId, document, apiId] = h.service.callsTo('replacePhlo')[0].args;
    assert.deepEqual([authId, phloId], [AUTH_ID, 'P']);
    assert.equal((document as { name: string }).name, 'Support line');
    assert.equal(apiId, json(res).api_id);
  });

  test('GET /v1/phlo → {api_id, phlos}', async () => {
    const res = await h.send({ method: 'GET', url: '/v1/phlo' });
    assert.equal(res.statusCode, 200);
    const body = json(res);
    const phlos = body.phlos as Record<string, unknown>[];
    assert.deepEqual(
      phlos.map((p) => p.phlo_id),
      ['P', 'P2'],
    );
    for (const p of phlos) assert.match(String(p.created_on), PLIVO_TIME);
  });

  test('DELETE /v1/phlo/P → 200 {api_id, message}', async () => {
    const res = await h.send({ method: 'DELETE', url: '/v1/phlo/P' });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).message, 'PHLO P deleted');
    const [authId, phloId, apiId] = h.service.callsTo('deletePhlo')[0].args;
    assert.deepEqual([authId, phloId, apiId], [AUTH_ID, 'P', json(res).api_id]);
  });

  test('DELETE with Content-Type application/json and no body is fine', async () => {
    const res = await h.send({
      method: 'DELETE',
      url: '/v1/phlo/P/',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('calls of a node', () => {
  test('GET …/calls?live=true&limit=5 → {api_id, calls}', async () => {
    const res = await h.send({ method: 'GET', url: `${MPC}/calls?live=true&limit=5` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(h.service.callsTo('listCalls')[0].args, [
      AUTH_ID,
      'P',
      'N',
      { live: true, limit: 5 },
    ]);
    const calls = json(res).calls as Record<string, unknown>[];
    assert.equal(calls.length, 2);
    const [live, ended] = calls;
    assert.equal(live.call_id, 'C1');
    assert.equal(live.state, 'active');
    assert.equal(live.ended_on, null);
    assert.equal(live.end_reason, null);
    assert.match(String(live.started_on), PLIVO_TIME);
    assert.equal(ended.end_reason, 'hangup');
    assert.match(String(ended.ended_on), PLIVO_TIME);
    const [member] = live.members as Record<string, unknown>[];
    assert.deepEqual(member, {
      member_id: 'M1',
      address: '+14155550100',
      role: 'agent',
      state: 'connected',
      muted: false,
      held: false,
      created_on: '2018-11-14 04:41:31.827796+00:00',
      joined_on: '2018-11-14 04:41:33.000000+00:00',
      left_on: null,
      hangup_cause: null,
      sip_status: 200,
    });
  });

  test('GET …/calls without options passes none; live=false passes false', async () => {
    await h.send({ method: 'GET', url: `${MPC}/calls` });
    await h.send({ method: 'GET', url: `${MPC}/calls?live=false` });
    assert.deepEqual(
      h.service.callsTo('listCalls').map((c) => c.args[3]),
      [{}, { live: false }],
    );
  });

  test('bad live/limit → 400 naming the parameter', async () => {
    for (const [q, re] of [
      ['limit=0', /query parameter 'limit' must be >= 1/],
      ['limit=abc', /query parameter 'limit' must be an integer/],
      ['limit=5000', /query parameter 'limit' must be <= 1000/],
      ['live=maybe', /query parameter 'live' must be a boolean/],
    ] as const) {
      const res = await h.send({ method: 'GET', url: `${MPC}/calls?${q}` });
      assert.equal(res.statusCode, 400, q);
      assert.match(String(json(res).error), re);
    }
    assert.equal(h.service.callsTo('listCalls').length, 0);
  });

  test('POST …/calls/C7/members/M2 → 201, the action by member id (every action)', async () => {
    for (const [spelling, action] of [
      ['coach', 'coach'],
      ['barge', 'barge'],
      ['listen', 'listen'],
      ['hold', 'hold'],
      ['resume-call', 'resume_call'],
    ] as const) {
      const res = await h.send({
        method: 'POST',
        url: `${MPC}/calls/C7/members/M2`,
        payload: JSON.stringify({ action: spelling }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(json(res).error, '');
      const args = h.service.callsTo('memberActionById').at(-1)?.args;
      assert.deepEqual(args?.slice(0, 6), [AUTH_ID, 'P', 'N', 'C7', 'M2', action]);
      assert.equal(args?.[6], json(res).api_id);
    }
  });

  test('POST …/calls/C7/members/M2 without a known action → 400, nothing done', async () => {
    for (const [payload, re] of [
      ['{}', /action/],
      ['{"action":"sing"}', /action/],
    ] as const) {
      const res = await h.send({
        method: 'POST',
        url: `${MPC}/calls/C7/members/M2`,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 400, payload);
      assert.match(String(json(res).error), re);
    }
    assert.equal(h.service.callsTo('memberActionById').length, 0);
  });

  test('GET …/calls/C7 → the call with members and events', async () => {
    const res = await h.send({ method: 'GET', url: `${MPC}/calls/C7/` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(h.service.callsTo('getCall')[0].args, [AUTH_ID, 'P', 'N', 'C7']);
    const body = json(res);
    assert.equal(body.call_id, 'C7');
    assert.equal(body.run_id, 'R1');
    assert.equal((body.members as unknown[]).length, 1);
    assert.deepEqual(body.events, [
      {
        seq: 1,
        at: '2018-11-14 04:41:31.827796+00:00',
        type: 'member.dialing',
        member_id: 'M1',
        data: { to: '+14155550100' },
      },
      {
        seq: 2,
        at: '2018-11-14 04:41:33.000000+00:00',
        type: 'call.active',
        member_id: null,
        data: {},
      },
    ]);
  });
});
