import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import {
  createResponse,
  generateBranch,
  parseMessage,
  type SipRequest,
  type SipMessage,
  type SipRequest as SipRequestType,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import {
  TransportError,
  TransportLayer,
  type TransportLayerOptions,
} from '../../../src/sip/transport/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import {
  closedTcpPort,
  freeUdpTcpPort,
  hostPort,
  Inbox,
  layerWithInbox,
  requestText,
  TcpPeer,
  type Received,
  until,
} from './support.js';

function asRequest(m: SipMessage): SipRequestType {
  assert.equal(m.kind, 'request');
  return m as SipRequestType;
}

function asResponse(m: SipMessage): SipResponse {
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

/** Parses a request written as text, as the layer above would have built it. */
function built(text: string): SipRequest {
  const r = parseMessage(text);
  assert.ok(r.ok && r.message.kind === 'request');
  return r.message;
}

describe('TCP receive: framing (RFC 3261 §18.3)', { timeout: 10_000 }, () => {
  let l: { layer: TransportLayer; inbox: Inbox<Received> };
  let port: number;
  before(async () => {
    l = await layerWithInbox({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
      maxMessageBytes: 4000,
    });
    port = l.layer.localEndpoint('tcp', 4).port;
  });
  after(async () => l?.layer.close());

  it('reassembles a message written in several chunks', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    try {
      const text = requestText({
        method: 'MESSAGE',
        via: `SIP/2.0/TCP 127.0.0.1:${peer.localPort};branch=${generateBranch()}`,
        body: 'hello over a stream',
        extraHeaders: ['Content-Type: text/plain'],
      });
      const cuts = [0, 17, 150, text.length - 4, text.length];
      for (let i = 0; i + 1 < cuts.length; i++) await peer.write(text.slice(cuts[i], cuts[i + 1]));
      const got = await l.inbox.next();
      assert.equal(got.message.body.toString(), 'hello over a stream');
      assert.equal(got.source.protocol, 'tcp');
      assert.equal(got.source.port, peer.localPort);
      assert.equal(typeof got.source.connectionId, 'number');
    } finally {
      await peer.close();
    }
  });

  it('splits two messages arriving in one chunk', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    try {
      const via = `SIP/2.0/TCP 127.0.0.1:${peer.localPort};branch=`;
      const one = requestText({ via: via + generateBranch(), body: 'one', callId: 'one' });
      const two = requestText({ via: via + generateBranch(), body: 'two', callId: 'two' });
      await peer.write(one + two);
      const a = await l.inbox.next();
      const b = await l.inbox.next();
      assert.deepEqual([a.message.callId(), b.message.callId()], ['one', 'two']);
      assert.equal(b.message.body.toString(), 'two');
      assert.equal(a.source.connectionId, b.source.connectionId);
    } finally {
      await peer.close();
    }
  });

  it('answers a CRLFCRLF ping with a CRLF pong and keeps going (RFC 5626 §3.5.1)', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    try {
      await peer.write('\r\n\r\n');
      assert.equal(await peer.pongs.next(), true);
      await peer.write(
        '\r\n' +
          requestText({
            via: `SIP/2.0/TCP 127.0.0.1:${peer.localPort};branch=${generateBranch()}`,
          }),
      );
      assert.equal(asRequest((await l.inbox.next()).message).method, 'OPTIONS');
    } finally {
      await peer.close();
    }
  });

  it('drops the connection when Content-Length is missing', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    const text = requestText({
      via: `SIP/2.0/TCP 127.0.0.1:${peer.localPort};branch=${generateBranch()}`,
    });
    await peer.write(text.replace(/Content-Length: 0\r\n/, ''));
    await peer.closed;
    assert.equal(l.inbox.size, 0);
  });

  it('disconnects a peer sending endless headers', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    await peer.write(`OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n`);
    for (let i = 0; i < 200; i++) {
      if (peer.socket.destroyed) break;
      await peer.write(`X-Junk-${i}: ${'j'.repeat(60)}\r\n`).catch(() => undefined);
    }
    await peer.closed;
    assert.equal(l.inbox.size, 0);
  });

  it('answers a malformed request with 400 on the same connection', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    try {
      const bad = requestText({
        via: `SIP/2.0/TCP 127.0.0.1:9;branch=${generateBranch()}`,
      }).replace('Max-Forwards: 70', 'Max-Forwards: seventy');
      const parsed = parseMessage(bad);
      assert.ok(!parsed.ok);
      await peer.write(bad);
      const res = parseMessage(await peer.messages.next());
      assert.ok(res.ok && res.message.kind === 'response');
      assert.equal(res.message.status, 400);
      assert.equal(res.message.reason, parsed.error.message);
    } finally {
      await peer.close();
    }
  });

  it('sends a response back on the connection the request came in on (§18.2.2)', async () => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    try {
      // sent-by port 9 (discard): if the layer opened a new connection it would fail.
      await peer.write(requestText({ via: `SIP/2.0/TCP 127.0.0.1:9;branch=${generateBranch()}` }));
      const got = await l.inbox.next();
      const before = l.layer.stats().tcpConnections;
      await l.layer.sendResponse(createResponse(asRequest(got.message), 200), got.source);
      const res = parseMessage(await peer.messages.next());
      assert.ok(res.ok && res.message.kind === 'response');
      assert.equal(res.message.status, 200);
      assert.equal(l.layer.stats().tcpConnections, before);
    } finally {
      await peer.close();
    }
  });
});

