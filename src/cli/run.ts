/** `partyline run PHLO [key=value…]`: run a PHLO (Plivo's API trigger), optionally following its dials. */
import type { Command } from 'commander';
import type { RunPayload } from '@partyline/client';
import { connect } from './context.js';
import type { ApiFlags } from './credentials.js';
import { usage } from './errors.js';
import { followCall } from './follow.js';
import { withApiOptions, withWaitOptions, examples } from './options.js';
import { Progress } from './progress.js';
import type { ReadConfig } from './settings.js';
import { printJson, printLines } from './views.js';

/** `from=sip:a@b` `to=+1415…` → the run's payload (values stay text: the templates read text). */
export function payload(pairs: readonly string[]): RunPayload {
  const out: RunPayload = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw usage(`"${pair}" is not key=value (e.g. from=sip:agent@pbx.example to=+14155550100)`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function registerRun(program: Command, readConfig: ReadConfig): void {
  withWaitOptions(
    withApiOptions(
      program
        .command('run <phlo_id> [key=value...]')
        .summary('run a PHLO (from=… to=…), print its call id')
        .description(
          'run a PHLO: the key=value pairs are its payload ({{start.key}} in the document); ' +
            'prints the call id',
        )
        .addHelpText(
          'after',
          examples(
            'partyline run $PHLO from=sip:agent@127.0.0.1:5070 to=+14155550100 --wait',
            'CALL=$(partyline run $PHLO from=… to=… --json | jq -r .callId)',
          ),
        ),
    ),
  )
    // --wait here follows every member of the new call, not one dial.
    .action(
      async (
        phloId: string,
        pairs: string[],
        flags: ApiFlags & { json?: boolean; wait?: boolean; timeout: number },
      ) => {
        const body = payload(pairs);
        // The members a run dials, when the payload names them (the usual {{start.from}}/{{start.to}}).
        const expected = ['from', 'to'].flatMap((k) => (body[k] ? [String(body[k])] : []));
        const a = await connect(flags, readConfig);
        const run = await a.guard(() => a.client.phlo(phloId).run(body));
        if (!flags.wait) {
          if (flags.json) printJson(run);
          else printLines([`call ${run.callId}  (run ${run.phloRunId}, api_id ${run.apiId})`]);
          return;
        }
        if (!flags.json)
          printLines([`call ${run.callId}  (run ${run.phloRunId}); waiting for its members`]);
        const phlo = await a.guard(() => a.client.phlo.get(phloId));
        const node = phlo.nodes[0];
        if (!node) throw usage(`PHLO ${phloId} has no multi_party_call node to follow`);
        const progress = new Progress(flags.json ? { write: () => true } : process.stdout);
        const { call, steps } = await a.guard(() =>
          followCall(phlo.multiPartyCall(node.nodeId), run.callId, expected, progress, {
            timeoutMs: flags.timeout * 1000,
          }),
        );
        if (flags.json) printJson({ ...run, nodeId: node.nodeId, members: call.members, steps });
        else printLines([`connected: ${call.members.map((m) => m.address).join(', ')}`]);
      },
    );
}
