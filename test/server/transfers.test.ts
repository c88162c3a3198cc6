/**
 * Warm and cold transfers (DESIGN.md §2) over real SIP phones, proved by
 * what each phone hears: the agent U1 sends 1000 Hz, the customer U2
 * 1500 Hz, the target U3 2000 Hz; the example PHLO holds customers with
 * tone:660 and agents with tone:440. Also every 409 a transfer action can
 * meet (nothing changes: same events, same members), and the official
 * SDKs' transfer calls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWavFile } from '../../src/media/audio/index.js';
import {
  HEARD_DB,
  levelDb,
  sleep,
  type TonePhone,
  type TonePhoneOptions,
} from '../support/phones/index.js';
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
import {
  runSdkClient,
  sdkSkipReason,
  type SdkClient,
  type SdkClientEnv,
} from '../support/sdk-clients.js';

const TARGET_HZ = 2000;
const AGENT_HOLD_HZ = 440;
const CUSTOMER_HOLD_HZ = 660;
const FAILURE_MESSAGE_HZ = 800;
const SECOND_AGENT_HZ = 2500;
/** How long a negative ("does not hear") check listens once the tone is gone. */
const QUIET_WINDOW_MS = 400;

/** A PHLO like the example one (quiet, known hold tones) with a short ring timeout and extra fields. */
function quietPhlo(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    start: { triggers: ['api'], next: 'support' },
    nodes: [
      {
        type: 'multi_party_call',
        name: 'support',
        from: '{{start.from}}',
        to: '{{start.to}}',
        ring_timeout: 5,
        max_participants: 10,
        agent_hold_music: 'tone:440',
        customer_hold_music: 'tone:660',
        enter_sound: 'none',
        exit_sound: 'none',
        wait_music: 'none',
        ...extra,
      },
    ],
  };
}

/** `p` does not hear `hz`: it goes (or stays) quiet at `hz`, and a further window confirms it. */
async function notHearing(p: TonePhone, hz: number): Promise<void> {
  await p.waitSilence(3_000, hz);
  const since = p.now();
  await sleep(QUIET_WINDOW_MS);
  assert.ok(
    !p.hears(hz, { sinceMs: since, windowMs: QUIET_WINDOW_MS }),
    `phone ${p.user} hears ${hz} Hz: ${p.levelDb(hz, { sinceMs: since, windowMs: QUIET_WINDOW_MS }).toFixed(1)} dB`,
  );
}

function types(call: CallState): string[] {
  return call.events.map((e) => e.type);
}

function eventOf(call: CallState, type: string): CallState['events'][number] | undefined {
  return call.events.find((e) => e.type === type);
}

interface TransferCall {
  srv: TestServer;
  node: NodeRef;
  callId: string;
  agent: TonePhone;
  customer: TonePhone;
  target: TonePhone;
  /** POST the node action (warm_transfer / cold_transfer by default from the agent to the target). */
  transfer(
    kind: 'warm' | 'cold',
    opts?: { to?: string; trigger?: string; role?: string; action?: string },
  ): Promise<ApiResponse>;
  /** POST a member action. */
  member(address: string, action: string): Promise<ApiResponse>;
  call(): Promise<CallState>;
  waitCall(check: (c: CallState) => boolean, what: string): Promise<CallState>;
  /** Waits for an event of `type` (and `where`), resolves with the call. */
  waitEvent(type: string, what?: string): Promise<CallState>;
}

/**
 * A fresh server (unless `srv` is given) with a connected call: the agent
 * U1 and the customer U2 hearing each other; and the target U3's phone.
 */
