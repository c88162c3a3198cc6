/**
 * Inbound calls over real SIP (src/phlo/README.md "Incoming calls"): a
 * PHLO created by API with start.incoming takes calls to its number; the
 * caller (SIPp, scenarios/uac-tone.xml, its audio an RtpTestPeer so both
 * directions can be heard) is answered as the customer and hears the
 * wait music while the node's agent (a TonePhone) rings; then caller and
 * agent hear each other. A call for a number no PHLO takes gets 404.
 * baresip, a real softphone, calls in too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Baresip } from '../support/baresip.js';
import { RtpTestPeer } from '../support/rtp-peer.js';
import { SipPeer } from '../support/sipp.js';
import {
  HEARD_DB,
  LISTEN_WINDOW_MS,
  SILENT_DB,
  formatDb,
  levelDb,
  sleep,
  waitFor,
} from '../support/phones/index.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  createPhlo,
  phone,
  startTestServer,
  type CallState,
  type NodeRef,
  type TestServer,
} from '../support/partyline-server.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const NUMBER = '+15550001111';
const CALLER = '+15552223333';
const WAIT_MUSIC_HZ = 700;
const BARESIP_HZ = 440; // baresip's ausine source, see test/support/baresip.ts

function inboundPhlo(agents: string[]): string {
  return [
    'name: Inbound line',
    'start:',
    '  triggers: [incoming]',
    `  incoming: ['${NUMBER}']`,
    '  next: support',
    'nodes:',
    '  - type: multi_party_call',
    '    name: support',
    `    agents: [${agents.map((a) => `'${a}'`).join(', ')}]`,
    `    wait_music: tone:${WAIT_MUSIC_HZ}`,
    '    enter_sound: none',
    '    exit_sound: none',
    '',
  ].join('\n');
}

/** A copy of scenarios/`name` with its {{blanks}} filled, in a temp dir removed in t.after. */
function scenario(t: TestContext, name: string, values: Record<string, string | number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-inbound-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(join(SCENARIOS, name), 'latin1').replace(
    /\{\{(\w+)\}\}/g,
    (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`scenario ${name} needs {{${key}}}`);
      return String(value);
    },
  );
  const path = join(dir, name);
  writeFileSync(path, text, 'latin1');
  return path;
}

/**
 * A SIPp caller dialling NUMBER at the server, its audio an RTP tone peer
 * (sending `toneHz` unless null); it hangs up after `byeAfterMs` (0: waits
 * for our BYE). Both stopped when the test ends.
 */
async function callNumber(
  t: TestContext,
  srv: TestServer,
  opts: { byeAfterMs: number; toneHz: number | null },
): Promise<{ peer: RtpTestPeer; caller: SipPeer }> {
  const peer = await RtpTestPeer.open({ codec: 'PCMU', latch: true });
  t.after(() => peer.close());
  if (opts.toneHz !== null) peer.startTone(opts.toneHz);
  const caller = await SipPeer.start({
    scenario: scenario(t, 'uac-tone.xml', { byeAfterMs: opts.byeAfterMs }),
    remote: sipAddress(srv),
    service: NUMBER,
    keys: { rtp_port: String(peer.port), caller: CALLER },
    timeoutSeconds: 30,
  });
  t.after(() => caller.stop());
  return { peer, caller };
}

function sipAddress(srv: TestServer): string {
  const udp = srv.server.sipBindings.find((b) => b.protocol === 'udp' && b.family === 4);
  if (!udp) throw new Error('the server has no UDP SIP listener');
  return `127.0.0.1:${udp.port}`;
}

/** The call of `node` once it has one and `check` passes. */
async function waitNodeCall(
  srv: TestServer,
  node: NodeRef,
  check: (c: CallState) => boolean,
  what: string,
): Promise<CallState> {
  const url = `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/calls?limit=1`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const calls = (await srv.api('GET', url)).json.calls as { call_id: string }[] | undefined;
    const callId = calls?.[0]?.call_id;
    if (callId) return srv.waitCall(check, what, { callId, node });
    if (Date.now() > deadline) throw new Error(`no call of node ${node.nodeId} (${what})`);
    await sleep(50);
  }
}

/** Resolves once the caller's RtpTestPeer hears `freqHz` (over the last 200 ms). */
function callerHears(peer: RtpTestPeer, freqHz: number): Promise<number> {
  let last = -Infinity;
  return waitFor(
    () => {
      last = levelDb(peer.receivedSince(peer.now() - LISTEN_WINDOW_MS), freqHz);
      return last >= HEARD_DB ? last : undefined;
    },
    5_000,
    () => `the caller does not hear ${freqHz} Hz: ${formatDb(last)}`,
  );
}

