/**
 * A supervisor over real SIP phones, proved by what each phone hears
 * (agent 1000 Hz, customer 1500 Hz, supervisor 2500 Hz): added with the
 * `call` action and role supervisor it barges (heard by all); `coach`
 * makes it heard by the agents only, the customer never hearing it, while
 * it hears both; `barge` again heard by the customer; `listen` heard by
 * nobody while it still hears both. Coaching a non-supervisor, or a mode
 * it is already in, is a 409.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LEVEL_FLOOR_DB } from '../../src/media/audio/index.js';
import { SILENT_DB, formatDb, levelDb, sleep } from '../support/phones/index.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentAndCustomer,
  connectedCall,
  memberOf,
  phone,
  startTestServer,
  type CallState,
  type TestServer,
} from '../support/partyline-server.js';
import type { TonePhone } from '../support/phones/index.js';

const SUPERVISOR_HZ = 2500;
const SECOND_AGENT_HZ = 2000;

/** The loudest 200 ms (50 ms steps) of `freqHz` that `p` heard since `sinceMs`. */
function peakSince(p: TonePhone, freqHz: number, sinceMs: number): number {
  const audio = p.audio({ sinceMs });
  let peak = LEVEL_FLOOR_DB;
  for (let at = 0; at + 1600 <= audio.length; at += 400)
    peak = Math.max(peak, levelDb(audio.subarray(at, at + 1600), freqHz));
  return peak;
}

/** Adds `supervisor` to the call with the `call` action (role supervisor); the call once it joined. */
async function addSupervisor(
  srv: TestServer,
  callId: string,
  agent: TonePhone,
  supervisor: TonePhone,
): Promise<CallState> {
  const add = await srv.api('POST', `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}`, {
    action: 'call',
    to: supervisor.uri,
    role: 'supervisor',
    trigger_source: agent.uri,
  });
  assert.equal(add.status, 201, add.text);
  return srv.waitCall(
    (c) => memberOf(c, supervisor.uri)?.state === 'connected',
    'the supervisor connected',
    { callId },
  );
}

test('a supervisor barges by default, coaches (the customer never hears it), barges, listens', async (t) => {
  const { agent, customer } = await agentAndCustomer(t);
  const supervisor = await phone(t, {
    behaviour: 'answer',
    toneHz: SUPERVISOR_HZ,
    user: 'supervisor',
  });
  const second = await phone(t, { behaviour: 'answer', toneHz: SECOND_AGENT_HZ, user: 'second' });
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const callId = await connectedCall(srv, agent.uri, customer.uri);
  const node = `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}`;
  const mode = (address: string, action: string) =>
    srv.api('POST', `${node}/members/${address}`, { action });

  const joined = await addSupervisor(srv, callId, agent, supervisor);
  assert.equal(memberOf(joined, supervisor.uri)?.role, 'supervisor');
  // Barge, by default: heard by everyone.
  await customer.waitHearing(SUPERVISOR_HZ);
  await agent.waitHearing(SUPERVISOR_HZ);
  await supervisor.waitHearing(AGENT_HZ);
  await supervisor.waitHearing(CUSTOMER_HZ);
  const already = await mode(supervisor.uri, 'barge');
  assert.equal(already.status, 409, already.text);
  assert.match(String(already.json.error), /already in barge mode/);

  // Coach: the agent hears it, the customer does not; it hears both.
  const coach = await mode(supervisor.uri, 'coach');
  assert.equal(coach.status, 201, coach.text);
  await customer.waitSilence(3_000, SUPERVISOR_HZ);
  const coachingSince = customer.now();
  await agent.waitHearing(SUPERVISOR_HZ);
  await supervisor.waitHearing(AGENT_HZ);
  await supervisor.waitHearing(CUSTOMER_HZ);
  assert.ok(customer.hears(AGENT_HZ), 'the customer still hears the agent');
  assert.ok(agent.hears(CUSTOMER_HZ), 'the agent still hears the customer');
  // An agent who joins while it coaches hears it too; the customer still does not.
  const add2 = await srv.api('POST', node, {
    action: 'call',
    to: second.uri,
    role: 'agent',
    trigger_source: agent.uri,
  });
  assert.equal(add2.status, 201, add2.text);
  await srv.waitCall(
    (c) => memberOf(c, second.uri)?.state === 'connected',
    'the second agent connected',
    { callId },
  );
  await second.waitHearing(SUPERVISOR_HZ);
  await customer.waitHearing(SECOND_AGENT_HZ);
  await sleep(500);
  const coached = peakSince(customer, SUPERVISOR_HZ, coachingSince);
  assert.ok(
    coached < SILENT_DB,
    `the customer heard the coaching supervisor: ${formatDb(coached)}`,
  );

  const twice = await mode(supervisor.uri, 'coach');
  assert.equal(twice.status, 409, twice.text);
  assert.match(String(twice.json.error), /already in coach mode/);
  const notSupervisor = await mode(agent.uri, 'coach');
  assert.equal(notSupervisor.status, 409, notSupervisor.text);
  assert.match(String(notSupervisor.json.error), /is an agent: only supervisors/);
  const customerCoach = await mode(customer.uri, 'listen');
  assert.equal(customerCoach.status, 409, customerCoach.text);
  assert.match(String(customerCoach.json.error), /is a customer: only supervisors/);

  // Barge: the customer hears it again.
  assert.equal((await mode(supervisor.uri, 'barge')).status, 201);
  await customer.waitHearing(SUPERVISOR_HZ);
  await agent.waitHearing(SUPERVISOR_HZ);

  // Listen: nobody hears it; it still hears both.
  assert.equal((await mode(supervisor.uri, 'listen')).status, 201);
  await customer.waitSilence(3_000, SUPERVISOR_HZ);
  await agent.waitSilence(3_000, SUPERVISOR_HZ);
  await second.waitSilence(3_000, SUPERVISOR_HZ);
  const listeningSince = { agent: agent.now(), customer: customer.now() };
  await supervisor.waitHearing(AGENT_HZ);
  await supervisor.waitHearing(CUSTOMER_HZ);
  await supervisor.waitHearing(SECOND_AGENT_HZ);
  await sleep(500);
  for (const [p, since] of [
    [agent, listeningSince.agent],
    [customer, listeningSince.customer],
  ] as const) {
    const level = peakSince(p, SUPERVISOR_HZ, since);
    assert.ok(level < SILENT_DB, `${p.user} heard the listening supervisor: ${formatDb(level)}`);
  }
  const again = await mode(supervisor.uri, 'listen');
  assert.equal(again.status, 409, again.text);
  assert.match(String(again.json.error), /already in listen mode/);

  const call = await srv.getCall(callId);
  const types = (call.events as { type: string }[]).map((e) => e.type);
  for (const type of ['member.coach', 'member.barge', 'member.listen'])
    assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
});

