/** Non-INVITE server transaction: RFC 3261 §17.2.2. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResponse } from '../../../src/sip/message/index.js';
import type { ServerTransaction } from '../../../src/sip/transaction/index.js';
import { flush, request, setup, source } from './helpers.js';

function start(protocol: 'udp' | 'tcp' = 'udp') {
  const env = setup();
  const req = request('OPTIONS', { branch: 'z9hG4bK-nist' });
  const txs: ServerTransaction[] = [];
  const log: string[] = [];
  env.user.onNewRequest = (_req, tx) => {
    if (!tx) return;
    txs.push(tx);
    tx.onTerminated = () => log.push('terminated');
    tx.onTransportError = (err) => log.push(`transport-error ${err.message}`);
  };
  env.layer.receive(req, source(protocol));
  const tx = txs[0]!;
  const respond = (status: number) =>
    tx.respond(createResponse(req, status, undefined, { toTag: 'uas-1' }));
  const statuses = () => env.transport.responses().map((s) => s.message.status);
  return { ...env, req, tx, log, respond, statuses };
}

describe('non-INVITE server transaction', () => {
  it('Trying: created with the request, retransmissions are absorbed, no automatic 100', () => {
    const { clock, tx, layer, req, statuses, user } = start();
    assert.equal(tx.state, 'Trying');
    assert.equal(user.requests().length, 1);
    layer.receive(req, source());
    clock.advance(1000);
    assert.deepEqual(statuses(), []);
    assert.equal(user.requests().length, 1);
    assert.deepEqual(layer.size(), { client: 0, server: 1 });
  });

  it('Proceeding: a retransmission gets the last provisional again', () => {
    const { tx, layer, req, respond, statuses } = start();
    respond(100);
    assert.equal(tx.state, 'Proceeding');
    respond(183);
    layer.receive(req, source());
    assert.deepEqual(statuses(), [100, 183, 183]);
  });

  it('Completed: retransmissions get the final again, later TU responses are dropped, Timer J = 64·T1', () => {
    const { clock, tx, layer, req, respond, statuses, log } = start();
    respond(100);
    respond(200);
    assert.equal(tx.state, 'Completed');
    clock.advance(10_000);
    layer.receive(req, source());
    respond(500);
    respond(180);
    assert.deepEqual(statuses(), [100, 200, 200]);
    clock.advance(32_000 - 10_000 - 1);
    assert.equal(tx.state, 'Completed');
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });

  it('Trying → Completed directly on a final response', () => {
    const { tx, respond, statuses } = start();
    respond(481);
    assert.equal(tx.state, 'Completed');
    assert.deepEqual(statuses(), [481]);
  });

  it('over TCP, Timer J is 0: the final response ends the transaction', () => {
    const { tx, respond, log, layer, req, user } = start('tcp');
    respond(200);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    // A later copy of the request is a new request for the TU.
    layer.receive(req, source('tcp'));
    assert.equal(user.requests().length, 2);
  });

  it('the TU may answer from inside onRequest (TCP ends the transaction before onRequest returns)', () => {
    const env = setup();
    env.user.onNewRequest = (req, tx) =>
      tx?.respond(createResponse(req, 200, undefined, { toTag: 't' }));
    env.layer.receive(request('OPTIONS'), source('tcp'));
    assert.deepEqual(env.layer.size(), { client: 0, server: 0 });
    assert.equal(env.transport.responses(200).length, 1);
  });

  it('a transport error while sending is reported and terminates', async () => {
    const { tx, transport, respond, log, layer } = start();
    transport.failWith = new Error('ENETUNREACH');
    respond(200);
    await flush();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['transport-error ENETUNREACH', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
  });
});
