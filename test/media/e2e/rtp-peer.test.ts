/**
 * The RTP test peer itself, checked against a plain UDP socket and a real
 * RtpStream: the e2e tests above are only as good as this peer.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, it } from 'node:test';
import { toneLevelDb } from '../../../src/media/audio/index.js';
import { parseTelephoneEvent } from '../../../src/media/dtmf/index.js';
import { parseRtp, type RtpPacket } from '../../../src/media/rtp/index.js';
import { PortPool, RtpStream, type DtmfEvent } from '../../../src/media/stream/index.js';
import { RtpTestPeer } from '../../support/rtp-peer.js';
import { HOST, negotiated } from './conference.js';

/** A bare socket that keeps every RTP packet it receives (copies: parseRtp returns views). */
async function sink(): Promise<{ socket: Socket; port: number; packets: RtpPacket[] }> {
  const socket = createSocket('udp4');
  const packets: RtpPacket[] = [];
  socket.on('message', (msg) => {
    const p = parseRtp(Buffer.from(msg));
    if (p) packets.push(p);
  });
  await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
  return { socket, port: socket.address().port, packets };
}

describe('RtpTestPeer', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function peer(opts: Parameters<typeof RtpTestPeer.open>[0]): Promise<RtpTestPeer> {
    const p = await RtpTestPeer.open(opts);
    cleanup.push(() => p.close());
    return p;
  }

  async function openSink() {
    const s = await sink();
    cleanup.push(() => new Promise((r) => s.socket.close(() => r())));
    return s;
  }

  it('sends paced 20 ms G.711 packets with consecutive sequence numbers and timestamps', async () => {
    const s = await openSink();
    const p = await peer({ codec: 'PCMA' });
    p.setRemote(s.port);
    await p.sendTone(1000, 400);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.packets.length, 20);
    s.packets.forEach((pkt, i) => {
      assert.equal(pkt.payloadType, 8);
      assert.equal(pkt.ssrc, p.ssrc);
      assert.equal(pkt.payload.length, 160);
      assert.equal(pkt.sequenceNumber, (s.packets[0].sequenceNumber + i) & 0xffff);
      assert.equal(pkt.timestamp, (s.packets[0].timestamp + 160 * i) >>> 0);
    });
    assert.equal(s.packets[0].marker, true);
  });

  it('drops and reorders on request, repeatably', async () => {
    const s = await openSink();
    const p = await peer({ codec: 'PCMU', loss: 0.1, reorder: 0.1, seed: 3 });
    p.setRemote(s.port);
    await p.sendTone(440, 2000);
    await new Promise((r) => setTimeout(r, 50));
    const stats = p.stats();
    assert.equal(stats.sent + stats.dropped, 100);
    assert.equal(s.packets.length, stats.sent);
    const seqs = s.packets.map((x) => x.sequenceNumber - s.packets[0].sequenceNumber);
    const outOfOrder = seqs.filter((v, i) => i > 0 && v < seqs[i - 1]).length;
    assert.ok(stats.dropped > 0 && stats.reordered > 0, JSON.stringify(stats));
    assert.equal(outOfOrder, stats.reordered);
    // Every packet is distinct, and all come from one run of 100 sequence numbers
    // (a dropped packet still used its number up).
    assert.equal(new Set(seqs).size, seqs.length);
    assert.ok(Math.max(...seqs) - Math.min(...seqs) < 100);
  });

  it('decodes what it receives, in arrival order', async () => {
    const a = await peer({ codec: 'PCMU' });
    const b = await peer({ codec: 'PCMU' });
    a.setRemote(b.port);
    const t0 = b.now();
    await a.sendTone(440, 500);
    await new Promise((r) => setTimeout(r, 50));
    const got = b.received();
    assert.equal(got.length, 25 * 160);
    assert.ok(toneLevelDb(got, 8000, 440) > -15);
    assert.ok(toneLevelDb(got, 8000, 1000) < -60);
    assert.equal(b.receivedSince(t0).length, got.length);
    assert.equal(b.receivedSince(b.now() + 1).length, 0);
  });

  it('sends RFC 4733 key presses that a real RtpStream decodes', async () => {
    const s = await openSink();
    const p = await peer({ codec: 'PCMU' });
    p.setRemote(s.port);
    await p.sendDtmf('7', 100);
    await new Promise((r) => setTimeout(r, 50));
    const events = s.packets.filter((x) => x.payloadType === 101);
    assert.equal(events.length, 5 + 2, 'five updates, the end sent three times');
    assert.ok(events.every((e) => e.timestamp === events[0].timestamp));
    assert.equal(events[0].marker, true);
    const last = parseTelephoneEvent(events.at(-1)!.payload);
    assert.equal(last?.event, 7);
    assert.equal(last?.end, true);

    const base = 40000 + 2 * Math.floor(Math.random() * 5000);
    const pool = new PortPool({ minPort: base, maxPort: base + 99, bindAddress: HOST });
    const stream = await RtpStream.open({ pool, localAddress: HOST });
    cleanup.push(() => stream.close());
    const sender = await peer({ codec: 'PCMU' });
    stream.start(negotiated('PCMU', sender));
    sender.setRemote(stream.localPort);
    const digits: DtmfEvent[] = [];
    stream.on('dtmf', (d) => digits.push(d));
    sender.startTone(440);
    await new Promise((r) => setTimeout(r, 200));
    await sender.sendDtmf('5', 120);
    await sender.sendDtmf('#', 80);
    await new Promise((r) => setTimeout(r, 200));
    sender.stop();
    assert.deepEqual(
      digits.map((d) => d.digit),
      ['5', '#'],
    );
  });
});
