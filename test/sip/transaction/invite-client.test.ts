/** INVITE client transaction: RFC 3261 §17.1.1 with RFC 6026 §8.4. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  endpoint,
  flush,
  RecordingHandlers,
  request,
  responseTo,
  setup,
  source,
} from './helpers.js';

const BRANCH = 'z9hG4bK-invite-client';

function start(protocol: 'udp' | 'tcp' = 'udp', timers?: { T1?: number }) {
  const env = setup(timers);
  const invite = request('INVITE', {
    branch: BRANCH,
    routes: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'],
    uri: 'sip:bob@bob-host.example.com',
  });
  const handlers = new RecordingHandlers();
  const tx = env.layer.sendRequest(invite, endpoint(protocol), handlers);
  return { ...env, invite, handlers, tx };
}

describe('INVITE client transaction', () => {
  it('Calling: Timer A retransmits at 500, 1500, 3500 … ms and Timer B fires at 32 s', async () => {
    const { clock, transport, handlers, tx, layer } = start();
    await flush();
    assert.equal(tx.state, 'Calling');
    assert.deepEqual(
      transport.requests('INVITE').map((s) => s.at),
      [0],
    );
    clock.advance(31_999);
    assert.deepEqual(
      transport.requests('INVITE').map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 15500, 31500],
    );
    assert.equal(tx.state, 'Calling');
    assert.deepEqual(handlers.log, []);
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['timeout', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });

  it('Timer A and B scale with T1', async () => {
    const { clock, transport, handlers } = start('udp', { T1: 100 });
    await flush();
    clock.advance(6400);
    assert.deepEqual(
      transport.requests('INVITE').map((s) => s.at),
      [0, 100, 300, 700, 1500, 3100, 6300],
    );
    assert.deepEqual(handlers.log, ['timeout', 'terminated']);
  });

  it('over TCP sends once and still times out with Timer B', async () => {
    const { clock, transport, handlers, tx } = start('tcp');
    await flush();
    clock.advance(32_000);
    assert.equal(transport.requests().length, 1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['timeout', 'terminated']);
  });

  it('stops retransmitting when the transport switched the request to TCP', async () => {
    const env = setup();
    env.transport.switchToTcp = true;
    const tx = env.layer.sendRequest(request('INVITE'), endpoint('udp'), new RecordingHandlers());
    await flush();
    assert.equal(tx.destination.protocol, 'tcp');
    env.clock.advance(10_000);
    assert.equal(env.transport.requests().length, 1);
  });

  it('Calling → Proceeding on 1xx: passes every provisional up, stops A and B', async () => {
    const { clock, transport, handlers, tx, invite, layer } = start();
    await flush();
    clock.advance(600);
    layer.receive(responseTo(invite, 100), source());
    assert.equal(tx.state, 'Proceeding');
    layer.receive(responseTo(invite, 180, 'uas-1'), source());
    layer.receive(responseTo(invite, 183, 'uas-1'), source());
    clock.advance(120_000);
    assert.equal(tx.state, 'Proceeding');
    assert.deepEqual(
      transport.requests().map((s) => s.at),
      [0, 500],
    );
    assert.deepEqual(handlers.log, ['response 100', 'response 180', 'response 183']);
  });

  it('Completed on 3xx–6xx: builds the ACK of §17.1.1.3 and sends it where the INVITE went', async () => {
    const { transport, handlers, tx, invite, layer } = start();
    await flush();
    layer.receive(responseTo(invite, 180, 'uas-1'), source());
    layer.receive(responseTo(invite, 486, 'uas-1'), source());
    assert.equal(tx.state, 'Completed');
    assert.deepEqual(handlers.log, ['response 180', 'response 486']);
    const acks = transport.requests('ACK');
    assert.equal(acks.length, 1);
    const { message: ack, dest } = acks[0]!;
    assert.deepEqual(dest, endpoint('udp'));
    assert.equal(ack.method, 'ACK');
    assert.deepEqual(ack.uri, invite.uri);
    assert.equal(ack.vias().length, 1);
    assert.equal(ack.topVia().params.get('branch'), BRANCH);
    assert.equal(ack.headers.values('via')[0], invite.headers.values('via')[0]);
    assert.equal(ack.callId(), invite.callId());
    assert.equal(ack.headers.get('from'), invite.headers.get('from'));
    assert.equal(ack.to().params.get('tag'), 'uas-1');
    assert.deepEqual(ack.cseq(), { seq: invite.cseq().seq, method: 'ACK' });
    assert.deepEqual(ack.headers.lines('route'), [
      '<sip:p1.example.com;lr>',
      '<sip:p2.example.com;lr>',
    ]);
    assert.equal(ack.headers.get('max-forwards'), '70');
    assert.equal(ack.body.length, 0);
  });

  it('Completed: Timer D absorbs retransmitted finals, re-sending the ACK, for 32 s', async () => {
    const { clock, transport, handlers, tx, invite, layer } = start();
    await flush();
    clock.advance(700); // one retransmission of the INVITE happened
    layer.receive(responseTo(invite, 603, 'uas-1'), source());
    clock.advance(1000);
    layer.receive(responseTo(invite, 603, 'uas-1'), source());
    layer.receive(responseTo(invite, 603, 'uas-1'), source());
    assert.equal(transport.requests('ACK').length, 3);
    assert.equal(transport.requests('INVITE').length, 2, 'Timer A stopped');
    assert.deepEqual(handlers.log, ['response 603']);
    clock.advance(32_000 - 1000 - 1);
    assert.equal(tx.state, 'Completed');
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['response 603', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    // After the transaction, a late retransmission is stray (and not ACKed here).
    layer.receive(responseTo(invite, 603, 'uas-1'), source());
    assert.equal(transport.requests('ACK').length, 3);
  });

  it('Completed over TCP: Timer D is 0, the transaction ends at once after the ACK', async () => {
    const { transport, handlers, tx, invite, layer } = start('tcp');
    await flush();
    layer.receive(responseTo(invite, 404, 'uas-1'), source('tcp'));
    assert.equal(transport.requests('ACK').length, 1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['response 404', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
  });

  it('Accepted on 2xx: passes every 2xx (retransmissions, forks) up until Timer M', async () => {
    const { clock, transport, handlers, tx, invite, layer, user } = start();
    await flush();
    layer.receive(responseTo(invite, 180, 'uas-1'), source());
    layer.receive(responseTo(invite, 200, 'uas-1'), source());
    assert.equal(tx.state, 'Accepted');
    layer.receive(responseTo(invite, 200, 'uas-1'), source());
    layer.receive(responseTo(invite, 200, 'uas-2'), source()); // another fork
    layer.receive(responseTo(invite, 180, 'uas-3'), source()); // not passed in Accepted
    layer.receive(responseTo(invite, 486, 'uas-3'), source()); // not passed in Accepted
    assert.deepEqual(handlers.log, [
      'response 180',
      'response 200',
      'response 200',
      'response 200',
    ]);
    assert.equal(handlers.responses[3]!.to().params.get('tag'), 'uas-2');
    assert.equal(transport.requests('ACK').length, 0, 'the ACK for a 2xx is the TU job');
    clock.advance(32_000 - 1);
    assert.equal(tx.state, 'Accepted');
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    // RFC 6026 §8.4: a 2xx after Timer M is a stray response for the TU core.
    layer.receive(responseTo(invite, 200, 'uas-1'), source());
    assert.equal(user.strays().length, 1);
  });

  it('Calling → Accepted directly on 2xx, Timer M scales with T1', async () => {
    const { clock, handlers, tx, invite, layer } = start('udp', { T1: 50 });
    await flush();
    layer.receive(responseTo(invite, 200, 'uas-1'), source());
    assert.equal(tx.state, 'Accepted');
    clock.advance(3200);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['response 200', 'terminated']);
  });

  it('a transport error on the first send is reported and terminates', async () => {
    const env = setup();
    env.transport.failWith = new Error('ECONNREFUSED');
    const handlers = new RecordingHandlers();
    const tx = env.layer.sendRequest(request('INVITE'), endpoint('tcp'), handlers);
    await flush();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['transport-error', 'terminated']);
    assert.equal(handlers.errors[0]!.message, 'ECONNREFUSED');
    assert.deepEqual(env.layer.size(), { client: 0, server: 0 });
    assert.equal(env.clock.armed(), 0);
  });

  it('a transport error on a retransmission is reported and terminates', async () => {
    const { clock, transport, handlers, tx } = start();
    await flush();
    transport.failWith = new Error('EHOSTUNREACH');
    clock.advance(500);
    await flush();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['transport-error', 'terminated']);
  });

  it('a failed ACK after the final response is only logged; the transaction stays Completed', async () => {
    const { transport, handlers, tx, invite, layer } = start();
    await flush();
    transport.failWith = new Error('ENOBUFS');
    layer.receive(responseTo(invite, 486, 'uas-1'), source());
    await flush();
    assert.equal(tx.state, 'Completed');
    assert.deepEqual(handlers.log, ['response 486']);
  });

  it('absorbs a 2xx in Completed without passing it up', async () => {
    const { handlers, tx, invite, layer } = start();
    await flush();
    layer.receive(responseTo(invite, 480, 'uas-1'), source());
    layer.receive(responseTo(invite, 200, 'uas-1'), source());
    assert.equal(tx.state, 'Completed');
    assert.deepEqual(handlers.log, ['response 480']);
  });

  it('terminate() (RFC 3261 §9.1) ends a Proceeding transaction and disarms every timer', async () => {
    const { clock, handlers, tx, invite, layer } = start();
    await flush();
    layer.receive(responseTo(invite, 180, 'uas-1'), source());
    tx.terminate();
    tx.terminate();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['response 180', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });
});
