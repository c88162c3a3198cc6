/**
 * A call's lifecycle as its PHLO node configures it, over real SIP phones
 * and proved by what they hear (src/phlo/README.md "What the call fields
 * mean"): wait music while the agent waits for the customer; enter and
 * exit sounds heard by the members present; max_duration (its minimum,
 * 60 s, run alongside the others), end_on_exit, alone_timeout (1 s and 0)
 * ending the call with BYEs and their end reasons; a transfer's hand-over
 * not counted as an end_on_exit exit; and record: true — the
 * recording.ready event, and a WAV that holds both members' voices but
 * not a warm transfer's private consultation (silence there).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeWavFile, LEVEL_FLOOR_DB } from '../../src/media/audio/index.js';
import {
  HEARD_DB,
  SILENT_DB,
  formatDb,
  levelDb,
  rmsDb,
  sleep,
  waitFor,
  type SipPhone,
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
  type NodeRef,
  type TestServer,
} from '../support/partyline-server.js';

const SECOND_AGENT_HZ = 2000;
const WAIT_MUSIC_HZ = 700;
const ENTER_HZ = 3000;
const EXIT_HZ = 3500;
const CUSTOMER_HOLD_HZ = 660;

/** A one-node PHLO run by API, quiet (no wait music, no sounds) but for `fields` (YAML lines). */
function phlo(name: string, ...fields: string[]): string {
  return [
    `name: ${name}`,
    'nodes:',
    '  - type: multi_party_call',
    '    name: support',
    "    from: '{{start.from}}'",
    "    to: '{{start.to}}'",
    '    customer_hold_music: tone:660',
    '    agent_hold_music: tone:440',
    ...['wait_music: none', 'enter_sound: none', 'exit_sound: none']
      .filter((d) => !fields.some((f) => f.startsWith(d.split(':')[0] + ':')))
      .map((d) => `    ${d}`),
    ...fields.map((f) => `    ${f}`),
    '',
  ].join('\n');
}

async function server(t: { after(fn: () => unknown): void }): Promise<TestServer> {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  return srv;
}

function nodeUrl(node: NodeRef): string {
  return `/v1/phlo/${node.phloId}/multi_party_call/${node.nodeId}`;
}

function memberAction(srv: TestServer, node: NodeRef, address: string, action: string) {
  return srv.api('POST', `${nodeUrl(node)}/members/${address}`, { action });
}

async function nodeAction(
  srv: TestServer,
  node: NodeRef,
  body: Record<string, string>,
): Promise<void> {
  const res = await srv.api('POST', nodeUrl(node), body);
  assert.equal(res.status, 201, res.text);
}

const WINDOW_SAMPLES = 1600; // 200 ms at 8 kHz
const STEP_SAMPLES = 400; // 50 ms

/** The loudest 200 ms of `freqHz` in `audio` (a short sound is not diluted by a long window). */
function peakDb(audio: Int16Array, freqHz: number): number {
  let peak = LEVEL_FLOOR_DB;
  for (let at = 0; at + WINDOW_SAMPLES <= audio.length; at += STEP_SAMPLES)
    peak = Math.max(peak, levelDb(audio.subarray(at, at + WINDOW_SAMPLES), freqHz));
  return peak;
}

/** Resolves once `p` has heard `freqHz` at some point since `sinceMs` (its clock). */
function waitHeardSince(p: SipPhone, freqHz: number, sinceMs: number): Promise<number> {
  let last = LEVEL_FLOOR_DB;
  return waitFor(
    () => {
      last = peakDb(p.audio({ sinceMs }), freqHz);
      return last >= HEARD_DB ? last : undefined;
    },
    5_000,
    () => `phone ${p.user} has not heard ${freqHz} Hz since ${sinceMs}: ${formatDb(last)}`,
  );
}

