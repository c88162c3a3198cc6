// Unit tests of the API benchmark's --phases: the split of a request's time
// from the client's and the server's notes, and the server's notes taken
// from node:http's diagnostics channels on a real server on 127.0.0.1.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { ClientSample } from '../../../bench/api/client.js';
import { NUMBER_HEADER, ServerTimings, splitPhases } from '../../../bench/api/server-timings.js';

const sample = (
  n: number,
  due: number,
  sent: number,
  done: number,
  status = 201,
): ClientSample => ({
  n,
  due,
  sent,
  done,
  status,
});

describe('splitPhases', () => {
  it('splits each answered request into late, to, in and from the server', () => {
    // 100 requests: 99 of 2 ms, one of 12 ms whose time went inside the server.
    const samples: ClientSample[] = [];
    const timings: Record<string, [number, number]> = {};
    for (let n = 0; n < 100; n++) {
      const due = n * 10;
      const slow = n === 42;
      samples.push(sample(n, due, due + 0.5, due + (slow ? 12 : 2)));
      timings[String(n)] = [due + 0.8, due + (slow ? 11.5 : 1.5)];
    }
    const split = splitPhases(samples, timings)!;
    assert.equal(split.requests, 100);
    assert.equal(split.late.p50, 0.5);
    assert.equal(split.to_server.p50, 0.3);
    assert.equal(split.in_server.p50, 0.7);
    assert.equal(split.from_server.p50, 0.5);
    // The slowest 2 % are requests 42 and one of 2 ms: their mean in the server is (10.7 + 0.7) / 2.
    assert.equal(split.in_server.slowest_2pct_mean, 5.7);
    assert.equal(split.late.slowest_2pct_mean, 0.5);
  });

  it('leaves out refusals and requests the server did not note or answer', () => {
    const split = splitPhases(
      [sample(1, 0, 0, 2), sample(2, 0, 0, 2, 503), sample(3, 0, 0, 2), sample(4, 0, 0, 2)],
      { '1': [0.5, 1], '2': [0.5, 1], '4': [0.5, 0] },
    )!;
    assert.equal(split.requests, 1);
    assert.equal(splitPhases([sample(9, 0, 0, 1)], {}), null);
  });
});

describe('ServerTimings', () => {
  it('notes start and finish of numbered requests only, on the wall clock, until stopped', async () => {
    const server = createServer((_req, res) => {
      setTimeout(() => res.writeHead(201).end('{}'), 20);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const send = async (headers: Record<string, string>): Promise<void> => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', headers });
      req.end('{}');
      const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
      res.resume();
      await once(res, 'end');
    };
    const timings = new ServerTimings();
    try {
      const before = Date.now();
      await send({ [NUMBER_HEADER]: '7' });
      await send({});
      const after = Date.now();
      const notes = timings.take();
      assert.deepEqual(Object.keys(notes), ['7']);
      const [start, finish] = notes['7'];
      assert.ok(
        start >= before - 1 && finish <= after + 1,
        `${start}, ${finish} in [${before}, ${after}]`,
      );
      assert.ok(finish - start >= 15, `answered after the handler's 20 ms: ${finish - start}`);
      assert.deepEqual(timings.take(), {}, 'taken notes are forgotten');
      timings.stop();
      await send({ [NUMBER_HEADER]: '8' });
      assert.deepEqual(timings.take(), {}, 'nothing noted once stopped');
    } finally {
      timings.stop();
      server.close();
    }
  });
});
