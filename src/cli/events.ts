/**
 * `partyline events [CALL_ID]`: a call's event history; with --follow, then
 * its new events as they happen, until the call ends (or Ctrl-C). Without
 * a call id, the node's most recent call. --json prints one JSON object
 * per line (NDJSON), so `--follow --json` can be piped event by event.
 */
import type { Command } from 'commander';
import type { CallEvent } from '@partyline/client';
import { connectNode, type NodeFlags } from './context.js';
import { CliError } from './errors.js';
import { withNodeOptions, examples } from './options.js';
import type { ReadConfig } from './settings.js';
import { eventLine, printLines } from './views.js';

interface EventsFlags extends NodeFlags {
  follow?: boolean;
}

export function registerEvents(program: Command, readConfig: ReadConfig): void {
  withNodeOptions(
    program
      .command('events [call_id]')
      .summary("a call's event history (--follow: then live)")
      .description(
        "a call's events (member.dialing, member.connected, transfer.started, …), oldest first; " +
          "default: the node's most recent call",
      )
      .option('-f, --follow', 'then print new events as they happen, until the call ends')
      .addHelpText(
        'after',
        examples(
          'partyline events --follow                 # the latest call, live',
          'partyline events $CALL_ID --json | jq -c \'select(.type | startswith("transfer."))\'',
        ),
      ),
  ).action(async (given: string | undefined, flags: EventsFlags) => {
    const a = await connectNode(flags, readConfig);
    const callId = given ?? (await a.guard(() => a.mpc.calls({ limit: 1 })))[0]?.callId;
    if (!callId) throw new CliError(`node ${a.mpc.nodeId} has no calls yet`);
    let detail = await a.guard(() => a.mpc.getCall(callId));
    const addresses = new Map(detail.members.map((m) => [m.memberId, m.address]));
    const print = (e: CallEvent): void => {
      if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      else printLines([eventLine(e, (id) => addresses.get(id))]);
    };
    if (!flags.json) printLines([`call ${callId}  ${detail.state}`]);
    for (const e of detail.events) print(e);
    if (!flags.follow || detail.state === 'ended') return;
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    const last = detail.events.at(-1)?.seq ?? 0;
    await a.guard(async () => {
      for await (const e of a.mpc.events(callId, { afterSeq: last, signal: stop.signal })) {
        if (e.memberId && !addresses.has(e.memberId)) {
          // A member that joined after the history was read: learn its address.
          detail = await a.mpc.getCall(callId);
          for (const m of detail.members) addresses.set(m.memberId, m.address);
        }
        print(e);
      }
    });
  });
}
