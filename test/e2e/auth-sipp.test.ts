/**
 * Digest authentication against SIPp (RFC 3261 §22): SIPp challenges our
 * INVITE with 401 / 407 and checks the credentials we answer with; a wrong
 * password must fail the call after one retry, never loop. Also a phone
 * number dialled through a trunk that authenticates (§22.2 with the trunk's
 * credentials, number in the Request-URI user part).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { CallFailure, UserAgent } from '../../src/sip/ua/index.js';
import { freeUdpPort } from '../support/ports.js';
import { SipPeer } from '../support/sipp.js';
import { next, recordEvents, scenario, sdp, startUa } from './helpers.js';

const REALM = 'sipp.partyline.test';
const NONCE = 'b9c1f6d3a04e4f7a9d2c';
const USER = 'alice';
const PASSWORD = 'wonderland';

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

describe('Digest authentication towards SIPp', () => {
  let ua: UserAgent;
  before(async () => {
    ua = await startUa();
  });
  after(async () => {
    await ua.close();
  });

  it('401 with qop=auth: we retry with Authorization, SIPp verifies it and answers', async (t) => {
    const sipp = await SipPeer.start({
      scenario: scenario('uas-auth-401.xml'),
      keys: { realm: REALM, nonce: NONCE, user: USER, password: PASSWORD },
    });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, {
      sdp: sdp(),
      credentials: { username: USER, password: PASSWORD },
    });
    const events = recordEvents(call);
    await sipp.during(next(call, 'answered', 5_000, ['failed']));
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
    assert.equal(call.lastInvite?.cseq().seq, 2);
  });
  it('401, wrong password: one retry, then failed with status 401 — no loop', async (t) => {
    const sipp = await SipPeer.start({
      scenario: scenario('uas-auth-refused.xml'),
      keys: { realm: REALM, nonce: NONCE, user: USER, password: PASSWORD },
    });
    t.after(() => sipp.stop());

    const call = ua.call(`sip:service@${sipp.address}`, {
      sdp: sdp(),
      credentials: { username: USER, password: 'not-the-password' },
    });
    const events = recordEvents(call);
    const failure = await sipp.during(next<CallFailure>(call, 'failed', 5_000, ['answered']));
    assert.equal(failure.cause, 'failed');
    assert.equal(failure.status, 401);
    assert.equal(call.lastInvite?.cseq().seq, 2);
    await sipp.passed();
    assert.deepEqual(events, ['failed']);
  });

  it('407: we retry with Proxy-Authorization carrying the right digest', async (t) => {
    // SIPp cannot verify Proxy-Authorization itself: the response is computed here, independently
    // of src/sip/auth (RFC 2617 §3.2.2.1 without qop: MD5(HA1:nonce:HA2)), and SIPp compares.
    const port = await freeUdpPort();
    const target = `sip:service@127.0.0.1:${port}`;
    const ha1 = md5(`${USER}:${REALM}:${PASSWORD}`);
    const ha2 = md5(`INVITE:${target}`);
    const sipp = await SipPeer.start({
      scenario: scenario('uas-auth-407.xml'),
      port,
      keys: { realm: REALM, nonce: NONCE },
      vars: { expected_response: md5(`${ha1}:${NONCE}:${ha2}`) },
    });
    t.after(() => sipp.stop());

    const call = ua.call(target, {
      sdp: sdp(),
      credentials: { username: USER, password: PASSWORD },
    });
    const events = recordEvents(call);
    await sipp.during(next(call, 'answered', 5_000, ['failed']));
    assert.ok(call.lastInvite?.headers.has('Proxy-Authorization'));
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
  });
  it('phone number through a trunk: number in the Request-URI, trunk credentials verified by SIPp', async (t) => {
    const sipp = await SipPeer.start({
      scenario: scenario('uas-trunk.xml'),
      keys: { realm: REALM, nonce: NONCE, user: 'trunk-user', password: 'trunk-secret' },
    });
    t.after(() => sipp.stop());
    const trunkUa = await startUa({
      trunks: [
        {
          name: 'carrier',
          host: '127.0.0.1',
          port: sipp.port,
          username: 'trunk-user',
          password: 'trunk-secret',
          fromDomain: 'trunk.partyline.test',
        },
      ],
    });
    t.after(() => trunkUa.close());

    const call = trunkUa.call('+1 (415) 555-0100', { sdp: sdp(), from: '+15551230000' });
    const events = recordEvents(call);
    await sipp.during(next(call, 'answered', 5_000, ['failed']));
    const ended = next(call, 'ended');
    call.hangup();
    await ended;
    await sipp.passed();
    assert.deepEqual(events, ['answered', 'ended']);
  });
});