async function transferCall(
  t: AfterHook,
  opts: {
    target?: Partial<TonePhoneOptions>;
    phlo?: Record<string, unknown>;
    srv?: TestServer;
    agent?: Partial<TonePhoneOptions>;
  } = {},
): Promise<TransferCall> {
  // `agent` is the agent's alone: agentAndCustomer gives its first options
  // to both phones, and a customer that also hung up 3 s after answering
  // left the call ~140 ms after the agent, before a loaded test checked it.
  const { agent, customer } = await agentAndCustomer(t, opts.agent ?? {}, {
    hangupAfterMs: undefined,
  });
  const target = await phone(t, {
    behaviour: 'answer',
    toneHz: TARGET_HZ,
    user: 'target',
    ...opts.target,
  });
  let srv = opts.srv;
  if (!srv) {
    const started = await startTestServer();
    t.after(() => started.stop());
    srv = started;
  }
  const node = opts.phlo
    ? await createPhlo(srv, opts.phlo)
    : { phloId: srv.phloId, nodeId: srv.nodeId };
  const callId = await connectedCall(srv, agent.uri, customer.uri, node);
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitHearing(AGENT_HZ);
  const base = `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}`;
  const s = srv;
  const call = async (): Promise<CallState> =>
    (await s.getCall(callId, node)) as unknown as CallState;
  const waitCall = (check: (c: CallState) => boolean, what: string): Promise<CallState> =>
    s.waitCall(check, what, { callId, node });
  return {
    srv: s,
    node,
    callId,
    agent,
    customer,
    target,
    transfer: (kind, o = {}) =>
      s.api('POST', base, {
        action: o.action ?? `${kind}_transfer`,
        trigger_source: o.trigger ?? agent.uri,
        to: o.to ?? target.uri,
        role: o.role ?? 'agent',
      }),
    member: (address, action) => s.api('POST', `${base}/members/${address}`, { action }),
    call,
    waitCall,
    waitEvent: (type, what = type) => waitCall((c) => types(c).includes(type), what),
  };
}

/** During a warm transfer's consultation: U1 and U3 hear each other only, U2 its hold music only. */
async function assertConsultation(c: TransferCall): Promise<void> {
  const { agent, customer, target } = c;
  await agent.waitHearing(TARGET_HZ);
  await target.waitHearing(AGENT_HZ);
  await customer.waitHearing(CUSTOMER_HOLD_HZ);
  await notHearing(customer, AGENT_HZ);
  await notHearing(customer, TARGET_HZ);
  await notHearing(agent, CUSTOMER_HZ);
  await notHearing(target, CUSTOMER_HZ);
  assert.ok(!agent.hears(CUSTOMER_HOLD_HZ), 'U1 does not hear the hold music');
  assert.ok(!target.hears(CUSTOMER_HOLD_HZ), 'U3 does not hear the hold music');
  assert.ok(
    !customer.hears(AGENT_HOLD_HZ),
    'a held customer hears customer music, not agent music',
  );
}

/** U1 and U2 are together again, nothing of U3 nor of the hold music. */
async function assertBackTogether(c: TransferCall): Promise<CallState> {
  const { agent, customer } = c;
  await customer.waitHearing(AGENT_HZ);
  await agent.waitHearing(CUSTOMER_HZ);
  await notHearing(customer, CUSTOMER_HOLD_HZ);
  await notHearing(customer, TARGET_HZ);
  await notHearing(agent, TARGET_HZ);
  const call = await c.waitCall(
    (s) => memberOf(s, customer.uri)?.state === 'connected',
    'U2 left hold',
  );
  assert.equal(memberOf(call, customer.uri)?.held, false);
  assert.equal(memberOf(call, agent.uri)?.state, 'connected');
  assert.equal(call.state, 'active');
  return call;
}

// ---- 1. warm transfer, completed ------------------------------------------------------------