describe('TCP response after the request connection closed (§18.2.2)', { timeout: 10_000 }, () => {
  it('connects to received / sent-by port', async () => {
    const l = await layerWithInbox({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
    });
    // The client's own listening socket, named in its Via sent-by.
    const server = createServer();
    const accepted = new Inbox<Socket>();
    server.on('connection', (s) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const serverPort = (server.address() as { port: number }).port;
    const peer = await TcpPeer.connect('127.0.0.1', l.layer.localEndpoint('tcp', 4).port);
    try {
      await peer.write(
        requestText({ via: `SIP/2.0/TCP peer.invalid:${serverPort};branch=${generateBranch()}` }),
      );
      const got = await l.inbox.next();
      await peer.close();
      // Wait until the layer has seen the close: a write racing it would be lost in the void.
      await until(() => l.layer.stats().tcpConnections === 0);
      const req = asRequest(got.message);
      assert.equal(req.topVia().params.get('received'), '127.0.0.1');
      const sent = l.layer.sendResponse(createResponse(req, 200), got.source);
      const socket = await accepted.next();
      const data = new Promise<string>((resolve) =>
        socket.once('data', (d: Buffer) => resolve(d.toString())),
      );
      await sent;
      assert.match(await data, /^SIP\/2\.0 200 /);
      socket.destroy();
    } finally {
      await l.layer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

for (const address of ['127.0.0.1', '::1']) {
  describe(`TCP between two layers over ${address}`, { timeout: 10_000 }, () => {
    let a: { layer: TransportLayer; inbox: Inbox<Received> };
    let b: { layer: TransportLayer; inbox: Inbox<Received> };
    before(async () => {
      a = await layerWithInbox({ listen: [{ protocol: 'tcp', address, port: 0 }] });
      b = await layerWithInbox({ listen: [{ protocol: 'tcp', address, port: 0 }] });
    });
    after(async () => {
      await a?.layer.close();
      await b?.layer.close();
    });

    it('reuses one connection for two requests and their responses', async () => {
      const family = address.includes(':') ? 6 : 4;
      const aLocal = a.layer.localEndpoint('tcp', family);
      const bLocal = b.layer.localEndpoint('tcp', family);
      const dest = { protocol: 'tcp' as const, ...bLocal };
      const ids = new Set<number | undefined>();
      for (let i = 0; i < 2; i++) {
        const req = built(
          requestText({
            uri: `sip:b@${hostPort(bLocal.address, bLocal.port)}`,
            via: `SIP/2.0/TCP ${hostPort(aLocal.address, aLocal.port)};branch=${generateBranch()}`,
          }),
        );
        assert.deepEqual(await a.layer.sendRequest(req, dest), dest);
        const got = await b.inbox.next();
        ids.add(got.source.connectionId);
        assert.equal(got.source.address, address);
        await b.layer.sendResponse(createResponse(asRequest(got.message), 200), got.source);
        const res = await a.inbox.next();
        assert.equal(asResponse(res.message).status, 200);
      }
      assert.equal(ids.size, 1);
      assert.equal(a.layer.stats().tcpConnections, 1);
      assert.equal(b.layer.stats().tcpConnections, 1);
    });

    it('sends a request back to the peer over its incoming connection', async () => {
      // b knows a only by the connection a opened (its source ip:port).
      const got = await (async () => {
        const family = address.includes(':') ? 6 : 4;
        const aLocal = a.layer.localEndpoint('tcp', family);
        const bLocal = b.layer.localEndpoint('tcp', family);
        await a.layer.send(
          built(
            requestText({
              via: `SIP/2.0/TCP ${hostPort(aLocal.address, aLocal.port)};branch=${generateBranch()}`,
            }),
          ),
          { protocol: 'tcp', ...bLocal },
        );
        return b.inbox.next();
      })();
      await b.layer.send(
        built(
          requestText({
            method: 'BYE',
            via: `SIP/2.0/TCP ${hostPort(address, 5999)};branch=${generateBranch()}`,
          }),
        ),
        { protocol: 'tcp', address: got.source.address, port: got.source.port },
      );
      const back = await a.inbox.next();
      assert.equal(asRequest(back.message).method, 'BYE');
      assert.equal(b.layer.stats().tcpConnections, 1);
    });
  });
}

type Layer = { layer: TransportLayer; inbox: Inbox<Received> };

/**
 * A layer listening on TCP at 127.0.0.1 (a free port) with `opts`, and
 * `body` run on it; the peers `body` puts in `peers` and the layer are
 * closed afterwards, whatever happened.
 */
async function withTcpLayer(
  opts: Omit<TransportLayerOptions, 'listen'>,
  body: (l: Layer, port: number, peers: TcpPeer[]) => Promise<void>,
): Promise<void> {
  const l = await layerWithInbox({
    listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
    ...opts,
  });
  const peers: TcpPeer[] = [];
  try {
    await body(l, l.layer.localEndpoint('tcp', 4).port, peers);
  } finally {
    for (const peer of peers) await peer.close();
    await l.layer.close();
  }
}

/** withTcpLayer with one peer connected to it. */
async function withTcpPeer(
  opts: Omit<TransportLayerOptions, 'listen'>,
  body: (l: Layer, peer: TcpPeer) => Promise<void>,
): Promise<void> {
  await withTcpLayer(opts, async (l, port, peers) => {
    const peer = await TcpPeer.connect('127.0.0.1', port);
    peers.push(peer);
    await body(l, peer);
  });
}

/** A request from `peer` (its Via: `address`, its local port), and the layer receiving it. */
async function exchange(l: Layer, peer: TcpPeer, address = '127.0.0.1'): Promise<Received> {
  await peer.write(
    requestText({ via: `SIP/2.0/TCP ${address}:${peer.localPort};branch=${generateBranch()}` }),
  );
  return l.inbox.next();
}

describe('TCP connection management', { timeout: 10_000 }, () => {
  it('closes a connection after tcpIdleTimeoutMs without traffic, not before', async () => {
    const clock = new ManualClock();
    await withTcpPeer({ clock, tcpIdleTimeoutMs: 1000 }, async (l, peer) => {
      await exchange(l, peer);
      clock.advance(600);
      await exchange(l, peer); // traffic at t=600 postpones the deadline to t=1600
      clock.advance(600);
      assert.equal(l.layer.stats().tcpConnections, 1);
      assert.ok(!peer.socket.destroyed);
      clock.advance(400);
      await peer.closed;
      assert.equal(l.layer.stats().tcpConnections, 0);
    });
  });

  it('closes inbound connections beyond maxInboundTcpConnections, and takes new ones once below', async () => {
    await withTcpLayer({ maxInboundTcpConnections: 2 }, async (l, port, peers) => {
      for (let i = 0; i < 2; i++) peers.push(await TcpPeer.connect('127.0.0.1', port));
      for (const peer of peers) await exchange(l, peer);
      const third = await TcpPeer.connect('127.0.0.1', port);
      peers.push(third);
      await third.closed; // closed by us right after the accept
      assert.equal(l.layer.stats().tcpRefused, 1);
      assert.equal(l.layer.stats().tcpConnections, 2);
      await peers[0]!.close();
      await until(() => l.layer.stats().tcpConnections === 1);
      const fourth = await TcpPeer.connect('127.0.0.1', port);
      peers.push(fourth);
      await exchange(l, fourth);
      assert.equal(l.layer.stats().tcpConnections, 2);
      assert.equal(l.layer.stats().tcpRefused, 1);
    });
  });

  it('caps inbound connections per source address, not only per listener', async () => {
    await withTcpLayer({ maxInboundTcpConnectionsPerSource: 2 }, async (l, port, peers) => {
      for (let i = 0; i < 2; i++) peers.push(await TcpPeer.connect('127.0.0.1', port));
      await until(() => l.layer.stats().tcpConnections === 2);
      const third = await TcpPeer.connect('127.0.0.1', port);
      peers.push(third);
      await third.closed; // the same address a third time: closed at accept
      assert.equal(l.layer.stats().tcpRefused, 1);
      // Another source still gets in.
      const other = await TcpPeer.connect('127.0.0.1', port, '127.0.0.2');
      peers.push(other);
      const got = await exchange(l, other, '127.0.0.2');
      assert.equal(got.source.address, '127.0.0.2');
      assert.equal(l.layer.stats().tcpConnections, 3);
    });
  });

  it('closes a connection whose message headers do not arrive within tcpHeaderTimeoutMs (trickling peer)', async () => {
    const clock = new ManualClock();
    const delivered = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));
    await withTcpPeer(
      { clock, tcpHeaderTimeoutMs: 1000, tcpIdleTimeoutMs: 60_000 },
      async (l, peer) => {
        await peer.write('OPTIONS sip:service@127.0.0.1 SIP/2.0\r\nVia: ');
        await delivered();
        // One byte every 300 ms: never idle for long, never done.
        for (let i = 0; i < 3; i++) {
          clock.advance(300);
          await peer.write('S');
          await delivered();
        }
        assert.ok(!peer.socket.destroyed);
        clock.advance(100); // t = 1000 since the message began
        await peer.closed;
        assert.equal(l.layer.stats().tcpConnections, 0);
      },
    );
  });

  it('CRLF keep-alives alone do not keep a connection from its idle timeout', async () => {
    const clock = new ManualClock();
    await withTcpPeer({ clock, tcpIdleTimeoutMs: 1000 }, async (l, peer) => {
      for (let i = 0; i < 3; i++) {
        await peer.write('\r\n\r\n');
        await peer.pongs.next(); // answered (RFC 5626 §3.5.1), but not activity
        clock.advance(300);
      }
      assert.ok(!peer.socket.destroyed);
      clock.advance(100); // t = 1000 with no message
      await peer.closed;
      assert.equal(l.layer.stats().tcpConnections, 0);
    });
  });

  it('rejects with refused when nothing listens', async () => {
    const layer = await TransportLayer.create({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
    });
    try {
      const port = await closedTcpPort('127.0.0.1');
      const req = built(
        requestText({ via: `SIP/2.0/TCP 127.0.0.1:5060;branch=${generateBranch()}` }),
      );
      await assert.rejects(
        layer.sendRequest(req, { protocol: 'tcp', address: '127.0.0.1', port }),
        (e: unknown) => e instanceof TransportError && e.code === 'refused',
      );
      assert.equal(layer.stats().sendErrors, 1);
    } finally {
      await layer.close();
    }
  });

  it('rejects with timeout when the connect does not complete in time', async () => {
    const clock = new ManualClock();
    const layer = await TransportLayer.create({
      listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }],
      clock,
    });
    try {
      // The connect timer is armed synchronously inside sendRequest, and
      // advance() runs before any socket event can be processed, so the
      // timeout deterministically wins over the (refused) connect.
      const port = await closedTcpPort('127.0.0.1');
      const req = built(
        requestText({ via: `SIP/2.0/TCP 127.0.0.1:5060;branch=${generateBranch()}` }),
      );
      const sending = layer.sendRequest(req, { protocol: 'tcp', address: '127.0.0.1', port });
      clock.advance(4999);
      assert.equal(clock.armed(), 1);
      clock.advance(1);
      await assert.rejects(
        sending,
        (e: unknown) => e instanceof TransportError && e.code === 'timeout',
      );
    } finally {
      await layer.close();
    }
  });
});

describe('UDP request above the MTU (§18.1.1)', { timeout: 10_000 }, () => {
  it('goes over TCP to the same address and port, with the top Via rewritten', async () => {
    const bPort = await freeUdpTcpPort('127.0.0.1');
    const a = await layerWithInbox({
      listen: [
        { protocol: 'udp', address: '127.0.0.1', port: 0 },
        { protocol: 'tcp', address: '127.0.0.1', port: 0 },
      ],
    });
    const b = await layerWithInbox({
      listen: [
        { protocol: 'udp', address: '127.0.0.1', port: bPort },
        { protocol: 'tcp', address: '127.0.0.1', port: bPort },
      ],
    });
    try {
      const aUdp = a.layer.localEndpoint('udp', 4);
      const aTcp = a.layer.localEndpoint('tcp', 4);
      const h = new Headers();
      const small = built(
        requestText({ via: `SIP/2.0/UDP 127.0.0.1:${aUdp.port};branch=${generateBranch()};rport` }),
      );
      assert.deepEqual(
        await a.layer.sendRequest(small, { protocol: 'udp', address: '127.0.0.1', port: bPort }),
        {
          protocol: 'udp',
          address: '127.0.0.1',
          port: bPort,
        },
      );
      assert.equal((await b.inbox.next()).source.protocol, 'udp');

      const big = built(
        requestText({
          method: 'MESSAGE',
          via: `SIP/2.0/UDP 127.0.0.1:${aUdp.port};branch=z9hG4bKbig;rport`,
          body: 'x'.repeat(1400),
          extraHeaders: ['Content-Type: text/plain'],
        }),
      );
      void h;
      const used = await a.layer.sendRequest(big, {
        protocol: 'udp',
        address: '127.0.0.1',
        port: bPort,
      });
      assert.deepEqual(used, { protocol: 'tcp', address: '127.0.0.1', port: bPort });
      assert.equal(big.topVia().transport, 'TCP');
      const got = await b.inbox.next();
      assert.equal(got.source.protocol, 'tcp');
      const via = asRequest(got.message).topVia();
      assert.equal(via.transport, 'TCP');
      assert.equal(via.port, aTcp.port);
      assert.equal(via.params.get('branch'), 'z9hG4bKbig');
      assert.equal(got.message.body.length, 1400);
      // The response comes back over that connection and passes a's sent-by check.
      await b.layer.sendResponse(createResponse(asRequest(got.message), 200), got.source);
      assert.equal(asResponse((await a.inbox.next()).message).status, 200);
    } finally {
      await a.layer.close();
      await b.layer.close();
    }
  });
});
