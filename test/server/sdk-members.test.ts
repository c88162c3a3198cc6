/**
 * The other SDK methods a Plivo user calls, against the real server: member
 * actions (hold, unhold, mute, unmute, hangup) from each SDK that offers
 * them, proved by member state and by what the held phone hears, and run()
 * from each SDK (including Go's empty chunked body and Node's `""`).
 * Node's plivo 4.79 member actions throw inside the SDK before sending
 * anything: that is checked too (nothing changes on the server).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  agentAndCustomer,
  connectedCall,
  memberOf,
  phone,
  startTestServer,
} from '../support/partyline-server.js';
import {
  runSdkClient,
  sdkSkipReason,
  type SdkClient,
  type SdkClientEnv,
} from '../support/sdk-clients.js';

const CUSTOMER_HOLD_HZ = 660;

test('member actions and run() from the SDKs', async (t) => {
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 120 });
  const busy = await phone(t, {
    behaviour: 'busy',
    toneHz: 2000,
    user: 'busy',
    calls: 4,
    timeoutSeconds: 120,
  });
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const callId = await connectedCall(srv, agent.uri, customer.uri);
  const base: SdkClientEnv = {
    PL_BASE_URL: srv.baseUrl,
    PL_AUTH_ID: srv.authId,
    PL_AUTH_TOKEN: srv.authToken,
    PL_PHLO_ID: srv.phloId,
    PL_NODE_ID: srv.nodeId,
  };
  const usable = (sdk: SdkClient): boolean => {
    const reason = sdkSkipReason(sdk);
    if (reason) t.diagnostic(`skipped ${sdk}: ${reason}`);
    return !reason;
  };
  const member = async (sdk: SdkClient, action: string, address = customer.uri) => {
    const r = await runSdkClient(sdk, {
      ...base,
      PL_MODE: 'member',
      PL_MEMBER: address,
      PL_ACTION: action,
    });
    assert.equal(r.code, 0, `${sdk} ${action}: ${r.stdout} ${r.stderr}`);
    assert.equal(r.result?.ok, true, r.stdout);
  };

  for (const sdk of ['python', 'go', 'java', 'curl'] as const) {
    if (!usable(sdk)) continue;
    await member(sdk, 'hold');
    await srv.waitCall((c) => memberOf(c, customer.uri)?.state === 'on_hold', `${sdk}: on hold`);
    await customer.waitHearing(CUSTOMER_HOLD_HZ);
    await member(sdk, 'unhold');
    await srv.waitCall((c) => memberOf(c, customer.uri)?.state === 'connected', `${sdk}: off hold`);
    await customer.waitHearing(1000);
  }
  if (usable('python')) {
    await member('python', 'mute', agent.uri);
    await srv.waitCall((c) => memberOf(c, agent.uri)?.muted === true, 'python: muted');
    await customer.waitSilence(3_000, 1000);
    await member('python', 'unmute', agent.uri);
    await customer.waitHearing(1000);
  }
  if (usable('node')) {
    const before = (await srv.latestCall()).events as unknown[];
    const r = await runSdkClient('node', {
      ...base,
      PL_MODE: 'member',
      PL_MEMBER: customer.uri,
      PL_ACTION: 'hold',
    });
    assert.equal(r.code, 1, 'plivo 4.79 member actions fail inside the SDK');
    assert.match(String(r.result?.message), /client is not a function/);
    assert.equal(
      ((await srv.latestCall()).events as unknown[]).length,
      before.length,
      'nothing reached the server',
    );
  }

  // run() from each SDK: 201 with phlo_run_id; the run's agent (a busy phone) fails.
  const payload = JSON.stringify({ from: busy.uri, to: customer.uri });
  for (const sdk of ['python', 'node', 'go', 'java'] as const) {
    if (!usable(sdk)) continue;
    const r = await runSdkClient(sdk, { ...base, PL_MODE: 'run', PL_PAYLOAD: payload });
    assert.equal(r.code, 0, `${sdk} run: ${r.stdout} ${r.stderr}`);
    assert.equal(r.result?.ok, true, r.stdout);
    assert.match(String(r.result?.api_id), /^[0-9a-f-]{36}$/);
  }
  // A run without payload (Go: empty chunked body; Node: ""): accepted as no payload, refused by the templates.
  for (const sdk of ['go', 'node'] as const) {
    if (!usable(sdk)) continue;
    const r = await runSdkClient(sdk, { ...base, PL_MODE: 'run' });
    assert.equal(r.code, 1, `${sdk} run without payload: ${r.stdout}`);
    assert.match(String(r.result?.message), /run payload has no 'from'/, r.stdout);
  }

  if (usable('go')) {
    await member('go', 'hangup');
    await customer.waitEvent('bye-received');
    const call = await srv.waitCall(
      (c) => memberOf(c, customer.uri)?.state === 'disconnected',
      'go: hung up',
      { timeoutMs: 10_000, callId },
    );
    assert.equal(memberOf(call, customer.uri)?.hangup_cause, 'hangup');
  }
});