test('warm transfer: U2 on hold music, U1 and U3 consult privately; U1 hangs up: U3 and U2 talk', async (t) => {
  const c = await transferCall(t);
  const { agent, customer, target } = c;
  const res = await c.transfer('warm');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(Object.keys(res.json).sort(), ['api_id', 'error']);
  let call = await c.waitEvent('transfer.answered');
  assert.equal(memberOf(call, customer.uri)?.state, 'on_hold');
  assert.equal(memberOf(call, target.uri)?.state, 'connected');
  const held = call.events.find((e) => e.type === 'member.held');
  assert.equal(held?.data.by, 'transfer');
  assert.equal(held?.member_id, memberOf(call, customer.uri)?.member_id);
  const started = eventOf(call, 'transfer.started');
  assert.equal(started?.member_id, memberOf(call, agent.uri)?.member_id);
  assert.equal(started?.data.kind, 'warm');
  assert.equal(started?.data.target_member_id, memberOf(call, target.uri)?.member_id);
  await assertConsultation(c);

  // U1 leaves (the API hangs it up: BYE to its phone): U3 and U2 are joined, U2 leaves hold.
  const hangup = await c.member(agent.uri, 'hangup');
  assert.equal(hangup.status, 201, hangup.text);
  await agent.waitEvent('bye-received');
  await customer.waitHearing(TARGET_HZ);
  await target.waitHearing(CUSTOMER_HZ);
  await notHearing(customer, CUSTOMER_HOLD_HZ);
  await notHearing(customer, AGENT_HZ);
  call = await c.waitEvent('transfer.completed');
  call = await c.waitCall(
    (s) => memberOf(s, customer.uri)?.state === 'connected',
    'U2 off hold after the transfer',
  );
  assert.equal(call.state, 'active');
  assert.equal(memberOf(call, agent.uri)?.state, 'disconnected');
  assert.equal(memberOf(call, target.uri)?.state, 'connected');
  const unheld = call.events.find((e) => e.type === 'member.unheld');
  assert.equal(unheld?.data.by, 'transfer');
  const order = types(call).filter((e) => e.startsWith('transfer.'));
  assert.deepEqual(order, ['transfer.started', 'transfer.answered', 'transfer.completed']);
});

test("warm transfer: U1's own phone hangs up (BYE from U1) and the transfer completes", async (t) => {
  // The agent's phone sends BYE 3 s after answering; U3 answers well before.
  const c = await transferCall(t, { agent: { hangupAfterMs: 3_000 } });
  const { agent, customer, target } = c;
  assert.equal((await c.transfer('warm')).status, 201);
  const answered = await c.waitEvent('transfer.answered');
  assert.ok(
    !types(answered).includes('member.disconnected'),
    'U3 answered before U1 hung up (else this is the unattended case)',
  );
  await agent.waitHearing(TARGET_HZ);
  await agent.waitEvent('bye-sent', { timeoutMs: 10_000 });
  await customer.waitHearing(TARGET_HZ);
  await target.waitHearing(CUSTOMER_HZ);
  const call = await c.waitCall(
    (s) =>
      types(s).includes('transfer.completed') && memberOf(s, customer.uri)?.state === 'connected',
    'transfer.completed, U2 off hold',
  );
  assert.equal(memberOf(call, agent.uri)?.hangup_cause, 'remote-hangup');
  assert.equal(call.state, 'active');
});

test('warm transfer: U1 hangs up before U3 answers: unattended, U3 joins U2 when it answers', async (t) => {
  const c = await transferCall(t, { target: { answerDelayMs: 2_000 } });
  const { agent, customer, target } = c;
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitCall((s) => memberOf(s, target.uri)?.state === 'ringing', 'U3 ringing');
  assert.equal((await c.member(agent.uri, 'hangup')).status, 201);
  await agent.waitEvent('bye-received');
  let call = await c.waitEvent('transfer.unattended');
  assert.equal(memberOf(call, customer.uri)?.state, 'on_hold');
  assert.equal(call.state, 'active', 'the call waits for U3');
  await customer.waitHearing(CUSTOMER_HOLD_HZ);
  await customer.waitHearing(TARGET_HZ, 8_000);
  await target.waitHearing(CUSTOMER_HZ);
  await notHearing(customer, CUSTOMER_HOLD_HZ);
  call = await c.waitCall(
    (s) =>
      types(s).includes('transfer.completed') && memberOf(s, customer.uri)?.state === 'connected',
    'transfer.completed, U2 off hold',
  );
  assert.equal(call.state, 'active');
});

// ---- 2. warm transfer to a target that fails ------------------------------------------------

for (const [behaviour, cause, status] of [
  ['busy', 'busy', 486],
  ['decline', 'declined', 603],
] as const) {
  test(`warm transfer to a ${behaviour} target: U2 leave hold and hear U1 again (transfer.failed ${status})`, async (t) => {
    const c = await transferCall(t, { target: { behaviour, answerDelayMs: 300 } });
    assert.equal((await c.transfer('warm')).status, 201);
    let call = await c.waitEvent('transfer.failed');
    const failed = eventOf(call, 'transfer.failed');
    assert.equal(failed?.data.cause, cause);
    assert.equal(failed?.data.status, status);
    assert.equal(failed?.member_id, memberOf(call, c.agent.uri)?.member_id);
    assert.equal(memberOf(call, c.target.uri)?.state, 'failed');
    assert.equal(memberOf(call, c.target.uri)?.sip_status, status);
    await c.target.waitEvent('rejected');
    call = await assertBackTogether(c);
    assert.ok(types(call).includes('member.unheld'), types(call).join(', '));
    // No transfer is pending any more.
    const abort = await c.member(c.agent.uri, 'abort_transfer');
    assert.equal(abort.status, 409, abort.text);
    assert.match(String(abort.json.error), /no transfer to abort/);
  });
}

