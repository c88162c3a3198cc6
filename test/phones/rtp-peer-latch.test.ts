/**
 * RtpTestPeer's `latch` option, which the phones rely on: the peer sends
 * to the source of the first RTP packet it receives (symmetric RTP,
 * RFC 4961), once, until relatch(); without it nothing changes.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, it } from 'node:test';
import { systemClock } from '../../src/clock/index.js';
import { RtpSession } from '../../src/media/rtp/index.js';
import { RtpTestPeer } from '../support/rtp-peer.js';
import { sleep } from '../support/phones/index.js';

const HOST = '127.0.0.1';

interface Sink {
  socket: Socket;
  port: number;
  received: number;
  /** Sends one PCMU packet of silence to `port` from this socket. */
  sendRtp(port: number): void;
}

async function openSink(): Promise<Sink> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
  const session = new RtpSession({ clock: systemClock, cname: 'sink' });
  const sink: Sink = {
    socket,
    port: socket.address().port,
    received: 0,
    sendRtp(port) {
      socket.send(session.nextPacket(Buffer.alloc(160, 0xff), 0, 160), port, HOST);
    },
  };
  socket.on('message', () => sink.received++);
  return sink;
}

describe('RtpTestPeer latch', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function peer(latch?: boolean): Promise<RtpTestPeer> {
    const p = await RtpTestPeer.open({ codec: 'PCMU', latch });
    cleanup.push(() => p.close());
    return p;
  }

  async function sink(): Promise<Sink> {
    const s = await openSink();
    cleanup.push(() => new Promise((r) => s.socket.close(() => r())));
    return s;
  }

  it('sends to where the first RTP came from, over a setRemote() target, once', async () => {
    const p = await peer(true);
    const signalled = await sink();
    const first = await sink();
    const second = await sink();
    p.setRemote(signalled.port);
    first.sendRtp(p.port);
    await sleep(50);
    assert.equal(p.isLatched, true);
    assert.deepEqual(p.remoteEndpoint, { host: HOST, port: first.port });
    second.sendRtp(p.port);
    await sleep(50);
    assert.deepEqual(p.remoteEndpoint, { host: HOST, port: first.port }, 'latches once');
    await p.sendTone(440, 100);
    await sleep(50);
    assert.equal(first.received, 5);
    assert.equal(signalled.received, 0);
    assert.equal(second.received, 0);
  });

  it('relatch() takes the next source (a new call)', async () => {
    const p = await peer(true);
    const a = await sink();
    const b = await sink();
    a.sendRtp(p.port);
    await sleep(50);
    p.relatch();
    assert.equal(p.isLatched, false);
    b.sendRtp(p.port);
    await sleep(50);
    assert.deepEqual(p.remoteEndpoint, { host: HOST, port: b.port });
  });

  it('without latch the remote stays what setRemote() said', async () => {
    const p = await peer();
    const signalled = await sink();
    const other = await sink();
    p.setRemote(signalled.port);
    other.sendRtp(p.port);
    await sleep(50);
    assert.equal(p.isLatched, false);
    assert.deepEqual(p.remoteEndpoint, { host: HOST, port: signalled.port });
    assert.equal(p.stats().received, 1);
  });

  it('receivedBetween() keeps only the packets of the window', async () => {
    const p = await peer();
    const s = await sink();
    s.sendRtp(p.port);
    await sleep(30);
    const mid = p.now();
    s.sendRtp(p.port);
    s.sendRtp(p.port);
    await sleep(30);
    assert.equal(p.receivedBetween(0, mid).length, 160);
    assert.equal(p.receivedBetween(mid, p.now() + 1).length, 320);
  });
});
