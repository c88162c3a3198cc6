import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseRtp, serializeRtcp, serializeRtp } from '../../../src/media/rtp/index.js';
import {
  createOffer,
  negotiateAnswer,
  readAnswer,
  SdpError,
} from '../../../src/media/sdp/index.js';
import { PortPool, RtpStream, type RtpStreamStats } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import {
  closeSocket,
  concat,
  HOST,
  levelDb,
  mediaTowards,
  negotiatedPair,
  portOf,
  rawSocket,
  sendTo,
  testPool,
  ToneFrames,
  waitFor,
  type Pair,
} from './helpers.js';

const pool = testPool();
after(() => assert.equal(pool.available(), pool.size, 'every test returned its ports'));

/**
 * One 20 ms tick of a conversation: `from` writes a frame, the test waits
 * until `to` has seen every packet sent so far, time moves 20 ms, and `to`
 * reads a frame.
 */
async function tick(
  clock: ManualClock,
  from: RtpStream,
  to: RtpStream,
  frame: Int16Array,
  expectedDatagrams: () => number,
): Promise<{ out: Int16Array; audio: boolean }> {
  from.writeFrame(frame);
  await waitFor(() => to.stats().datagramsReceived >= expectedDatagrams(), 'packets to arrive');
  clock.advance(20);
  const out = new Int16Array(160);
  const audio = to.readFrame(out, clock.now());
  return { out, audio };
}

async function talk(
  pair: Pair,
  clock: ManualClock,
  freq: number,
  frames: number,
): Promise<{ received: Int16Array; audioTicks: number }> {
  const tone = new ToneFrames(freq);
  const outs: Int16Array[] = [];
  let audioTicks = 0;
  for (let i = 0; i < frames; i++) {
    const { out, audio } = await tick(
      clock,
      pair.a,
      pair.b,
      tone.next(),
      () => pair.a.stats().packetsSent,
    );
    outs.push(out);
    if (audio) audioTicks++;
  }
  return { received: concat(outs), audioTicks };
}

function assertTone(samples: Int16Array, freq: number, other: number): void {
  const level = levelDb(samples, freq);
  const leak = levelDb(samples, other);
  assert.ok(level > -20, `${freq} Hz at ${level.toFixed(1)} dBFS`);
  assert.ok(level - leak > 30, `${freq} Hz only ${(level - leak).toFixed(1)} dB above ${other} Hz`);
}

describe('RtpStream: audio between two streams on 127.0.0.1', () => {
  for (const codec of ['PCMU', 'PCMA'] as const) {
    it(`${codec}: a 1 kHz tone written frame by frame is heard as 1 kHz`, async () => {
      const clock = new ManualClock();
      const pair = await negotiatedPair({
        pool,
        clock,
        codecsA: [codec],
        codecsB: ['PCMU', 'PCMA'],
      });
      try {
        assert.equal(pair.mediaB.codec.name, codec);
        const { received, audioTicks } = await talk(pair, clock, 1000, 60);
        // Playout starts after the jitter buffer's target delay; from then on every tick is audio.
        assert.ok(audioTicks >= 55, `${audioTicks} of 60 ticks had audio`);
        assertTone(received.subarray(160 * 10), 1000, 440);
        const b = pair.b.stats();
        assert.equal(b.dropped, 0);
        assert.equal(b.malformed, 0);
        assert.equal(b.packetsLost, 0);
        assert.equal(b.bytesReceived, b.packetsReceived * 160);
        assert.equal(pair.a.stats().packetsSent, 60);
        // And the other way round, 440 Hz from B to A.
        const tone = new ToneFrames(440);
        const outs: Int16Array[] = [];
        for (let i = 0; i < 40; i++) {
          outs.push(
            (await tick(clock, pair.b, pair.a, tone.next(), () => pair.b.stats().packetsSent)).out,
          );
        }
        assertTone(concat(outs).subarray(160 * 10), 440, 1000);
      } finally {
        await pair.close();
      }
    });
  }

  for (const ptime of [40, 30]) {
    it(`ptime ${ptime}: 20 ms frames are repacketised into ${ptime} ms packets and played back whole`, async () => {
      const clock = new ManualClock();
      // B answers A's offer, so B sends with A's a=ptime.
      const pair = await negotiatedPair({ pool, clock, ptimeA: ptime });
      try {
        assert.equal(pair.mediaB.ptime, ptime);
        const tone = new ToneFrames(1000);
        const outs: Int16Array[] = [];
        let audioTicks = 0;
        for (let i = 0; i < 60; i++) {
          const r = await tick(
            clock,
            pair.b,
            pair.a,
            tone.next(),
            () => pair.b.stats().packetsSent,
          );
          outs.push(r.out);
          if (r.audio) audioTicks++;
        }
        const samplesPerPacket = ptime * 8;
        assert.equal(pair.b.stats().packetsSent, Math.floor((60 * 160) / samplesPerPacket));
        const a = pair.a.stats();
        assert.equal(a.bytesReceived / a.packetsReceived, samplesPerPacket);
        assert.equal(a.concealed, 0, 'no tick went without audio once playing');
        assert.ok(audioTicks >= 50, `${audioTicks} of 60 ticks had audio`);
        assertTone(concat(outs).subarray(160 * 12), 1000, 440);
      } finally {
        await pair.close();
      }
    });
  }
});