describe('the call lifecycle', { concurrency: true }, () => {
  // The minimum max_duration is 60 s: this one runs alongside the others, which take about as long.
  test('max_duration: the call ends after it, every member gets BYE, end_reason max-duration', async (t) => {
    const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 120 });
    const srv = await server(t);
    const node = await createPhlo(srv, phlo('Max duration', 'max_duration: 60'));
    const callId = await connectedCall(srv, agent.uri, customer.uri, node);
    await agent.waitHearing(CUSTOMER_HZ);
    const ended = await srv.waitCall((c) => c.state === 'ended', 'the call ended', {
      callId,
      node,
      timeoutMs: 90_000,
    });
    assert.equal(ended.end_reason, 'max-duration');
    for (const m of ended.members) {
      assert.equal(m.state, 'disconnected', JSON.stringify(m));
      assert.equal(m.hangup_cause, 'max-duration', JSON.stringify(m));
    }
    await agent.waitEvent('bye-received', { timeoutMs: 5_000 });
    await customer.waitEvent('bye-received', { timeoutMs: 5_000 });
    await agent.passed(10_000);
    await customer.passed(10_000);
  });

  describe('the rest, one at a time', { concurrency: false }, () => {
    test('wait_music: the agent hears it while the customer rings, and not once the customer talks', async (t) => {
      const { agent, customer } = await agentAndCustomer(t, {}, { answerDelayMs: 3_000 });
      const srv = await server(t);
      const node = await createPhlo(srv, phlo('Wait music', `wait_music: tone:${WAIT_MUSIC_HZ}`));
      const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${node.phloId}`, {
        from: agent.uri,
        to: customer.uri,
      });
      assert.equal(run.status, 201, run.text);
      const callId = String(run.json.call_id);
      await srv.waitCall(
        (c) =>
          memberOf(c, agent.uri)?.state === 'connected' &&
          memberOf(c, customer.uri)?.state === 'ringing',
        'the agent connected, the customer ringing',
        { callId, node },
      );
      await agent.waitHearing(WAIT_MUSIC_HZ);

      await srv.waitCall(
        (c) => memberOf(c, customer.uri)?.state === 'connected',
        'the customer connected',
        { callId, node },
      );
      await agent.waitHearing(CUSTOMER_HZ);
      await agent.waitSilence(3_000, WAIT_MUSIC_HZ);
      await customer.waitHearing(AGENT_HZ);
      const since = customer.now();
      await sleep(500);
      assert.ok(
        peakDb(customer.audio({ sinceMs: since }), WAIT_MUSIC_HZ) < SILENT_DB,
        'the customer, with the agent there, hears no wait music',
      );
    });

    test('enter_sound and exit_sound: heard by the members present when one joins and leaves', async (t) => {
      const { agent, customer } = await agentAndCustomer(t);
      const second = await phone(t, {
        behaviour: 'answer',
        toneHz: SECOND_AGENT_HZ,
        user: 'second',
      });
      const srv = await server(t);
      const node = await createPhlo(
        srv,
        phlo('Sounds', `enter_sound: tone:${ENTER_HZ}:300`, `exit_sound: tone:${EXIT_HZ}:300`),
      );
      const start = agent.now();
      const callId = await connectedCall(srv, agent.uri, customer.uri, node);
      // The customer joining: both hear the enter sound.
      await waitHeardSince(agent, ENTER_HZ, start);
      await waitHeardSince(customer, ENTER_HZ, start);

      const beforeJoin = { agent: agent.now(), customer: customer.now() };
      await nodeAction(srv, node, {
        action: 'call',
        to: second.uri,
        role: 'agent',
        trigger_source: agent.uri,
      });
      await srv.waitCall(
        (c) => memberOf(c, second.uri)?.state === 'connected',
        'the second agent connected',
        { callId, node },
      );
      await waitHeardSince(agent, ENTER_HZ, beforeJoin.agent);
      await waitHeardSince(customer, ENTER_HZ, beforeJoin.customer);
      await customer.waitHearing(SECOND_AGENT_HZ);
      // The 300 ms sound is over well before this.
      await sleep(500);

      const beforeLeave = { agent: agent.now(), customer: customer.now() };
      const hangup = await memberAction(srv, node, second.uri, 'hangup');
      assert.equal(hangup.status, 201, hangup.text);
      await second.waitEvent('bye-received');
      await waitHeardSince(agent, EXIT_HZ, beforeLeave.agent);
      await waitHeardSince(customer, EXIT_HZ, beforeLeave.customer);
      await sleep(500);

      // Each sound at its own moment: no exit sound for a join, no enter sound for a leave.
      for (const [p, since] of [
        [agent, beforeLeave.agent],
        [customer, beforeLeave.customer],
      ] as const) {
        assert.ok(
          peakDb(p.audio({ sinceMs: since }), ENTER_HZ) < HEARD_DB,
          `${p.user}: enter on leave`,
        );
        const joinAudio = p.audio({ sinceMs: start, windowMs: since - start });
        assert.ok(peakDb(joinAudio, EXIT_HZ) < HEARD_DB, `${p.user}: exit sound on a join`);
      }
      const call = await srv.getCall(callId, node);
      assert.equal(call.state, 'active');
    });

    test('end_on_exit customer: the customer hanging up ends the call, the agent gets BYE', async (t) => {
      const { agent, customer } = await agentAndCustomer(t, {}, { hangupAfterMs: 1_500 });
      const srv = await server(t);
      const node = await createPhlo(
        srv,
        phlo('End on exit', 'end_on_exit: { customer: true }', 'alone_timeout: 3600'),
      );
      const callId = await connectedCall(srv, agent.uri, customer.uri, node);
      await customer.waitEvent('bye-sent');
      await agent.waitEvent('bye-received');
      const ended = await srv.waitCall((c) => c.state === 'ended', 'the call ended', {
        callId,
        node,
      });
      assert.equal(ended.end_reason, 'end-on-exit:customer');
      assert.equal(memberOf(ended, customer.uri)?.hangup_cause, 'remote-hangup');
      assert.equal(memberOf(ended, agent.uri)?.hangup_cause, 'end-on-exit:customer');
      await agent.passed(5_000);
      await customer.passed(5_000);
    });

    for (const timeout of [1, 0]) {
      test(`alone_timeout ${timeout}: the agent left alone by the customer is hung up, end_reason alone-timeout`, async (t) => {
        const { agent, customer } = await agentAndCustomer(t, {}, { hangupAfterMs: 1_500 });
        const srv = await server(t);
        const node = await createPhlo(srv, phlo('Alone', `alone_timeout: ${timeout}`));
        const callId = await connectedCall(srv, agent.uri, customer.uri, node);
        await customer.waitEvent('bye-sent');
        await agent.waitEvent('bye-received');
        const ended = await srv.waitCall((c) => c.state === 'ended', 'the call ended', {
          callId,
          node,
        });
        assert.equal(ended.end_reason, 'alone-timeout');
        assert.equal(memberOf(ended, customer.uri)?.hangup_cause, 'remote-hangup');
        assert.equal(memberOf(ended, agent.uri)?.hangup_cause, 'alone-timeout');
        // The customer left first; the call went on (alone) until the timeout ended it.
        const types = ended.events.map((e) => e.type);
        const left = ended.events.findIndex(
          (e) =>
            e.type === 'member.disconnected' &&
            e.member_id === memberOf(ended, customer.uri)?.member_id,
        );
        assert.ok(left >= 0 && left < types.indexOf('call.ended'), types.join(', '));
        await agent.passed(5_000);
      });
    }

    test('end_on_exit agent: an agent handing the call over by cold_transfer does not end it', async (t) => {
      const { agent, customer } = await agentAndCustomer(t);
      const second = await phone(t, {
        behaviour: 'answer',
        toneHz: SECOND_AGENT_HZ,
        user: 'second',
        answerDelayMs: 1_000,
      });
      const srv = await server(t);
      const node = await createPhlo(srv, phlo('Hand over', 'end_on_exit: { agent: true }'));
      const callId = await connectedCall(srv, agent.uri, customer.uri, node);
      await nodeAction(srv, node, {
        action: 'cold_transfer',
        to: second.uri,
        role: 'agent',
        trigger_source: agent.uri,
      });
      await agent.waitEvent('bye-received');
      const call = await srv.waitCall(
        (c) => memberOf(c, second.uri)?.state === 'connected' || c.state === 'ended',
        'the transfer target connected',
        { callId, node },
      );
      assert.equal(call.state, 'active', `ended: ${call.end_reason}`);
      assert.equal(memberOf(call, agent.uri)?.hangup_cause, 'transferred');
      await customer.waitHearing(SECOND_AGENT_HZ);
      await second.waitHearing(CUSTOMER_HZ);

      // The rule still holds for the new agent.
      assert.equal((await memberAction(srv, node, second.uri, 'hangup')).status, 201);
      await customer.waitEvent('bye-received');
      const ended = await srv.waitCall((c) => c.state === 'ended', 'ended', { callId, node });
      assert.equal(ended.end_reason, 'end-on-exit:agent');
    });

    test('end_on_exit agent: the agent leaving a warm transfer’s consultation hands the call over', async (t) => {
      const { agent, customer } = await agentAndCustomer(t);
      const second = await phone(t, {
        behaviour: 'answer',
        toneHz: SECOND_AGENT_HZ,
        user: 'second',
      });
      const srv = await server(t);
      const node = await createPhlo(srv, phlo('Warm hand over', 'end_on_exit: { agent: true }'));
      const callId = await connectedCall(srv, agent.uri, customer.uri, node);
      await nodeAction(srv, node, {
        action: 'warm_transfer',
        to: second.uri,
        role: 'agent',
        trigger_source: agent.uri,
      });
      await srv.waitCall(
        (c) => memberOf(c, second.uri)?.state === 'connected',
        'the target connected',
        { callId, node },
      );
      await second.waitHearing(AGENT_HZ);
      assert.equal((await memberAction(srv, node, agent.uri, 'hangup')).status, 201);
      await agent.waitEvent('bye-received');
      const call = await srv.waitCall(
        (c) => c.events.some((e) => e.type === 'transfer.completed') || c.state === 'ended',
        'the transfer completed',
        { callId, node },
      );
      assert.equal(call.state, 'active', `ended: ${call.end_reason}`);
      await customer.waitHearing(SECOND_AGENT_HZ);
      await second.waitHearing(CUSTOMER_HZ);
    });

    test('record: the WAV holds both members, and silence during a warm transfer’s consultation', async (t) => {
      const { agent, customer } = await agentAndCustomer(t);
      const second = await phone(t, {
        behaviour: 'answer',
        toneHz: SECOND_AGENT_HZ,
        user: 'second',
      });
      const srv = await server(t);
      const node = await createPhlo(srv, phlo('Recorded', 'record: true'));
      const callId = await connectedCall(srv, agent.uri, customer.uri, node);
      await agent.waitHearing(CUSTOMER_HZ);
      await customer.waitHearing(AGENT_HZ);
      await sleep(1_000);

      // U1 (agent) consults U3 (second) privately; U2 (customer) is held.
      await nodeAction(srv, node, {
        action: 'warm_transfer',
        to: second.uri,
        role: 'agent',
        trigger_source: agent.uri,
      });
      await customer.waitHearing(CUSTOMER_HOLD_HZ);
      await srv.waitCall(
        (c) => memberOf(c, second.uri)?.state === 'connected',
        'the target connected',
        { callId, node },
      );
      await second.waitHearing(AGENT_HZ);
      await agent.waitHearing(SECOND_AGENT_HZ);
      await sleep(1_500);

      // U1 leaves: U3 and U2 talk, and are recorded again.
      assert.equal((await memberAction(srv, node, agent.uri, 'hangup')).status, 201);
      await customer.waitHearing(SECOND_AGENT_HZ);
      await second.waitHearing(CUSTOMER_HZ);
      await sleep(1_000);
      assert.equal((await memberAction(srv, node, second.uri, 'hangup')).status, 201);
      const ended = await srv.waitCall((c) => c.state === 'ended', 'the call ended', {
        callId,
        node,
      });
      assert.equal(ended.end_reason, 'last-agent-left');

      const ready = ended.events.find((e) => e.type === 'recording.ready');
      assert.ok(ready, ended.events.map((e) => e.type).join(', '));
      const path = String(ready.data.path);
      assert.ok(path.startsWith(join(srv.dataDir, 'recordings') + '/'), path);
      const durationMs = Number(ready.data.duration_ms);
      assert.ok(durationMs > 0, `duration_ms ${ready.data.duration_ms}`);
      const wav = await decodeWavFile(path);
      assert.ok(Math.abs(wav.durationMs - durationMs) <= 20, `${wav.durationMs} vs ${durationMs}`);

      // 200 ms windows every 100 ms: which voices each holds.
      const windows: { atMs: number; a: number; c: number; u3: number; rms: number }[] = [];
      for (let at = 0; at + 1600 <= wav.samples.length; at += 800) {
        const w = wav.samples.subarray(at, at + 1600);
        windows.push({
          atMs: at / 8,
          a: levelDb(w, AGENT_HZ),
          c: levelDb(w, CUSTOMER_HZ),
          u3: levelDb(w, SECOND_AGENT_HZ),
          rms: rmsDb(w),
        });
      }
      const show = (): string =>
        windows
          .map((w) => `${w.atMs}: A ${formatDb(w.a)} C ${formatDb(w.c)} U3 ${formatDb(w.u3)}`)
          .join('\n');
      const heard = (db: number): boolean => db >= HEARD_DB;
      assert.ok(
        windows.some((w) => heard(w.a) && heard(w.c)),
        `agent and customer together\n${show()}`,
      );
      assert.ok(
        windows.some((w) => heard(w.u3) && heard(w.c)),
        `transfer target and customer together\n${show()}`,
      );
      const lastAgent = windows.findLastIndex((w) => heard(w.a));
      const firstTarget = windows.findIndex((w) => heard(w.u3));
      assert.ok(
        lastAgent < firstTarget,
        `the consultation (agent and target) is in the recording\n${show()}`,
      );
      // Between them, the paused recording: silence, about as long as the consultation.
      const gap = windows.slice(lastAgent + 1, firstTarget);
      const silent = gap.filter((w) => w.rms < SILENT_DB);
      assert.ok(silent.length * 100 >= 1_500, `silent gap of ${silent.length * 100} ms\n${show()}`);
    });
  });
});
