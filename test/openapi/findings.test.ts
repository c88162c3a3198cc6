/**
 * What schemathesis.test.ts found wrong, pinned here so it stays fixed
 * where Python is not installed: the run's free-form query in the
 * document, "no payload" bodies in the document, 405 whatever the body of a
 * request no route takes, and the message for a body key named "".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { json, sharedHarness } from '../api/fake-service.js';

const h = sharedHarness();

interface Operation {
  parameters?: { name: string; in: string; schema?: unknown; style?: string; explode?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
}

async function operation(path: string, method: string): Promise<Operation> {
  const res = await h.app.inject('/docs/openapi.json');
  const doc = JSON.parse(res.body) as { paths: Record<string, Record<string, Operation>> };
  return doc.paths[path][method];
}

describe('the document', () => {
  test("the run's query is one free-form object parameter, not the schema's keywords", async () => {
    const op = await operation('/v1/account/{auth_id}/phlo/{phlo_id}', 'post');
    const query = (op.parameters ?? []).filter((p) => p.in === 'query');
    assert.deepEqual(
      query.map((p) => [p.name, p.style, p.explode, p.schema]),
      [['payload', 'form', true, { type: 'object', additionalProperties: { type: 'string' } }]],
    );
  });

  for (const [path, name] of [
    ['/v1/account/{auth_id}/phlo/{phlo_id}', 'run'],
    ['/v1/phlo/{phlo_id}/multi_party_call/{node_id}', 'node action'],
    ['/v1/phlo/{phlo_id}/multi_party_call/{node_id}/members/{member_address}', 'member action'],
  ]) {
    test(`${name}: the body is optional, and may be null or ""`, async () => {
      const body = (await operation(path, 'post')).requestBody;
      assert.equal(body?.required, false);
      const schema = body?.content['application/json'].schema as { anyOf: object[] };
      assert.equal((schema.anyOf[0] as { nullable?: boolean }).nullable, true);
      assert.deepEqual(schema.anyOf[1], { type: 'string', enum: [''] });
    });
  }

  test('a PHLO document is still a required object body', async () => {
    const body = (await operation('/v1/phlo', 'post')).requestBody;
    assert.equal(body?.required, true);
  });
});

describe('a path asked with a method it does not have: 405 whatever the body', () => {
  test('QUERY without Content-Type', async () => {
    const res = await h.send({ method: 'QUERY' as 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 405, res.body);
    assert.equal(res.headers.allow, 'GET, HEAD');
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.match(String(json(res).error), /method QUERY is not allowed on \/healthz/);
  });

  test('malformed JSON, or a Content-Type no parser takes', async () => {
    for (const [type, payload] of [
      ['application/json', '{'],
      ['text/plain', 'x'],
    ]) {
      const res = await h.send({
        method: 'PATCH',
        url: '/v1/phlo/P',
        headers: { 'content-type': type },
        payload,
      });
      assert.equal(res.statusCode, 405, `${type}: ${res.body}`);
      assert.equal(res.headers.allow, 'DELETE, GET, HEAD, PUT');
    }
  });

  test('no route at all: 404', async () => {
    const res = await h.send({
      method: 'POST',
      url: '/v1/nothing',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    assert.equal(res.statusCode, 404, res.body);
    assert.match(String(json(res).error), /no route for POST \/v1\/nothing/);
  });
});

test('a run payload key named "" is a body field, not the request body', async () => {
  const res = await h.send({
    method: 'POST',
    url: '/v1/account/MAZDQ1ZJIYMDZKMTEXNM/phlo/P',
    headers: { 'content-type': 'application/json' },
    payload: '{"": [1]}',
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.match(String(json(res).error), /^body field '' must be/);
});
