/**
 * The CLI's dial and transfer commands against a real server and real SIP
 * phones (SIPp TonePhones on 127.0.0.1), each a child process: a dial that
 * fails (exit 1, with the SIP status), warm transfer --wait (U2 held),
 * abort-transfer (U2 back, U3 gone), warm transfer + member resume (all
 * three together) and a cold transfer --wait.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentAndCustomer, memberOf, phone } from '../support/partyline-server.js';
import { answering, cli, cliServer, runConnected } from './support.js';

test('a dial that fails, warm transfer --wait, abort-transfer, warm transfer + resume, cold transfer', async (t) => {
  const { srv, env } = await cliServer(t);
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 60 });
  const busy = await phone(t, { behaviour: 'busy', toneHz: 600, user: 'busy', timeoutSeconds: 60 });
  const expert = await answering(t, 'expert', 2400, 2);
  const second = await answering(t, 'second', 2600);
  const callId = await runConnected(srv, env, agent, customer);

  const refused = await cli(['call', agent.uri, busy.uri, '--wait', '--timeout', '30'], env);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(
    refused.stdout,
    /sip:busy@\S+ {2}dialing\n.*sip:busy@\S+ {2}failed \(busy, SIP 486\)$/m,
  );
  assert.match(refused.stderr, /^partyline: sip:busy@\S+ failed \(.*SIP 486\)$/m, refused.stderr);

  const warm = await cli(['transfer', '--warm', agent.uri, expert.uri, '--wait', '--json'], env);
  assert.equal(warm.code, 0, warm.stderr);
  const transfer = JSON.parse(warm.stdout) as {
    callId: string;
    member: { address: string; state: string };
    steps: { event: string }[];
  };
  assert.equal(transfer.callId, callId);
  assert.equal(transfer.member.address, expert.uri);
  assert.deepEqual(
    transfer.steps.map((x) => x.event),
    ['dialing', 'ringing', 'connected'],
  );
  let c = await srv.waitCall((x) => memberOf(x, customer.uri)?.state === 'on_hold', 'U2 held', {
    callId,
  });

  const aborted = await cli(['abort-transfer', agent.uri], env);
  assert.equal(aborted.code, 0, aborted.stderr);
  assert.match(aborted.stdout, /^transfer of sip:agent@\S+ aborted \(api_id /);
  c = await srv.waitCall(
    (x) =>
      memberOf(x, customer.uri)?.state === 'connected' &&
      memberOf(x, expert.uri)?.state === 'disconnected',
    'U2 back, U3 gone',
    { callId },
  );
  assert.ok(c.events.some((e) => e.type === 'transfer.aborted'));

  // Warm again, then U1 resumes: everyone together.
  const again = await cli(['transfer', '--warm', agent.uri, second.uri, '--wait'], env);
  assert.equal(again.code, 0, again.stderr);
  const resumed = await cli(['member', 'resume', agent.uri], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  c = await srv.waitCall(
    (x) => [agent, customer, second].every((p) => memberOf(x, p.uri)?.state === 'connected'),
    'U1, U2 and U3 together',
    { callId },
  );
  assert.ok(c.events.some((e) => e.type === 'transfer.resumed'));

  const cold = await cli(['transfer', '--cold', agent.uri, expert.uri, '--wait'], env);
  assert.equal(cold.code, 0, cold.stderr);
  assert.match(cold.stdout, /sip:expert@\S+ {2}connected$/m);
  c = await srv.waitCall(
    (x) =>
      memberOf(x, agent.uri)?.state === 'disconnected' &&
      memberOf(x, customer.uri)?.state === 'connected',
    'U1 left, U3 with U2',
    { callId },
  );
  for (const p of [second, expert])
    assert.equal((await cli(['member', 'hangup', p.uri], env)).code, 0);
  await srv.waitCall((x) => x.state === 'ended', 'the call ended', { callId });
});
