/**
 * The node's and members' actions: `call`, `transfer --warm|--cold`,
 * `abort-transfer`, and `member hold|unhold|hangup|mute|unmute|resume|
 * voicemail-drop|coach|barge|listen` — Plivo's Multi-Party Call actions
 * plus the supervisor modes, sent by @partyline/client.
 */
import type { Command } from 'commander';
import type { ActionResult, MemberActionName, Role } from '@partyline/client';
import { connectNode, type NodeApi, type NodeFlags } from './context.js';
import { usage } from './errors.js';
import { followMember, liveMemberIds, newMember } from './follow.js';
import { role, withNodeOptions, withWaitOptions, examples } from './options.js';
import { Progress } from './progress.js';
import type { ReadConfig } from './settings.js';
import { printJson, printLines } from './views.js';

interface WaitFlags extends NodeFlags {
  wait?: boolean;
  timeout: number;
  role: Role;
}

/** The member commands: CLI name → the action sent, and what it does (for --help). */
const MEMBER_ACTIONS: readonly [string, MemberActionName, string][] = [
  ['hold', 'hold', "put on hold: hears its role's hold music, is not heard"],
  ['unhold', 'unhold', 'take off hold'],
  ['hangup', 'hangup', 'end its leg (BYE, or CANCEL while it rings)'],
  ['mute', 'mute', 'still hears, is not heard'],
  ['unmute', 'unmute', 'heard again'],
  [
    'resume',
    'resume_call',
    'by U1 during a warm transfer: end the consultation, everyone together',
  ],
  [
    'voicemail-drop',
    'voicemail_drop',
    "play the node's voicemail_message to it alone, then hang up",
  ],
  ['coach', 'coach', 'a supervisor heard by the agents only (it hears everyone)'],
  ['barge', 'barge', 'a supervisor heard by everyone'],
  ['listen', 'listen', 'a supervisor heard by nobody (it hears everyone)'],
];

function acknowledged(flags: NodeFlags, result: ActionResult, what: string): void {
  if (flags.json) printJson(result);
  else printLines([`${what} (api_id ${result.apiId})`]);
}

/**
 * Sends a node action that dials `to`; with --wait, follows the new member
 * until it connects (exit 0) or fails (exit 1), one line per state.
 */
async function dial(
  a: NodeApi,
  flags: WaitFlags,
  to: string,
  send: () => Promise<ActionResult>,
  what: string,
): Promise<void> {
  if (!flags.wait) return acknowledged(flags, await a.guard(send), what);
  const known = await a.guard(() => liveMemberIds(a.mpc));
  // From before the request, so the times shown count from when it was sent.
  const progress = new Progress(flags.json ? { write: () => true } : process.stdout);
  const result = await a.guard(send);
  if (!flags.json) printLines([`${what} (api_id ${result.apiId}); waiting for ${to}`]);
  const opts = { timeoutMs: flags.timeout * 1000 };
  const followed = await a.guard(async () => {
    const { call, member } = await newMember(a.mpc, known, to, opts);
    return followMember(a.mpc, call.callId, member.memberId, progress, opts);
  });
  if (flags.json)
    printJson({
      ...result,
      callId: followed.callId,
      member: followed.member,
      steps: followed.steps,
    });
}

