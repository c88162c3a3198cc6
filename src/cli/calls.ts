/**
 * `partyline calls`: the calls of a node and their members. On a terminal
 * a live table that refreshes in place every --interval (q or Ctrl-C
 * stops it); with --once, --json, or when stdout is not a terminal, one
 * plain snapshot.
 */
import type { Command } from 'commander';
import type { Call } from '@partyline/client';
import { connectNode, type NodeApi, type NodeFlags } from './context.js';
import { positiveInt, seconds, withNodeOptions, examples } from './options.js';
import type { ReadConfig } from './settings.js';
import { LiveScreen } from './screen.js';
import { callsLines, printJson, printLines } from './views.js';

interface CallsFlags extends NodeFlags {
  all?: boolean;
  limit: number;
  once?: boolean;
  interval: number;
}

function fetchCalls(a: NodeApi, flags: CallsFlags): Promise<Call[]> {
  return a.guard(() => a.mpc.calls({ live: !flags.all, limit: flags.limit }));
}

export function registerCalls(program: Command, readConfig: ReadConfig): void {
  withNodeOptions(
    program
      .command('calls')
      .summary('live table of the calls and members of a node')
      .description(
        "the node's live calls and their members (role, state, muted/held, time in call): a table " +
          'that refreshes in place on a terminal, one snapshot otherwise',
      )
      .option('-a, --all', 'ended calls too (newest first)')
      .option('-n, --limit <n>', 'at most this many calls', positiveInt, 20)
      .option('--once', 'print one snapshot and exit, even on a terminal')
      .option('-i, --interval <seconds>', 'refresh period of the live table', seconds, 1)
      .addHelpText(
        'after',
        examples(
          'partyline calls --phlo $PHLO            # live, q or Ctrl-C stops it',
          'partyline calls --all --limit 5 --json  # a snapshot for scripts',
        ),
      ),
  ).action(async (flags: CallsFlags) => {
    const a = await connectNode(flags, readConfig);
    if (flags.json) return printJson(await fetchCalls(a, flags));
    if (flags.once || !process.stdout.isTTY)
      return printLines(callsLines(await fetchCalls(a, flags), Date.now(), !flags.all));
    await live(a, flags);
  });
}

/** The live table until q, Ctrl-C or SIGTERM; the terminal is restored however it ends. */
async function live(a: NodeApi, flags: CallsFlags): Promise<void> {
  const screen = new LiveScreen(process.stdout);
  let stopped = false;
  let wake: () => void = () => undefined;
  const stop = (): void => {
    stopped = true;
    wake();
  };
  const stdin = process.stdin;
  const onKey = (key: Buffer): void => {
    if (key.includes(0x03) || key.includes(0x71) || key.includes(0x51)) stop(); // Ctrl-C, q, Q
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const title = `calls of node ${a.mpc.nodeId} (PHLO ${a.mpc.phloId}) at ${a.target.url}`;
  try {
    while (!stopped) {
      const calls = await fetchCalls(a, flags);
      const now = Date.now();
      screen.draw([
        `${title} — ${new Date(now).toISOString().slice(11, 19)} UTC, every ${flags.interval} s; q quits`,
        '',
        ...callsLines(calls, now, !flags.all),
      ]);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, flags.interval * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    screen.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (stdin.isTTY) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
  }
}