test('warm transfer to a target that never answers: the ring timeout fails it, U2 back with U1', async (t) => {
  const c = await transferCall(t, {
    target: { behaviour: 'no-answer' },
    phlo: quietPhlo('ring timeout 5'),
  });
  assert.equal((await c.transfer('warm')).status, 201);
  await c.customer.waitHearing(CUSTOMER_HOLD_HZ);
  const call = await c.waitCall((s) => types(s).includes('transfer.failed'), 'transfer.failed');
  assert.equal(eventOf(call, 'transfer.failed')?.data.cause, 'no-answer');
  await c.target.waitEvent('canceled');
  await assertBackTogether(c);
});

// ---- 3. abort_transfer ------------------------------------------------------------------------

test('abort_transfer while U3 rings: U3 gets CANCEL, U1 and U2 together again', async (t) => {
  const c = await transferCall(t, { target: { behaviour: 'no-answer' } });
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitCall((s) => memberOf(s, c.target.uri)?.state === 'ringing', 'U3 ringing');
  await c.customer.waitHearing(CUSTOMER_HOLD_HZ);
  await notHearing(c.agent, CUSTOMER_HZ);
  const abort = await c.member(c.agent.uri, 'abort_transfer');
  assert.equal(abort.status, 201, abort.text);
  await c.target.waitEvent('canceled');
  const call = await assertBackTogether(c);
  assert.ok(types(call).includes('transfer.aborted'), types(call).join(', '));
  const u3 = await c.waitCall((s) => memberOf(s, c.target.uri)?.state === 'failed', 'U3 canceled');
  assert.equal(memberOf(u3, c.target.uri)?.hangup_cause, 'transfer-aborted');
  await c.target.passed(10_000);
});

test('abort_transfer after U3 answered: U3 gets BYE, U1 and U2 together again', async (t) => {
  const c = await transferCall(t);
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitEvent('transfer.answered');
  await c.agent.waitHearing(TARGET_HZ);
  const abort = await c.member(c.agent.uri, 'abort_transfer');
  assert.equal(abort.status, 201, abort.text);
  await c.target.waitEvent('bye-received');
  const call = await assertBackTogether(c);
  assert.ok(types(call).includes('transfer.aborted'), types(call).join(', '));
  assert.ok(!types(call).includes('transfer.completed'), types(call).join(', '));
  const u3 = await c.waitCall(
    (s) => memberOf(s, c.target.uri)?.state === 'disconnected',
    'U3 hung up',
  );
  assert.equal(memberOf(u3, c.target.uri)?.hangup_cause, 'transfer-aborted');
  await c.target.passed(10_000);
});

test('abort_transfer from the Node SDK (mpc.abortTransfer(U1)) while U3 rings', async (t) => {
  const reason = sdkSkipReason('node');
  if (reason) return t.skip(reason);
  const c = await transferCall(t, { target: { behaviour: 'no-answer' } });
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitCall((s) => memberOf(s, c.target.uri)?.state === 'ringing', 'U3 ringing');
  const r = await runSdkClient('node', {
    ...sdkEnv(c),
    PL_MODE: 'member',
    PL_MEMBER: c.agent.uri,
    PL_ACTION: 'abort_transfer',
  });
  assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
  assert.equal(r.result?.ok, true, r.stdout);
  await c.target.waitEvent('canceled');
  const call = await assertBackTogether(c);
  assert.ok(types(call).includes('transfer.aborted'), types(call).join(', '));
});

// ---- 4. resume_call ----------------------------------------------------------------------------

