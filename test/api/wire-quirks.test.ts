/**
 * PLIVO-SDK-WIRE.md §3, one quirk at a time, with the requests the SDKs
 * actually send (§1). The service is a recording test double.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_ID, json, sharedHarness, type Harness } from './fake-service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PLIVO_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const JSON_TYPE = /^application\/json(;|$)/;
const RUN = `/v1/account/${AUTH_ID}/phlo/P`;
const MPC = '/v1/phlo/P/multi_party_call/N';
const CT_JSON = { 'content-type': 'application/json' };

const h = sharedHarness();

function lastArgs(method: Parameters<Harness['service']['callsTo']>[0]): unknown[] {
  const calls = h.service.callsTo(method);
  assert.ok(calls.length > 0, `${method} was not called`);
  return calls[calls.length - 1].args;
}

describe('§3.1 trailing slash both ways, never a redirect', () => {
  const cases: [string, string, string | undefined, number][] = [
    ['GET', '/v1/phlo/P', undefined, 200],
    ['GET', RUN.replace(`/account/${AUTH_ID}`, ''), undefined, 200],
    ['POST', RUN, '{}', 201],
    ['GET', MPC, undefined, 200],
    ['POST', MPC, '{"action":"call","to":"+2000","trigger_source":"+1000"}', 201],
    ['POST', `${MPC}/members/+3000`, '{"action":"hold"}', 201],
    ['GET', '/v1/phlo', undefined, 200],
    ['GET', `${MPC}/calls`, undefined, 200],
    ['GET', `${MPC}/calls/C1`, undefined, 200],
  ];
  for (const [method, path, payload, status] of cases) {
    for (const url of [path, `${path}/`]) {
      test(`${method} ${url} → ${status}`, async () => {
        const res = await h.send({ method: method as 'GET', url, payload, headers: CT_JSON });
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.headers.location, undefined);
      });
    }
  }
});

describe('§3.2 run bodies: {}, empty, "" and payloads', () => {
  test('Python/Java/PHP: {} → no payload', async () => {
    const res = await h.send({ method: 'POST', url: `${RUN}/`, payload: '{}', headers: CT_JSON });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(lastArgs('run')[3], {});
  });

  test('Ruby: Content-Type application/json with Content-Length 0 → no payload', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${RUN}/`,
      headers: { ...CT_JSON, 'content-length': '0' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], {});
  });

  test('no Content-Type and no body → no payload', async () => {
    const res = await h.send({ method: 'POST', url: RUN });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], {});
  });

  test('Node: the JSON string "" (Content-Length 2) → no payload', async () => {
    const res = await h.send({ method: 'POST', url: RUN, payload: '""', headers: CT_JSON });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], {});
  });

  test('JSON null and whitespace-only bodies → no payload', async () => {
    for (const payload of ['null', '  \n']) {
      const res = await h.send({ method: 'POST', url: RUN, payload, headers: CT_JSON });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(lastArgs('run')[3], {});
    }
  });

  test('a payload of strings is passed as is (Go adds a trailing newline)', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${RUN}/`,
      payload: '{"from":"+14155550100","to":"sip:alice@example.com"}\n',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], { from: '+14155550100', to: 'sip:alice@example.com' });
  });

  test('numbers and booleans become strings', async () => {
    const res = await h.send({
      method: 'POST',
      url: RUN,
      payload: '{"count":3,"ratio":0.5,"vip":true,"note":""}',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], { count: '3', ratio: '0.5', vip: 'true', note: '' });
  });

  test('nested objects and arrays are a 400 naming the field', async () => {
    for (const payload of ['{"from":{"n":1}}', '{"from":["+1","+2"]}']) {
      const res = await h.send({ method: 'POST', url: RUN, payload, headers: CT_JSON });
      assert.equal(res.statusCode, 400);
      assert.match(String(json(res).error), /'from' must be a string, a number or a boolean/);
    }
    for (const payload of ['"text"', '[1,2]', '42']) {
      const res = await h.send({ method: 'POST', url: RUN, payload, headers: CT_JSON });
      assert.equal(res.statusCode, 400, payload);
      assert.match(String(json(res).error), /request body must be a JSON object/);
    }
    assert.equal(h.service.callsTo('run').length, 0);
  });

  test('form-urlencoded payloads (curl -d) are accepted', async () => {
    const res = await h.send({
      method: 'POST',
      url: RUN,
      payload: 'from=%2B14155550100&to=%2B14155550101',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], { from: '+14155550100', to: '+14155550101' });
  });

  test('.NET: payload also in the query string → merged where the body lacks it, body wins', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${RUN}?from=%2B1415&extra=x`,
      payload: '{"from":"+1999"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('run')[3], { from: '+1999', extra: 'x' });
    const res2 = await h.send({
      method: 'POST',
      url: `${RUN}?from=%2B1415`,
      payload: '{}',
      headers: CT_JSON,
    });
    assert.equal(res2.statusCode, 201);
    assert.deepEqual(lastArgs('run')[3], { from: '+1415' });
  });

  test('the run passes the api_id, the caller and the {auth_id} of the URL', async () => {
    const res = await h.send({ method: 'POST', url: RUN, payload: '{}', headers: CT_JSON });
    const [authId, authIdInPath, phloId, , apiId] = lastArgs('run');
    assert.equal(authId, AUTH_ID);
    assert.equal(authIdInPath, AUTH_ID);
    assert.equal(phloId, 'P');
    assert.equal(apiId, json(res).api_id);
  });
});

describe('§3.3 fields from the query string when the body lacks them (.NET)', () => {
  test('member action: body {} and ?action=hold', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${MPC}/members/+3000?action=hold`,
      payload: '{}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('memberAction').slice(0, 5), [AUTH_ID, 'P', 'N', '+3000', 'hold']);
  });

  test('MPC action: all four in the query only', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${MPC}/?action=call&trigger_source=%2B1000&to=%2B2000&role=customer`,
      payload: '{}',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('nodeAction')[3], {
      action: 'call',
      to: '+2000',
      role: 'customer',
      triggerSource: '+1000',
    });
  });

  test('MPC action: .NET sends both; the body wins', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${MPC}/?action=call&trigger_source=%2B1000&to=%2B2000&role=agent`,
      payload: '{"action":"warm_transfer","trigger_source":"+1000","to":"+2001","role":"agent"}',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(lastArgs('nodeAction')[3], {
      action: 'warm_transfer',
      to: '+2001',
      role: 'agent',
      triggerSource: '+1000',
    });
  });

  test('a body field that is "" falls back to the query', async () => {
    const res = await h.send({
      method: 'POST',
      url: `${MPC}/members/+3000?action=mute`,
      payload: '{"action":""}',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(lastArgs('memberAction')[4], 'mute');
  });
});

describe('§3.4 action spellings, "" fields, role default', () => {
  const nodeSpellings: [string, string][] = [
    ['call', 'call'],
    ['warm_transfer', 'warm_transfer'],
    ['cold_transfer', 'cold_transfer'],
    ['warm-transfer', 'warm_transfer'],
    ['cold-transfer', 'cold_transfer'],
  ];
  for (const [sent, meant] of nodeSpellings) {
    test(`MPC action "${sent}" → ${meant}`, async () => {
      const res = await h.send({
        method: 'POST',
        url: MPC,
        payload: JSON.stringify({
          trigger_source: '+1000',
          to: '+2000',
          role: 'agent',
          action: sent,
        }),
        headers: CT_JSON,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((lastArgs('nodeAction')[3] as { action: string }).action, meant);
    });
  }

  const memberSpellings: [string, string][] = [
    ['hold', 'hold'],
    ['unhold', 'unhold'],
    ['hangup', 'hangup'],
    ['mute', 'mute'],
    ['unmute', 'unmute'],
    ['resume_call', 'resume_call'],
    ['voicemail_drop', 'voicemail_drop'],
    ['abort_transfer', 'abort_transfer'],
    ['resume-call', 'resume_call'],
    ['voicemail-drop', 'voicemail_drop'],
    ['abort-transfer', 'abort_transfer'],
    ['abort_warm_transfer', 'abort_transfer'],
    ['abort_cold_transfer', 'abort_transfer'],
    ['abort-warm-transfer', 'abort_transfer'],
    ['abort-cold-transfer', 'abort_transfer'],
  ];
  for (const [sent, meant] of memberSpellings) {
    test(`member action "${sent}" → ${meant}`, async () => {
      const res = await h.send({
        method: 'POST',
        url: `${MPC}/members/+3000`,
        payload: JSON.stringify({ action: sent }),
        headers: CT_JSON,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(lastArgs('memberAction')[4], meant);
    });
  }

  test('Go: all four keys, role "" → agent', async () => {
    const res = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"action":"call","to":"+2000","role":"","trigger_source":"+1000"}\n',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((lastArgs('nodeAction')[3] as { role: string }).role, 'agent');
  });

  test('Go: "action":"" (Call() does not set it) → 400 naming the allowed values', async () => {
    const res = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"action":"","to":"+2000","role":"agent","trigger_source":"+1000"}\n',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 400);
    assert.equal(json(res).error, 'action is required: one of call, warm_transfer, cold_transfer');
  });

  test('PHP: role omitted → agent', async () => {
    const res = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"action":"call","trigger_source":"+1000","to":"+2000"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((lastArgs('nodeAction')[3] as { role: string }).role, 'agent');
  });

  test('roles agent, customer, supervisor pass; anything else is a 400', async () => {
    for (const role of ['agent', 'customer', 'supervisor']) {
      const res = await h.send({
        method: 'POST',
        url: MPC,
        payload: JSON.stringify({ action: 'call', to: '+2000', trigger_source: '+1000', role }),
        headers: CT_JSON,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((lastArgs('nodeAction')[3] as { role: string }).role, role);
    }
    for (const url of [MPC, `${MPC}?role=boss`]) {
      const res = await h.send({
        method: 'POST',
        url,
        payload:
          url === MPC
            ? '{"action":"call","to":"+2","trigger_source":"+1","role":"boss"}'
            : '{"action":"call","to":"+2","trigger_source":"+1"}',
        headers: CT_JSON,
      });
      assert.equal(res.statusCode, 400);
      assert.match(String(json(res).error), /'role' must be one of: agent, customer, supervisor/);
    }
  });

  test('missing action → 400 naming the allowed values (MPC and member)', async () => {
    const a = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"to":"+2","trigger_source":"+1"}',
      headers: CT_JSON,
    });
    assert.equal(a.statusCode, 400);
    assert.equal(json(a).error, 'action is required: one of call, warm_transfer, cold_transfer');
    const b = await h.send({
      method: 'POST',
      url: `${MPC}/members/+3000`,
      payload: '{}',
      headers: CT_JSON,
    });
    assert.equal(b.statusCode, 400);
    assert.equal(
      json(b).error,
      'action is required: one of hold, unhold, hangup, mute, unmute, resume_call, voicemail_drop, abort_transfer, coach, barge, listen',
    );
  });

  test('unknown action → 400 (body or query)', async () => {
    for (const [url, payload] of [
      [MPC, '{"action":"conference","to":"+2","trigger_source":"+1"}'],
      [`${MPC}?action=conference`, '{"to":"+2","trigger_source":"+1"}'],
      [`${MPC}/members/+3000`, '{"action":"kick"}'],
      [`${MPC}/members/+3000?action=kick`, '{}'],
    ]) {
      const res = await h.send({ method: 'POST', url, payload, headers: CT_JSON });
      assert.equal(res.statusCode, 400, url);
      assert.match(String(json(res).error), /'action' must be one of: /);
    }
  });

  test('to and trigger_source are required for every MPC action', async () => {
    const a = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"action":"call","to":"+2000"}',
      headers: CT_JSON,
    });
    assert.equal(a.statusCode, 400);
    assert.match(String(json(a).error), /^trigger_source is required for call/);
    const b = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"action":"cold_transfer","to":"","trigger_source":"+1000"}',
      headers: CT_JSON,
    });
    assert.equal(b.statusCode, 400);
    assert.match(String(json(b).error), /^to is required for cold_transfer/);
  });

  test('the action request carries api_id to the service', async () => {
    const res = await h.send({
      method: 'POST',
      url: MPC,
      payload: '{"action":"call","to":"+2000","trigger_source":"+1000"}',
      headers: CT_JSON,
    });
    const args = lastArgs('nodeAction');
    assert.deepEqual(args.slice(0, 3), [AUTH_ID, 'P', 'N']);
    assert.equal(args[4], json(res).api_id);
  });
});

describe('§3.5 extra query parameters are ignored', () => {
  test('Node: GET /v1/phlo/P/?phlo_id=P', async () => {
    const res = await h.send({ method: 'GET', url: '/v1/phlo/P/?phlo_id=P', headers: CT_JSON });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).phlo_id, 'P');
  });
  test('Node (source): GET MPC with ?phlo_id&node_type&node_id', async () => {
    const res = await h.send({
      method: 'GET',
      url: `${MPC}/?phlo_id=P&node_type=multi_party_call&node_id=N`,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).node_id, 'N');
  });
});

describe('§3.6 GET responses drive later URLs', () => {
  test('GET PHLO answers {api_id, phlo_id, name, created_on}', async () => {
    const body = json(await h.send({ method: 'GET', url: '/v1/phlo/P' }));
    assert.match(String(body.api_id), UUID);
    assert.equal(body.phlo_id, 'P');
    assert.equal(body.name, 'Support line');
    assert.equal(body.created_on, '2018-11-14 04:41:31.827796+00:00');
  });
  test('GET MPC answers {api_id, node_id, phlo_id, name, node_type, created_on}', async () => {
    const body = json(await h.send({ method: 'GET', url: MPC }));
    assert.deepEqual(Object.keys(body).sort(), [
      'api_id',
      'created_on',
      'name',
      'node_id',
      'node_type',
      'phlo_id',
    ]);
    assert.equal(body.node_type, 'multi_party_call');
    assert.equal(body.node_id, 'N');
    assert.equal(body.phlo_id, 'P');
    assert.match(String(body.created_on), PLIVO_TIME);
  });
});

describe('§3.7-3.9 statuses, content types, field rules', () => {
  test('GETs 200, run and actions 201, each a non-empty JSON object', async () => {
    const cases: [string, string, string | undefined, number, string[]][] = [
      ['GET', '/v1/phlo/P', undefined, 200, ['api_id', 'phlo_id', 'name', 'created_on']],
      ['POST', RUN, '""', 201, ['api_id', 'phlo_run_id', 'phlo_id', 'message']],
      [
        'GET',
        MPC,
        undefined,
        200,
        ['api_id', 'node_id', 'phlo_id', 'name', 'node_type', 'created_on'],
      ],
      ['POST', MPC, '{"action":"call","to":"+2","trigger_source":"+1"}', 201, ['api_id', 'error']],
      ['POST', `${MPC}/members/+3000`, '{"action":"hangup"}', 201, ['api_id', 'error']],
    ];
    for (const [method, url, payload, status, keys] of cases) {
      const res = await h.send({ method: method as 'GET', url, payload, headers: CT_JSON });
      assert.equal(res.statusCode, status, url);
      assert.match(String(res.headers['content-type']), JSON_TYPE);
      const body = json(res);
      assert.equal(typeof body, 'object');
      for (const k of keys) assert.ok(Object.hasOwn(body, k), `${url}: ${k}`);
      for (const k of Object.keys(body)) assert.match(k, /^[a-z_][a-z0-9_]*$/, `${url}: key ${k}`);
      if (keys.includes('error')) assert.equal(body.error, '');
      if (keys.includes('created_on')) assert.match(String(body.created_on), PLIVO_TIME);
    }
  });

  test('run answers api_id and phlo_run_id (Java/Go read phlo_run_id, Node/.NET api_id)', async () => {
    const body = json(await h.send({ method: 'POST', url: RUN, payload: '{}', headers: CT_JSON }));
    assert.match(String(body.api_id), UUID);
    assert.equal(body.phlo_run_id, 'R1');
    assert.equal(body.phlo_id, 'P');
    assert.equal(body.message, 'PHLO run started');
    assert.equal(Object.hasOwn(body, 'status_code'), false);
  });

  test('errors are JSON too (Ruby parses only …json)', async () => {
    const res = await h.send({ method: 'POST', url: MPC, payload: '{}', headers: CT_JSON });
    assert.equal(res.statusCode, 400);
    assert.match(String(res.headers['content-type']), JSON_TYPE);
    const body = json(res);
    assert.deepEqual(Object.keys(body).sort(), ['api_id', 'error']);
    assert.match(String(body.api_id), UUID);
  });
});

describe('§3.11 member addresses arrive raw: + is a plus', () => {
  for (const [path, address] of [
    ['+14155550100', '+14155550100'],
    ['%2B14155550100', '+14155550100'],
    ['+3000/', '+3000'],
    ['14155550100', '14155550100'],
    ['sip:alice@example.com', 'sip:alice@example.com'],
    ['sip:alice@10.0.0.1:5070', 'sip:alice@10.0.0.1:5070'],
    ['sip%3Aalice%40example.com', 'sip:alice@example.com'],
  ]) {
    test(`/members/${path} → ${address}`, async () => {
      const res = await h.send({
        method: 'POST',
        url: `${MPC}/members/${path}`,
        payload: '{"action":"hold"}',
        headers: CT_JSON,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(lastArgs('memberAction')[3], address);
    });
  }
});

describe("Python's client.phlo.member() default node type", () => {
  test('POST /v1/phlo/P/conference_bridge/N/members/M/ → clear 404, nothing called', async () => {
    const res = await h.send({
      method: 'POST',
      url: '/v1/phlo/P/conference_bridge/N/members/+3000/',
      payload: '{"action":"hold"}',
      headers: CT_JSON,
    });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), JSON_TYPE);
    const error = String(json(res).error);
    assert.match(error, /only multi_party_call nodes/);
    assert.match(error, /\/v1\/phlo\/P\/multi_party_call\/N\/members\/\+3000/);
    assert.deepEqual(
      h.service.calls.map((c) => c.method),
      ['authenticate'],
    );
  });
  test('other node types on GET/POST also 404 with the reason', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await h.send({
        method,
        url: '/v1/phlo/P/conference_bridge/N/',
        payload: method === 'POST' ? '{}' : undefined,
        headers: CT_JSON,
      });
      assert.equal(res.statusCode, 404);
      assert.match(String(json(res).error), /node type 'conference_bridge' does not exist/);
    }
  });
  test("Java's GET /v1/phlo/P/runs/R → 404 saying runs cannot be looked up", async () => {
    const res = await h.send({ method: 'GET', url: '/v1/phlo/P/runs/R1' });
    assert.equal(res.statusCode, 404);
    assert.match(String(json(res).error), /looking up a PHLO run is not available/);
  });
});

describe('requests replayed byte for byte from the SDKs (§1)', () => {
  // [sdk, method, url, headers, body, expected status]
  const replays: [string, string, string, Record<string, string>, string | undefined, number][] = [
    [
      'python',
      'GET',
      '/v1/phlo/P/',
      {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'plivo-python/4.63.0 (Python: 3.11.7)',
      },
      undefined,
      200,
    ],
    [
      'python',
      'POST',
      `${RUN}/`,
      { 'content-type': 'application/json' },
      '{"from": "+1415", "to": "+1416"}',
      201,
    ],
    [
      'python',
      'POST',
      `${MPC}/`,
      { 'content-type': 'application/json' },
      '{"action": "call", "trigger_source": "+1000", "to": "+2000", "role": "agent"}',
      201,
    ],
    [
      'python',
      'POST',
      `${MPC}/members/+3000/`,
      { 'content-type': 'application/json' },
      '{"action": "hold"}',
      201,
    ],
    [
      'node',
      'GET',
      '/v1/phlo/P/?phlo_id=P',
      {
        'content-type': 'application/json',
        accept: 'application/json, text/plain, */*',
        'user-agent': 'plivo-node/4.79.0 (Node: v20.20.2)',
      },
      undefined,
      200,
    ],
    ['node', 'POST', RUN, { 'content-type': 'application/json' }, '""', 201],
    [
      'node',
      'POST',
      MPC,
      { 'content-type': 'application/json' },
      '{"action":"call","to":"+2000","role":"customer","trigger_source":"+1000"}',
      201,
    ],
    [
      'node',
      'POST',
      `${MPC}/members/+3000`,
      { 'content-type': 'application/json' },
      '{"action":"abort_transfer"}',
      201,
    ],
    [
      'go',
      'GET',
      '/v1/phlo/P',
      { 'content-type': 'application/json', 'user-agent': 'plivo-go/7.60.2 (Go: go1.26.8)' },
      undefined,
      200,
    ],
    ['go', 'POST', `${RUN}/`, { 'content-type': 'application/json' }, '{"from":"+1415"}\n', 201],
    [
      'go',
      'POST',
      MPC,
      { 'content-type': 'application/json' },
      '{"action":"warm_transfer","to":"+2000","role":"","trigger_source":"+1000"}\n',
      201,
    ],
    [
      'go',
      'POST',
      `${MPC}/members/+3000`,
      { 'content-type': 'application/json' },
      '{"action":"hold"}\n',
      201,
    ],
    [
      'java',
      'GET',
      MPC,
      {
        'user-agent':
          'plivo-java/5.46.3 (Implementation: null null null, Specification: null null null)',
      },
      undefined,
      200,
    ],
    ['java', 'POST', RUN, { 'content-type': 'application/json' }, '{}', 201],
    [
      'java',
      'POST',
      MPC,
      { 'content-type': 'application/json' },
      '{"trigger_source":"+1000","to":"+2000","role":"agent","action":"warm-transfer"}',
      201,
    ],
    [
      'java',
      'POST',
      `${MPC}/members/+3000`,
      { 'content-type': 'application/json' },
      '{"action":"voicemail-drop"}',
      201,
    ],
    [
      'ruby',
      'GET',
      `${MPC}/`,
      {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'plivo-ruby/4.63.4 (Ruby 3.1.2)',
      },
      undefined,
      200,
    ],
    [
      'ruby',
      'POST',
      `${RUN}/`,
      { 'content-type': 'application/json', 'content-length': '0' },
      undefined,
      201,
    ],
    [
      'ruby',
      'POST',
      `${MPC}/`,
      { 'content-type': 'application/json' },
      '{"action":"cold_transfer","trigger_source":"+1000","to":"+2000","role":"agent"}',
      201,
    ],
    [
      'ruby',
      'POST',
      `${MPC}/members/+3000/`,
      { 'content-type': 'application/json' },
      '{"action":"unmute"}',
      201,
    ],
    [
      'php',
      'GET',
      '/v1/phlo/P',
      {
        'content-type': 'application/json',
        'accept-encoding': '*',
        'user-agent': 'plivo-php/4.70.0 (PHP 8.2.36)',
      },
      undefined,
      200,
    ],
    ['php', 'POST', RUN, { 'content-type': 'application/json', authid: AUTH_ID }, '{}', 201],
    [
      'php',
      'POST',
      MPC,
      { 'content-type': 'application/json' },
      '{"action":"call","trigger_source":"+1000","to":"+2000"}',
      201,
    ],
    [
      'php',
      'POST',
      `${MPC}/members/+3000`,
      { 'content-type': 'application/json' },
      '{"action":"resume_call"}',
      201,
    ],
    [
      'dotnet',
      'GET',
      '/v1/phlo/P/',
      { accept: 'application/json', 'user-agent': 'plivo-dotnet/5.53.0' },
      undefined,
      200,
    ],
    [
      'dotnet',
      'POST',
      `${RUN}?from=%2B1415`,
      { 'content-type': 'application/json; charset=utf-8' },
      '{"from":"+1415"}',
      201,
    ],
    [
      'dotnet',
      'POST',
      `${MPC}/?action=call&trigger_source=%2B1000&to=%2B2000&role=agent`,
      { 'content-type': 'application/json; charset=utf-8' },
      '{"action":"call","trigger_source":"+1000","to":"+2000","role":"agent"}',
      201,
    ],
    [
      'dotnet',
      'POST',
      `${MPC}/members/+3000?action=hold`,
      { 'content-type': 'application/json; charset=utf-8' },
      '{}',
      201,
    ],
  ];
  for (const [sdk, method, url, headers, payload, status] of replays) {
    test(`${sdk}: ${method} ${url}`, async () => {
      const res = await h.send({ method: method as 'GET', url, headers, payload });
      assert.equal(res.statusCode, status, res.body);
      assert.match(String(res.headers['content-type']), JSON_TYPE);
      assert.ok(res.body.length > 2);
    });
  }
});