test('the extension endpoint switches a supervisor by member id; unknown ids are 404', async (t) => {
  const { agent, customer } = await agentAndCustomer(t);
  const supervisor = await phone(t, {
    behaviour: 'answer',
    toneHz: SUPERVISOR_HZ,
    user: 'supervisor',
  });
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const callId = await connectedCall(srv, agent.uri, customer.uri);
  const node = `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}`;
  const joined = await addSupervisor(srv, callId, agent, supervisor);
  const memberId = String(memberOf(joined, supervisor.uri)?.member_id);
  const byId = (call: string, member: string, action: string) =>
    srv.api('POST', `${node}/calls/${call}/members/${member}`, { action });
  await customer.waitHearing(SUPERVISOR_HZ);

  const coach = await byId(callId, memberId, 'coach');
  assert.equal(coach.status, 201, coach.text);
  await customer.waitSilence(3_000, SUPERVISOR_HZ);
  await agent.waitHearing(SUPERVISOR_HZ);
  await supervisor.waitHearing(CUSTOMER_HZ);
  const twice = await byId(callId, memberId, 'coach');
  assert.equal(twice.status, 409, twice.text);
  assert.match(String(twice.json.error), /already in coach mode/);

  const barge = await byId(callId, memberId, 'barge');
  assert.equal(barge.status, 201, barge.text);
  await customer.waitHearing(SUPERVISOR_HZ);

  for (const [call, member, re] of [
    [callId, 'no-such-member', /member no-such-member is not a live member of call/],
    ['no-such-call', memberId, /call no-such-call is not a live call of node/],
  ] as const) {
    const res = await byId(call, member, 'listen');
    assert.equal(res.status, 404, res.text);
    assert.match(String(res.json.error), re);
  }
  // Any member action works by id: hanging the supervisor up, then it is gone.
  assert.equal((await byId(callId, memberId, 'hangup')).status, 201);
  await srv.waitCall(
    (c) => memberOf(c, supervisor.uri)?.state === 'disconnected',
    'the supervisor hung up',
    { callId },
  );
  const gone = await byId(callId, memberId, 'barge');
  assert.equal(gone.status, 404, gone.text);
  assert.match(String(gone.json.error), /is not a live member of call/);
});
