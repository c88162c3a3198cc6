/**
 * Other real phones: baresip (a softphone) as the user added to a live
 * call, and a callee that plays early media (183 with SDP) before it
 * answers — which must join the call without the early-media backlog
 * (issue 8 §1: measured 157–164 ms mouth-to-ear before the fix, 17–30 ms
 * for a normal leg).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Baresip } from '../support/baresip.js';
import { HEARD_DB, TonePhone, levelDb, sleep, type SipPhone } from '../support/phones/index.js';
import { connectedCall, memberOf, startTestServer } from '../support/partyline-server.js';

const BARESIP_HZ = 440; // baresip's ausine source, see test/support/baresip.ts

test('baresip, a real softphone, is added to a live call, heard by both, and hung up', async (t) => {
  const agent = await TonePhone.start({ behaviour: 'answer', toneHz: 1000, user: 'agent' });
  t.after(() => agent.stop());
  const customer = await TonePhone.start({ behaviour: 'answer', toneHz: 1500, user: 'customer' });
  t.after(() => customer.stop());
  const phone = await Baresip.start({ autoAnswer: true, lifetimeSeconds: 40 });
  t.after(() => phone.stop());
  const srv = await startTestServer();
  t.after(() => srv.stop());
  await connectedCall(srv, agent.uri, customer.uri);

  const add = await srv.api('POST', `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}`, {
    action: 'call',
    to: phone.uri(),
    role: 'customer',
    trigger_source: agent.uri,
  });
  assert.equal(add.status, 201, add.text);
  await phone.during(
    srv.waitCall((c) => memberOf(c, phone.uri())?.state === 'connected', 'baresip connected'),
  );
  await agent.waitHearing(BARESIP_HZ);
  await customer.waitHearing(BARESIP_HZ);
  await customer.waitHearing(1000);

  const hangup = await srv.api(
    'POST',
    `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}/members/${phone.uri()}`,
    { action: 'hangup' },
  );
  assert.equal(hangup.status, 201, hangup.text);
  await phone.waitForMessage(
    (m) => m.direction === 'received' && m.startLine.startsWith('BYE '),
    'our BYE',
  );
  await agent.waitSilence(3_000, BARESIP_HZ);
});

/** When `to` first hears `freqHz` after `fromMs` (its clock), in 20 ms steps; null if never within 1 s. */
function onsetMs(to: SipPhone, freqHz: number, fromMs: number): number | null {
  for (let at = fromMs; at < fromMs + 1000; at += 20) {
    const audio = to.audio({ sinceMs: at, windowMs: 20 });
    if (audio.length > 0 && levelDb(audio, freqHz) >= HEARD_DB) return at - fromMs;
  }
  return null;
}

test('a callee that played early media joins without its backlog', async (t) => {
  const agent = await TonePhone.start({ behaviour: 'answer', toneHz: 1000, user: 'agent' });
  t.after(() => agent.stop());
  // 183 with SDP and its tone for 2 s before the 200.
  const customer = await TonePhone.start({
    behaviour: 'early-media',
    toneHz: 1500,
    user: 'customer',
    answerDelayMs: 2000,
  });
  t.after(() => customer.stop());
  const srv = await startTestServer();
  t.after(() => srv.stop());
  await connectedCall(srv, agent.uri, customer.uri);
  const call = await srv.latestCall();
  const types = (call.events as { type: string }[]).map((e) => e.type);
  assert.ok(types.includes('member.early-media'), types.join(', '));
  await agent.waitHearing(1500);
  await sleep(300);

  // Mouth to ear, both ways: a tone change on one phone, its onset at the other.
  const t0 = customer.now();
  customer.peer.startTone(2500);
  await sleep(1100);
  const fromEarlyLeg = onsetMs(agent, 2500, t0);
  const t1 = agent.now();
  agent.peer.startTone(3000);
  await sleep(1100);
  const fromNormalLeg = onsetMs(customer, 3000, t1);
  t.diagnostic(`mouth to ear: early-media leg ${fromEarlyLeg} ms, normal leg ${fromNormalLeg} ms`);
  assert.ok(fromEarlyLeg !== null && fromNormalLeg !== null, 'both changes heard');
  // Without the fix the early-media leg plays its backlog: ~160 ms. Frames are 20 ms; allow two extra.
  assert.ok(
    fromEarlyLeg <= fromNormalLeg + 40,
    `the early-media leg is ${fromEarlyLeg} ms behind, a normal leg ${fromNormalLeg} ms`,
  );
});