describe('RtpStream: IPv6', () => {
  it('talks over ::1 with SDP in IN IP6', async () => {
    const clock = new ManualClock();
    const v6pool = new PortPool({ minPort: 41000, maxPort: 41999, bindAddress: '::1' });
    const a = await RtpStream.open({ pool: v6pool, localAddress: '::1', clock });
    const b = await RtpStream.open({ pool: v6pool, localAddress: '::1', clock });
    try {
      const offer = createOffer({
        address: '::1',
        port: a.localPort,
        codecs: ['PCMA'],
        telephoneEvent: true,
      });
      const r = negotiateAnswer(offer, {
        address: '::1',
        port: b.localPort,
        codecs: ['PCMA'],
        telephoneEvent: true,
      });
      if ('error' in r) throw r.error;
      const mediaA = readAnswer(offer, r.answer);
      if (mediaA instanceof SdpError) throw mediaA;
      assert.equal(mediaA.remoteAddress, '::1');
      a.start(mediaA);
      b.start(r.media);
      const tone = new ToneFrames(1000);
      const outs: Int16Array[] = [];
      for (let i = 0; i < 40; i++) {
        outs.push((await tick(clock, a, b, tone.next(), () => a.stats().packetsSent)).out);
      }
      assertTone(concat(outs).subarray(160 * 10), 1000, 440);
      assert.equal(b.stats().dropped, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.equal(v6pool.available(), v6pool.size);
  });
});

describe('RtpStream: DTMF', () => {
  it('"1234#*" sent by one stream arrives once per digit, in order', async () => {
    const clock = new ManualClock();
    const pair = await negotiatedPair({ pool, clock });
    try {
      const got: string[] = [];
      pair.b.on('dtmf', (d) => {
        got.push(d.digit);
        assert.equal(d.durationMs, 100);
      });
      for (const d of '1234#*') assert.equal(pair.a.sendDtmf(d), true);
      assert.equal(pair.a.sendDtmf('x'), false);
      const tone = new ToneFrames(1000);
      // Keep the mixer writing audio all along: it must be suppressed while an event is sent.
      for (let i = 0; i < 200 && pair.a.stats().dtmfSent < 6; i++) {
        pair.a.writeFrame(tone.next());
        await waitFor(
          () => pair.b.stats().datagramsReceived >= pair.a.stats().packetsSent,
          'packets to arrive',
        );
        clock.advance(20);
        pair.b.readFrame(new Int16Array(160), clock.now());
      }
      // A few more ticks: the repeated final reports must not count again.
      for (let i = 0; i < 10; i++) {
        pair.a.writeFrame(tone.next());
        clock.advance(20);
      }
      await waitFor(
        () => pair.b.stats().datagramsReceived >= pair.a.stats().packetsSent,
        'packets to arrive',
      );
      assert.deepEqual(got, ['1', '2', '3', '4', '#', '*']);
      assert.equal(pair.a.stats().dtmfSent, 6);
      assert.equal(pair.b.stats().dtmfReceived, 6);
    } finally {
      await pair.close();
    }
  });

  it('on the wire: RFC 4733 packets every 20 ms, one timestamp per press, no audio in between', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    const packets: {
      at: number;
      pt: number;
      ts: number;
      marker: boolean;
      end: boolean;
      seq: number;
    }[] = [];
    peer.on('message', (m) => {
      const p = parseRtp(m);
      if (p)
        packets.push({
          at: clock.now(),
          pt: p.payloadType,
          ts: p.timestamp,
          marker: p.marker,
          end: p.payloadType === 101 && (p.payload[1] & 0x80) !== 0,
          seq: p.sequenceNumber,
        });
    });
    try {
      s.start(mediaTowards(portOf(peer)));
      const tone = new ToneFrames(1000);
      let expected = 0;
      const step = async (): Promise<void> => {
        s.writeFrame(tone.next());
        expected = s.stats().packetsSent;
        await waitFor(() => packets.length >= expected, 'packets at the peer');
        clock.advance(20);
      };
      for (let i = 0; i < 3; i++) await step();
      assert.equal(s.sendDtmf('5'), true);
      assert.equal(s.sendDtmf('5', 60), true);
      for (let i = 0; i < 30; i++) await step();
      const events = packets.filter((p) => p.pt === 101);
      const stamps = [...new Set(events.map((p) => p.ts))];
      assert.equal(stamps.length, 2, 'two presses, two timestamps (so "55" is two digits)');
      for (const ts of stamps) {
        const press = events.filter((p) => p.ts === ts);
        assert.equal(press[0].marker, true);
        assert.ok(press.slice(1).every((p) => !p.marker));
        assert.equal(
          press.filter((p) => p.end).length,
          3,
          'the final report three times (RFC 4733 §2.5.1.4)',
        );
        // Paced at 20 ms on the clock.
        for (let i = 1; i < press.length; i++) assert.equal(press[i].at - press[i - 1].at, 20);
        // No audio packet between the first and the last packet of the press.
        const first = packets.indexOf(press[0]);
        const last = packets.indexOf(press[press.length - 1]);
        assert.ok(packets.slice(first, last + 1).every((p) => p.pt === 101));
      }
      // Sequence numbers run on without a gap across audio and events.
      for (let i = 1; i < packets.length; i++)
        assert.equal(packets[i].seq, (packets[i - 1].seq + 1) & 0xffff);
      // Audio resumed after the events, with timestamps past the events' end.
      const lastAudio = packets[packets.length - 1];
      assert.equal(lastAudio.pt, 0);
      assert.ok(((lastAudio.ts - stamps[1]) | 0) >= 480);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });

  it('no DTMF while we do not send, or when telephone-event was not negotiated', async () => {
    const clock = new ManualClock();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      assert.equal(s.sendDtmf('1'), false, 'not started');
      s.start(mediaTowards(9, { telephoneEventPt: null }));
      assert.equal(s.sendDtmf('1'), false);
      s.update(mediaTowards(9, { direction: 'recvonly' }));
      assert.equal(s.sendDtmf('1'), false);
      s.update(mediaTowards(9));
      assert.equal(s.sendDtmf('1'), true);
    } finally {
      await s.close();
    }
  });
});

describe('RtpStream: sources', () => {
  it('drops and counts packets from an unsignalled port, or host, and before start', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const stranger = await rawSocket();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      const pkt = (seq: number): Buffer =>
        serializeRtp({
          payloadType: 0,
          sequenceNumber: seq,
          timestamp: seq * 160,
          ssrc: 7,
          payload: Buffer.alloc(160, 0x10),
        });
      await sendTo(peer, pkt(1), s.localPort);
      await waitFor(() => s.stats().dropped === 1, 'the pre-start packet to be dropped');
      s.start(mediaTowards(portOf(peer)));
      for (let i = 0; i < 10; i++) await sendTo(stranger, pkt(100 + i), s.localPort);
      await sendTo(
        stranger,
        serializeRtcp([{ type: 'RR', ssrc: 7, reports: [] }]),
        s.localPort + 1,
      );
      await waitFor(() => s.stats().dropped === 12, 'stranger packets to be dropped');
      for (let i = 0; i < 4; i++) await sendTo(peer, pkt(200 + i), s.localPort);
      await waitFor(() => s.stats().packetsReceived === 3, 'the peer to be heard');
      const st: RtpStreamStats = s.stats();
      assert.equal(st.dropped, 12);
      assert.equal(st.remoteSsrc, 7);
      assert.equal(st.latched, false);
    } finally {
      await s.close();
      await closeSocket(peer);
      await closeSocket(stranger);
    }
  });

  it('latch mode: follows the first source from the signalled host (NAT), once, and answers it', async () => {
    const clock = new ManualClock();
    const natted = await rawSocket(); // the peer's real (translated) port
    const other = await rawSocket(); // another port of the same host
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    const strict = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      // The SDP says port 9; the peer's packets come from elsewhere on that host.
      s.start(mediaTowards(9), { latch: true });
      strict.start(mediaTowards(9));
      const pkt = (seq: number): Buffer =>
        serializeRtp({
          payloadType: 0,
          sequenceNumber: seq,
          timestamp: seq * 160,
          ssrc: 99,
          payload: Buffer.alloc(160, 0x20),
        });
      for (let i = 0; i < 3; i++) {
        await sendTo(natted, pkt(i), s.localPort);
        await sendTo(natted, pkt(i), strict.localPort);
      }
      await waitFor(
        () => s.stats().packetsReceived === 2 && strict.stats().dropped === 3,
        'latched and strict streams',
      );
      assert.equal(s.stats().latched, true);
      assert.equal(strict.stats().packetsReceived, 0);
      // Latched once: the same host on another port is now a stranger.
      await sendTo(other, pkt(3), s.localPort);
      await waitFor(() => s.stats().dropped === 1, 'the second port to be dropped');
      // Replies go to the latched source, not to the signalled port 9.
      const heard = new Promise<Buffer>((resolve) => natted.once('message', (m) => resolve(m)));
      s.writeFrame(new Int16Array(160));
      const reply = parseRtp(await heard);
      assert.equal(reply?.ssrc, s.stats().ssrc);
    } finally {
      await Promise.all([s.close(), strict.close()]);
      await closeSocket(natted);
      await closeSocket(other);
    }
  });

  it('counts malformed datagrams and unknown payload types, and reports an SSRC change', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      s.start(mediaTowards(portOf(peer)));
      const changes: { previous: number; current: number }[] = [];
      s.on('ssrc-change', (c) => changes.push(c));
      const garbage = [
        Buffer.from('hello'),
        Buffer.alloc(0),
        Buffer.from([0x80]),
        Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      ];
      for (const g of garbage) await sendTo(peer, g, s.localPort);
      // An RTCP SR claiming 40 bytes, on the RTP port (the rtcp-mux path).
      await sendTo(peer, Buffer.from([0x80, 0xc8, 0, 9]), s.localPort);
      const pkt = (ssrc: number, seq: number, pt = 0, size = 160): Buffer =>
        serializeRtp({
          payloadType: pt,
          sequenceNumber: seq,
          timestamp: seq * 160,
          ssrc,
          payload: Buffer.alloc(size, 0x30),
        });
      for (let i = 0; i < 3; i++) await sendTo(peer, pkt(1, i), s.localPort);
      await sendTo(peer, pkt(1, 3, 18), s.localPort); // G.729: never negotiated
      await sendTo(peer, pkt(1, 4, 0, 0), s.localPort); // empty audio payload
      for (let i = 0; i < 3; i++) await sendTo(peer, pkt(2, 500 + i), s.localPort);
      await waitFor(() => s.stats().datagramsReceived === 13, 'all datagrams');
      const st = s.stats();
      assert.equal(st.malformed, 4 + 1 + 1);
      assert.equal(st.unknownPayload, 1);
      assert.deepEqual(changes, [{ previous: 1, current: 2 }]);
      assert.equal(st.ssrcChanges, 1);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });
});