test('resume_call after U3 answered: U1, U2 and U3 all hear each other', async (t) => {
  const c = await transferCall(t);
  const { agent, customer, target } = c;
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitEvent('transfer.answered');
  await agent.waitHearing(TARGET_HZ);
  await customer.waitHearing(CUSTOMER_HOLD_HZ);
  const resume = await c.member(agent.uri, 'resume_call');
  assert.equal(resume.status, 201, resume.text);
  for (const [listener, hz] of [
    [agent, CUSTOMER_HZ],
    [agent, TARGET_HZ],
    [customer, AGENT_HZ],
    [customer, TARGET_HZ],
    [target, AGENT_HZ],
    [target, CUSTOMER_HZ],
  ] as const)
    await listener.waitHearing(hz);
  await notHearing(customer, CUSTOMER_HOLD_HZ);
  const call = await c.waitCall(
    (s) => memberOf(s, customer.uri)?.state === 'connected',
    'U2 off hold after resume_call',
  );
  assert.ok(types(call).includes('transfer.resumed'), types(call).join(', '));
  assert.ok(!types(call).includes('transfer.completed'), types(call).join(', '));
  for (const p of [agent, customer, target])
    assert.equal(memberOf(call, p.uri)?.state, 'connected');
  // The transfer is over: another may start, and the one just resumed cannot be aborted.
  const abort = await c.member(agent.uri, 'abort_transfer');
  assert.equal(abort.status, 409, abort.text);
});

// ---- 5. cold transfer -----------------------------------------------------------------------

test('cold transfer: U1 gets BYE at once, U2 hear hold music until U3 answers, then U2 and U3 talk', async (t) => {
  const c = await transferCall(t, { target: { answerDelayMs: 1_500 } });
  const { agent, customer, target } = c;
  const res = await c.transfer('cold');
  assert.equal(res.status, 201, res.text);
  await agent.waitEvent('bye-received');
  await customer.waitHearing(CUSTOMER_HOLD_HZ);
  let call = await c.waitCall((s) => memberOf(s, agent.uri)?.state === 'disconnected', 'U1 gone');
  assert.equal(memberOf(call, agent.uri)?.hangup_cause, 'transferred');
  assert.equal(memberOf(call, customer.uri)?.state, 'on_hold');
  assert.equal(eventOf(call, 'transfer.started')?.data.kind, 'cold');
  await customer.waitHearing(TARGET_HZ, 8_000);
  await target.waitHearing(CUSTOMER_HZ);
  await notHearing(customer, CUSTOMER_HOLD_HZ);
  await notHearing(customer, AGENT_HZ);
  call = await c.waitCall(
    (s) =>
      types(s).includes('transfer.completed') && memberOf(s, customer.uri)?.state === 'connected',
    'transfer.completed, U2 off hold',
  );
  assert.equal(call.state, 'active');
  assert.equal(memberOf(call, target.uri)?.state, 'connected');
});

test('cold transfer to a busy target, then: end: U2 hear the failure message, then BYE', async (t) => {
  const c = await transferCall(t, {
    target: { behaviour: 'busy', answerDelayMs: 300 },
    phlo: quietPhlo('cold failure ends', {
      cold_transfer_failure: { message: 'tone:800:1000', then: 'end' },
    }),
  });
  assert.equal((await c.transfer('cold')).status, 201);
  await c.agent.waitEvent('bye-received');
  await c.customer.waitHearing(FAILURE_MESSAGE_HZ, 8_000);
  await notHearing(c.customer, CUSTOMER_HOLD_HZ);
  await c.customer.waitEvent('bye-received', { timeoutMs: 8_000 });
  const call = await c.waitCall((s) => s.state === 'ended', 'the call ended');
  assert.equal(call.end_reason, 'transfer-failed');
  const failed = eventOf(call, 'transfer.failed');
  assert.equal(failed?.data.cause, 'busy');
  assert.equal(failed?.data.status, 486);
  assert.equal(failed?.data.then, 'end');
  assert.equal(memberOf(call, c.customer.uri)?.state, 'disconnected');
  assert.equal(memberOf(call, c.customer.uri)?.hangup_cause, 'transfer-failed');
});

