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
import {
  agentAndCustomer,
  connectedCall,
  createPhlo,
  memberOf,
  phone,
  startTestServer,
  type CallState,
} from '../support/partyline-server.js';

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
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 60 });
  const busy = await phone(t, { behaviour: 'busy', toneHz: 2000, user: 'busy' });
  const decline = await phone(t, { behaviour: 'decline', toneHz: 2000, user: 'decline' });
  const silent = await phone(t, { behaviour: 'no-answer', toneHz: 2000, user: 'silent' });
  const nobody = `sip:nobody@127.0.0.1:${await freeUdpPort()}`;

  const srv = await startTestServer();
  t.after(() => srv.stop());
  const node = await createPhlo(srv, PHLO);
  const { phloId, nodeId } = node;
  const callId = await connectedCall(srv, agent.uri, customer.uri, node);
  const waitFor = (what: string, check: (c: CallState) => boolean, timeoutMs = 15_000) =>
    srv.waitCall(check, what, { timeoutMs, callId, node });

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
    const m = memberOf(final, address)!;
    assert.equal(m.hangup_cause, cause, `${address}: ${JSON.stringify(m)}`);
    assert.equal(m.sip_status, status, `${address}: ${JSON.stringify(m)}`);
    const memberId = m.member_id;
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
