/**
 * The phones, proved against the existing stack (not the call server): a
 * UserAgent calls each behaviour with a real RtpStream sending 1 kHz
 * (caller.ts). Each test checks the call's outcome as the UA reports it,
 * SIPp's verdict (phone.passed(): the scenario's checks held), what SIPp
 * reported, and — for the phones that talk — what each side hears.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TonePhone, type PhoneEvent } from '../support/phones/index.js';
import {
  AudioCall,
  OUR_TONE_HZ,
  answered,
  ended,
  failure,
  startCaller,
  type Caller,
} from './caller.js';

const PHONE_TONE_HZ = 440;

function kinds(events: PhoneEvent[]): string[] {
  return events.map((e) => e.kind);
}

describe('TonePhone, called by our UserAgent', () => {
  let caller: Caller;
  before(async () => {
    caller = await startCaller();
  });
  after(() => caller.close());

  /** A phone and a call to it, both cleaned up after the test. */
  async function dial(
    t: { after: (fn: () => Promise<void>) => void },
    opts: Parameters<typeof TonePhone.start>[0],
    dialOpts: Parameters<typeof AudioCall.dial>[2] = {},
  ): Promise<{ phone: TonePhone; call: AudioCall }> {
    const phone = await TonePhone.start(opts);
    t.after(() => phone.stop());
    const call = await AudioCall.dial(caller, phone.uri, dialOpts);
    t.after(async () => {
      call.call.hangup();
      await call.close();
    });
    return { phone, call };
  }

  it('answer: rings, answers, each side hears the other; our BYE ends it', async (t) => {
    const { phone, call } = await dial(t, {
      behaviour: 'answer',
      toneHz: PHONE_TONE_HZ,
      user: 'alice',
    });
    assert.match(phone.uri, /^sip:alice@127\.0\.0\.1:\d+$/);
    await phone.sipp.during(answered(call.call));
    await phone.waitHearing(OUR_TONE_HZ);
    await call.waitHearing(PHONE_TONE_HZ);
    // Neither hears itself: the phone's audio is ours, ours is the phone's.
    assert.ok(!phone.hears(PHONE_TONE_HZ), 'the phone hears its own tone');
    assert.ok(call.levelDb(OUR_TONE_HZ) < -50, 'we hear our own tone');

    const done = ended(call.call);
    call.call.hangup();
    assert.equal((await done).by, 'local');
    await phone.passed();
    const events = phone.events();
    assert.deepEqual(kinds(events).sort(), ['answered', 'bye-received', 'offer', 'ringing']);
    // SIPp read our offer: the phone sent to the port our SDP named.
    const offer = events.find((e) => e.kind === 'offer')!;
    assert.deepEqual(offer.args.slice(0, 2), ['127.0.0.1', String(call.stream.localPort)]);
    assert.deepEqual(phone.peer.remoteEndpoint, { host: '127.0.0.1', port: call.stream.localPort });
  });

  it('answer with PCMA', async (t) => {
    const { phone, call } = await dial(
      t,
      { behaviour: 'answer', toneHz: 1800, codec: 'PCMA', answerDelayMs: 0 },
      { codec: 'PCMA' },
    );
    await phone.sipp.during(answered(call.call));
    assert.equal(call.media?.codec.name, 'PCMA');
    await phone.waitHearing(OUR_TONE_HZ);
    await call.waitHearing(1800);
    call.call.hangup();
    await phone.passed();
  });

  it('answer with hangupAfterMs: the phone sends the BYE', async (t) => {
    const { phone, call } = await dial(t, {
      behaviour: 'answer',
      toneHz: PHONE_TONE_HZ,
      hangupAfterMs: 600,
    });
    const done = ended(call.call, 10_000);
    await phone.sipp.during(answered(call.call));
    await call.waitHearing(PHONE_TONE_HZ);
    const over = await phone.sipp.during(done);
    assert.equal(over.by, 'remote');
    await phone.passed();
    assert.ok(kinds(phone.events()).includes('bye-sent'));
    // The phone stopped sending when it hung up.
    await call.waitSilence();
  });

  it('answer: our re-INVITE holds the phone (it answers recvonly and goes quiet), then resumes it', async (t) => {
    const { phone, call } = await dial(t, { behaviour: 'answer', toneHz: PHONE_TONE_HZ });
    await phone.sipp.during(answered(call.call));
    await call.waitHearing(PHONE_TONE_HZ);

    await phone.sipp.during(call.hold());
    assert.equal(call.media?.direction, 'sendonly');
    const held = await phone.waitEvent('reinvite');
    assert.deepEqual(held.args.slice(0, 2), ['sendonly', 'recvonly']);
    // Held, the phone stops sending; it still hears us (we send on hold: music on hold).
    await call.waitSilence();
    await phone.waitHearing(OUR_TONE_HZ);

    await phone.sipp.during(call.resume());
    assert.equal(call.media?.direction, 'sendrecv');
    await call.waitHearing(PHONE_TONE_HZ);
    const reinvites = phone.events().filter((e) => e.kind === 'reinvite');
    assert.deepEqual(reinvites[1]?.args.slice(0, 2), ['sendrecv', 'sendrecv']);

    call.call.hangup();
    await phone.passed();
  });

  it('busy: 486, our ACK; the call fails with cause busy', async (t) => {
    const { phone, call } = await dial(t, { behaviour: 'busy', toneHz: PHONE_TONE_HZ });
    const failed = await phone.sipp.during(failure(call.call));
    assert.equal(failed.cause, 'busy');
    assert.equal(failed.status, 486);
    await phone.passed();
    const rejected = phone.events().find((e) => e.kind === 'rejected');
    assert.deepEqual(rejected?.args, ['486']);
    assert.equal(phone.peer.stats().sent, 0, 'a busy phone sends no audio');
  });

  it('decline: 180, then 603; the call fails with cause declined', async (t) => {
    const { phone, call } = await dial(t, {
      behaviour: 'decline',
      toneHz: PHONE_TONE_HZ,
      answerDelayMs: 200,
    });
    const failed = await phone.sipp.during(failure(call.call));
    assert.equal(failed.cause, 'declined');
    assert.equal(failed.status, 603);
    await phone.passed();
    assert.deepEqual(kinds(phone.events()).sort(), ['offer', 'rejected', 'ringing']);
  });

  it('no-answer: rings until our ring timeout CANCELs; 487; cause no-answer', async (t) => {
    const { phone, call } = await dial(
      t,
      { behaviour: 'no-answer', toneHz: PHONE_TONE_HZ },
      { ringTimeoutMs: 400 },
    );
    const failed = await phone.sipp.during(failure(call.call));
    assert.equal(failed.cause, 'no-answer');
    assert.equal(failed.status, 487);
    await phone.passed();
    assert.ok(kinds(phone.events()).includes('canceled'));
  });

  it('answer: our CANCEL while it rings is taken too (cause canceled, the phone passes)', async (t) => {
    const { phone, call } = await dial(t, {
      behaviour: 'answer',
      toneHz: PHONE_TONE_HZ,
      answerDelayMs: 5_000,
    });
    await phone.waitEvent('ringing');
    call.call.cancel();
    const failed = await phone.sipp.during(failure(call.call));
    assert.equal(failed.cause, 'canceled');
    await phone.passed();
    assert.ok(!kinds(phone.events()).includes('answered'));
  });

  it('early-media: 183 with SDP, the tone is heard before the 200', async (t) => {
    const { phone, call } = await dial(t, {
      behaviour: 'early-media',
      toneHz: PHONE_TONE_HZ,
      answerDelayMs: 1_500,
    });
    const answer = answered(call.call, 10_000);
    await phone.waitEvent('early');
    await call.waitHearing(PHONE_TONE_HZ);
    assert.equal(call.call.state, 'early', 'heard during early media, before the answer');
    await phone.sipp.during(answer);
    await call.waitHearing(PHONE_TONE_HZ);
    await phone.waitHearing(OUR_TONE_HZ);
    call.call.hangup();
    await phone.passed();
    assert.deepEqual(kinds(phone.events()).sort(), ['answered', 'bye-received', 'early', 'offer']);
  });

  it('hold-us: the phone holds us (sendonly), we go quiet to it, then it resumes', async (t) => {
    const { phone, call } = await dial(t, {
      behaviour: 'hold-us',
      toneHz: PHONE_TONE_HZ,
      holdAfterMs: 500,
      resumeAfterMs: 800,
    });
    await phone.sipp.during(answered(call.call));
    await phone.waitHearing(OUR_TONE_HZ);

    const hold = await phone.waitEvent('hold');
    assert.deepEqual(hold.args, ['recvonly']);
    assert.equal(call.media?.direction, 'recvonly');
    // We are held: we stop sending to the phone, and still hear it.
    await phone.waitSilence();
    await call.waitHearing(PHONE_TONE_HZ);

    const resume = await phone.waitEvent('resume');
    assert.deepEqual(resume.args, ['sendrecv']);
    await phone.waitHearing(OUR_TONE_HZ);

    call.call.hangup();
    await phone.passed();
  });

  it('calls: 2 — one phone takes two calls in a row, re-learning where to send', async (t) => {
    const phone = await TonePhone.start({ behaviour: 'answer', toneHz: PHONE_TONE_HZ, calls: 2 });
    t.after(() => phone.stop());
    for (let i = 1; i <= 2; i++) {
      const call = await AudioCall.dial(caller, phone.uri);
      t.after(() => call.close());
      await phone.sipp.during(answered(call.call));
      await phone.waitEvent('answered', { call: i });
      await call.waitHearing(PHONE_TONE_HZ);
      await phone.waitHearing(OUR_TONE_HZ);
      const done = ended(call.call);
      call.call.hangup();
      await done;
      await phone.waitEvent('bye-received', { call: i });
      await call.close();
    }
    await phone.passed();
  });

  it('a call to another user gets 404 and fails the phone (the Request-URI check)', async (t) => {
    const phone = await TonePhone.start({
      behaviour: 'answer',
      toneHz: PHONE_TONE_HZ,
      user: 'bob',
    });
    t.after(() => phone.stop());
    const call = await AudioCall.dial(caller, phone.uri.replace('bob@', 'mallory@'));
    t.after(() => call.close());
    const failed = await failure(call.call);
    assert.equal(failed.status, 404);
    await assert.rejects(phone.passed(), /scenario answer\.xml failed/);
    assert.deepEqual(phone.events().find((e) => e.kind === 'wrong-user')?.args, ['mallory']);
  });
});