test('cold transfer to a busy target, then: continue: the message, and the call goes on', async (t) => {
  // A second agent stays in the call, so it has an agent once U1 has gone.
  const c = await transferCall(t, {
    target: { behaviour: 'busy', answerDelayMs: 300 },
    phlo: quietPhlo('cold failure continues', {
      cold_transfer_failure: { message: 'tone:800:1000', then: 'continue' },
    }),
  });
  const second = await phone(t, { behaviour: 'answer', toneHz: SECOND_AGENT_HZ, user: 'second' });
  const add = await c.srv.api(
    'POST',
    `/v1/phlo/${c.node.phloId}/multi_party_call/${c.node.nodeId}`,
    {
      action: 'call',
      to: second.uri,
      role: 'agent',
      trigger_source: c.agent.uri,
    },
  );
  assert.equal(add.status, 201, add.text);
  await c.customer.waitHearing(SECOND_AGENT_HZ);
  assert.equal((await c.transfer('cold')).status, 201);
  await c.agent.waitEvent('bye-received');
  await c.customer.waitHearing(FAILURE_MESSAGE_HZ, 8_000);
  await second.waitHearing(FAILURE_MESSAGE_HZ);
  // After the message: the customer and the second agent talk again.
  await c.customer.waitHearing(SECOND_AGENT_HZ, 8_000);
  await second.waitHearing(CUSTOMER_HZ);
  await notHearing(c.customer, FAILURE_MESSAGE_HZ);
  const call = await c.waitCall(
    (s) => memberOf(s, c.customer.uri)?.state === 'connected',
    'U2 connected after the failure',
  );
  assert.equal(call.state, 'active');
  assert.equal(eventOf(call, 'transfer.failed')?.data.then, 'continue');
  assert.ok(!c.customer.events().some((e) => e.kind === 'bye-received'));
  // The event log says each member the transfer held left that hold.
  for (const p of [c.customer, second]) {
    const id = memberOf(call, p.uri)?.member_id;
    const by = (type: string) =>
      call.events.filter((e) => e.type === type && e.member_id === id && e.data.by === 'transfer');
    assert.equal(by('member.held').length, 1, `${p.user} held by the transfer`);
    assert.equal(by('member.unheld').length, 1, `${p.user} unheld by the transfer: ${types(call)}`);
  }
});

test('cold transfer to a busy target, then: continue, nobody left who may act: the call ends', async (t) => {
  const c = await transferCall(t, {
    target: { behaviour: 'busy', answerDelayMs: 300 },
    phlo: quietPhlo('cold failure continues alone', {
      cold_transfer_failure: { message: 'tone:800:1000', then: 'continue' },
    }),
  });
  assert.equal((await c.transfer('cold')).status, 201);
  await c.customer.waitHearing(FAILURE_MESSAGE_HZ, 8_000);
  await c.customer.waitEvent('bye-received', { timeoutMs: 8_000 });
  const call = await c.waitCall((s) => s.state === 'ended', 'the call ended');
  assert.equal(call.end_reason, 'last-agent-left');
});

for (const kind of ['cold', 'unattended'] as const) {
  test(`${kind} transfer: the customer hangs up while U3 rings: U3 gets CANCEL, the call ends`, async (t) => {
    const c = await transferCall(t, { target: { behaviour: 'no-answer' } });
    assert.equal((await c.transfer(kind === 'cold' ? 'cold' : 'warm')).status, 201);
    if (kind === 'unattended') {
      assert.equal((await c.member(c.agent.uri, 'hangup')).status, 201);
      await c.waitEvent('transfer.unattended');
    }
    await c.agent.waitEvent('bye-received');
    await c.waitCall((s) => memberOf(s, c.target.uri)?.state === 'ringing', 'U3 ringing');
    assert.equal((await c.member(c.customer.uri, 'hangup')).status, 201);
    await c.customer.waitEvent('bye-received');
    // Nobody is left to transfer to: U3 is not left to answer into an empty call.
    await c.target.waitEvent('canceled');
    const call = await c.waitCall((s) => s.state === 'ended', 'the call ended');
    assert.equal(call.end_reason, 'everyone-left');
    assert.ok(!types(call).includes('transfer.completed'), types(call).join(', '));
    assert.equal(eventOf(call, 'transfer.aborted')?.data.cause, 'others-left');
    assert.equal(memberOf(call, c.target.uri)?.hangup_cause, 'transfer-aborted');
    await c.target.passed(10_000);
  });
}