export function registerActions(program: Command, readConfig: ReadConfig): void {
  const node = (flags: NodeFlags): Promise<NodeApi> => connectNode(flags, readConfig);

  withWaitOptions(
    withNodeOptions(
      program
        .command('call <trigger_source> <to>')
        .summary('add a user to a live call (dial <to> into the call of <trigger_source>)')
        .description(
          "add a user to the live call where <trigger_source> (an agent's address) is connected: " +
            'dials <to>, who joins with --role when it answers',
        )
        .option('-r, --role <role>', 'agent | customer | supervisor', role, 'agent' as Role)
        .addHelpText(
          'after',
          examples(
            'partyline call --phlo $PHLO sip:agent@pbx.example +14155550100 --role customer --wait',
            'partyline call sip:agent@pbx.example sip:lead@pbx.example --role supervisor --json',
          ),
        ),
    ),
  ).action(async (trigger: string, to: string, flags: WaitFlags) => {
    const a = await node(flags);
    await dial(
      a,
      flags,
      to,
      () => a.mpc.call(trigger, to, flags.role),
      `dialing ${to} as ${flags.role}`,
    );
  });

  withWaitOptions(
    withNodeOptions(
      program
        .command('transfer <trigger_source> <to>')
        .summary('warm or cold transfer from <trigger_source> to <to>')
        .description(
          'transfer the call of <trigger_source> (U1) to <to> (U3): --warm consults U3 privately while ' +
            'the others hear hold music (U1 hanging up or `member resume` completes it); --cold leaves at once',
        )
        .option('--warm', 'warm (attended) transfer')
        .option('--cold', 'cold (blind) transfer')
        .option(
          '-r, --role <role>',
          'the role U3 joins with: agent | customer | supervisor',
          role,
          'agent' as Role,
        )
        .addHelpText(
          'after',
          examples(
            'partyline transfer --warm sip:agent@pbx.example sip:expert@pbx.example --wait',
            'partyline transfer --cold sip:agent@pbx.example +14155550199',
          ),
        ),
    ),
  ).action(
    async (trigger: string, to: string, flags: WaitFlags & { warm?: boolean; cold?: boolean }) => {
      if (flags.warm === flags.cold) throw usage('transfer needs exactly one of --warm or --cold');
      const a = await node(flags);
      const send = (): Promise<ActionResult> =>
        flags.warm
          ? a.mpc.warmTransfer(trigger, to, flags.role)
          : a.mpc.coldTransfer(trigger, to, flags.role);
      await dial(a, flags, to, send, `${flags.warm ? 'warm' : 'cold'} transfer to ${to}`);
    },
  );

  withNodeOptions(
    program
      .command('abort-transfer <member>')
      .summary('give up the pending transfer of <member>')
      .description(
        'by U1 (<member>, an address): give up the pending transfer and return to the others',
      )
      .addHelpText('after', examples('partyline abort-transfer sip:agent@pbx.example')),
  ).action(async (member: string, flags: NodeFlags) => {
    const a = await node(flags);
    acknowledged(
      flags,
      await a.guard(() => a.mpc.abortTransfer(member)),
      `transfer of ${member} aborted`,
    );
  });

  const members = program
    .command('member')
    .summary('hold, unhold, hangup, mute, unmute, resume, voicemail-drop, coach, barge, listen')
    .description('act on one member of a live call: by address, or by member id with --call')
    .addHelpText(
      'after',
      examples(
        'partyline member hold +14155550100',
        'partyline member coach --call $CALL_ID $MEMBER_ID   # exact, by id (ids: partyline calls --json)',
      ),
    );
  for (const [name, action, description] of MEMBER_ACTIONS) {
    withNodeOptions(
      members
        .command(name)
        .argument(
          '<member>',
          'its address (+14155550100, sip:agent@pbx.example), or its id with --call',
        )
        .description(description)
        .addHelpText(
          'after',
          examples(
            `partyline member ${name} ${name === 'coach' || name === 'barge' || name === 'listen' ? 'sip:lead@pbx.example' : '+14155550100'}`,
            `partyline member ${name} --call $CALL_ID $MEMBER_ID --json`,
          ),
        )
        .option(
          '--call <call_id>',
          'name the member by id in this call (exact where an address is in two calls)',
        ),
    ).action(async (member: string, flags: NodeFlags & { call?: string }) => {
      const a = await node(flags);
      const target = flags.call ? a.mpc.callMember(flags.call, member) : a.mpc.member(member);
      acknowledged(flags, await a.guard(() => target.action(action)), `${name}: ${member}`);
    });
  }
}
