/** Every error status, its JSON shape, and that a rejected request writes nothing. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ServiceError, type ServiceErrorKind } from '../../src/api/index.js';
import {
  AUTH_ID,
  FakeService,
  OTHER_AUTH_ID,
  harness,
  sharedHarness,
  json,
} from './fake-service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RUN = `/v1/account/${AUTH_ID}/phlo/P`;
const MPC = '/v1/phlo/P/multi_party_call/N';
const CT_JSON = { 'content-type': 'application/json' };

function assertError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  message?: RegExp,
) {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json(;|$)/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['api_id', 'error']);
  assert.match(String(body.api_id), UUID);
  assert.equal(typeof body.error, 'string');
  assert.ok(String(body.error).length > 0);
  if (message) assert.match(String(body.error), message);
}

const h = sharedHarness();

describe('ServiceError kinds map to statuses, message passed through', () => {
  const kinds: [ServiceErrorKind, number][] = [
    ['validation', 400],
    ['not-available', 400],
    ['not-found', 404],
    ['conflict', 409],
    ['rate-limited', 429],
    ['unavailable', 503],
  ];
  for (const [kind, status] of kinds) {
    test(`${kind} → ${status}`, async () => {
      const service = new FakeService();
      service.fail('nodeAction', new ServiceError(kind, `the ${kind} message`));
      const x = await harness({ service });
      try {
        const res = await x.send({
          method: 'POST',
          url: MPC,
          payload: '{"action":"call","to":"+2","trigger_source":"+1"}',
          headers: CT_JSON,
        });
        assertError(res, status, new RegExp(`^the ${kind} message$`));
        if (status === 429 || status === 503) assert.equal(res.headers['retry-after'], '1');
      } finally {
        await x.close();
      }
    });
  }

  test('every route maps service errors (GETs included)', async () => {
    const service = new FakeService();
    for (const m of [
      'getPhlo',
      'getNode',
      'listPhlos',
      'listCalls',
      'getCall',
      'run',
      'memberAction',
      'createPhlo',
      'replacePhlo',
      'deletePhlo',
    ] as const) {
      service.fail(m, new ServiceError('not-found', `${m}: nothing here`));
    }
    const x = await harness({ service });
    try {
      const requests: [string, string, string?][] = [
        ['GET', '/v1/phlo/P'],
        ['GET', MPC],
        ['GET', '/v1/phlo'],
        ['GET', `${MPC}/calls`],
        ['GET', `${MPC}/calls/C9`],
        ['POST', RUN, '{}'],
        ['POST', `${MPC}/members/+1`, '{"action":"hold"}'],
        ['POST', '/v1/phlo', '{"name":"x"}'],
        ['PUT', '/v1/phlo/P', '{"name":"x"}'],
        ['DELETE', '/v1/phlo/P'],
      ];
      for (const [method, url, payload] of requests) {
        const res = await x.send({ method: method as 'GET', url, payload, headers: CT_JSON });
        assertError(res, 404, /: nothing here$/);
      }
    } finally {
      await x.close();
    }
  });
});

describe('unexpected failures', () => {
  test('a thrown non-ServiceError → 500 "internal error", logged with its stack', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        cb();
      },
    });
    const service = new FakeService();
    service.fail('getPhlo', new TypeError('db handle is undefined'));
    const x = await harness({ service, logger: pino({ level: 'info' }, stream) });
    try {
      const res = await x.send({ method: 'GET', url: '/v1/phlo/P' });
      assertError(res, 500, /^internal error$/);
      const apiId = json(res).api_id;
      const logged = lines.find((l) => l.level === 50 && l.api_id === apiId);
      assert.ok(logged, 'an error line with the api_id');
      const err = logged.err as { stack?: string; message?: string };
      assert.match(String(err.stack), /TypeError: db handle is undefined/);
      assert.doesNotMatch(res.body, /db handle/);
    } finally {
      await x.close();
    }
  });

  test('a service view the API cannot format (bad time) → 500, not a crash', async () => {
    const service = new FakeService();
    service.getNode = async (_a, phloId, nodeId) => ({
      nodeId,
      phloId,
      name: 'x',
      nodeType: 'multi_party_call',
      createdOn: 'not a time',
    });
    const x = await harness({ service });
    try {
      assertError(await x.send({ method: 'GET', url: MPC }), 500, /^internal error$/);
      // The server is still there.
      assert.equal((await x.send({ method: 'GET', url: '/v1/phlo/P' })).statusCode, 200);
    } finally {
      await x.close();
    }
  });

  test('a rejection with a non-Error value → 500', async () => {
    const service = new FakeService();
    service.fail('listPhlos', 'a string');
    const x = await harness({ service });
    try {
      assertError(await x.send({ method: 'GET', url: '/v1/phlo' }), 500, /^internal error$/);
    } finally {
      await x.close();
    }
  });
});

describe('bodies', () => {
  test('malformed JSON → 400 naming the problem', async () => {
    const res = await h.send({
      method: 'POST',
      url: RUN,
      payload: '{"from": "+1",',
      headers: CT_JSON,
    });
    assertError(res, 400, /^malformed JSON body: .+/);
    const res2 = await h.send({
      method: 'POST',
      url: MPC,
      payload: "{'action':'call'}",
      headers: CT_JSON,
    });
    assertError(res2, 400, /^malformed JSON body: .*(property name|position 1)/);
  });

  test('__proto__ keys are refused', async () => {
    const res = await h.send({
      method: 'POST',
      url: RUN,
      payload: '{"__proto__":{"x":"1"}}',
      headers: CT_JSON,
    });
    assertError(res, 400, /__proto__/);
  });

  test('a 1 MB body → 413 (default limit 64 KiB)', async () => {
    const payload = JSON.stringify({ from: 'x'.repeat(1024 * 1024) });
    const res = await h.send({ method: 'POST', url: RUN, payload, headers: CT_JSON });
    assertError(res, 413, /65536 bytes/);
    const justUnder = JSON.stringify({ from: 'x'.repeat(60 * 1024) });
    assert.equal(
      (await h.send({ method: 'POST', url: RUN, payload: justUnder, headers: CT_JSON })).statusCode,
      201,
    );
  });

  test('bodyLimitBytes is configurable', async () => {
    const x = await harness({ bodyLimitBytes: 100 });
    try {
      const res = await x.send({
        method: 'POST',
        url: RUN,
        payload: JSON.stringify({ from: 'x'.repeat(200) }),
        headers: CT_JSON,
      });
      assertError(res, 413, /100 bytes/);
    } finally {
      await x.close();
    }
  });

  test('unsupported Content-Type → 415', async () => {
    const res = await h.send({
      method: 'POST',
      url: RUN,
      payload: '<x/>',
      headers: { 'content-type': 'application/xml' },
    });
    assertError(res, 415, /Content-Type/);
  });

  test('a PHLO document that is not an object → 400', async () => {
    for (const payload of ['[1]', '"doc"']) {
      const res = await h.send({ method: 'POST', url: '/v1/phlo', payload, headers: CT_JSON });
      assertError(res, 400, /request body must be a JSON object/);
    }
    const empty = await h.send({ method: 'POST', url: '/v1/phlo', headers: CT_JSON });
    assertError(empty, 400, /must be the PHLO document/);
  });
});

describe('routing errors', () => {
  test('unknown route → 404 JSON', async () => {
    for (const url of ['/v1/nothing', '/', '/v1/phlo/P/multi_party_call/N/members', '/v2/phlo/P']) {
      assertError(await h.send({ method: 'GET', url }), 404, /no route/);
    }
  });

  test('wrong method on a known path → 405 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', MPC, 'GET, HEAD, POST'],
      ['PUT', `${MPC}/`, 'GET, HEAD, POST'],
      ['GET', RUN, 'POST'],
      ['PATCH', '/v1/phlo/P', 'DELETE, GET, HEAD, PUT'],
      ['DELETE', '/v1/phlo', 'GET, HEAD, POST'],
      ['GET', `${MPC}/members/+3000`, 'POST'],
      ['POST', `${MPC}/calls`, 'GET, HEAD'],
      ['OPTIONS', '/v1/phlo/P/', 'DELETE, GET, HEAD, PUT'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['DELETE', '/metrics', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await h.send({ method: method as 'GET', url });
      assertError(res, 405, new RegExp(`method ${method} is not allowed`));
      assert.equal(res.headers.allow, allow, `${method} ${url}`);
    }
  });

  test('HEAD on a GET route works (no 405)', async () => {
    const res = await h.send({ method: 'HEAD', url: '/v1/phlo/P' });
    assert.equal(res.statusCode, 200);
  });

  test('a malformed percent-encoding → 400 JSON', async () => {
    assertError(await h.send({ method: 'GET', url: '/v1/phlo/%E0%A4%A' }), 400, /malformed URL/);
  });

  test('an over-long path segment → 404 JSON', async () => {
    assertError(await h.send({ method: 'GET', url: `/v1/phlo/${'p'.repeat(600)}` }), 404);
  });

  test('run URL naming another account → 404, the service never asked', async () => {
    const res = await h.send({
      method: 'POST',
      url: `/v1/account/${OTHER_AUTH_ID}/phlo/P`,
      payload: '{}',
      headers: CT_JSON,
    });
    assertError(res, 404, /^PHLO P not found$/);
    assert.equal(h.service.callsTo('run').length, 0);
  });
});

describe('not ready', () => {
  test('every /v1 route → 503 while service.ready() is false; /healthz 503', async () => {
    const x = await harness();
    x.service.isReady = false;
    try {
      const requests: [string, string, string?][] = [
        ['GET', '/v1/phlo/P'],
        ['GET', '/v1/phlo'],
        ['POST', '/v1/phlo', '{}'],
        ['PUT', '/v1/phlo/P', '{}'],
        ['DELETE', '/v1/phlo/P'],
        ['POST', RUN, '{}'],
        ['GET', MPC],
        ['POST', MPC, '{"action":"call","to":"+2","trigger_source":"+1"}'],
        ['POST', `${MPC}/members/+1`, '{"action":"hold"}'],
        ['GET', `${MPC}/calls`],
        ['GET', `${MPC}/calls/C1`],
      ];
      for (const [method, url, payload] of requests) {
        const res = await x.send({ method: method as 'GET', url, payload, headers: CT_JSON });
        assertError(res, 503, /starting or stopping/);
        assert.equal(res.headers['retry-after'], '1');
      }
      assert.deepEqual(x.service.calls, [], 'not even authenticate');
      const health = await x.app.inject('/healthz');
      assert.equal(health.statusCode, 503);
      assert.equal(json(health).status, 'unavailable');
    } finally {
      await x.close();
    }
  });
});

describe('nothing is written for a rejected request', () => {
  test('a battery of rejected requests reaches no write method', async () => {
    const rejected: [string, string, Record<string, string>, string?][] = [
      ['POST', RUN, { authorization: '' }, '{}'],
      ['POST', RUN, { authorization: 'Basic bm9wZTpub3Bl' }, '{}'],
      ['POST', `/v1/account/${OTHER_AUTH_ID}/phlo/P`, {}, '{}'],
      ['POST', RUN, {}, '{"a":{"b":1}}'],
      ['POST', RUN, {}, '{"a":'],
      ['POST', RUN, { 'content-type': 'text/xml' }, '<a/>'],
      ['POST', RUN, {}, JSON.stringify({ a: 'x'.repeat(70 * 1024) })],
      ['POST', MPC, {}, '{}'],
      ['POST', MPC, {}, '{"action":"call"}'],
      ['POST', MPC, {}, '{"action":"call","to":"+2"}'],
      ['POST', MPC, {}, '{"action":"call","to":"+2","trigger_source":"+1","role":"boss"}'],
      ['POST', MPC, {}, '{"action":"dance","to":"+2","trigger_source":"+1"}'],
      ['POST', `${MPC}/members/+1`, {}, '{}'],
      ['POST', `${MPC}/members/+1`, {}, '{"action":"explode"}'],
      ['POST', '/v1/phlo/P/conference_bridge/N/members/+1', {}, '{"action":"hold"}'],
      ['POST', '/v1/phlo', {}, '[]'],
      ['POST', '/v1/phlo', {}, ''],
      ['POST', '/v1/phlo', { 'content-type': 'application/yaml' }, 'a: [1'],
      ['PUT', '/v1/phlo/P', {}, '"x"'],
      ['DELETE', MPC, {}, undefined],
      ['PATCH', '/v1/phlo/P', {}, '{}'],
    ];
    for (const [method, url, headers, payload] of rejected) {
      const res = await h.send({
        method: method as 'GET',
        url,
        payload,
        headers: { 'content-type': 'application/json', ...headers },
      });
      assert.ok(
        res.statusCode >= 400 && res.statusCode < 500,
        `${method} ${url} ${payload}: ${res.statusCode}`,
      );
    }
    assert.deepEqual(h.service.writes(), []);
  });
});
