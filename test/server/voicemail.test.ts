/**
 * voicemail_drop (DESIGN.md §2) over real SIP phones: the node's
 * voicemail_message (here tone:900:1500, 900 Hz for 1.5 s) plays to that
 * member alone, replacing the call; nobody else hears it, nor the member
 * while it plays; then the member gets BYE (hangup_cause voicemail-drop)
 * and the others stay. The agent sends 1000 Hz, the customer 1500 Hz.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEARD_DB, formatDb, type TonePhone } from '../support/phones/index.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentAndCustomer,
  connectedCall,
  createPhlo,
  memberOf,
  phone,
  startTestServer,
  type AfterHook,
  type ApiResponse,
  type CallState,
  type NodeRef,
  type TestServer,
} from '../support/partyline-server.js';
import { runSdkClient, sdkSkipReason } from '../support/sdk-clients.js';

const MESSAGE_HZ = 900;
const CUSTOMER_HOLD_HZ = 660;
/** Slices the "never heard" checks measure, ms (90 periods of 900 Hz). */
const SLICE_MS = 100;

const VOICEMAIL_PHLO = {
  name: 'voicemail (tests)',
  start: { triggers: ['api'], next: 'support' },
  nodes: [
    {
      type: 'multi_party_call',
      name: 'support',
      from: '{{start.from}}',
      to: '{{start.to}}',
      ring_timeout: 5,
      agent_hold_music: 'tone:440',
      customer_hold_music: 'tone:660',
      enter_sound: 'none',
      exit_sound: 'none',
      wait_music: 'none',
      voicemail_message: 'tone:900:1500',
    },
  ],
};

/** The loudest `hz` in any SLICE_MS slice of what `p` heard from `fromMs` to `toMs` (its now() values). */
function loudest(p: TonePhone, hz: number, fromMs: number, toMs: number): number {
  let max = -Infinity;
  for (let at = fromMs; at + SLICE_MS <= toMs; at += SLICE_MS)
    max = Math.max(max, p.levelDb(hz, { sinceMs: at, windowMs: SLICE_MS }));
  return max;
}

async function voicemailCall(t: AfterHook): Promise<{
  srv: TestServer;
  node: NodeRef;
  callId: string;
  agent: TonePhone;
  customer: TonePhone;
  member(address: string, action: string): Promise<ApiResponse>;
  call(): Promise<CallState>;
}> {
  const { agent, customer } = await agentAndCustomer(t);
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const node = await createPhlo(srv, VOICEMAIL_PHLO);
  const callId = await connectedCall(srv, agent.uri, customer.uri, node);
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitHearing(AGENT_HZ);
  return {
    srv,
    node,
    callId,
    agent,
    customer,
    member: (address, action) =>
      srv.api(
        'POST',
        `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/members/${address}`,
        { action },
      ),
    call: async () => (await srv.getCall(callId, node)) as unknown as CallState,
  };
}

/**
 * After the drop was accepted at `sentAt`: the customer hears the message
 * (and nothing of the agent under it), the agent never hears it nor the
 * customer, then the customer gets BYE and the agent stays.
 */
async function assertDropped(
  c: Awaited<ReturnType<typeof voicemailCall>>,
  sentAt: number,
): Promise<CallState> {
  const { agent, customer } = c;
  await customer.waitHearing(MESSAGE_HZ);
  const heardAt = customer.now();
  await customer.waitEvent('bye-received', { timeoutMs: 8_000 });
  const byeAt = customer.now();
  const agentMessage = loudest(agent, MESSAGE_HZ, sentAt, byeAt + 300);
  assert.ok(agentMessage < HEARD_DB, `the agent heard the message: ${formatDb(agentMessage)}`);
  const agentCustomer = loudest(agent, CUSTOMER_HZ, heardAt, byeAt);
  assert.ok(agentCustomer < HEARD_DB, `the agent heard the customer: ${formatDb(agentCustomer)}`);
  const customerAgent = loudest(customer, AGENT_HZ, heardAt, byeAt - 300);
  assert.ok(
    customerAgent < HEARD_DB,
    `the customer heard the agent under the message: ${formatDb(customerAgent)}`,
  );
  const call = await c.srv.waitCall(
    (s) => memberOf(s, customer.uri)?.state === 'disconnected',
    'customer disconnected',
    { callId: c.callId, node: c.node },
  );
  assert.equal(memberOf(call, customer.uri)?.hangup_cause, 'voicemail-drop');
  assert.equal(memberOf(call, agent.uri)?.state, 'connected');
  assert.equal(call.state, 'active');
  const drop = call.events.find((e) => e.type === 'member.voicemail-drop');
  assert.equal(drop?.member_id, memberOf(call, customer.uri)?.member_id);
  assert.equal(drop?.data.message, 'tone:900:1500');
  assert.ok(!agent.events().some((e) => e.kind === 'bye-received'), 'the agent stays');
  return call;
}