test('unattended transfer whose U3 never answers, then: continue: the call is recorded again after the failure', async (t) => {
  // The warm transfer pauses the recording for the consultation; U1 leaving makes it cold,
  // and the target failing ends it: the rest of the call is recorded.
  const c = await transferCall(t, {
    target: { behaviour: 'no-answer' },
    phlo: quietPhlo('unattended failure recorded', {
      record: true,
      cold_transfer_failure: { message: 'tone:800:500', then: 'continue' },
    }),
  });
  const second = await phone(t, { behaviour: 'answer', toneHz: SECOND_AGENT_HZ, user: 'second' });
  const add = await c.srv.api(
    'POST',
    `/v1/phlo/${c.node.phloId}/multi_party_call/${c.node.nodeId}`,
    {
      action: 'call',
      to: second.uri,
      role: 'agent',
      trigger_source: c.agent.uri,
    },
  );
  assert.equal(add.status, 201, add.text);
  await c.customer.waitHearing(SECOND_AGENT_HZ);
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitCall((s) => memberOf(s, c.target.uri)?.state === 'ringing', 'U3 ringing');
  assert.equal((await c.member(c.agent.uri, 'hangup')).status, 201);
  await c.waitEvent('transfer.unattended');
  await c.waitEvent('transfer.failed', 'the ring timeout');
  await c.customer.waitHearing(FAILURE_MESSAGE_HZ, 8_000);
  await c.customer.waitHearing(SECOND_AGENT_HZ, 8_000);
  await second.waitHearing(CUSTOMER_HZ);
  await sleep(1_000);
  assert.equal((await c.member(second.uri, 'hangup')).status, 201);
  const ended = await c.waitCall((s) => s.state === 'ended', 'the call ended');
  const ready = eventOf(ended, 'recording.ready');
  assert.ok(ready, types(ended).join(', '));
  const wav = await decodeWavFile(String(ready.data.path));
  // The last second of the recording: the customer and the second agent, after the failure.
  const tail = wav.samples.subarray(Math.max(0, wav.samples.length - 8_000));
  const show = `customer ${levelDb(tail, CUSTOMER_HZ).toFixed(1)} dB, second agent ${levelDb(tail, SECOND_AGENT_HZ).toFixed(1)} dB, agent ${levelDb(tail, AGENT_HZ).toFixed(1)} dB`;
  assert.ok(levelDb(tail, CUSTOMER_HZ) >= HEARD_DB, `the end of the call is not recorded: ${show}`);
  assert.ok(levelDb(tail, SECOND_AGENT_HZ) >= HEARD_DB, show);
  assert.ok(levelDb(tail, AGENT_HZ) < HEARD_DB, `U1 had left: ${show}`);
});

// ---- 6. 409s: nothing changes ---------------------------------------------------------------

/** The call's events and members now, to compare after a refused request. */
async function snapshot(c: TransferCall): Promise<string> {
  const call = await c.call();
  return JSON.stringify({ events: call.events.length, members: call.members });
}

async function refused(
  c: TransferCall,
  request: () => Promise<ApiResponse>,
  message: RegExp,
): Promise<void> {
  const before = await snapshot(c);
  const res = await request();
  assert.equal(res.status, 409, res.text);
  assert.match(String(res.json.error), message);
  assert.equal(await snapshot(c), before, `nothing changed after ${res.text}`);
}

