/**
 * The virtual phones (src/phones) on their own, against our SIP stack as
 * the caller (test/phones/caller.ts: a UserAgent + RtpStream sending
 * 1 kHz): a phone rings, answers, speaks and hears; it follows the caller's
 * hold re-INVITE; a silent phone sends nothing; and a speech voice keeps
 * its phrase out of every frequency the demo's checks listen at, so speech
 * can never pass for another phone's pilot tone.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { FRAME_SAMPLES, PortPool, SAMPLE_RATE, toneLevelDb } from '../../src/media/index.js';
import {
  HEARD_DB,
  NOT_HEARD_DB,
  VirtualPhone,
  speak,
  speechVoice,
  toneVoice,
  type Voice,
} from '../../src/phones/index.js';
import { AudioCall, HOST, OUR_TONE_HZ, answered, startCaller } from '../phones/caller.js';
import { waitFor } from '../support/phones/index.js';

const PHONE_HZ = 1600;

async function phoneAndCaller(
  t: TestContext,
  opts: { silent?: boolean; voice?: Voice } = {},
): Promise<{ phone: VirtualPhone; call: AudioCall }> {
  const base = 40000 + 2 * Math.floor(Math.random() * 5000);
  const phone = await VirtualPhone.start({
    name: 'customer',
    voice: opts.voice ?? toneVoice(PHONE_HZ),
    pool: new PortPool({ minPort: base, maxPort: base + 19, bindAddress: HOST }),
    answerAfterMs: 100,
    silent: opts.silent,
  });
  t.after(() => phone.close());
  const caller = await startCaller();
  t.after(() => caller.close());
  const call = await AudioCall.dial(caller, phone.uri);
  t.after(() => call.close());
  const progress: number[] = [];
  call.call.on('progress', (p) => progress.push(p.status));
  await answered(call.call);
  // (A 180 may come twice: the INVITE server transaction repeats it for a retransmitted INVITE.)
  assert.ok(
    progress.length > 0 && progress.every((s) => s === 180),
    `it rings before it answers: ${progress.join()}`,
  );
  return { phone, call };
}

function phoneHears(phone: VirtualPhone, hz: number): Promise<number> {
  return waitFor(
    () => {
      const db = phone.levelDb(hz);
      return db >= HEARD_DB ? db : undefined;
    },
    5_000,
    () => `the phone does not hear ${hz} Hz: ${phone.levelDb(hz).toFixed(1)} dB`,
  );
}

test('a virtual phone rings, answers, speaks its tone and hears the caller', async (t) => {
  const { phone, call } = await phoneAndCaller(t);
  assert.equal(phone.uri, `sip:customer@${HOST}:${/:(\d+)$/.exec(phone.uri)![1]}`);
  await call.waitHearing(PHONE_HZ);
  await phoneHears(phone, OUR_TONE_HZ);
  assert.ok(phone.levelDb(PHONE_HZ) < NOT_HEARD_DB, 'it does not hear itself');
  // Held by the caller (sendonly offer): the phone answers recvonly and stops sending.
  await call.hold();
  await call.waitSilence();
  await call.resume();
  await call.waitHearing(PHONE_HZ);
  // It hangs up like a person: BYE, and it is out of the call.
  const ended = new Promise((resolve) => call.call.once('ended', resolve));
  phone.hangup();
  await ended;
  await waitFor(
    () => (phone.inCall ? undefined : true),
    5_000,
    () => 'still in the call',
  );
});

test('a silent virtual phone is not heard, yet still hears', async (t) => {
  const { phone, call } = await phoneAndCaller(t, { silent: true });
  await phoneHears(phone, OUR_TONE_HZ);
  await call.waitSilence();
  call.call.hangup();
});

test('speech over a pilot tone: the pilot is heard, the phrase stays out of every listened frequency', async (t) => {
  const phrase = await speak('Hello, this is Alice, your agent.', 'en-us+f3');
  if (!phrase) return t.skip('espeak-ng is not installed');
  const listened = [1200, 1600, 2000, 440, 660];
  const voice = speechVoice('Hello', phrase, 1200, listened);
  const source = voice.open();
  const seconds = 6;
  const audio = new Int16Array(seconds * SAMPLE_RATE);
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let at = 0; at < audio.length; at += FRAME_SAMPLES) {
    source.read(frame);
    audio.set(frame, at);
  }
  const window = (400 * SAMPLE_RATE) / 1000;
  let speechPeak = 0;
  for (const s of audio) speechPeak = Math.max(speechPeak, Math.abs(s));
  assert.ok(speechPeak > 8000, `there is speech, not only the pilot: peak ${speechPeak}`);
  for (let at = 0; at + window <= audio.length; at += window / 2) {
    const slice = audio.subarray(at, at + window);
    assert.ok(toneLevelDb(slice, SAMPLE_RATE, 1200) >= HEARD_DB, `pilot at ${at}`);
    for (const hz of listened.slice(1)) {
      const db = toneLevelDb(slice, SAMPLE_RATE, hz);
      assert.ok(db < NOT_HEARD_DB, `speech at ${hz} Hz, sample ${at}: ${db.toFixed(1)} dB`);
    }
  }
});
