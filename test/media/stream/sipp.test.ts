/**
 * Interop with SIPp 3.6 as the RTP peer: its RTP echo, its rtp_stream
 * player, and the RFC 2833 DTMF pcap shipped with the sip-tester package.
 * Media runs on the real clock here, read by a 20 ms "mixer" interval, as in
 * production.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { negotiateAnswer } from '../../../src/media/sdp/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';
import { SipPeer } from '../../support/sipp.js';
import { freeUdpPortPair } from '../../support/ports.js';
import { concat, HOST, levelDb, mediaTowards, testPool, ToneFrames, waitFor } from './helpers.js';
import { startResponder } from './sip-responder.js';

const SCENARIOS = new URL('./scenarios/', import.meta.url).pathname;
const DTMF_PCAP = '/usr/share/sip-tester/dtmf_2833_1.pcap';
const pool = testPool();
const work = mkdtempSync(join(tmpdir(), 'partyline-stream-sipp-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
  assert.equal(pool.available(), pool.size, 'every test returned its ports');
});

/** A 20 ms interval reading the stream, as the mixer will; returns the frames that held audio. */
function mixer(
  stream: RtpStream,
  write?: () => Int16Array,
): { frames: Int16Array[]; stop: () => void } {
  const frames: Int16Array[] = [];
  const timer = setInterval(() => {
    if (write) stream.writeFrame(write());
    const out = new Int16Array(160);
    if (stream.readFrame(out, performance.now())) frames.push(out);
  }, 20);
  return { frames, stop: () => clearInterval(timer) };
}

/** SDP answer for SIPp's offer, with the stream started on it. */
function answerWith(stream: RtpStream): (offer: string) => string {
  return (offer) => {
    const r = negotiateAnswer(offer, {
      address: HOST,
      port: stream.localPort,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: true,
    });
    if ('error' in r) throw r.error;
    stream.start(r.media);
    return r.answer;
  };
}

describe('RtpStream with SIPp', () => {
  it('SIPp -rtp_echo sends our 1 kHz tone back, and we hear it', async () => {
    const echoPort = await freeUdpPortPair();
    const sipp = await SipPeer.start({
      scenario: join(SCENARIOS, 'uas-idle.xml'),
      args: ['-rtp_echo', '-mp', String(echoPort)],
      timeoutSeconds: 30,
    });
    const stream = await RtpStream.open({ pool, localAddress: HOST });
    const tone = new ToneFrames(1000);
    const m = mixer(stream, () => tone.next());
    try {
      stream.start(mediaTowards(echoPort));
      await sipp.during(waitFor(() => m.frames.length >= 50, '1 s of echoed audio'));
      m.stop();
      const st = stream.stats();
      assert.equal(st.dropped, 0, 'the echo comes from the signalled port');
      assert.ok(st.packetsReceived >= 50);
      const heard = concat(m.frames.slice(5));
      assert.ok(levelDb(heard, 1000) > -20, `1 kHz at ${levelDb(heard, 1000).toFixed(1)} dBFS`);
      assert.ok(levelDb(heard, 1000) - levelDb(heard, 440) > 30);
    } finally {
      m.stop();
      await stream.close();
      await sipp.stop();
    }
  });

  it('SIPp rtp_stream plays a 440 Hz mu-law WAV; the stream hears 440 Hz', async () => {
    const wav = join(work, 'tone-440.wav');
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'u-law',
      wav,
      'synth',
      '3',
      'sine',
      '440',
      'vol',
      '0.5',
    ]);
    const scenario = join(work, 'uac-rtp-stream.xml');
    writeFileSync(
      scenario,
      readFileSync(join(SCENARIOS, 'uac-rtp-stream.xml'), 'utf8').replaceAll('@TONE_WAV@', wav),
    );

    const stream = await RtpStream.open({ pool, localAddress: HOST });
    const responder = await startResponder(answerWith(stream));
    const m = mixer(stream);
    const sipp = await SipPeer.start({ scenario, remote: `${HOST}:${responder.port}` });
    try {
      await sipp.passed();
      await responder.bye;
      await waitFor(
        () => stream.readFrame(new Int16Array(160), performance.now()) === false,
        'the jitter buffer to drain',
      );
      m.stop();
      const st = stream.stats();
      assert.equal(st.dropped, 0);
      assert.ok(st.packetsReceived >= 50, `${st.packetsReceived} packets`);
      assert.ok(m.frames.length >= 50, `${m.frames.length} frames of audio`);
      const heard = concat(m.frames.slice(5));
      const level = levelDb(heard, 440);
      assert.ok(level > -20, `440 Hz at ${level.toFixed(1)} dBFS`);
      assert.ok(level - levelDb(heard, 1000) > 30);
    } finally {
      m.stop();
      await sipp.stop();
      await stream.close();
      await responder.close();
    }
  });

  it(
    'the RFC 2833 digit SIPp plays from its bundled pcap arrives once',
    { skip: !existsSync(DTMF_PCAP) && `${DTMF_PCAP} not installed` },
    async () => {
      const stream = await RtpStream.open({ pool, localAddress: HOST });
      const digits: { digit: string; durationMs: number }[] = [];
      stream.on('dtmf', (d) => digits.push(d));
      const responder = await startResponder(answerWith(stream));
      const m = mixer(stream);
      const sipp = await SipPeer.start({
        scenario: join(SCENARIOS, 'uac-dtmf-pcap.xml'),
        remote: `${HOST}:${responder.port}`,
      });
      try {
        const offer = await sipp.during(responder.offer);
        assert.match(offer, /telephone-event\/8000/);
        await sipp.passed();
        await responder.bye;
        // The pcap holds one press of "1": 8 updates, the final report three times, 280 ms long.
        await waitFor(() => stream.stats().datagramsReceived >= 10, 'the pcap packets');
        assert.deepEqual(digits, [{ digit: '1', durationMs: 280 }]);
        assert.equal(stream.stats().dropped, 0);
      } finally {
        m.stop();
        await sipp.stop();
        await stream.close();
        await responder.close();
      }
    },
  );
});