test('409 with nothing changed: every transfer action in a state it cannot apply to', async (t) => {
  const c = await transferCall(t, { target: { behaviour: 'no-answer' } });
  const { agent, customer, target } = c;
  // No transfer yet.
  await refused(c, () => c.member(agent.uri, 'resume_call'), /no consultation/);
  await refused(c, () => c.member(agent.uri, 'abort_transfer'), /no transfer to abort/);

  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitCall((s) => memberOf(s, target.uri)?.state === 'ringing', 'U3 ringing');
  await c.waitCall(
    (s) => memberOf(s, customer.uri)?.state === 'on_hold',
    'U2 on hold for the transfer',
  );
  const other = await phone(t, { behaviour: 'answer', toneHz: SECOND_AGENT_HZ, user: 'other' });
  await refused(c, () => c.transfer('warm', { to: other.uri }), /already pending/);
  await refused(c, () => c.transfer('cold', { to: other.uri }), /already pending/);
  await refused(c, () => c.member(agent.uri, 'resume_call'), /has not answered yet/);
  await refused(c, () => c.member(customer.uri, 'abort_transfer'), /did not start/);
  await refused(c, () => c.member(customer.uri, 'resume_call'), /did not start/);
  await refused(c, () => c.member(customer.uri, 'unhold'), /on hold for a pending transfer/);
  // The customer still only hears hold music; the target still rings.
  await customer.waitHearing(CUSTOMER_HOLD_HZ);
  await notHearing(customer, AGENT_HZ);
  assert.ok(!target.events().some((e) => e.kind === 'canceled'));

  // Given up: nothing left to abort or resume.
  assert.equal((await c.member(agent.uri, 'abort_transfer')).status, 201);
  await target.waitEvent('canceled');
  await assertBackTogether(c);
  await refused(c, () => c.member(agent.uri, 'abort_transfer'), /no transfer to abort/);
  await refused(c, () => c.member(agent.uri, 'resume_call'), /no consultation/);
  await refused(c, () => c.member(customer.uri, 'unhold'), /not on hold/);
});

test('409 with nothing changed: U3 may not abort nor resume the consultation it is in', async (t) => {
  const c = await transferCall(t);
  assert.equal((await c.transfer('warm')).status, 201);
  await c.waitEvent('transfer.answered');
  await c.waitCall(
    (s) => memberOf(s, c.customer.uri)?.state === 'on_hold',
    'U2 on hold for the transfer',
  );
  await refused(c, () => c.member(c.target.uri, 'abort_transfer'), /did not start/);
  await refused(c, () => c.member(c.target.uri, 'resume_call'), /did not start/);
  await refused(c, () => c.member(c.customer.uri, 'unhold'), /on hold for a pending transfer/);
  await assertConsultation(c);
});

// ---- 7. the official SDKs ------------------------------------------------------------------------

function sdkEnv(c: TransferCall): SdkClientEnv {
  return {
    PL_BASE_URL: c.srv.baseUrl,
    PL_AUTH_ID: c.srv.authId,
    PL_AUTH_TOKEN: c.srv.authToken,
    PL_PHLO_ID: c.node.phloId,
    PL_NODE_ID: c.node.nodeId,
  };
}

test('warm_transfer from the official SDKs (each a fresh call), and the hyphenated spelling', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const clients: (SdkClient | 'warm-transfer')[] = [
    'python',
    'go',
    'java',
    'node',
    'warm-transfer',
  ];
  for (const sdk of clients) {
    const reason = sdk === 'warm-transfer' ? false : sdkSkipReason(sdk);
    if (reason) {
      t.diagnostic(`skipped ${sdk}: ${reason}`);
      continue;
    }
    await t.test(sdk, async (st) => {
      const c = await transferCall(st, { srv });
      if (sdk === 'warm-transfer') {
        // Java's shared mapper may hyphenate the action (PLIVO-SDK-WIRE.md §3.4).
        const res = await c.transfer('warm', { action: 'warm-transfer' });
        assert.equal(res.status, 201, res.text);
      } else {
        const r = await runSdkClient(sdk, {
          ...sdkEnv(c),
          PL_MODE: 'call',
          PL_MPC_ACTION: 'warm_transfer',
          PL_TRIGGER_SOURCE: c.agent.uri,
          PL_TO: c.target.uri,
          PL_ROLE: 'agent',
        });
        assert.equal(r.code, 0, `${sdk} warm_transfer: ${r.stdout} ${r.stderr}`);
        assert.equal(r.result?.ok, true, r.stdout);
      }
      const call = await c.waitEvent('transfer.answered', `${sdk}: transfer.answered`);
      assert.equal(eventOf(call, 'transfer.started')?.data.kind, 'warm');
      assert.equal(memberOf(call, c.target.uri)?.role, 'agent');
      await assertConsultation(c);
      // End the call: U1 leaves (the transfer completes), then U3.
      assert.equal((await c.member(c.agent.uri, 'hangup')).status, 201);
      await c.customer.waitHearing(TARGET_HZ);
      assert.equal((await c.member(c.target.uri, 'hangup')).status, 201);
      await c.waitCall((s) => s.state === 'ended', `${sdk}: call ended`);
    });
  }
});
