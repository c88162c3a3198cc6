/**
 * Carriers, proved against the existing stack: a UserAgent configured with
 * each carrier's `trunk` dials the phone number; SIPp challenges the INVITE
 * (401, qop=auth), checks the credentials with <verifyauth> and the
 * Request-URI user against the number, then behaves as asked — and the
 * audio of each number is its own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Carrier } from '../support/phones/index.js';
import {
  AudioCall,
  OUR_TONE_HZ,
  answered,
  ended,
  failure,
  startCaller,
  type Caller,
} from './caller.js';

const CREDENTIALS = { username: 'acct123', password: 's3cret' };

describe('Carrier, dialled by number through its trunk', () => {
  async function carrier(
    t: { after: (fn: () => Promise<void>) => void },
    opts: Partial<Parameters<typeof Carrier.start>[0]> = {},
  ): Promise<Carrier> {
    const c = await Carrier.start({
      number: '1111111112',
      toneHz: 440,
      behaviour: 'answer',
      ...CREDENTIALS,
      ...opts,
    });
    t.after(() => c.stop());
    return c;
  }

  async function caller(
    t: { after: (fn: () => Promise<void>) => void },
    trunks: Carrier['trunk'][],
  ): Promise<Caller> {
    const c = await startCaller(trunks);
    t.after(() => c.close());
    return c;
  }

  async function dial(
    t: { after: (fn: () => Promise<void>) => void },
    from: Caller,
    number: string,
  ): Promise<AudioCall> {
    const call = await AudioCall.dial(from, number);
    t.after(async () => {
      call.call.hangup();
      await call.close();
    });
    return call;
  }

  it('gives a trunk config for its number', async (t) => {
    const c = await carrier(t, { number: '+14155550100', realm: 'trunk.test' });
    assert.deepEqual(c.trunk, {
      name: 'carrier-14155550100',
      host: '127.0.0.1',
      port: c.port,
      transport: 'udp',
      username: 'acct123',
      password: 's3cret',
      realm: 'trunk.test',
      numberFormat: 'e164',
      prefixes: ['+14155550100'],
    });
    assert.equal(c.requestUser, '+14155550100');
    assert.equal(c.uri, `sip:+14155550100@127.0.0.1:${c.port}`);
  });

  it('challenges, verifies the trunk credentials, answers; each side hears the other', async (t) => {
    const c = await carrier(t);
    const ua = await caller(t, [c.trunk]);
    const call = await dial(t, ua, '1111111112');
    await c.sipp.during(answered(call.call));
    await c.waitHearing(OUR_TONE_HZ);
    await call.waitHearing(440);
    const done = ended(call.call);
    call.call.hangup();
    await done;
    await c.passed();
    const kinds = c.events().map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 2), ['challenged', 'offer']);
    assert.ok(kinds.includes('answered') && kinds.includes('bye-received'));
  });

  it('numberFormat digits: the Request-URI user is the bare number', async (t) => {
    const c = await carrier(t, { number: '+4420794600', numberFormat: 'digits' });
    assert.equal(c.requestUser, '4420794600');
    const ua = await caller(t, [c.trunk]);
    const call = await dial(t, ua, '+44 20 7946 00');
    await c.sipp.during(answered(call.call));
    call.call.hangup();
    await c.passed();
  });

  it('a wrong trunk password gets 403 and fails the carrier', async (t) => {
    const c = await carrier(t);
    const ua = await caller(t, [{ ...c.trunk, password: 'wrong' }]);
    const call = await dial(t, ua, '1111111112');
    const failed = await failure(call.call);
    assert.equal(failed.status, 403);
    await assert.rejects(c.passed(), /failed/);
    assert.ok(c.events().some((e) => e.kind === 'auth-failed'));
  });

  it('two numbers, two carriers: each call reaches its own number and tone', async (t) => {
    const first = await carrier(t, { number: '1111111112', toneHz: 440 });
    const second = await carrier(t, { number: '1111111113', toneHz: 1800 });
    const ua = await caller(t, [first.trunk, second.trunk]);
    const a = await dial(t, ua, '1111111112');
    const aAnswered = first.sipp.during(answered(a.call));
    const b = await dial(t, ua, '1111111113');
    // Both listeners before either await: the second call may be answered while we wait for the first.
    await Promise.all([aAnswered, second.sipp.during(answered(b.call))]);
    await a.waitHearing(440);
    await b.waitHearing(1800);
    assert.ok(a.levelDb(1800) < -50, 'call 1 hears the second number');
    assert.ok(b.levelDb(440) < -50, 'call 2 hears the first number');
    await first.waitHearing(OUR_TONE_HZ);
    await second.waitHearing(OUR_TONE_HZ);
    a.call.hangup();
    b.call.hangup();
    await first.passed();
    await second.passed();
  });

  it('busy behind the challenge: 401, retry, 486 → cause busy', async (t) => {
    const c = await carrier(t, { behaviour: 'busy' });
    const ua = await caller(t, [c.trunk]);
    const call = await dial(t, ua, '1111111112');
    const failed = await c.sipp.during(failure(call.call));
    assert.equal(failed.cause, 'busy');
    assert.equal(failed.status, 486);
    await c.passed();
  });

  it('no-answer behind the challenge: our ring timeout CANCELs the authenticated INVITE', async (t) => {
    const c = await carrier(t, { behaviour: 'no-answer' });
    const ua = await caller(t, [c.trunk]);
    const call = await AudioCall.dial(ua, '1111111112', { ringTimeoutMs: 400 });
    t.after(() => call.close());
    const failed = await c.sipp.during(failure(call.call));
    assert.equal(failed.cause, 'no-answer');
    assert.equal(failed.status, 487);
    await c.passed();
  });
});
