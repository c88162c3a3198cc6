/**
 * What happens to a dialled user who does not answer, over real SIPp
 * phones: busy (486), declined (603), no answer (our ring timeout, then
 * CANCEL, then 487) and unreachable (nothing listens: Timer B) — each
 * visible as the member's state and cause, its SIP status, and in the
 * call's event history, while the call goes on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freeUdpPort } from '../support/ports.js';
import { TonePhone } from '../support/phones/index.js';
import { memberOf, startTestServer } from '../support/partyline-server.js';

const PHLO = `
name: Short ring
nodes:
  - type: multi_party_call
    name: support
    from: "{{start.from}}"
    to: "{{start.to}}"
    ring_timeout: 5
    max_participants: 10
`;

test('busy, declined, no answer and unreachable are member states, causes and events', async (t) => {
  const agent = await TonePhone.start({
    behaviour: 'answer',
    toneHz: 1000,
    user: 'agent',
    timeoutSeconds: 60,
  });
  t.after(() => agent.stop());
  const customer = await TonePhone.start({
    behaviour: 'answer',
    toneHz: 1500,
    user: 'customer',
    timeoutSeconds: 60,
  });
  t.after(() => customer.stop());
  const busy = await TonePhone.start({ behaviour: 'busy', toneHz: 2000, user: 'busy' });
  t.after(() => busy.stop());
  const decline = await TonePhone.start({ behaviour: 'decline', toneHz: 2000, user: 'decline' });
  t.after(() => decline.stop());
  const silent = await TonePhone.start({ behaviour: 'no-answer', toneHz: 2000, user: 'silent' });
  t.after(() => silent.stop());
  const nobody = `sip:nobody@127.0.0.1:${await freeUdpPort()}`;

  const srv = await startTestServer();
  t.after(() => srv.stop());
  const created = await srv.api('POST', '/v1/phlo', PHLO, { 'content-type': 'application/yaml' });
  assert.equal(created.status, 201, created.text);
  const phloId = String(created.json.phlo_id);
  const nodeId = String((created.json.document as { nodes: { id: string }[] }).nodes[0].id);
  const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${phloId}`, {
    from: agent.uri,
    to: customer.uri,
  });
  assert.equal(run.status, 201, run.text);
  const callId = String(run.json.call_id);
  const state = async () =>
    (await srv.api('GET', `/v1/phlo/${phloId}/multi_party_call/${nodeId}/calls/${callId}`))
      .json as unknown as {
      state: string;
      members: {
        address: string;
        state: string;
        hangup_cause: string | null;
        sip_status: number | null;
      }[];
      events: { type: string; member_id: string | null; data: Record<string, unknown> }[];
    };
  const waitFor = async (
    what: string,
    check: (s: Awaited<ReturnType<typeof state>>) => boolean,
    ms = 15_000,
  ) => {
    const deadline = Date.now() + ms;
    let last = await state();
    while (!check(last)) {
      if (Date.now() > deadline)
        assert.fail(`timed out waiting for ${what}: ${JSON.stringify(last, null, 2)}`);
      await new Promise((r) => setTimeout(r, 50));
      last = await state();
    }
    return last;
  };
  await waitFor(
    'agent and customer connected',
    (s) => s.members.length === 2 && s.members.every((m) => m.state === 'connected'),
  );

  for (const to of [busy.uri, decline.uri, silent.uri, nobody]) {
    const res = await srv.api('POST', `/v1/phlo/${phloId}/multi_party_call/${nodeId}`, {
      action: 'call',
      to,
      role: 'customer',
      trigger_source: agent.uri,
    });
    assert.equal(res.status, 201, res.text);
  }
  const expected: [string, string, number | null][] = [
    [busy.uri, 'busy', 486],
    [decline.uri, 'declined', 603],
    [silent.uri, 'no-answer', 487],
    [nobody, 'unreachable', null],
  ];
  const final = await waitFor(
    'every dialled user failed',
    (s) => expected.every(([a]) => s.members.find((m) => m.address === a)?.state === 'failed'),
    20_000,
  );
  for (const [address, cause, status] of expected) {
    const m = memberOf(final as never, address)!;
    assert.equal(m.hangup_cause, cause, `${address}: ${JSON.stringify(m)}`);
    assert.equal(m.sip_status, status, `${address}: ${JSON.stringify(m)}`);
    const memberId = (m as unknown as { member_id: string }).member_id;
    const failedEvent = final.events.find(
      (e) => e.type === 'member.failed' && e.member_id === memberId,
    );
    assert.equal(failedEvent?.data.cause, cause);
  }
  assert.equal(final.state, 'active', 'the call goes on');
  // The phone that rang saw our CANCEL after the 5 s ring timeout.
  await silent.waitEvent('canceled', { timeoutMs: 1_000 });
  const ringing = final.events.filter((e) => e.type === 'member.ringing').length;
  assert.ok(ringing >= 3, `ringing recorded (${ringing})`);
  await busy.passed(5_000);
  await decline.passed(5_000);
  await silent.passed(5_000);
});
