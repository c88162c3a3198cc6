/** Health, metrics, request ids and logging. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { REQUEST_DURATION } from '../../src/api/index.js';
import { AUTH_ID, FakeService, harness, json, type Harness } from './fake-service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('/healthz', () => {
  test('200 {status:"ok"} when ready, 503 when not; no auth', async () => {
    const x = await harness();
    try {
      const ok = await x.app.inject('/healthz');
      assert.equal(ok.statusCode, 200);
      assert.match(String(ok.headers['content-type']), /^application\/json/);
      assert.deepEqual(json(ok), { status: 'ok' });
      x.service.isReady = false;
      const down = await x.app.inject('/healthz/');
      assert.equal(down.statusCode, 503);
      assert.equal(json(down).status, 'unavailable');
      assert.equal(down.headers['retry-after'], '1');
    } finally {
      await x.close();
    }
  });
});

describe('/metrics', () => {
  let x: Harness;
  let registry: Registry;
  before(async () => {
    registry = new Registry();
    new Counter({
      name: 'partyline_test_things_total',
      help: 'a metric of the server',
      registers: [registry],
    }).inc(7);
    x = await harness({ metrics: registry });
  });
  after(() => x.close());

  test('Prometheus text from the given registry plus the request histogram', async () => {
    await x.send({ method: 'GET', url: '/v1/phlo/P/' });
    await x.send({ method: 'GET', url: '/v1/nothing' });
    await x.app.inject({ method: 'GET', url: '/v1/phlo/P' });
    const res = await x.app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    assert.match(text, /^partyline_test_things_total 7$/m);
    assert.match(text, new RegExp(`^# TYPE ${REQUEST_DURATION} histogram$`, 'm'));
    assert.match(
      text,
      new RegExp(
        `^${REQUEST_DURATION}_count\\{method="GET",route="/v1/phlo/:phlo_id",status="200"\\} 1$`,
        'm',
      ),
    );
    assert.match(
      text,
      new RegExp(
        `^${REQUEST_DURATION}_count\\{method="GET",route="/v1/phlo/:phlo_id",status="401"\\} 1$`,
        'm',
      ),
    );
    assert.match(
      text,
      new RegExp(
        `^${REQUEST_DURATION}_count\\{method="GET",route="unmatched",status="404"\\} 1$`,
        'm',
      ),
    );
    assert.equal(registry.getSingleMetric(REQUEST_DURATION)?.constructor.name, 'Histogram');
  });

  test('a second API over the same registry shares the histogram', async () => {
    const y = await harness({ metrics: registry });
    await y.close();
  });

  test('without a registry /metrics still serves the API histogram', async () => {
    const y = await harness();
    try {
      await y.app.inject('/healthz');
      const res = await y.app.inject('/metrics');
      assert.match(
        res.body,
        new RegExp(`${REQUEST_DURATION}_count\\{method="GET",route="/healthz",status="200"\\} 1`),
      );
    } finally {
      await y.close();
    }
  });
});

describe('api_id', () => {
  test('a fresh UUID per request, not taken from x-request-id, on every log line of the request', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        cb();
      },
    });
    const service = new FakeService();
    const x = await harness({ service, logger: pino({ level: 'info' }, stream) });
    try {
      const a = await x.send({
        method: 'GET',
        url: '/v1/phlo/P',
        headers: { 'x-request-id': 'chosen-by-client' },
      });
      const b = await x.send({
        method: 'POST',
        url: `/v1/account/${AUTH_ID}/phlo/P`,
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
      const c = await x.send({
        method: 'POST',
        url: '/v1/phlo/P/multi_party_call/N',
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
      const ids = [a, b, c].map((r) => String(json(r).api_id));
      for (const id of ids) assert.match(id, UUID);
      assert.equal(new Set(ids).size, 3);
      assert.equal(
        lines.some(
          (l) => JSON.stringify(l).includes('chosen-by-client') && l.api_id === 'chosen-by-client',
        ),
        false,
      );
      for (const id of ids) {
        const own = lines.filter((l) => l.api_id === id);
        assert.ok(own.length >= 2, `request ${id} has its log lines`);
        assert.ok(own.some((l) => l.msg === 'request completed'));
      }
      // The run's api_id reached the service.
      assert.equal(service.callsTo('run')[0].args[4], ids[1]);
      // The rejected request's reason is logged under its id.
      assert.ok(lines.some((l) => l.api_id === ids[2] && l.msg === 'request rejected'));
      // No log line of a request lacks its id (server-level lines have none).
      for (const l of lines) if (l.req || l.res) assert.match(String(l.api_id), UUID);
    } finally {
      await x.close();
    }
  });
});
