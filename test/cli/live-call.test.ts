/**
 * The CLI's call commands against a real server and real SIP phones (SIPp
 * TonePhones on 127.0.0.1), each run as a child process like a user runs
 * it: run --wait, call --wait (progress lines, then the new member hears
 * the agent: tone check), member actions by address and by id (the held
 * customer hears its hold music: tone check; the server's 409 as exit 1), a
 * supervisor's coach / listen / barge, calls as a snapshot, as --json and as the live
 * table on a terminal (`script` gives it a pty), events --follow until the
 * call ends. (Transfers: transfer.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_HZ, agentAndCustomer } from '../support/partyline-server.js';
import { RunningCli, answering, cli, cliServer, runConnected, spawnCli } from './support.js';

test('run, call --wait, member actions, supervisor modes, calls (snapshot, --json, live on a terminal), events --follow', async (t) => {
  const { srv, env } = await cliServer(t);
  const { agent, customer } = await agentAndCustomer(t, { timeoutSeconds: 60 });
  const third = await answering(t, 'third', 2000);
  const lead = await answering(t, 'lead', 2500);
  const callId = await runConnected(srv, env, agent, customer);

  // Started now, it prints the history so far and then follows; it must end by itself with the call.
  const follow = new RunningCli(spawnCli(['events', callId, '--follow'], env));
  t.after(() => follow.stop());
  await follow.waitOutput(/member\.connected/);

  const added = await cli(['call', agent.uri, third.uri, '--role', 'customer', '--wait'], env);
  assert.equal(added.code, 0, added.stderr);
  assert.match(
    added.stdout,
    new RegExp(`^dialing ${third.uri} as customer \\(api_id [0-9a-f-]{36}\\); waiting`, 'm'),
  );
  const states = [
    ...added.stdout.matchAll(/^ +\+\d+\.\ds {2}sip:third@127\.0\.0\.1:\d+ {2}(\S+)$/gm),
  ];
  assert.deepEqual(
    states.map((m) => m[1]),
    ['dialing', 'ringing', 'connected'],
    added.stdout,
  );
  assert.ok(!added.stdout.includes('\u001b'), 'no spinner or cursor moves off a terminal');
  await third.waitHearing(AGENT_HZ, 10_000); // the member the CLI added is in the call's audio

  const held = await cli(['member', 'hold', customer.uri], env);
  assert.equal(held.code, 0, held.stderr);
  assert.match(
    held.stdout,
    new RegExp(`^hold: ${customer.uri.replace(/[.+]/g, '\\$&')} \\(api_id `),
  );
  await customer.waitHearing(660, 10_000); // the node's customer_hold_music (tone:660)
  const again = await cli(['member', 'hold', customer.uri], env);
  assert.equal(again.code, 1);
  assert.match(
    again.stderr,
    /^partyline: member .* is already on hold \(HTTP 409, api_id [0-9a-f-]{36}\)$/m,
  );

  // A supervisor, and its three modes by address; the server's refusals come back as exit 1.
  const supervised = await cli(
    ['call', agent.uri, lead.uri, '--role', 'supervisor', '--wait'],
    env,
  );
  assert.equal(supervised.code, 0, supervised.stderr);
  for (const mode of ['coach', 'listen', 'barge']) {
    const r = await cli(['member', mode, lead.uri], env);
    assert.equal(r.code, 0, r.stderr);
  }
  const [twice, noTransfer] = await Promise.all([
    cli(['member', 'barge', lead.uri], env),
    cli(['member', 'resume', agent.uri], env),
  ]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /already in barge mode \(HTTP 409, api_id /);
  assert.equal(noTransfer.code, 1, 'resume with no transfer pending: the server refuses');
  assert.match(noTransfer.stderr, /\(HTTP 409, api_id /);

  const [snapshot, json] = await Promise.all([
    cli(['calls', '--once'], env),
    cli(['calls', '--json'], env),
  ]);
  assert.equal(snapshot.code, 0, snapshot.stderr);
  assert.match(snapshot.stdout, new RegExp(`^call ${callId}  active for \\d+s`, 'm'));
  assert.match(snapshot.stdout, /^ {2}MEMBER +ROLE +STATE +FLAGS +IN CALL$/m);
  assert.match(
    snapshot.stdout,
    /^ {2}sip:customer@\S+ +customer +on_hold +held +\d+s$/m,
    snapshot.stdout,
  );
  assert.match(snapshot.stdout, /^ {2}sip:third@\S+ +customer +connected +\d+s$/m, snapshot.stdout);
  const calls = JSON.parse(json.stdout) as {
    callId: string;
    members: { memberId: string; address: string }[];
  }[];
  assert.deepEqual(
    calls.map((c) => c.callId),
    [callId],
  );
  const thirdId = calls[0].members.find((m) => m.address === third.uri)?.memberId;
  assert.ok(thirdId, json.stdout);

  const muted = await cli(['member', 'mute', '--call', callId, thirdId, '--json'], env);
  assert.equal(muted.code, 0, muted.stderr);
  assert.equal((JSON.parse(muted.stdout) as { error: string }).error, '');

  // The live table on a terminal: redrawn in place (cursor up, clear), q quits, the cursor comes back.
  const live = new RunningCli(
    spawnCli(['calls', '--interval', '0.3'], env, (argv) => [
      'script',
      '-qfec',
      argv.map((a) => `'${a}'`).join(' '),
      '/dev/null',
    ]),
  );
  t.after(() => live.stop());
  await live.waitOutput(/sip:third@\S+ +customer +connected +muted/);
  // eslint-disable-next-line no-control-regex -- the ANSI sequences are what is tested
  await live.waitOutput(/\x1b\[\d+A\r\x1b\[J[^]*\x1b\[\d+A\r\x1b\[J/); // two redraws in place
  live.child.stdin.write('q');
  const quit = await live.waitExit(15_000);
  assert.equal(quit.code, 0, quit.stdout);
  assert.ok(quit.stdout.startsWith('\u001b[?25l'), 'cursor hidden while it runs');
  assert.ok(quit.stdout.includes('\u001b[?25h'), 'and shown again');

  const unheld = await cli(['member', 'unhold', customer.uri], env);
  assert.equal(unheld.code, 0, unheld.stderr);
  for (const m of [third, lead, agent])
    assert.equal((await cli(['member', 'hangup', m.uri], env)).code, 0);
  await srv.waitCall((x) => x.state === 'ended', 'the call ended', { callId });
  const ended = await follow.waitExit(15_000);
  assert.equal(ended.code, 0, ended.stderr);
  const lines = ended.stdout.trim().split('\n');
  assert.match(lines[0], new RegExp(`^call ${callId}  active$`));
  assert.match(lines.at(-1) ?? '', /^#\d+ +\d{2}:\d{2}:\d{2}\.\d{3} {2}call\.ended/);
  for (const type of [
    'member.held',
    'member.muted',
    'member.coach',
    'member.listen',
    'member.barge',
    'member.unheld',
    'member.disconnected',
  ])
    assert.ok(
      lines.some((l) => l.includes(type)),
      `${type} in\n${ended.stdout}`,
    );
  assert.match(
    ended.stdout,
    /member\.connected +sip:third@/,
    "the new member's address, learnt while following",
  );
  const seqs = lines.slice(1).map((l) => Number(/^#(\d+)/.exec(l)?.[1]));
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    'every event once, in order',
  );
});
