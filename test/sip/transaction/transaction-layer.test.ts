/** The transaction layer around the machines: TU isolation, bad input, lifecycle. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResponse, SipResponse, type Headers } from '../../../src/sip/message/index.js';
import { TransactionLayer } from '../../../src/sip/transaction/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import {
  endpoint,
  flush,
  RecordingHandlers,
  RecordingTransport,
  request,
  responseTo,
  setup,
  source,
} from './helpers.js';

function throwing(): never {
  throw new Error('TU bug');
}

describe('TransactionLayer', () => {
  it('exposes the RFC default timers and accepts overrides', () => {
    assert.deepEqual(setup().layer.timers, { T1: 500, T2: 4000, T4: 5000 });
    assert.deepEqual(setup({ T1: 100 }).layer.timers, { T1: 100, T2: 4000, T4: 5000 });
    assert.throws(() => setup({ T2: 0 }), RangeError);
  });

  describe('TU exceptions are caught and do not break the machines', () => {
    it('onRequest throwing: the server transaction still works', () => {
      const clock = new ManualClock();
      const transport = new RecordingTransport(clock);
      const txLayer = new TransactionLayer(
        transport,
        { onRequest: throwing, onStrayResponse: throwing },
        { clock },
      );
      const invite = request('INVITE');
      assert.doesNotThrow(() => txLayer.receive(invite, source()));
      assert.doesNotThrow(() => txLayer.receive(responseTo(invite, 200), source()));
      clock.advance(200);
      assert.deepEqual(
        transport.responses().map((s) => s.message.status),
        [100],
        'the INVITE machine runs on and sends its 100 Trying',
      );
      assert.deepEqual(txLayer.size(), { client: 0, server: 1 });
    });

    it('onResponse / onTimeout / onTerminated throwing: the client machine still transitions', async () => {
      const { layer, clock, transport } = setup();
      const invite = request('INVITE');
      const tx = layer.sendRequest(invite, endpoint(), {
        onResponse: throwing,
        onTimeout: throwing,
        onTransportError: throwing,
        onTerminated: throwing,
      });
      await flush();
      assert.doesNotThrow(() => layer.receive(responseTo(invite, 486, 'x'), source()));
      assert.equal(tx.state, 'Completed');
      assert.equal(transport.requests('ACK').length, 1);
      assert.doesNotThrow(() => clock.advance(32_000));
      assert.equal(tx.state, 'Terminated');

      const options = request('OPTIONS', { branch: 'z9hG4bK-timeout' });
      const tx2 = layer.sendRequest(options, endpoint(), {
        onResponse: throwing,
        onTimeout: throwing,
        onTransportError: throwing,
        onTerminated: throwing,
      });
      assert.doesNotThrow(() => clock.advance(32_000));
      assert.equal(tx2.state, 'Terminated');
      assert.deepEqual(layer.size(), { client: 0, server: 0 });
    });

    it('onTransportError throwing: the transaction still terminates', async () => {
      const { layer, transport } = setup();
      transport.failWith = new Error('down');
      const tx = layer.sendRequest(request('OPTIONS'), endpoint(), {
        onResponse: throwing,
        onTimeout: throwing,
        onTransportError: throwing,
      });
      await flush();
      assert.equal(tx.state, 'Terminated');
      assert.deepEqual(layer.size(), { client: 0, server: 0 });
    });

    it('server onTimeout / onTerminated throwing: Timer H still ends the transaction', () => {
      const { layer, clock, user } = setup();
      user.onNewRequest = (req, tx) => {
        if (!tx) return;
        tx.onTimeout = throwing;
        tx.onTerminated = throwing;
        tx.respond(createResponse(req, 486, undefined, { toTag: 'x' }));
      };
      layer.receive(request('INVITE'), source());
      assert.doesNotThrow(() => clock.advance(32_000));
      assert.deepEqual(layer.size(), { client: 0, server: 0 });
    });
  });

  describe('bad input never throws out of receive()', () => {
    it('drops a request whose CSeq, From or Via cannot be parsed, creating nothing', () => {
      const { layer, user } = setup();
      const broken: [string | null, (headers: Headers) => void][] = [
        ['z9hG4bK-1', (h) => h.set('CSeq', 'not a cseq')],
        ['z9hG4bK-2', (h) => h.set('From', '<<<')],
        ['z9hG4bK-3', (h) => h.set('Via', 'garbage')],
        ['z9hG4bK-4', (h) => h.delete('Call-ID')],
        [null, (h) => h.set('To', '<<<')],
      ];
      for (const [branch, breakIt] of broken) {
        const req = request('INVITE', { branch });
        breakIt(req.headers);
        assert.doesNotThrow(() => layer.receive(req, source()));
      }
      const ack = request('ACK', { branch: null });
      ack.headers.set('To', '"unterminated');
      assert.doesNotThrow(() => layer.receive(ack, source()));
      assert.equal(user.events.length, 0);
      assert.deepEqual(layer.size(), { client: 0, server: 0 });
    });

    it('drops a response whose Via or CSeq cannot be parsed', async () => {
      const { layer, user } = setup();
      const options = request('OPTIONS');
      const handlers = new RecordingHandlers();
      layer.sendRequest(options, endpoint(), handlers);
      await flush();
      const noVia = responseTo(options, 200);
      noVia.headers.delete('Via');
      const badCSeq = responseTo(options, 200);
      badCSeq.headers.set('CSeq', 'x');
      assert.doesNotThrow(() => layer.receive(noVia, source()));
      assert.doesNotThrow(() => layer.receive(badCSeq, source()));
      assert.deepEqual(handlers.log, []);
      assert.equal(user.events.length, 0);
    });

    it('ignores an impossible status code on a matched response', async () => {
      const { layer } = setup();
      const options = request('OPTIONS');
      const handlers = new RecordingHandlers();
      layer.sendRequest(options, endpoint(), handlers);
      await flush();
      const res = responseTo(options, 200);
      const odd = new SipResponse(99, 'odd', res.headers);
      layer.receive(odd, source());
      assert.deepEqual(handlers.log, []);
    });
  });

  describe('sendRequest()', () => {
    it('refuses a request without a branch and a duplicate transaction', async () => {
      const { layer } = setup();
      assert.throws(
        () =>
          layer.sendRequest(
            request('OPTIONS', { branch: null }),
            endpoint(),
            new RecordingHandlers(),
          ),
        /branch/,
      );
      layer.sendRequest(request('OPTIONS'), endpoint(), new RecordingHandlers());
      assert.throws(
        () => layer.sendRequest(request('OPTIONS'), endpoint(), new RecordingHandlers()),
        /already exists/,
      );
      assert.deepEqual(layer.size(), { client: 1, server: 0 });
    });

    it('sends an ACK (for a 2xx) once, statelessly: no transaction, no retransmission', async () => {
      const { layer, clock, transport } = setup();
      const handlers = new RecordingHandlers();
      const ack = request('ACK', { branch: 'z9hG4bK-ack-2xx', toTag: 'uas-1' });
      const tx = layer.sendRequest(ack, endpoint(), handlers);
      assert.equal(tx.state, 'Terminated');
      assert.deepEqual(layer.size(), { client: 0, server: 0 });
      clock.advance(64_000);
      assert.equal(transport.requests('ACK').length, 1);
      assert.deepEqual(handlers.log, []);

      transport.failWith = new Error('gone');
      layer.sendRequest(request('ACK', { branch: 'z9hG4bK-ack-2' }), endpoint(), handlers);
      await flush();
      assert.deepEqual(handlers.log, ['transport-error']);
    });

    it('turns a transport that throws synchronously into a transport error', async () => {
      const clock = new ManualClock();
      const transport = new RecordingTransport(clock);
      transport.sendRequest = () => {
        throw new Error('sync failure');
      };
      const layer = new TransactionLayer(
        transport,
        { onRequest: () => undefined, onStrayResponse: () => undefined },
        { clock },
      );
      const handlers = new RecordingHandlers();
      const tx = layer.sendRequest(request('INVITE'), endpoint(), handlers);
      await flush();
      assert.equal(tx.state, 'Terminated');
      assert.deepEqual(handlers.log, ['transport-error', 'terminated']);
    });
  });

  it('close() disarms every timer, forgets every transaction and ignores later input', async () => {
    const { layer, clock, user, transport } = setup();
    layer.sendRequest(
      request('INVITE', { branch: 'z9hG4bK-c1' }),
      endpoint(),
      new RecordingHandlers(),
    );
    layer.sendRequest(
      request('OPTIONS', { branch: 'z9hG4bK-c2' }),
      endpoint(),
      new RecordingHandlers(),
    );
    layer.receive(request('INVITE', { branch: 'z9hG4bK-s1' }), source());
    await flush();
    assert.ok(clock.armed() > 0);
    layer.close();
    assert.equal(clock.armed(), 0);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    const before = transport.sent.length;
    layer.receive(request('INVITE', { branch: 'z9hG4bK-s2' }), source());
    clock.advance(64_000);
    assert.equal(transport.sent.length, before);
    assert.equal(user.requests().length, 1);
    assert.throws(() => layer.sendRequest(request('OPTIONS'), endpoint(), new RecordingHandlers()));
  });

  it('size() returns to 0 once every kind of transaction has run its course', async () => {
    const { layer, clock, user } = setup();
    user.onNewRequest = (req, tx) => {
      if (!tx) return;
      const status = req.method === 'INVITE' ? (req.cseq().seq === 1 ? 200 : 486) : 200;
      tx.respond(createResponse(req, status, undefined, { toTag: 'uas' }));
    };
    for (const protocol of ['udp', 'tcp'] as const) {
      layer.receive(request('INVITE', { branch: `z9hG4bK-${protocol}-1` }), source(protocol));
      layer.receive(
        request('INVITE', { branch: `z9hG4bK-${protocol}-2`, cseq: 2 }),
        source(protocol),
      );
      layer.receive(request('BYE', { branch: `z9hG4bK-${protocol}-3` }), source(protocol));
      const inv = request('INVITE', { branch: `z9hG4bK-${protocol}-c1` });
      const opt = request('OPTIONS', { branch: `z9hG4bK-${protocol}-c2` });
      layer.sendRequest(inv, endpoint(protocol), new RecordingHandlers());
      layer.sendRequest(opt, endpoint(protocol), new RecordingHandlers());
      layer.sendRequest(
        request('INVITE', { branch: `z9hG4bK-${protocol}-c3` }),
        endpoint(protocol),
        new RecordingHandlers(),
      );
      await flush();
      layer.receive(responseTo(inv, 200, 'x'), source(protocol));
      layer.receive(responseTo(opt, 100), source(protocol));
    }
    assert.ok(layer.size().client > 0 && layer.size().server > 0);
    clock.advance(64 * 500 * 2);
    assert.deepEqual(layer.size(), { client: 0, server: 0 });
    assert.equal(clock.armed(), 0);
  });
});