describe('RtpStream: loss and reordering through a relay', () => {
  it('5 % loss and reordering: audio continues, loss counted at about 5 %', async () => {
    const clock = new ManualClock();
    const pair = await negotiatedPair({ pool, clock });
    // A relay between A and B: A sends to relayIn, which forwards to B from relayOut,
    // dropping every 20th packet and swapping every 7th with the one after it.
    const relayIn = await rawSocket();
    const relayOut = await rawSocket();
    let seen = 0;
    let forwarded = 0;
    let held: Buffer | null = null;
    relayIn.on('message', (msg) => {
      seen++;
      if (seen % 20 === 0) return;
      if (seen % 7 === 0 && held === null) {
        held = msg;
        return;
      }
      relayOut.send(msg, pair.b.localPort, HOST);
      forwarded++;
      if (held) {
        relayOut.send(held, pair.b.localPort, HOST);
        forwarded++;
        held = null;
      }
    });
    try {
      pair.a.update({
        ...pair.mediaA,
        remotePort: portOf(relayIn),
        remoteRtcpPort: portOf(relayIn) + 1,
      });
      pair.b.update({
        ...pair.mediaB,
        remotePort: portOf(relayOut),
        remoteRtcpPort: portOf(relayOut) + 1,
      });
      const tone = new ToneFrames(1000);
      const outs: Int16Array[] = [];
      let audioTicks = 0;
      const frames = 400;
      for (let i = 0; i < frames; i++) {
        pair.a.writeFrame(tone.next());
        await waitFor(
          () => seen === i + 1 && pair.b.stats().datagramsReceived === forwarded,
          'the relay',
        );
        clock.advance(20);
        const out = new Int16Array(160);
        if (pair.b.readFrame(out, clock.now())) audioTicks++;
        outs.push(out);
      }
      const b = pair.b.stats();
      const lossRate = b.packetsLost / b.packetsExpected;
      assert.ok(lossRate > 0.04 && lossRate < 0.06, `loss ${(lossRate * 100).toFixed(1)} %`);
      assert.ok(b.concealed > 0, 'lost packets were concealed');
      assert.ok(audioTicks >= frames - 5, `${audioTicks} of ${frames} ticks had audio`);
      assertTone(concat(outs).subarray(160 * 10), 1000, 440);
    } finally {
      await pair.close();
      await closeSocket(relayIn);
      await closeSocket(relayOut);
    }
  });
});

