/**
 * The OpenAPI document: served, valid OpenAPI 3.0 JSON, every operation
 * lists its error answers, and real answers (successes and errors) match
 * the schemas it promises.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from '../../src/api/index.js';
import { AUTH_ID, FakeService, harness, type Harness } from './fake-service.js';
import { check } from './schema-check.js';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          { content?: Record<string, { schema: Record<string, unknown> }> }
        >;
      }
    >
  >;
  components: { securitySchemes: Record<string, unknown> };
};

let h: Harness;
let doc: Doc;
before(async () => {
  h = await harness();
  const res = await h.app.inject('/docs/openapi.json');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  doc = JSON.parse(res.body) as Doc;
});
after(() => h.close());

const MPC = '/v1/phlo/P/multi_party_call/N';

function operationFor(method: string, url: string) {
  const path = url.split('?')[0].replace(/(.)\/$/, '$1');
  for (const [template, ops] of Object.entries(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(path) && ops[method.toLowerCase()])
      return { template, op: ops[method.toLowerCase()] };
  }
  return undefined;
}

describe('the document', () => {
  test('is OpenAPI 3.0.3 with Basic auth and every route', () => {
    assert.equal(doc.openapi, '3.0.3');
    assert.deepEqual(doc.components.securitySchemes.basicAuth, { type: 'http', scheme: 'basic' });
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/healthz',
      '/metrics',
      '/v1/account/{auth_id}/phlo/{phlo_id}',
      '/v1/events/stream',
      '/v1/phlo',
      '/v1/phlo/{phlo_id}',
      '/v1/phlo/{phlo_id}/multi_party_call/{node_id}',
      '/v1/phlo/{phlo_id}/multi_party_call/{node_id}/calls',
      '/v1/phlo/{phlo_id}/multi_party_call/{node_id}/calls/{call_id}',
      '/v1/phlo/{phlo_id}/multi_party_call/{node_id}/calls/{call_id}/members/{member_id}',
      '/v1/phlo/{phlo_id}/multi_party_call/{node_id}/calls/{call_id}/recording',
      '/v1/phlo/{phlo_id}/multi_party_call/{node_id}/members/{member_address}',
    ]);
    assert.deepEqual(Object.keys(doc.paths['/v1/phlo/{phlo_id}']).sort(), ['delete', 'get', 'put']);
  });

  test('every /v1 operation documents 400/401/404/405/409/429/500/503 (+413/415 with a body)', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const want = ['400', '401', '404', '405', '409', '429', '500', '503'];
        if (method === 'post' || method === 'put') want.push('413', '415');
        for (const s of want) assert.ok(op.responses[s], `${method} ${path}: ${s}`);
        for (const [status, r] of Object.entries(op.responses)) {
          // Two successes are not JSON: the live stream and a recording.
          const media = status === '200' && /stream|recording/.test(path) ? undefined : 'json';
          assert.ok(
            media ? r.content?.['application/json']?.schema : Object.keys(r.content ?? {}).length,
            `${method} ${path} ${status}: ${media ? 'JSON schema' : 'a content type'}`,
          );
        }
      }
    }
  });

  test('uses only OpenAPI 3.0 schema forms (no type arrays, no type null)', () => {
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if ('type' in o && typeof o.type !== 'object') {
        assert.notEqual(o.type, 'null', where);
      }
      if ('type' in o && Array.isArray(o.type)) assert.fail(`${where}: type array`);
      for (const [k, v] of Object.entries(o)) walk(v, `${where}.${k}`);
    };
    walk(doc.paths, 'paths');
  });

  test('/docs serves the Swagger UI page; /docs/json the same document', async () => {
    const page = await h.app.inject('/docs');
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    const again = await h.app.inject('/docs/json');
    assert.deepEqual(JSON.parse(again.body), doc);
  });
});

describe('answers match the document', () => {
  test('successes and errors of every operation', async () => {
    const failing = new FakeService();
    failing.fail('nodeAction', new ServiceError('conflict', 'already in the call'));
    failing.fail('memberAction', new ServiceError('not-found', 'no such member'));
    failing.fail('memberActionById', new ServiceError('conflict', 'not a supervisor'));
    const conflict = await harness({ service: failing, rateLimit: { perSecond: 1, burst: 1000 } });
    const ct = { 'content-type': 'application/json' };
    const requests: [Harness, string, string, string?, Record<string, string>?][] = [
      [h, 'GET', '/v1/phlo/P'],
      [h, 'GET', '/v1/phlo'],
      [h, 'POST', '/v1/phlo', '{"name":"x"}'],
      [h, 'POST', '/v1/phlo', '[]'],
      [h, 'POST', '/v1/phlo', 'x'.repeat(70_000)],
      [h, 'POST', '/v1/phlo', '<x/>', { 'content-type': 'application/xml' }],
      [h, 'PUT', '/v1/phlo/P', '{"name":"x"}'],
      [h, 'DELETE', '/v1/phlo/P'],
      [h, 'POST', `/v1/account/${AUTH_ID}/phlo/P`, '""'],
      [h, 'POST', `/v1/account/${AUTH_ID}/phlo/P`, '{"a":{}}'],
      [h, 'POST', `/v1/account/MAOTHER/phlo/P`, '{}'],
      [h, 'GET', MPC],
      [h, 'POST', MPC, '{"action":"call","to":"+2","trigger_source":"+1"}'],
      [h, 'POST', MPC, '{"action":"bogus"}'],
      [h, 'POST', MPC, '{'],
      [conflict, 'POST', MPC, '{"action":"call","to":"+2","trigger_source":"+1"}'],
      [h, 'POST', `${MPC}/members/+1`, '{"action":"hold"}'],
      [conflict, 'POST', `${MPC}/members/+1`, '{"action":"hold"}'],
      [h, 'GET', `${MPC}/calls?live=true`],
      [h, 'GET', `${MPC}/calls?limit=0`],
      [h, 'GET', `${MPC}/calls/C1`],
      [h, 'POST', `${MPC}/calls/C1/members/M1`, '{"action":"barge"}'],
      [h, 'POST', `${MPC}/calls/C1/members/M1`, '{"action":"sing"}'],
      [conflict, 'POST', `${MPC}/calls/C1/members/M1`, '{"action":"coach"}'],
      [h, 'GET', '/v1/phlo/P', undefined, { authorization: 'Basic eDp5' }],
      [h, 'GET', '/v1/phlo/%E0%A4%A'],
      [h, 'GET', '/healthz'],
    ];
    try {
      for (const [x, method, url, payload, headers] of requests) {
        const res = await x.send({
          method: method as 'GET',
          url,
          payload,
          headers: { ...ct, ...headers },
        });
        assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode}`);
        const found = operationFor(method, url);
        assert.ok(found, `${method} ${url} documented`);
        const response = found.op.responses[String(res.statusCode)];
        assert.ok(response, `${method} ${url}: status ${res.statusCode} documented`);
        const schema = response.content?.['application/json']?.schema;
        assert.ok(schema);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.deepEqual(
          check(schema, JSON.parse(res.body)),
          [],
          `${method} ${url} ${res.statusCode}: ${res.body}`,
        );
      }
    } finally {
      await conflict.close();
    }
  });

  test('a 503 while not ready matches too', async () => {
    const x = await harness();
    x.service.isReady = false;
    try {
      for (const [method, url] of [
        ['GET', '/v1/phlo/P'],
        ['GET', '/healthz'],
      ]) {
        const res = await x.send({ method: method as 'GET', url });
        assert.equal(res.statusCode, 503);
        const schema = operationFor(method, url)?.op.responses['503'].content?.['application/json']
          .schema;
        assert.ok(schema);
        assert.deepEqual(check(schema, JSON.parse(res.body)), []);
      }
    } finally {
      await x.close();
    }
  });
});
