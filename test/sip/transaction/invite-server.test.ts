/** INVITE server transaction: RFC 3261 §17.2.1 with RFC 6026 §8.5–8.7. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResponse, type SipRequest } from '../../../src/sip/message/index.js';
import type { ServerTransaction } from '../../../src/sip/transaction/index.js';
import { flush, request, setup, source } from './helpers.js';

const BRANCH = 'z9hG4bK-ist';

function start(protocol: 'udp' | 'tcp' = 'udp', respondAtOnce?: (req: SipRequest) => number) {
  const env = setup();
  const invite = request('INVITE', { branch: BRANCH });
  const txs: ServerTransaction[] = [];
  const log: string[] = [];
  env.user.onNewRequest = (req, tx) => {
    if (!tx) return;
    txs.push(tx);
    tx.onTerminated = () => log.push('terminated');
    tx.onTimeout = () => log.push('timeout');
    tx.onTransportError = (err) => log.push(`transport-error ${err.message}`);
    const status = respondAtOnce?.(req);
    if (status) tx.respond(createResponse(req, status, undefined, { toTag: 'uas-1' }));
  };
  env.layer.receive(invite, source(protocol));
  const tx = txs[0]!;
  const respond = (status: number, toTag = 'uas-1') =>
    tx.respond(createResponse(invite, status, undefined, { toTag }));
  const ack = (toTag = 'uas-1') => request('ACK', { branch: BRANCH, toTag, cseqMethod: 'ACK' });
  const statuses = () => env.transport.responses().map((s) => s.message.status);
  return { ...env, invite, tx, log, respond, ack, statuses };
}

describe('INVITE server transaction', () => {
  it('is created in Proceeding and handed to the TU with the INVITE', () => {
    const { tx, user, invite, layer } = start();
    assert.equal(tx.state, 'Proceeding');
    assert.equal(tx.request, invite);
    assert.equal((tx as { method?: string }).method, 'INVITE');
    assert.equal(user.requests('INVITE').length, 1);
    assert.deepEqual(layer.size(), { client: 0, server: 1 });
  });

  it('sends 100 Trying itself after 200 ms of TU silence', () => {
    const { clock, transport, statuses } = start();
    clock.advance(199);
    assert.deepEqual(statuses(), []);
    clock.advance(1);
    assert.deepEqual(statuses(), [100]);
    const trying = transport.responses()[0]!;
    assert.equal(trying.message.to().params.has('tag'), false);
    assert.deepEqual(trying.source, source());
    assert.equal(trying.message.topVia().params.get('branch'), BRANCH);
  });

  it('sends no 100 Trying when the TU sent a provisional or a final response within 200 ms', () => {
    const a = start();
    a.clock.advance(50);
    a.respond(180);
    a.clock.advance(1000);
    assert.deepEqual(a.statuses(), [180]);

    const b = start('udp', () => 486);
    b.clock.advance(250);
    assert.deepEqual(b.statuses(), [486]);
  });

  it('Proceeding: a retransmitted INVITE gets the last provisional again (nothing before one exists)', () => {
    const { layer, invite, respond, statuses, user } = start();
    layer.receive(invite, source());
    assert.deepEqual(statuses(), []);
    respond(180);
    respond(183);
    layer.receive(invite, source());
    assert.deepEqual(statuses(), [180, 183, 183]);
    assert.equal(user.requests().length, 1, 'the retransmission is not passed to the TU');
  });

  it('Proceeding: a retransmitted INVITE after the automatic 100 gets the 100 again', () => {
    const { clock, layer, invite, statuses } = start();
    clock.advance(200);
    layer.receive(invite, source());
    assert.deepEqual(statuses(), [100, 100]);
  });

  it('Accepted on 2xx: absorbs INVITEs, passes ACKs to the TU, forwards the TU 2xx retransmissions; Timer L ends it', () => {
    const { clock, tx, layer, invite, respond, statuses, user, log } = start();
    respond(180);
    respond(200);
    assert.equal(tx.state, 'Accepted');
    layer.receive(invite, source());
    assert.deepEqual(statuses(), [180, 200]);
    // The TU retransmits its 2xx (§13.3.1.4) through the transaction.
    clock.advance(500);
    respond(200);
    assert.deepEqual(statuses(), [180, 200, 200]);
    // Neither provisional nor non-2xx responses are allowed any more.
    respond(183);
    respond(486);
    assert.deepEqual(statuses(), [180, 200, 200]);
    // An ACK that matches (same branch: a peer reusing it) goes to the TU, without a transaction.
    const ack = request('ACK', { branch: BRANCH, toTag: 'uas-1', cseqMethod: 'ACK' });
    layer.receive(ack, source());
    const acks = user.requests('ACK');
    assert.equal(acks.length, 1);
    assert.equal(acks[0]!.tx, null);
    assert.equal(acks[0]!.message, ack);
    assert.equal(tx.state, 'Accepted');
    clock.advance(32_000 - 500 - 1);
    assert.equal(tx.state, 'Accepted');
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });

  it('Completed on 3xx–6xx over UDP: Timer G retransmits from T1 doubling to T2, Timer H at 64·T1 tells the TU', () => {
    const { clock, tx, transport, respond, log, layer } = start();
    respond(486);
    assert.equal(tx.state, 'Completed');
    clock.advance(31_999);
    assert.deepEqual(
      transport.responses(486).map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.deepEqual(log, []);
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['timeout', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });

  it('Completed: a retransmitted INVITE gets the final response again; later TU responses are dropped', () => {
    const { layer, invite, respond, statuses } = start();
    respond(404);
    layer.receive(invite, source());
    respond(500);
    respond(200);
    assert.deepEqual(statuses(), [404, 404]);
  });

  it('Completed → Confirmed on ACK: G and H stop, ACKs are absorbed, Timer I = T4 ends it', () => {
    const { clock, tx, transport, layer, respond, ack, user, log } = start();
    respond(603);
    clock.advance(600); // one retransmission by Timer G at 500
    layer.receive(ack(), source());
    assert.equal(tx.state, 'Confirmed');
    layer.receive(ack(), source());
    assert.equal(user.requests('ACK').length, 0, 'ACKs of non-2xx stay in the transaction');
    clock.advance(4999);
    assert.equal(tx.state, 'Confirmed');
    assert.equal(transport.responses(603).length, 2);
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
  });

  it('over TCP: no Timer G, Timer H still waits for the ACK, Timer I is 0', () => {
    const a = start('tcp');
    a.respond(486);
    a.clock.advance(31_999);
    assert.deepEqual(a.statuses(), [486]);
    a.clock.advance(1);
    assert.deepEqual(a.log, ['timeout', 'terminated']);

    const b = start('tcp');
    b.respond(486);
    b.layer.receive(b.ack(), source('tcp'));
    assert.equal(b.tx.state, 'Terminated');
    assert.deepEqual(b.log, ['terminated']);
    assert.deepEqual(b.layer.size(), { client: 0, server: 0 });
  });

  it('an ACK before any final response is dropped', () => {
    const { tx, layer, ack, user } = start();
    layer.receive(ack(), source());
    assert.equal(tx.state, 'Proceeding');
    assert.equal(user.requests('ACK').length, 0);
  });

  it('a transport error while sending a response is reported and terminates', async () => {
    const { tx, transport, respond, log, layer } = start();
    transport.failWith = new Error('EPIPE');
    respond(180);
    await flush();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['transport-error EPIPE', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
  });

  it('a transport error while sending the automatic 100 Trying terminates', async () => {
    const { clock, tx, transport, log } = start();
    transport.failWith = new Error('EPIPE');
    clock.advance(200);
    await flush();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(log, ['transport-error EPIPE', 'terminated']);
  });

  it('respond() never throws, even for a status no response can have', () => {
    const { tx, invite, statuses } = start();
    const bogus = createResponse(invite, 180);
    bogus.status = 42;
    tx.respond(bogus);
    assert.deepEqual(statuses(), []);
    assert.equal(tx.state, 'Proceeding');
  });
});