describe('RtpStream: RTCP', () => {
  it('exchanges SR/RR reports on the RTCP ports, and a BYE on close', async () => {
    const clock = new ManualClock();
    const pair = await negotiatedPair({ pool, clock, streamOptions: { random: () => 0.5 } });
    let closed = false;
    try {
      const rtcpSeen: string[] = [];
      pair.a.on('rtcp', (packets) => rtcpSeen.push(packets.map((p) => p.type).join('+')));
      const tone = new ToneFrames(1000);
      for (let i = 0; i < 600; i++) {
        pair.a.writeFrame(tone.next());
        pair.b.writeFrame(tone.next());
        const wantA = pair.b.stats().packetsSent + pair.b.stats().rtcpSent;
        const wantB = pair.a.stats().packetsSent + pair.a.stats().rtcpSent;
        await waitFor(
          () =>
            pair.a.stats().datagramsReceived >= wantA && pair.b.stats().datagramsReceived >= wantB,
          'packets both ways',
        );
        clock.advance(20);
      }
      const a = pair.a.stats();
      const b = pair.b.stats();
      assert.ok(
        a.rtcpSent >= 2 && b.rtcpSent >= 2,
        `${a.rtcpSent} / ${b.rtcpSent} reports sent in 12 s`,
      );
      assert.ok(a.reportsReceived >= 1 && b.reportsReceived >= 1);
      assert.deepEqual(a.remote && { lost: a.remote.packetsLost }, { lost: 0 });
      assert.ok(a.roundTripMs !== null && a.roundTripMs >= 0);
      assert.ok(
        rtcpSeen.every((t) => t === 'SR+SDES'),
        rtcpSeen.join(', '),
      );
      await pair.a.close();
      closed = true;
      await waitFor(() => pair.b.stats().byeReceived, 'the BYE');
    } finally {
      if (!closed) await pair.a.close();
      await pair.b.close();
    }
  });

  it('rtcp-mux: reports go to and come from the RTP port, and keep the peer alive', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({
      pool,
      localAddress: HOST,
      clock,
      rtcpIntervalMs: 1000,
      inactivityTimeoutMs: 5000,
    });
    const timeouts: number[] = [];
    s.on('timeout', (t) => timeouts.push(t.silentMs));
    try {
      s.start(mediaTowards(portOf(peer), { remoteRtcpPort: portOf(peer) }));
      const got = new Promise<Buffer>((resolve) => peer.once('message', (m) => resolve(m)));
      clock.advance(1000);
      const report = await got;
      assert.equal(report[1], 201, 'an RR (we sent no media) on the RTP port');
      await sendTo(
        peer,
        serializeRtcp([
          {
            type: 'RR',
            ssrc: 5,
            reports: [
              {
                ssrc: s.stats().ssrc,
                fractionLost: 0,
                cumulativeLost: 0,
                highestSeq: 0,
                jitter: 0,
                lsr: 0,
                dlsr: 0,
              },
            ],
          },
        ]),
        s.localPort,
      );
      await waitFor(() => s.stats().reportsReceived === 1, 'the muxed RR');
      assert.equal(s.stats().malformed, 0);
      // No RTP ever, but the RR at 1 s: the 5 s timeout counts from it.
      clock.advance(4_999);
      assert.deepEqual(timeouts, []);
      clock.advance(1);
      assert.deepEqual(timeouts, [5_000]);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });
});