function callerSilent(peer: RtpTestPeer, freqHz: number): Promise<true> {
  let last = -Infinity;
  return waitFor(
    () => {
      last = levelDb(peer.receivedSince(peer.now() - LISTEN_WINDOW_MS), freqHz);
      return last < SILENT_DB ? true : undefined;
    },
    3_000,
    () => `the caller still hears ${freqHz} Hz: ${formatDb(last)}`,
  );
}

test('an inbound call to a start.incoming number: the caller joins as customer, the agent is dialled, they hear each other', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const agent = await phone(t, {
    behaviour: 'answer',
    toneHz: AGENT_HZ,
    user: 'agent',
    answerDelayMs: 2_000,
  });
  const node = await createPhlo(srv, inboundPhlo([agent.uri]));
  const { peer, caller } = await callNumber(t, srv, { byeAfterMs: 0, toneHz: CUSTOMER_HZ });

  // Answered at once; the agent rings meanwhile and the caller hears the wait music.
  const ringing = await caller.during(
    waitNodeCall(
      srv,
      node,
      (c) =>
        c.members.some((m) => m.role === 'customer' && m.state === 'connected') &&
        c.members.some((m) => m.role === 'agent' && m.state === 'ringing'),
      'the caller answered, the agent ringing',
    ),
  );
  await caller.during(callerHears(peer, WAIT_MUSIC_HZ));

  const call = await srv.waitCall(
    (c) => c.members.every((m) => m.state === 'connected') && c.members.length === 2,
    'caller and agent connected',
    { callId: ringing.call_id, node },
  );
  const customer = call.members.find((m) => m.role === 'customer');
  assert.match(customer?.address ?? '', /^sip:\+15552223333@127\.0\.0\.1:\d+$/);
  assert.equal(call.members.find((m) => m.role === 'agent')?.address, agent.uri);
  assert.equal(call.state, 'active');
  const incoming = call.events.find((e) => e.type === 'member.incoming');
  assert.equal(incoming?.data.called, NUMBER);
  assert.equal(incoming?.member_id, customer?.member_id);

  await agent.waitHearing(CUSTOMER_HZ);
  await caller.during(callerHears(peer, AGENT_HZ));
  await caller.during(callerSilent(peer, WAIT_MUSIC_HZ));

  // The agent hangs up: the last agent left, the caller gets BYE.
  const hangup = await srv.api(
    'POST',
    `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/members/${agent.uri}`,
    { action: 'hangup' },
  );
  assert.equal(hangup.status, 201, hangup.text);
  await caller.passed(10_000);
  const ended = await srv.waitCall((c) => c.state === 'ended', 'the call ended', {
    callId: call.call_id,
    node,
  });
  assert.equal(ended.end_reason, 'last-agent-left');
});

test('an inbound call for a number no PHLO takes gets 404', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const agent = await phone(t, { behaviour: 'answer', toneHz: AGENT_HZ, user: 'agent' });
  const node = await createPhlo(srv, inboundPhlo([agent.uri]));
  const caller = await SipPeer.start({
    scenario: scenario(t, 'uac-refused.xml', { status: 404 }),
    remote: sipAddress(srv),
    service: '+15559999999',
    timeoutSeconds: 15,
  });
  t.after(() => caller.stop());
  await caller.passed(10_000);
  const calls = await srv.api(
    'GET',
    `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/calls`,
  );
  assert.deepEqual(calls.json.calls, []);
  assert.equal(agent.events().length, 0, 'nobody was dialled');
});

test('baresip calls the number: it joins as customer and the agent hears it', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const agent = await phone(t, { behaviour: 'answer', toneHz: AGENT_HZ, user: 'agent' });
  const node = await createPhlo(srv, inboundPhlo([agent.uri]));
  const baresip = await Baresip.start({
    commands: [`/dial sip:${NUMBER}@${sipAddress(srv)}`],
    lifetimeSeconds: 30,
  });
  t.after(() => baresip.stop());
  const call = await baresip.during(
    waitNodeCall(
      srv,
      node,
      (c) => c.members.length === 2 && c.members.every((m) => m.state === 'connected'),
      'baresip and the agent connected',
    ),
  );
  const customer = call.members.find((m) => m.role === 'customer');
  assert.match(customer?.address ?? '', /^sip:baresip@127\.0\.0\.1:\d+$/);
  await agent.waitHearing(BARESIP_HZ);

  const hangup = await srv.api(
    'POST',
    `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/members/${agent.uri}`,
    { action: 'hangup' },
  );
  assert.equal(hangup.status, 201, hangup.text);
  await baresip.waitForMessage(
    (m) => m.direction === 'received' && m.startLine.startsWith('BYE '),
    'our BYE',
  );
  const ended = await srv.waitCall((c) => c.state === 'ended', 'the call ended', {
    callId: call.call_id,
    node,
  });
  assert.equal(ended.end_reason, 'last-agent-left');
});