test('voicemail_drop: the customer hears the message alone, then BYE; the agent stays', async (t) => {
  const c = await voicemailCall(t);
  const sentAt = c.agent.now();
  const res = await c.member(c.customer.uri, 'voicemail_drop');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(Object.keys(res.json).sort(), ['api_id', 'error']);
  // While it plays, the member takes no other action.
  const again = await c.member(c.customer.uri, 'voicemail_drop');
  assert.equal(again.status, 409, again.text);
  assert.match(String(again.json.error), /voicemail/);
  const hangup = await c.member(c.customer.uri, 'hangup');
  assert.equal(hangup.status, 409, hangup.text);
  await assertDropped(c, sentAt);
  const gone = await c.member(c.customer.uri, 'voicemail_drop');
  assert.equal(gone.status, 404, 'a member that left is no longer in the live call');
  await c.customer.passed(10_000);
});

test('voicemail_drop on a held customer: the message, not the hold music', async (t) => {
  const c = await voicemailCall(t);
  assert.equal((await c.member(c.customer.uri, 'hold')).status, 201);
  await c.customer.waitHearing(CUSTOMER_HOLD_HZ);
  const sentAt = c.agent.now();
  assert.equal((await c.member(c.customer.uri, 'voicemail_drop')).status, 201);
  await c.customer.waitHearing(MESSAGE_HZ);
  await c.customer.waitSilence(3_000, CUSTOMER_HOLD_HZ);
  await assertDropped(c, sentAt);
});

test('voicemail_drop from the Python SDK', async (t) => {
  const reason = sdkSkipReason('python');
  if (reason) return t.skip(reason);
  const c = await voicemailCall(t);
  const sentAt = c.agent.now();
  const r = await runSdkClient('python', {
    PL_BASE_URL: c.srv.baseUrl,
    PL_AUTH_ID: c.srv.authId,
    PL_AUTH_TOKEN: c.srv.authToken,
    PL_PHLO_ID: c.node.phloId,
    PL_NODE_ID: c.node.nodeId,
    PL_MODE: 'member',
    PL_MEMBER: c.customer.uri,
    PL_ACTION: 'voicemail_drop',
  });
  assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
  assert.equal(r.result?.ok, true, r.stdout);
  await assertDropped(c, sentAt);
});

test('voicemail_drop on a node without voicemail_message: 409, nothing changes', async (t) => {
  const { agent, customer } = await agentAndCustomer(t);
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const callId = await connectedCall(srv, agent.uri, customer.uri);
  const state = async (): Promise<string> => {
    const { members, events } = await srv.getCall(callId);
    return JSON.stringify({ members, events });
  };
  const before = await state();
  const res = await srv.api(
    'POST',
    `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}/members/${customer.uri}`,
    { action: 'voicemail_drop' },
  );
  assert.equal(res.status, 409, res.text);
  assert.match(String(res.json.error), /no voicemail_message/);
  assert.equal(await state(), before);
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitHearing(AGENT_HZ);
});

test('a warm transfer while the only other member is being left a voicemail: 409, nothing changes', async (t) => {
  const c = await voicemailCall(t);
  const target = await phone(t, { behaviour: 'answer', toneHz: 2000, user: 'target' });
  assert.equal((await c.member(c.customer.uri, 'voicemail_drop')).status, 201);
  await c.customer.waitHearing(MESSAGE_HZ);
  const state = async (): Promise<string> => {
    const { members, events } = await c.call();
    return JSON.stringify({ members, events });
  };
  const before = await state();
  const res = await c.srv.api(
    'POST',
    `/v1/phlo/${c.node.phloId}/multi_party_call/${c.node.nodeId}`,
    { action: 'warm_transfer', trigger_source: c.agent.uri, to: target.uri, role: 'agent' },
  );
  // The customer is leaving: there is nobody to transfer to U3.
  assert.equal(res.status, 409, res.text);
  assert.match(String(res.json.error), /nobody else/);
  assert.equal(await state(), before);
  await c.customer.waitEvent('bye-received', { timeoutMs: 8_000 });
  assert.ok(!c.customer.hears(CUSTOMER_HOLD_HZ, { windowMs: 3_000 }), 'the box got no hold music');
  assert.equal(target.events().length, 0, 'U3 was never dialled');
});