describe('RtpStream: direction, timeout, lifecycle', () => {
  it('hold and resume by update(): no RTP sent without "send", silence without "recv"', async () => {
    const clock = new ManualClock();
    const pair = await negotiatedPair({ pool, clock });
    try {
      const tone = new ToneFrames(1000);
      for (let i = 0; i < 10; i++)
        await tick(clock, pair.a, pair.b, tone.next(), () => pair.a.stats().packetsSent);
      // The peer put us on hold (it is sendonly): we are recvonly and stop sending.
      pair.a.update({ ...pair.mediaA, direction: 'recvonly', remoteDirection: 'sendonly' });
      const sent = pair.a.stats().packetsSent;
      for (let i = 0; i < 10; i++) pair.a.writeFrame(tone.next());
      assert.equal(pair.a.stats().packetsSent, sent);
      // We hold B: B is sendonly and does not expect media, reads silence.
      pair.b.update({ ...pair.mediaB, direction: 'sendonly' });
      assert.equal(pair.b.readFrame(new Int16Array(160), clock.now()), false);
      // Resume both.
      pair.a.update(pair.mediaA);
      pair.b.update(pair.mediaB);
      const r = [];
      for (let i = 0; i < 10; i++)
        r.push(await tick(clock, pair.a, pair.b, tone.next(), () => pair.a.stats().packetsSent));
      assert.ok(r.slice(3).every((x) => x.audio));
      assert.equal(pair.a.stats().packetsSent, sent + 10);
    } finally {
      await pair.close();
    }
  });

  it('emits timeout once after the configured silence of RTP and RTCP; an RTCP report counts as life', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const s = await RtpStream.open({
      pool,
      localAddress: HOST,
      clock,
      inactivityTimeoutMs: 10_000,
    });
    try {
      const timeouts: { silentMs: number; held: boolean }[] = [];
      s.on('timeout', (t) => timeouts.push(t));
      s.start(mediaTowards(9, { remoteRtcpPort: portOf(peer) }));
      clock.advance(6_000);
      // A peer sending no RTP (silence suppression, a muted phone) but its RTCP is there.
      await sendTo(peer, serializeRtcp([{ type: 'RR', ssrc: 7, reports: [] }]), s.localPort + 1);
      await waitFor(() => s.stats().rtcpReceived === 1, 'the RTCP report to arrive');
      clock.advance(9_999);
      assert.deepEqual(timeouts, [], 'timed out although RTCP came 10 s ago');
      clock.advance(1);
      assert.deepEqual(timeouts, [{ silentMs: 10_000, held: false }]);
      clock.advance(60_000);
      assert.equal(timeouts.length, 1);
    } finally {
      await s.close();
      await closeSocket(peer);
    }
  });

  it('on hold (either way) the hold timeout watches the peer, kept alive by its RTCP; 0 never times out', async () => {
    const clock = new ManualClock();
    const peer = await rawSocket();
    const opts = { pool, localAddress: HOST, clock, inactivityTimeoutMs: 1_000 };
    const held = await RtpStream.open({ ...opts, holdTimeoutMs: 20_000 });
    const never = await RtpStream.open({ ...opts, holdTimeoutMs: 0 });
    try {
      const timeouts: { silentMs: number; held: boolean }[] = [];
      held.on('timeout', (t) => timeouts.push(t));
      never.on('timeout', () => assert.fail('a hold timeout of 0 fired'));
      // We hold the peer (sendonly): it sends no RTP, only RTCP (RFC 3264 §5.1).
      held.start(mediaTowards(9, { direction: 'sendonly', remoteRtcpPort: portOf(peer) }));
      never.start(mediaTowards(9, { direction: 'inactive' }));
      for (let i = 0; i < 5; i++) {
        clock.advance(15_000);
        await sendTo(
          peer,
          serializeRtcp([{ type: 'RR', ssrc: 7, reports: [] }]),
          held.localPort + 1,
        );
        await waitFor(() => held.stats().rtcpReceived === i + 1, 'the RTCP report to arrive');
      }
      assert.deepEqual(timeouts, [], 'a held peer sending RTCP timed out');
      clock.advance(20_000);
      assert.deepEqual(timeouts, [{ silentMs: 20_000, held: true }]);
      // Resumed: the (shorter) inactivity timeout from now.
      held.update(mediaTowards(9, { remoteRtcpPort: portOf(peer) }));
      clock.advance(1_000);
      assert.deepEqual(timeouts.at(-1), { silentMs: 1_000, held: false });
      clock.advance(600_000);
    } finally {
      await held.close();
      await never.close();
      await closeSocket(peer);
    }
  });

  it('defaults to a 30 s timeout', async () => {
    const clock = new ManualClock();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    try {
      let fired = false;
      s.on('timeout', () => (fired = true));
      s.start(mediaTowards(9));
      clock.advance(29_999);
      assert.equal(fired, false);
      clock.advance(1);
      assert.equal(fired, true);
    } finally {
      await s.close();
    }
  });

  it('before start, after close: silence, nothing sent, no throw; close is idempotent and clears timers', async () => {
    const clock = new ManualClock();
    const s = await RtpStream.open({ pool, localAddress: HOST, clock });
    const out = new Int16Array(160).fill(5);
    assert.equal(s.readFrame(out, 0), false);
    assert.ok(out.every((x) => x === 0));
    s.writeFrame(new Int16Array(160));
    assert.equal(s.stats().packetsSent, 0);
    s.start(mediaTowards(9));
    const events: string[] = [];
    s.on('close', (e) => events.push(e.reason));
    await Promise.all([s.close(), s.close()]);
    assert.deepEqual(events, ['closed']);
    s.writeFrame(new Int16Array(160));
    s.update(mediaTowards(9));
    s.start(mediaTowards(9));
    assert.equal(s.readFrame(out, 0), false);
    assert.equal(clock.armed(), 0);
  });

  it('refuses a bad local address and bad NegotiatedMedia (programming errors)', async () => {
    await assert.rejects(RtpStream.open({ pool, localAddress: 'localhost' }), TypeError);
    const s = await RtpStream.open({ pool, localAddress: HOST, clock: new ManualClock() });
    try {
      assert.throws(() => s.start(mediaTowards(9, { remoteAddress: 'example.com' })), TypeError);
      assert.throws(() => s.start(mediaTowards(70000)), RangeError);
    } finally {
      await s.close();
    }
  });
});
