/**
 * The live stream end to end (SIPp phones sending tones, a real server):
 * a console following a node sees the call set up, both members talking
 * (the mixer's speaking detection: one indicator change per member while
 * their tones play, not one per packet), a mute switch the muted member's
 * indicator off, and the call's end with its recording — which the
 * recording route then serves, holding both voices.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeWav } from '../../src/media/audio/index.js';
import { HEARD_DB, levelDb } from '../support/phones/index.js';
import {
  AGENT_HZ,
  CUSTOMER_HZ,
  agentAndCustomer,
  connectedCall,
  createPhlo,
  RECORDED_PHLO,
  startTestServer,
} from '../support/partyline-server.js';
import { SseReader } from '../support/sse-reader.js';

interface WireCall {
  call_id: string;
  state: string;
  members: { member_id: string; address: string; state: string; muted: boolean }[];
  talking: string[];
  events?: { type: string }[];
}

test('a console sees a call, who talks, a mute and the end live; the recording is served', async (t) => {
  const { agent, customer } = await agentAndCustomer(t);
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const node = await createPhlo(srv, readFileSync(RECORDED_PHLO, 'utf8'));
  const auth = `Basic ${Buffer.from(`${srv.authId}:${srv.authToken}`).toString('base64')}`;
  const stream = await SseReader.open(
    auth,
    `${srv.baseUrl}/v1/events/stream?phlo_id=${node.phloId}&node_id=${node.nodeId}`,
  );
  t.after(() => stream.close());
  await stream.waitFor(() => stream.events()[0] === 'snapshot', 'the snapshot');

  const callId = await connectedCall(srv, agent.uri, customer.uri, node);
  const calls = () =>
    stream.frames
      .filter((f) => f.event === 'call')
      .map((f) => JSON.parse(f.data) as WireCall)
      .filter((c) => c.call_id === callId);
  const talking = () =>
    stream.frames
      .filter((f) => f.event === 'talking')
      .map((f) => JSON.parse(f.data) as { member_id: string; talking: boolean });
  const latest = () => calls().at(-1);
  await stream.waitFor(
    () => latest()?.members.filter((m) => m.state === 'connected').length === 2,
    'both members connected',
  );
  const id = (address: string) => latest()!.members.find((m) => m.address === address)!.member_id;
  const agentId = id(agent.uri);
  const customerId = id(customer.uri);
  await stream.waitFor(
    () => [agentId, customerId].every((m) => talking().some((x) => x.member_id === m && x.talking)),
    'both members talking',
  );
  // Steady tones for 1.5 s more: the indicator went on and stays on — not a change per packet
  // (50 a second). A few changes are allowed: on a loaded machine RTP may stall past the hangover.
  await new Promise((r) => setTimeout(r, 1500));
  for (const m of [agentId, customerId]) {
    const changes = talking()
      .filter((x) => x.member_id === m)
      .map((x) => x.talking);
    assert.equal(changes[0], true, `${m} went on first`);
    assert.ok(changes.length <= 5, `talking changes of ${m}: ${changes.join(', ')}`);
  }

  const path = `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}`;
  const mute = await srv.api('POST', `${path}/members/${agent.uri}`, { action: 'mute' });
  assert.equal(mute.status, 201, mute.text);
  await stream.waitFor(
    () => latest()?.members.find((m) => m.member_id === agentId)?.muted === true,
    'the agent muted',
  );
  await stream.waitFor(
    () => talking().some((x) => x.member_id === agentId && !x.talking),
    "the muted agent's indicator off",
  );
  assert.ok(
    !talking().some((x) => x.member_id === customerId && !x.talking),
    'the customer still talks',
  );

  // Not recorded yet: the call is live.
  const early = await srv.api('GET', `${path}/calls/${callId}/recording`);
  assert.equal(early.status, 404);
  assert.match(String(early.json.error), /still live/);

  assert.equal(
    (await srv.api('POST', `${path}/members/${agent.uri}`, { action: 'hangup' })).status,
    201,
  );
  await stream.waitFor(() => latest()?.state === 'ended', 'the call ended');
  const types = calls().flatMap((c) => (c.events ?? []).map((e) => e.type));
  assert.ok(types.includes('recording.ready') && types.includes('call.ended'), types.join(', '));
  assert.deepEqual(latest()?.talking, [], 'nobody talks in an ended call');

  const res = await fetch(`${srv.baseUrl}${path}/calls/${callId}/recording`, {
    headers: { authorization: auth },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'audio/wav');
  const wav = await decodeWav(new Uint8Array(await res.arrayBuffer()));
  const c = latest() as unknown as { started_on: string; ended_on: string };
  t.diagnostic(`recording ${Math.round(wav.durationMs)} ms; call ${c.started_on} → ${c.ended_on}`);
  let both = false;
  for (let at = 0; at + 1600 <= wav.samples.length && !both; at += 800) {
    const w = wav.samples.subarray(at, at + 1600);
    both = levelDb(w, AGENT_HZ) >= HEARD_DB && levelDb(w, CUSTOMER_HZ) >= HEARD_DB;
  }
  assert.ok(both, `the served recording (${Math.round(wav.durationMs)} ms) holds both voices`);
});
