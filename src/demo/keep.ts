/**
 * `partyline demo --keep`: after the script, the server and the phones stay
 * up with a fresh call live (the example PHLO run again: agent and customer
 * talking) and a second PHLO that answers calls to sip:demo@<server> by
 * dialling the third user's phone — so a person can try curl, the console
 * or a real softphone against it. Ctrl-C (or SIGTERM) stops everything.
 */
import type { Stage } from './stage.js';

/** The PHLO a softphone calls into: the caller is the customer, the third user's phone the agent. */
function callInPhlo(agentUri: string): Record<string, unknown> {
  return {
    name: 'Demo call-in',
    description: 'Calls to sip:demo@<this server> reach the third user (partyline demo --keep).',
    start: { triggers: ['incoming'], next: 'desk', incoming: ['demo'] },
    nodes: [
      {
        type: 'multi_party_call',
        name: 'desk',
        agents: [agentUri],
        ring_timeout: 30,
        max_participants: 10,
        // The caller hanging up ends the call (the third user's phone would stay on alone).
        end_on_exit: { customer: true },
        agent_hold_music: 'tone:440',
        customer_hold_music: 'tone:660',
      },
    ],
  };
}

export async function keepRunning(stage: Stage, print: (line: string) => void): Promise<void> {
  const { agent, customer, third } = stage.cast.phones;
  const run = await stage.client.phlo(stage.phloId).run({ from: agent.uri, to: customer.uri });
  await stage.client.phlo.create(callInPhlo(third.uri));
  const base = stage.server.baseUrl;
  const auth = `${stage.authId}:${stage.authToken}`;
  const mpc = `${base}/v1/phlo/${stage.phloId}/multi_party_call/${stage.nodeId}`;
  print('');
  print('Still running (--keep). Ctrl-C stops the server and the phones.');
  print('');
  print(`  Base URL    ${base}`);
  print(`  AUTH_ID     ${stage.authId}`);
  print(`  AUTH_TOKEN  ${stage.authToken}`);
  print(`  PHLO id     ${stage.phloId}`);
  print(`  Node id     ${stage.nodeId}`);
  print(`  Console     ${base}/console   (log in with AUTH_ID and AUTH_TOKEN)`);
  print(`  SIP         udp ${stage.sip}`);
  print('');
  print('  Phones (they answer every call and speak):');
  for (const p of [agent, customer, third])
    print(`    ${p.name.padEnd(9)} ${p.uri.padEnd(34)} ${p.voice.description}`);
  print('');
  print(`A new call is live (call ${run.callId}): the agent and the customer. Try:`);
  print(`  curl -u ${auth} ${mpc}/calls/${run.callId}`);
  print(`  curl -u ${auth} -H 'Content-Type: application/json' \\`);
  print(`    -d '{"action":"hold"}' ${mpc}/members/${encodeURIComponent(customer.uri)}`);
  print('');
  print(
    'Call in with baresip (Debian: baresip-core), or any softphone: the third user answers as the agent:',
  );
  print(`  baresip -e '/dial sip:demo@${stage.sip}'`);
  print(
    'or let the server dial your softphone into the live call (it listens on, say, 127.0.0.1:5080):',
  );
  print(`  curl -u ${auth} -H 'Content-Type: application/json' \\`);
  print(
    `    -d '{"action":"call","to":"sip:me@127.0.0.1:5080","role":"agent","trigger_source":"${agent.uri}"}' \\`,
  );
  print(`    ${mpc}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  print('');
  print('Stopping: hanging up the live calls, closing the phones and the server.');
}
