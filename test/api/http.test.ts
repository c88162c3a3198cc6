/**
 * Over a real socket (127.0.0.1, port 0): what inject cannot show —
 * Go's empty chunked run body, raw + in the request line, a 1 MB upload,
 * malformed HTTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AUTH, AUTH_ID, harness, type Harness } from './fake-service.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let h: Harness;
let port: number;
before(async () => {
  h = await harness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  port = (h.app.server.address() as AddressInfo).port;
});
after(() => h.close());

/** One request by node:http; `chunks` are written one by one (chunked unless Content-Length is set). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: (string | Buffer)[] = [],
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { authorization: AUTH, ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

/** Raw bytes on a socket, answer read until the server closes or the response is complete. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(text));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      got += d;
      const m = /\r\nContent-Length: (\d+)\r\n/i.exec(got);
      const headEnd = got.indexOf('\r\n\r\n');
      if (m && headEnd >= 0 && got.length >= headEnd + 4 + Number(m[1])) socket.end();
    });
    socket.on('end', () => resolve(got));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('over a real socket', () => {
  test('Go Run(nil): POST with Transfer-Encoding: chunked and no body → 201, no payload', async () => {
    h.service.calls.length = 0;
    const res = await send('POST', `/v1/account/${AUTH_ID}/phlo/P/`, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    assert.equal(res.status, 201, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(h.service.callsTo('run')[0].args[3], {});
  });

  test('the same with the raw bytes Go writes (a lone 0-chunk)', async () => {
    h.service.calls.length = 0;
    const answer = await raw(
      `POST /v1/account/${AUTH_ID}/phlo/P/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: plivo-go/7.60.2 (Go: go1.26.8)\r\n` +
        `Transfer-Encoding: chunked\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\n` +
        `Accept-Encoding: gzip\r\n\r\n0\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 201 /);
    assert.match(answer, /"phlo_run_id":"R1"/);
    assert.deepEqual(h.service.callsTo('run')[0].args[3], {});
  });

  test('a chunked JSON payload', async () => {
    h.service.calls.length = 0;
    const res = await send(
      'POST',
      `/v1/account/${AUTH_ID}/phlo/P/`,
      { 'content-type': 'application/json' },
      ['{"from":', '"+1415"}\n'],
    );
    assert.equal(res.status, 201, res.body);
    assert.deepEqual(h.service.callsTo('run')[0].args[3], { from: '+1415' });
  });

  test('Ruby: Content-Length: 0 with Content-Type application/json', async () => {
    const res = await send('POST', `/v1/account/${AUTH_ID}/phlo/P/`, {
      'content-type': 'application/json',
      'content-length': '0',
    });
    assert.equal(res.status, 201, res.body);
  });

  test('a raw + in the request line stays a plus', async () => {
    h.service.calls.length = 0;
    const res = await send(
      'POST',
      '/v1/phlo/P/multi_party_call/N/members/+14155550100',
      { 'content-type': 'application/json' },
      ['{"action":"hold"}'],
    );
    assert.equal(res.status, 201, res.body);
    assert.equal(h.service.callsTo('memberAction')[0].args[3], '+14155550100');
  });

  test('a 1 MB body (Content-Length) gets a clean 413 JSON answer', async () => {
    const body = Buffer.alloc(1024 * 1024, 'a');
    const res = await send(
      'POST',
      `/v1/account/${AUTH_ID}/phlo/P`,
      { 'content-type': 'application/json', 'content-length': String(body.length) },
      [body],
    );
    assert.equal(res.status, 413);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.match(JSON.parse(res.body).error, /too large/);
  });

  test('a 1 MB chunked body gets a clean 413 too, and the server goes on', async () => {
    const chunks = Array.from({ length: 16 }, () => Buffer.alloc(64 * 1024, 'b'));
    const res = await send(
      'POST',
      `/v1/account/${AUTH_ID}/phlo/P`,
      { 'content-type': 'application/json' },
      chunks,
    );
    assert.equal(res.status, 413);
    assert.match(JSON.parse(res.body).error, /too large/);
    const next = await send('GET', '/v1/phlo/P', {});
    assert.equal(next.status, 200);
  });

  test('malformed HTTP → 400 in the same JSON shape', async () => {
    const answer = await raw('GARBAGE\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(answer, /Content-Type: application\/json/);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<
      string,
      unknown
    >;
    assert.match(String(body.api_id), /^[0-9a-f-]{36}$/);
    assert.equal(body.error, 'malformed HTTP request');
  });

  test('no redirect for either slash form over the wire', async () => {
    for (const path of ['/v1/phlo/P', '/v1/phlo/P/']) {
      const res = await send('GET', path, {});
      assert.equal(res.status, 200);
      assert.equal(res.headers.location, undefined);
    }
  });
});
