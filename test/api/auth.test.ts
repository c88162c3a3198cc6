/** HTTP Basic on every /v1 route, and the per-account rate limit. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from '../../src/api/index.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  AUTH,
  AUTH_ID,
  AUTH_TOKEN,
  FakeService,
  OTHER_AUTH_ID,
  OTHER_TOKEN,
  basic,
  harness,
  sharedHarness,
  json,
} from './fake-service.js';

const MPC = '/v1/phlo/P/multi_party_call/N';
const V1_ROUTES: [string, string, string?][] = [
  ['GET', '/v1/phlo/P'],
  ['GET', '/v1/phlo'],
  ['POST', '/v1/phlo', '{}'],
  ['PUT', '/v1/phlo/P', '{}'],
  ['DELETE', '/v1/phlo/P'],
  ['POST', `/v1/account/${AUTH_ID}/phlo/P`, '{}'],
  ['GET', MPC],
  ['POST', MPC, '{"action":"call","to":"+2","trigger_source":"+1"}'],
  ['POST', `${MPC}/members/+1`, '{"action":"hold"}'],
  ['GET', `${MPC}/calls`],
  ['GET', `${MPC}/calls/C1`],
  ['POST', `${MPC}/calls/C1/members/M1`, '{"action":"coach"}'],
  ['POST', '/v1/phlo/P/conference_bridge/N/members/+1', '{}'],
];

const h = sharedHarness();

function assert401(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  assert.equal(res.statusCode, 401, res.body);
  assert.equal(res.headers['www-authenticate'], 'Basic realm="partyline"');
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['api_id', 'error']);
}

describe('HTTP Basic', () => {
  test('no credentials → 401 on every /v1 route, and nothing else is asked of the service', async () => {
    for (const [method, url, payload] of V1_ROUTES) {
      const res = await h.app.inject({
        method: method as 'GET',
        url,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      assert401(res);
      assert.match(String(json(res).error), /authentication required/);
    }
    assert.deepEqual(h.service.calls, []);
  });

  test('wrong token, unknown id → 401', async () => {
    for (const authorization of [
      basic(AUTH_ID, 'wrong'),
      basic('MAUNKNOWN00000000000', AUTH_TOKEN),
    ]) {
      const res = await h.app.inject({
        method: 'GET',
        url: '/v1/phlo/P',
        headers: { authorization },
      });
      assert401(res);
      assert.match(String(json(res).error), /wrong credentials/);
    }
    assert.deepEqual(
      h.service.calls.map((c) => c.method),
      ['authenticate', 'authenticate'],
    );
  });

  test('malformed Authorization headers → 401 without asking the service', async () => {
    for (const authorization of [
      'Bearer abc',
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':token').toString('base64')}`,
      `Basic ${Buffer.from('id:').toString('base64')}`,
      `Basic ${'A'.repeat(5000)}`,
    ]) {
      assert401(
        await h.app.inject({ method: 'GET', url: '/v1/phlo/P', headers: { authorization } }),
      );
    }
    assert.deepEqual(h.service.calls, []);
  });

  test('the scheme is case-insensitive; the token may contain colons', async () => {
    const service = new FakeService();
    service.authenticate = async (id, token) => id === AUTH_ID && token === 'a:b:c';
    const x = await harness({ service });
    try {
      const res = await x.app.inject({
        method: 'GET',
        url: '/v1/phlo/P',
        headers: { authorization: `basic ${Buffer.from(`${AUTH_ID}:a:b:c`).toString('base64')}` },
      });
      assert.equal(res.statusCode, 200, res.body);
    } finally {
      await x.close();
    }
  });

  test('the account is passed to the service', async () => {
    await h.app.inject({
      method: 'GET',
      url: '/v1/phlo/P',
      headers: { authorization: basic(OTHER_AUTH_ID, OTHER_TOKEN) },
    });
    const get = h.service.callsTo('getPhlo')[0];
    assert.deepEqual(get.args, [OTHER_AUTH_ID, 'P']);
  });

  test('authenticate failing with ServiceError unavailable → 503', async () => {
    const service = new FakeService();
    service.fail('authenticate', new ServiceError('unavailable', 'store is down'));
    const x = await harness({ service });
    try {
      const res = await x.send({ method: 'GET', url: '/v1/phlo/P' });
      assert.equal(res.statusCode, 503);
      assert.equal(json(res).error, 'store is down');
    } finally {
      await x.close();
    }
  });

  test('ops routes need no auth', async () => {
    for (const url of ['/healthz', '/metrics', '/docs/openapi.json']) {
      assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
  });
});

describe('per-account rate limit', () => {
  test('burst, then 429 with Retry-After, refilled over time; accounts are separate', async () => {
    const clock = new ManualClock();
    const x = await harness({ rateLimit: { perSecond: 2, burst: 3 }, clock });
    try {
      const get = (authorization = AUTH) =>
        x.app.inject({ method: 'GET', url: '/v1/phlo/P', headers: { authorization } });
      for (let i = 0; i < 3; i++) assert.equal((await get()).statusCode, 200);
      const limited = await get();
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '1');
      assert.match(String(json(limited).error), /too many requests/);
      // Another account still has its burst.
      assert.equal((await get(basic(OTHER_AUTH_ID, OTHER_TOKEN))).statusCode, 200);
      clock.advance(499);
      assert.equal((await get()).statusCode, 429);
      clock.advance(1);
      assert.equal((await get()).statusCode, 200);
      assert.equal((await get()).statusCode, 429);
      clock.advance(10_000);
      for (let i = 0; i < 3; i++) assert.equal((await get()).statusCode, 200);
      assert.equal((await get()).statusCode, 429);
    } finally {
      await x.close();
    }
  });

  test('Retry-After counts whole seconds at a slow rate; a limited write writes nothing', async () => {
    const clock = new ManualClock();
    const x = await harness({ rateLimit: { perSecond: 0.2, burst: 1 }, clock });
    try {
      const run = () =>
        x.send({
          method: 'POST',
          url: `/v1/account/${AUTH_ID}/phlo/P`,
          payload: '{}',
          headers: { 'content-type': 'application/json' },
        });
      assert.equal((await run()).statusCode, 201);
      const limited = await run();
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '5');
      assert.equal(x.service.callsTo('run').length, 1);
    } finally {
      await x.close();
    }
  });

  test("unauthenticated requests do not spend an account's tokens", async () => {
    const clock = new ManualClock();
    const x = await harness({ rateLimit: { perSecond: 1, burst: 1 }, clock });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await x.app.inject({
          method: 'GET',
          url: '/v1/phlo/P',
          headers: { authorization: basic(AUTH_ID, 'bad') },
        });
        assert.equal(res.statusCode, 401);
      }
      assert.equal((await x.send({ method: 'GET', url: '/v1/phlo/P' })).statusCode, 200);
    } finally {
      await x.close();
    }
  });

  test('nonsense limits are refused when building', async () => {
    await assert.rejects(harness({ rateLimit: { perSecond: 0, burst: 1 } }), /perSecond/);
    await assert.rejects(harness({ rateLimit: { perSecond: 1, burst: 0 } }), /burst/);
  });
});
