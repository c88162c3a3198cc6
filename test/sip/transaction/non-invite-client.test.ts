/** Non-INVITE client transaction: RFC 3261 §17.1.2. */
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

function start(protocol: 'udp' | 'tcp' = 'udp', method = 'OPTIONS') {
  const env = setup();
  const req = request(method, { branch: 'z9hG4bK-nict', toTag: method === 'BYE' ? 'uas-1' : '' });
  const handlers = new RecordingHandlers();
  const tx = env.layer.sendRequest(req, endpoint(protocol), handlers);
  return { ...env, req, handlers, tx };
}

describe('non-INVITE client transaction', () => {
  it('Trying: Timer E doubles from T1 and caps at T2; Timer F fires at 64·T1', async () => {
    const { clock, transport, handlers, tx, layer } = start();
    await flush();
    assert.equal(tx.state, 'Trying');
    clock.advance(31_999);
    assert.deepEqual(
      transport.requests().map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.deepEqual(handlers.log, []);
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['timeout', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });

  it('Proceeding: passes provisionals up and retransmits every T2 after the next Timer E', async () => {
    const { clock, transport, handlers, tx, req, layer } = start('udp', 'BYE');
    await flush();
    clock.advance(600); // Timer E fired at 500 and is due again at 1500
    layer.receive(responseTo(req, 100), source());
    assert.equal(tx.state, 'Proceeding');
    layer.receive(responseTo(req, 100), source());
    clock.advance(13_000 - 600);
    assert.deepEqual(
      transport.requests().map((s) => s.at),
      [0, 500, 1500, 5500, 9500],
    );
    assert.deepEqual(handlers.log, ['response 100', 'response 100']);
  });

  it('Timer F fires in Proceeding too', async () => {
    const { clock, handlers, tx, req, layer } = start();
    await flush();
    layer.receive(responseTo(req, 100), source());
    clock.advance(32_000);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['response 100', 'timeout', 'terminated']);
  });

  it('Completed on a final response: stops E and F, absorbs retransmissions until Timer K = T4', async () => {
    const { clock, transport, handlers, tx, req, layer } = start();
    await flush();
    clock.advance(700);
    layer.receive(responseTo(req, 200, 'uas-1'), source());
    assert.equal(tx.state, 'Completed');
    layer.receive(responseTo(req, 200, 'uas-1'), source());
    layer.receive(responseTo(req, 100), source());
    clock.advance(4999);
    assert.equal(tx.state, 'Completed');
    assert.equal(transport.requests().length, 2, 'no retransmission after the final response');
    clock.advance(1);
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['response 200', 'terminated']);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });

  it('Proceeding → Completed on a final response', async () => {
    const { handlers, tx, req, layer } = start();
    await flush();
    layer.receive(responseTo(req, 100), source());
    layer.receive(responseTo(req, 481, 'uas-1'), source());
    assert.equal(tx.state, 'Completed');
    assert.deepEqual(handlers.log, ['response 100', 'response 481']);
  });

  it('over TCP: no Timer E, Timer F still applies, Timer K is 0', async () => {
    const a = start('tcp');
    await flush();
    a.clock.advance(31_999);
    assert.equal(a.transport.requests().length, 1);
    a.clock.advance(1);
    assert.deepEqual(a.handlers.log, ['timeout', 'terminated']);

    const b = start('tcp');
    await flush();
    b.layer.receive(responseTo(b.req, 200, 'uas-1'), source('tcp'));
    assert.equal(b.tx.state, 'Terminated');
    assert.deepEqual(b.handlers.log, ['response 200', 'terminated']);
    assert.deepEqual(b.layer.size(), { client: 0, server: 0 });
  });

  it('a transport error is reported and terminates', async () => {
    const env = setup();
    env.transport.failWith = new Error('boom');
    const handlers = new RecordingHandlers();
    const tx = env.layer.sendRequest(request('REGISTER'), endpoint(), handlers);
    await flush();
    assert.equal(tx.state, 'Terminated');
    assert.deepEqual(handlers.log, ['transport-error', 'terminated']);
    assert.deepEqual(env.layer.size(), { client: 0, server: 0 });
  });

  it('a transport error that arrives after the final response is not reported', async () => {
    const env = setup();
    // The send fails, but only after the response got in (a slow TCP connect failure, say).
    let rejectSend: (err: Error) => void = () => undefined;
    env.transport.sendRequest = (req, dest) => {
      env.transport.sent.push({ kind: 'request', at: env.clock.now(), message: req, dest });
      return new Promise((_resolve, reject) => {
        rejectSend = reject;
      });
    };
    const req = request('OPTIONS');
    const handlers = new RecordingHandlers();
    env.layer.sendRequest(req, endpoint(), handlers);
    env.layer.receive(responseTo(req, 200, 'x'), source());
    rejectSend(new Error('late'));
    await flush();
    assert.deepEqual(handlers.log, ['response 200']);
  });
});