test('every agent rings; the first to answer takes the call, the others are canceled', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const first = await phone(t, { behaviour: 'answer', toneHz: AGENT_HZ, user: 'first' });
  const slow = await phone(t, {
    behaviour: 'answer',
    toneHz: 2000,
    user: 'slow',
    answerDelayMs: 3_000,
  });
  const node = await createPhlo(srv, inboundPhlo([first.uri, slow.uri]));
  const { peer, caller } = await callNumber(t, srv, { byeAfterMs: 0, toneHz: CUSTOMER_HZ });
  const call = await caller.during(
    waitNodeCall(
      srv,
      node,
      (c) => c.members.find((m) => m.address === slow.uri)?.state === 'failed',
      'the slow agent canceled',
    ),
  );
  await slow.waitEvent('canceled');
  const slowMember = call.members.find((m) => m.address === slow.uri);
  assert.equal(slowMember?.hangup_cause, 'answered-elsewhere');
  assert.equal(call.members.find((m) => m.address === first.uri)?.state, 'connected');
  await first.waitHearing(CUSTOMER_HZ);
  await caller.during(callerHears(peer, AGENT_HZ));
});

test('the caller hanging up while the agent rings ends the call: the agent is canceled', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const agent = await phone(t, {
    behaviour: 'answer',
    toneHz: AGENT_HZ,
    user: 'agent',
    answerDelayMs: 4_000,
  });
  const node = await createPhlo(srv, inboundPhlo([agent.uri]));
  const { caller } = await callNumber(t, srv, { byeAfterMs: 1_000, toneHz: null });
  await caller.passed(10_000);
  await agent.waitEvent('canceled', { timeoutMs: 3_000 });
  const ended = await waitNodeCall(srv, node, (c) => c.state === 'ended', 'the call ended');
  assert.equal(ended.end_reason, 'everyone-left');
  assert.equal(ended.members.find((m) => m.role === 'agent')?.state, 'failed');
  assert.equal(ended.members.find((m) => m.role === 'customer')?.hangup_cause, 'remote-hangup');
});

test('over the account cap (limits.liveCallsPerAccount): an inbound call gets 486, a run 429', async (t) => {
  const srv = await startTestServer({
    configure: (c) => {
      c.limits.liveCallsPerAccount = 1;
    },
  });
  t.after(() => srv.stop());
  const agent = await phone(t, { behaviour: 'answer', toneHz: AGENT_HZ, user: 'agent' });
  const node = await createPhlo(srv, inboundPhlo([agent.uri]));
  const { caller } = await callNumber(t, srv, { byeAfterMs: 0, toneHz: CUSTOMER_HZ });
  const first = await caller.during(
    waitNodeCall(
      srv,
      node,
      (c) => c.members.length === 2 && c.members.every((m) => m.state === 'connected'),
      'the first call connected',
    ),
  );

  // A second caller: refused as busy, nothing stored, nobody dialled.
  const refused = await SipPeer.start({
    scenario: scenario(t, 'uac-refused.xml', { status: 486 }),
    remote: sipAddress(srv),
    service: NUMBER,
    timeoutSeconds: 15,
  });
  t.after(() => refused.stop());
  await refused.passed(10_000);
  const calls = await srv.api(
    'GET',
    `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}/calls`,
  );
  assert.deepEqual(
    (calls.json.calls as { call_id: string }[]).map((c) => c.call_id),
    [first.call_id],
  );
  assert.equal(agent.events().filter((e) => e.kind === 'offer').length, 1, 'one call rang');

  // A run of the same account: 429, saying which limit and what to do.
  const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${srv.phloId}`, {
    from: 'sip:nobody@127.0.0.1:9',
    to: 'sip:nobody2@127.0.0.1:9',
  });
  assert.equal(run.status, 429, run.text);
  assert.equal(run.headers.get('retry-after'), '1');
  assert.match(
    String(run.json.error),
    /has 1 live calls, the most it may have at once \(limits\.liveCallsPerAccount = 1\)/,
  );
});
