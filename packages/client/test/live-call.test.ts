/**
 * Every call method of the SDK against a real server and real SIP phones
 * (SIPp TonePhones on 127.0.0.1), one server for the whole file: run,
 * call (a third phone and a supervisor), hold/unhold, mute/unmute,
 * coach/barge/listen by member id and by address, calls/getCall, the
 * polling event iterator, hangup; then warm transfer + abortTransfer, warm
 * transfer + resumeCall, and cold transfer. What the phones hear is proved
 * by the server's own tests; here the member states and events show each
 * request arrived and was applied.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConflictError, type CallEvent } from '../src/index.js';
import { phone, agentAndCustomer } from '../../../test/support/partyline-server.js';
import type { TonePhone } from '../../../test/support/phones/index.js';
import { hasEvent, member, sdkServer, stateOf, until, type SdkServer } from './support.js';

let s: SdkServer;
before(async () => {
  s = await sdkServer();
});
after(() => s.stop());

const answering = (user: string, toneHz: number): Promise<TonePhone> =>
  phone(s, { behaviour: 'answer', toneHz, user, timeoutSeconds: 60 });

/** Runs the example PHLO through the SDK; resolves once agent and customer are connected. */
async function connected(agent: TonePhone, customer: TonePhone): Promise<string> {
  const run = await s.client.phlo(s.srv.phloId).run({ from: agent.uri, to: customer.uri });
  assert.equal(run.phloId, s.srv.phloId);
  assert.ok(run.apiId && run.phloRunId && run.callId, JSON.stringify(run));
  await until(
    s.mpc,
    run.callId,
    (c) => c.members.length === 2 && c.members.every((m) => m.state === 'connected'),
    'agent and customer connected',
  );
  return run.callId;
}

test('run, call, hold/unhold, mute/unmute, supervisor modes, calls, events, hangup', async () => {
  const { agent, customer } = await agentAndCustomer(s, { timeoutSeconds: 60 });
  const third = await answering('third', 2000);
  const supervisor = await answering('supervisor', 2500);
  const callId = await connected(agent, customer);
  const { mpc } = s;
  // Consumed concurrently; it must end by itself when the call ends.
  const seen: CallEvent[] = [];
  const iterating = (async () => {
    for await (const e of mpc.events(callId, { minIntervalMs: 50, maxIntervalMs: 400 }))
      seen.push(e);
  })();

  const added = await mpc.call(agent.uri, third.uri, 'customer');
  assert.equal(added.error, '');
  assert.match(added.apiId, /^[0-9a-f-]{36}$/);
  let c = await until(mpc, callId, (x) => stateOf(x, third.uri) === 'connected', 'third connected');
  assert.equal(member(c, third.uri)?.role, 'customer');

  await mpc.member(customer.uri).hold();
  c = await until(mpc, callId, (x) => stateOf(x, customer.uri) === 'on_hold', 'customer on hold');
  assert.equal(member(c, customer.uri)?.held, true);
  await mpc.member(customer.uri).unhold();
  await until(mpc, callId, (x) => stateOf(x, customer.uri) === 'connected', 'customer back');

  await mpc.member(third.uri).mute();
  await until(mpc, callId, (x) => member(x, third.uri)?.muted === true, 'third muted');
  await mpc.member(third.uri).unmute();
  await until(mpc, callId, (x) => member(x, third.uri)?.muted === false, 'third unmuted');

  await mpc.call(agent.uri, supervisor.uri, 'supervisor');
  c = await until(mpc, callId, (x) => stateOf(x, supervisor.uri) === 'connected', 'supervisor in');
  const supervisorId = String(member(c, supervisor.uri)?.memberId);
  const byId = mpc.callMember(callId, supervisorId);
  await byId.coach();
  await byId.listen();
  await mpc.member(supervisor.uri).barge(); // by address works too
  await assert.rejects(mpc.member(supervisor.uri).barge(), (e: unknown) => {
    assert.ok(e instanceof ConflictError, String(e));
    assert.equal(e.status, 409);
    assert.match(e.message, /already in barge mode/);
    assert.match(String(e.apiId), /^[0-9a-f-]{36}$/);
    return true;
  });
  c = await mpc.getCall(callId);
  const types = c.events.map((e) => e.type);
  for (const type of ['member.coach', 'member.listen', 'member.barge'])
    assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);

  const live = await mpc.calls({ live: true });
  assert.deepEqual(
    live.map((x) => x.callId),
    [callId],
  );
  assert.equal(live[0].members.length, 4);
  assert.equal((await mpc.calls({ limit: 1 }))[0].callId, callId);

  await byId.hangup();
  await mpc.member(third.uri).hangup();
  await until(mpc, callId, (x) => stateOf(x, third.uri) === 'disconnected', 'third gone');
  await mpc.member(agent.uri).hangup();
  c = await until(mpc, callId, (x) => x.state === 'ended', 'the call ended');
  assert.equal(c.endReason, 'last-agent-left');

  await iterating;
  assert.deepEqual(
    seen.map((e) => e.seq),
    c.events.map((e) => e.seq),
    'every event once, in order',
  );
  assert.equal(seen.at(-1)?.type, 'call.ended');
  // Resuming after a seq yields only what came later.
  const tail: string[] = [];
  for await (const e of mpc.events(callId, { afterSeq: c.events.length - 2 })) tail.push(e.type);
  assert.deepEqual(
    tail,
    c.events.slice(-2).map((e) => e.type),
  );
});

test('warm transfer + abortTransfer, warm transfer + resumeCall, cold transfer', async () => {
  const { agent, customer } = await agentAndCustomer(s, { timeoutSeconds: 60 });
  const [first, second, third] = await Promise.all([
    answering('expert1', 2000),
    answering('expert2', 2200),
    answering('expert3', 2400),
  ]);
  const callId = await connected(agent, customer);
  const { mpc } = s;

  await mpc.warmTransfer(agent.uri, first.uri);
  let c = await until(mpc, callId, (x) => hasEvent(x, 'transfer.answered'), 'U3 answered');
  assert.equal(stateOf(c, customer.uri), 'on_hold', 'U2 held during the consultation');
  await mpc.abortTransfer(agent.uri);
  c = await until(
    mpc,
    callId,
    (x) => hasEvent(x, 'transfer.aborted') && stateOf(x, customer.uri) === 'connected',
    'aborted, U2 back',
  );
  await until(mpc, callId, (x) => stateOf(x, first.uri) === 'disconnected', 'U3 hung up');

  await mpc.warmTransfer(agent.uri, second.uri, 'agent');
  await until(
    mpc,
    callId,
    (x) => x.events.filter((e) => e.type === 'transfer.answered').length === 2,
    'second U3 answered',
  );
  await mpc.member(agent.uri).resumeCall();
  c = await until(
    mpc,
    callId,
    (x) =>
      hasEvent(x, 'transfer.resumed') &&
      [agent.uri, customer.uri, second.uri].every((a) => stateOf(x, a) === 'connected'),
    'all three together',
  );

  await mpc.coldTransfer(agent.uri, third.uri, 'agent');
  c = await until(
    mpc,
    callId,
    (x) =>
      stateOf(x, third.uri) === 'connected' &&
      stateOf(x, agent.uri) === 'disconnected' &&
      stateOf(x, customer.uri) === 'connected',
    'U1 left, U3 joined U2 (off hold)',
  );
  assert.ok(hasEvent(c, 'transfer.unattended') || hasEvent(c, 'transfer.completed'));
  await mpc.member(second.uri).hangup();
  await mpc.member(third.uri).hangup();
  await until(mpc, callId, (x) => x.state === 'ended', 'the call ended');
});
