import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createResponse,
  generateBranch,
  generateCallId,
  Headers,
  parseMessage,
  SipRequest,
  type SipMessage,
  type SipRequest as SipRequestType,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import { TransportError, TransportLayer } from '../../../src/sip/transport/index.js';
import {
  hostPort,
  Inbox,
  layerWithInbox,
  requestText,
  responseText,
  UdpPeer,
  type Received,
} from './support.js';

function asRequest(m: SipMessage): SipRequestType {
  assert.equal(m.kind, 'request');
  return m as SipRequestType;
}

function asResponse(m: SipMessage): SipResponse {
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

/** A request built in code, as the transaction layer would hand it over. */
function options(
  from: { address: string; port: number },
  to: { address: string; port: number },
  transport = 'UDP',
): SipRequest {
  const h = new Headers();
  h.append(
    'Via',
    `SIP/2.0/${transport} ${hostPort(from.address, from.port)};branch=${generateBranch()};rport`,
  );
  h.append('Max-Forwards', '70');
  h.append('From', `<sip:a@${hostPort(from.address, from.port)}>;tag=abc`);
  h.append('To', `<sip:b@${hostPort(to.address, to.port)}>`);
  h.append('Call-ID', generateCallId());
  h.append('CSeq', '1 OPTIONS');
  const uri = parseMessage(
    `OPTIONS sip:b@${hostPort(to.address, to.port)} SIP/2.0\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKx\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n`,
  );
  assert.ok(uri.ok && uri.message.kind === 'request');
  return new SipRequest('OPTIONS', uri.message.uri, h);
}

for (const address of ['127.0.0.1', '::1']) {
  describe(`UDP round trip over ${address}`, { timeout: 10_000 }, () => {
    let a: { layer: TransportLayer; inbox: Inbox<Received> };
    let b: { layer: TransportLayer; inbox: Inbox<Received> };
    before(async () => {
      a = await layerWithInbox({ listen: [{ protocol: 'udp', address, port: 0 }] });
      b = await layerWithInbox({ listen: [{ protocol: 'udp', address, port: 0 }] });
    });
    after(async () => {
      await a?.layer.close();
      await b?.layer.close();
    });

    it('delivers a request, routes the response back by Via, and both leave from the listening sockets', async () => {
      const family = address.includes(':') ? 6 : 4;
      const aLocal = a.layer.localEndpoint('udp', family);
      const bLocal = b.layer.localEndpoint('udp', family);
      assert.deepEqual(a.layer.listeners(), [
        { protocol: 'udp', address, port: aLocal.port, family },
      ]);
      const req = options(aLocal, bLocal);
      const used = await a.layer.sendRequest(req, { protocol: 'udp', ...bLocal });
      assert.deepEqual(used, { protocol: 'udp', ...bLocal });

      const got = await b.inbox.next();
      const inReq = asRequest(got.message);
      assert.equal(inReq.method, 'OPTIONS');
      assert.deepEqual(got.source, {
        protocol: 'udp',
        address,
        port: aLocal.port,
        local: { address, port: bLocal.port },
      });
      // rport was requested: filled with the source port, and received added (RFC 3581 §4).
      assert.equal(inReq.topVia().params.get('rport'), String(aLocal.port));
      assert.equal(inReq.topVia().params.get('received'), address);

      await b.layer.sendResponse(
        createResponse(inReq, 200, undefined, { toTag: 'b1' }),
        got.source,
      );
      const back = await a.inbox.next();
      const res = asResponse(back.message);
      assert.equal(res.status, 200);
      assert.equal(res.callId(), req.callId());
      assert.equal(back.source.port, bLocal.port);
      assert.deepEqual(a.layer.stats(), {
        received: 1,
        sent: 1,
        malformed: 0,
        dropped: 0,
        sendErrors: 0,
        tcpConnections: 0,
        tcpRefused: 0,
        internalErrors: 0,
      });
    });
  });
}

describe('UDP receive processing', { timeout: 10_000 }, () => {
  let l: { layer: TransportLayer; inbox: Inbox<Received> };
  let peer: UdpPeer;
  let port: number;
  before(async () => {
    l = await layerWithInbox({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    port = l.layer.localEndpoint('udp', 4).port;
    peer = await UdpPeer.bind('127.0.0.1');
  });
  after(async () => {
    await l?.layer.close();
    await peer?.close();
  });

  it('adds received when the sent-by host differs from the source (§18.2.1) and answers there', async () => {
    // sent-by names a host the packet did not come from, with our peer's port.
    await peer.send(
      requestText({ via: `SIP/2.0/UDP peer.invalid:${peer.port};branch=${generateBranch()}` }),
      '127.0.0.1',
      port,
    );
    const got = await l.inbox.next();
    const req = asRequest(got.message);
    assert.equal(req.topVia().params.get('received'), '127.0.0.1');
    assert.equal(req.topVia().params.has('rport'), false);
    // The response goes to received + sent-by port, i.e. back to the peer (no DNS needed).
    await l.layer.sendResponse(createResponse(req, 200), got.source);
    const dg = await peer.inbox.next();
    assert.match(dg.text, /^SIP\/2\.0 200 /);
    assert.equal(dg.rinfo.port, port);
  });

  it('leaves the Via alone when sent-by is the source address and no rport is asked', async () => {
    const via = `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()}`;
    await peer.send(requestText({ via }), '127.0.0.1', port);
    const req = asRequest((await l.inbox.next()).message);
    assert.equal(req.headers.get('via'), via);
  });

  it('fills rport and received, and the response follows them (RFC 3581 §4)', async () => {
    // sent-by claims port 5999 (a NATed client does not know its mapping): the response must go to rport.
    await peer.send(
      requestText({ via: `SIP/2.0/UDP 127.0.0.1:5999;rport;branch=${generateBranch()}` }),
      '127.0.0.1',
      port,
    );
    const got = await l.inbox.next();
    const req = asRequest(got.message);
    assert.equal(req.topVia().params.get('rport'), String(peer.port));
    assert.equal(req.topVia().params.get('received'), '127.0.0.1');
    await l.layer.sendResponse(createResponse(req, 200), got.source);
    const dg = await peer.inbox.next();
    const res = parseMessage(dg.text);
    assert.ok(res.ok && res.message.kind === 'response');
    assert.equal(res.message.topVia().params.get('rport'), String(peer.port));
  });

  it('answers a malformed request with 400 carrying the parse error as reason phrase', async () => {
    const before = l.layer.stats();
    const bad = requestText({
      via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()};rport`,
    }).replace(/CSeq: \d+ OPTIONS/, 'CSeq: nope OPTIONS');
    const parsed = parseMessage(bad);
    assert.ok(!parsed.ok);
    await peer.send(bad, '127.0.0.1', port);
    const dg = await peer.inbox.next();
    // The 400 echoes the broken CSeq (§8.2.6.2), so it is checked as text.
    const lines = dg.text.split('\r\n');
    assert.equal(lines[0], `SIP/2.0 400 ${parsed.error.message}`);
    assert.ok(lines.includes('CSeq: nope OPTIONS'));
    assert.ok(
      lines.some((x) => /^Via: .*;rport=\d+;received=127\.0\.0\.1$/.test(x)),
      dg.text,
    );
    assert.ok(
      lines.some((x) => /^To: <sip:service@127\.0\.0\.1>;tag=\S+$/.test(x)),
      dg.text,
    );
    assert.ok(
      lines.some((x) => /^Call-ID: call-\d+@test$/.test(x)),
      dg.text,
    );
    assert.equal(l.inbox.size, 0);
    assert.equal(l.layer.stats().malformed, before.malformed + 1);
  });

  it('never answers a malformed ACK, nor a malformed request without a usable Via', async () => {
    const before = l.layer.stats();
    const via = `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()}`;
    const ack = requestText({ method: 'ACK', via }).replace(/CSeq: (\d+) ACK/, 'CSeq: $1 ACK junk');
    const noVia = requestText({ via: 'garbage here' }).replace(/CSeq: \d+/, 'CSeq: x');
    await peer.send(ack, '127.0.0.1', port);
    await peer.send(noVia, '127.0.0.1', port);
    // Barrier: a well-formed request is delivered after both were handled.
    await peer.send(requestText({ via }), '127.0.0.1', port);
    const got = await l.inbox.next();
    // Its answer is the first thing the peer gets: no 400 was sent before it.
    await l.layer.sendResponse(createResponse(asRequest(got.message), 200), got.source);
    assert.match((await peer.inbox.next()).text, /^SIP\/2\.0 200 /);
    const after = l.layer.stats();
    assert.equal(after.malformed - before.malformed, 2);
    assert.equal(after.dropped - before.dropped, 2);
  });

  it('drops a malformed response and a misrouted one (§18.1.2), then still delivers', async () => {
    const before = l.layer.stats();
    const ourVia = `SIP/2.0/UDP 127.0.0.1:${port};branch=${generateBranch()}`;
    await peer.send(
      responseText({ via: ourVia }).replace(/Call-ID: [^\r]+\r\n/, ''),
      '127.0.0.1',
      port,
    );
    await peer.send(
      responseText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()}` }),
      '127.0.0.1',
      port,
    );
    await peer.send(
      responseText({ via: `SIP/2.0/TCP 127.0.0.1:${port};branch=${generateBranch()}` }),
      '127.0.0.1',
      port,
    );
    // A barrier: loopback UDP between two sockets keeps order, so once this
    // one is delivered the three before it have been processed.
    await peer.send(responseText({ via: ourVia, status: 180 }), '127.0.0.1', port);
    const got = await l.inbox.next();
    assert.equal(asResponse(got.message).status, 180);
    const after = l.layer.stats();
    assert.equal(after.received - before.received, 4);
    assert.equal(after.malformed - before.malformed, 1);
    assert.equal(after.dropped - before.dropped, 3);
  });

  it('survives a handler that throws', async () => {
    const inbox = new Inbox<string>();
    l.layer.onMessage = (m) => {
      inbox.push(m.callId());
      throw new Error('handler bug');
    };
    try {
      for (const id of ['first', 'second']) {
        await peer.send(
          requestText({
            via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()}`,
            callId: id,
          }),
          '127.0.0.1',
          port,
        );
        assert.equal(await inbox.next(), id);
      }
    } finally {
      l.layer.onMessage = (message, source) => l.inbox.push({ message, source });
    }
  });

  it('ignores CRLF keep-alives over UDP', async () => {
    const before = l.layer.stats();
    await peer.send('\r\n\r\n', '127.0.0.1', port);
    await peer.send(
      requestText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()}` }),
      '127.0.0.1',
      port,
    );
    await l.inbox.next();
    assert.equal(l.layer.stats().received - before.received, 1);
    assert.equal(l.layer.stats().malformed, before.malformed);
  });
});

describe('UDP send errors', { timeout: 10_000 }, () => {
  let layer: TransportLayer;
  before(async () => {
    layer = await TransportLayer.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    });
  });
  after(async () => layer?.close());

  it('rejects with no-transport for a family without a listener', async () => {
    const local = layer.localEndpoint('udp', 4);
    const req = options(local, { address: '::1', port: 5060 });
    await assert.rejects(
      layer.sendRequest(req, { protocol: 'udp', address: '::1', port: 5060 }),
      (e: unknown) => e instanceof TransportError && e.code === 'no-transport',
    );
    assert.throws(
      () => layer.localEndpoint('udp', 6),
      (e: unknown) => e instanceof TransportError && e.code === 'no-transport',
    );
  });

  it('rejects, never throws, for an unusable destination', async () => {
    const local = layer.localEndpoint('udp', 4);
    const req = options(local, { address: '127.0.0.1', port: 5060 });
    await assert.rejects(
      layer.send(req, { protocol: 'udp', address: '127.0.0.1', port: 0 }),
      TransportError,
    );
    await assert.rejects(
      layer.send(req, { protocol: 'udp', address: 'not-an-ip', port: 5060 }),
      TransportError,
    );
  });

  it('rejects a message above maxMessageBytes with too-large', async () => {
    const small = await TransportLayer.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      maxMessageBytes: 500,
    });
    try {
      const local = small.localEndpoint('udp', 4);
      const req = options(local, { address: '127.0.0.1', port: 5060 });
      req.body = Buffer.alloc(600, 0x61);
      await assert.rejects(
        small.send(req, { protocol: 'udp', address: '127.0.0.1', port: 5060 }),
        (e: unknown) => e instanceof TransportError && e.code === 'too-large',
      );
    } finally {
      await small.close();
    }
  });

  it('rejects sends after close', async () => {
    const closed = await TransportLayer.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    });
    const local = closed.localEndpoint('udp', 4);
    await closed.close();
    const req = options(local, { address: '127.0.0.1', port: 5060 });
    await assert.rejects(
      closed.send(req, { protocol: 'udp', address: '127.0.0.1', port: 5060 }),
      (e: unknown) => e instanceof TransportError && e.code === 'closed',
    );
  });
});

