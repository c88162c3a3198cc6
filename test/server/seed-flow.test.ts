/**
 * The seed's flow, end to end over real SIP peers on 127.0.0.1: a run
 * dials the agent (the phone number 1111111111, through a SIPp carrier
 * that challenges with digest auth) and then the customer (a SIP phone);
 * both hear each other. Then the seed's request — add 1111111112 to the
 * live call — is sent by each of Plivo's official clients that install
 * here, exactly as their users write it; each time the third user is
 * really dialled, hears both, and is heard by both, then is hung up.
 * Tones: agent 1000 Hz, customer 1500 Hz, third user 2000 Hz.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Carrier, TonePhone } from '../support/phones/index.js';
import {
  runSdkClient,
  sdkSkipReason,
  SDK_CLIENTS,
  type SdkClient,
} from '../support/sdk-clients.js';
import { memberOf, startTestServer, type TestServer } from '../support/partyline-server.js';
import { REPLAY_SDKS, replaySdk, type ReplaySdk } from '../sdk/replay.js';

const AGENT = '1111111111';
const THIRD = '1111111112';
const AGENT_HZ = 1000;
const CUSTOMER_HZ = 1500;
const THIRD_HZ = 2000;

test('the seed flow: run, then add a user to the live call with every Plivo client', async (t) => {
  const clients = SDK_CLIENTS.filter((sdk) => !sdkSkipReason(sdk));
  const skipped = SDK_CLIENTS.filter((sdk) => sdkSkipReason(sdk)).map(
    (sdk) => `${sdk}: ${String(sdkSkipReason(sdk))}`,
  );
  if (skipped.length > 0 && process.env.CI)
    assert.fail(`SDK clients missing in CI: ${skipped.join('; ')}`);
  for (const s of skipped) t.diagnostic(`skipped ${s}`);

  const agent = await Carrier.start({
    number: AGENT,
    username: 'trunkuser',
    password: 'trunk-secret',
    behaviour: 'answer',
    toneHz: AGENT_HZ,
    timeoutSeconds: 120,
  });
  t.after(() => agent.stop());
  const third = await Carrier.start({
    number: THIRD,
    username: 'trunkuser',
    password: 'trunk-secret',
    behaviour: 'answer',
    toneHz: THIRD_HZ,
    calls: clients.length + REPLAY_SDKS.length,
    timeoutSeconds: 120,
  });
  t.after(() => third.stop());
  const customer = await TonePhone.start({
    behaviour: 'answer',
    toneHz: CUSTOMER_HZ,
    user: 'customer',
    timeoutSeconds: 120,
  });
  t.after(() => customer.stop());
  const srv: TestServer = await startTestServer({ trunks: [agent.trunk, third.trunk] });
  t.after(() => srv.stop());

  // The run: agent first, then the customer when the agent answers.
  const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${srv.phloId}`, {
    from: AGENT,
    to: customer.uri,
  });
  assert.equal(run.status, 201, run.text);
  assert.equal(run.json.phlo_id, srv.phloId);
  assert.match(String(run.json.phlo_run_id), /^[0-9a-f-]{36}$/);
  await srv.waitCall(
    (c) => c.members.length === 2 && c.members.every((m) => m.state === 'connected'),
    'agent and customer connected',
  );
  await agent.waitHearing(CUSTOMER_HZ);
  await customer.waitHearing(AGENT_HZ);
  assert.ok(!agent.hears(AGENT_HZ), 'the agent does not hear itself');

  /** After a client's request: the third user is dialled, heard by both, hears both; then hung up. */
  const proveAdded = async (n: number, who: string): Promise<void> => {
    const call = await srv.waitCall(
      (c) => memberOf(c, THIRD)?.state === 'connected',
      `${THIRD} connected (${who})`,
    );
    assert.equal(call.members.filter((m) => m.state === 'connected').length, 3);
    await third.waitEvent('answered', { call: n, timeoutMs: 10_000 });
    // Everyone hears the two others and not themselves.
    await third.waitHearing(AGENT_HZ);
    await third.waitHearing(CUSTOMER_HZ);
    await agent.waitHearing(THIRD_HZ);
    await customer.waitHearing(THIRD_HZ);
    assert.ok(
      agent.hears(CUSTOMER_HZ) && customer.hears(AGENT_HZ),
      'the first two still hear each other',
    );

    // Hang the third user up again (BYE reaches its phone) so the next client starts alike.
    const hangup = await srv.api(
      'POST',
      `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}/members/${THIRD}`,
      { action: 'hangup' },
    );
    assert.equal(hangup.status, 201, hangup.text);
    await third.waitEvent('bye-received', { call: n, timeoutMs: 10_000 });
    await srv.waitCall((c) => memberOf(c, THIRD)?.state === 'disconnected', `${THIRD} left`);
    await agent.waitSilence(5_000, THIRD_HZ);
  };

  let n = 0;
  for (const sdk of clients) {
    await t.test(`${sdk}: the seed's request adds ${THIRD} to the live call`, async () => {
      const result = await runSdkClient(sdk as SdkClient, {
        PL_BASE_URL: srv.baseUrl,
        PL_AUTH_ID: srv.authId,
        PL_AUTH_TOKEN: srv.authToken,
        PL_PHLO_ID: srv.phloId,
        PL_NODE_ID: srv.nodeId,
        PL_MODE: 'call',
        PL_TRIGGER_SOURCE: AGENT,
        PL_TO: THIRD,
        PL_ROLE: 'agent',
      });
      assert.equal(result.code, 0, `${sdk} failed:\n${result.stdout}\n${result.stderr}`);
      assert.equal(result.result?.ok, true, result.stdout);
      assert.match(String(result.result?.api_id), /^[0-9a-f-]{36}$/);
      assert.equal(result.result?.error ?? '', '');
      await proveAdded(++n, sdk);
    });
  }

  // Ruby, PHP and .NET cannot be installed here: their exact requests are replayed.
  for (const sdk of REPLAY_SDKS) {
    await t.test(`${sdk} (replayed requests): the seed's request adds ${THIRD}`, async () => {
      const report = await replaySdk(
        sdk as ReplaySdk,
        {
          authId: srv.authId,
          authToken: srv.authToken,
          phloId: srv.phloId,
          nodeId: srv.nodeId,
          mode: 'call',
          triggerSource: AGENT,
          to: THIRD,
          // PHP's example leaves role out (removeNull drops it): the server defaults it to agent.
          role: sdk === 'php' ? undefined : 'agent',
        },
        srv.baseUrl,
      );
      assert.deepEqual(report.violations, [], JSON.stringify(report.exchanges, null, 2));
      const last = report.exchanges.at(-1);
      assert.equal(last?.response.status, 201);
      await proveAdded(++n, sdk);
    });
  }

  const end = await srv.api(
    'POST',
    `/v1/phlo/${srv.phloId}/multi_party_call/${srv.nodeId}/members/${AGENT}`,
    {
      action: 'hangup',
    },
  );
  assert.equal(end.status, 201, end.text);
  const ended = await srv.waitCall(
    (c) => c.state === 'ended',
    'the call ended with its last agent',
  );
  assert.equal(ended.end_reason, 'last-agent-left');
  await customer.waitEvent('bye-received');
  await third.passed(20_000);
  await agent.passed(20_000);
  await customer.passed(20_000);
});
