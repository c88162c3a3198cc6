/**
 * Member actions over real SIP phones, proved by what each phone hears:
 * hold/unhold (the held member hears its role's hold music — the example
 * PHLO gives customers tone:660 and agents tone:440 — and is not heard;
 * the others keep talking), mute/unmute (still hears, not heard), hangup
 * (BYE reaches the phone; the others stay). Also the peer's own hold
 * (a re-INVITE with a=sendonly): it is not heard until it resumes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TonePhone } from '../support/phones/index.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentAndCustomer,
  connectedCall,
  memberOf,
  phone,
  startTestServer,
  type AfterHook,
  type TestServer,
} from '../support/partyline-server.js';

const SECOND_AGENT_HZ = 2000;
const AGENT_HOLD_HZ = 440;
const CUSTOMER_HOLD_HZ = 660;

async function liveCall(
  t: AfterHook,
  customerBehaviour: 'answer' | 'hold-us' = 'answer',
): Promise<{
  srv: TestServer;
  agent: TonePhone;
  customer: TonePhone;
  member(
    address: string,
    action: string,
  ): Promise<{ status: number; text: string; json: Record<string, unknown> }>;
}> {
  const { agent, customer } = await agentAndCustomer(
    t,
    {},
    { behaviour: customerBehaviour, holdAfterMs: 1500, resumeAfterMs: 1500 },
  );
  const srv = await startTestServer();
  t.after(() => srv.stop());
  await connectedCall(srv, agent.uri, customer.uri);
  const member = (address: string, action: string) =>
    srv.api('POST', `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}/members/${address}`, {
      action,
    });
  return { srv, agent, customer, member };
}

test('hold and unhold: the held customer hears customer hold music and is not heard', async (t) => {
  const { srv, agent, customer, member } = await liveCall(t);
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitHearing(AGENT_HZ);

  const hold = await member(customer.uri, 'hold');
  assert.equal(hold.status, 201, hold.text);
  assert.deepEqual(Object.keys(hold.json).sort(), ['api_id', 'error']);
  await customer.waitHearing(CUSTOMER_HOLD_HZ);
  await customer.waitSilence(3_000, AGENT_HZ);
  await agent.waitSilence(3_000, CUSTOMER_HZ);
  assert.ok(
    !customer.hears(AGENT_HOLD_HZ),
    'a customer hears the customer music, not the agent one',
  );
  let call = await srv.waitCall((c) => memberOf(c, customer.uri)?.state === 'on_hold', 'on hold');
  assert.equal(memberOf(call, customer.uri)?.held, true);

  const again = await member(customer.uri, 'hold');
  assert.equal(again.status, 409);
  assert.match(String(again.json.error), /already on hold/);

  const unhold = await member(customer.uri, 'unhold');
  assert.equal(unhold.status, 201, unhold.text);
  await customer.waitHearing(AGENT_HZ);
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitSilence(3_000, CUSTOMER_HOLD_HZ);
  call = await srv.waitCall((c) => memberOf(c, customer.uri)?.state === 'connected', 'off hold');
  const types = call.events.map((e) => e.type);
  assert.ok(types.includes('member.held') && types.includes('member.unheld'), types.join(', '));
});

test('hold an agent: it hears agent hold music; mute and unmute: still hears, not heard', async (t) => {
  const { srv, agent, customer, member } = await liveCall(t);
  await customer.waitHearing(AGENT_HZ);

  assert.equal((await member(agent.uri, 'hold')).status, 201);
  await agent.waitHearing(AGENT_HOLD_HZ);
  await customer.waitSilence(3_000, AGENT_HZ);
  assert.equal((await member(agent.uri, 'unhold')).status, 201);
  await customer.waitHearing(AGENT_HZ);

  const mute = await member(agent.uri, 'mute');
  assert.equal(mute.status, 201, mute.text);
  await customer.waitSilence(3_000, AGENT_HZ);
  // Muted, the agent still hears the customer.
  await agent.waitHearing(CUSTOMER_HZ);
  const twice = await member(agent.uri, 'mute');
  assert.equal(twice.status, 409);
  assert.match(String(twice.json.error), /already muted/);
  let call = await srv.waitCall((c) => memberOf(c, agent.uri)?.muted === true, 'muted');
  assert.equal(memberOf(call, agent.uri)?.state, 'connected');

  assert.equal((await member(agent.uri, 'unmute')).status, 201);
  await customer.waitHearing(AGENT_HZ);
  call = await srv.waitCall((c) => memberOf(c, agent.uri)?.muted === false, 'unmuted');
});

test('hangup: BYE reaches that phone; the others are unaffected', async (t) => {
  const { srv, agent, customer, member } = await liveCall(t);
  const second = await phone(t, { behaviour: 'answer', toneHz: SECOND_AGENT_HZ, user: 'second' });
  const add = await srv.api('POST', `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}`, {
    action: 'call',
    to: second.uri,
    role: 'agent',
    trigger_source: agent.uri,
  });
  assert.equal(add.status, 201, add.text);
  await srv.waitCall(
    (c) => memberOf(c, second.uri)?.state === 'connected',
    'second agent connected',
  );
  await customer.waitHearing(SECOND_AGENT_HZ);

  const hangup = await member(second.uri, 'hangup');
  assert.equal(hangup.status, 201, hangup.text);
  await second.waitEvent('bye-received');
  const call = await srv.waitCall(
    (c) => memberOf(c, second.uri)?.state === 'disconnected',
    'second agent disconnected',
  );
  assert.equal(memberOf(call, second.uri)?.hangup_cause, 'hangup');
  assert.equal(call.state, 'active');
  await customer.waitSilence(3_000, SECOND_AGENT_HZ);
  await customer.waitHearing(AGENT_HZ);
  await agent.waitHearing(CUSTOMER_HZ);
  const gone = await member(second.uri, 'hangup');
  assert.equal(gone.status, 404, 'a member that left is no longer in the live call');
  await second.passed(10_000);
});

test('a customer whose phone holds us (re-INVITE sendonly) is not heard until it resumes', async (t) => {
  const { srv, agent, customer } = await liveCall(t, 'hold-us');
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitEvent('hold', { timeoutMs: 5_000 });
  await srv.waitCall(
    (c) => c.events.some((e) => e.type === 'member.remote-hold'),
    'member.remote-hold recorded',
  );
  await agent.waitSilence(3_000, CUSTOMER_HZ);
  await customer.waitEvent('resume', { timeoutMs: 5_000 });
  await agent.waitHearing(CUSTOMER_HZ);
  const call = await srv.waitCall(
    (c) => c.events.some((e) => e.type === 'member.remote-resume'),
    'member.remote-resume recorded',
  );
  assert.equal(memberOf(call, customer.uri)?.state, 'connected');
});