describe('UdpListener.send', { timeout: 10_000 }, () => {
  it('sends to IP literals at once and still resolves a name', async () => {
    const { UdpListener } = await import('../../../src/sip/transport/udp-listener.js');
    const { pino } = await import('pino');
    const peer = await UdpPeer.bind('127.0.0.1');
    const listener = await UdpListener.bind(
      '127.0.0.1',
      0,
      { onDatagram: () => undefined },
      pino({ level: 'silent' }),
    );
    try {
      await listener.send(Buffer.from('literal'), '127.0.0.1', peer.port);
      await listener.send(Buffer.from('name'), 'localhost', peer.port);
      const first = await peer.inbox.next();
      const second = await peer.inbox.next();
      assert.deepEqual([first.text, second.text], ['literal', 'name']);
    } finally {
      await listener.close();
      await peer.close();
    }
  });
});

describe('internal errors a message exposes', () => {
  it('a handler that throws a non-parse error is counted as internalErrors, never swallowed as bad input', async (t) => {
    const layer = await TransportLayer.create({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    });
    t.after(() => layer.close());
    let calls = 0;
    layer.onMessage = () => {
      calls++;
      if (calls === 1) throw new TypeError('a bug above the transport');
      return Promise.reject(new RangeError('a bug in an async handler'));
    };
    const peer = await UdpPeer.bind('127.0.0.1');
    t.after(() => peer.close());
    const { port } = layer.localEndpoint('udp', 4);
    const via = `SIP/2.0/UDP 127.0.0.1:${peer.port};rport;branch=${generateBranch()}`;
    await peer.send(requestText({ via }), '127.0.0.1', port);
    await peer.send(requestText({ via: `${via}x` }), '127.0.0.1', port);
    for (let i = 0; i < 50 && layer.stats().internalErrors < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls, 2);
    assert.equal(layer.stats().internalErrors, 2);
    assert.equal(layer.stats().malformed, 0);
  });
});
