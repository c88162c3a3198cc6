/**
 * The V8 settings the server is tuned for (README "Running it"). `npm start`
 * and the installed `partyline` command pass them; a server started some
 * other way (`node dist/main.js serve` under a service manager, say) would
 * silently run with Node's defaults — measured at 100 `call` requests/s: a
 * p99 2–4× higher with four GC helper threads, ~1 ms higher with
 * allocation-site pretenuring, a mark-compact every ~2.5 s instead of every
 * ~40 s with V8's own heap growing factor — so `serve` says so once at start.
 */

export interface V8Flag {
  /** What the server is started with. */
  flag: string;
  /** Spellings (after `--`, `_` read as `-`) that count as the operator's own choice. */
  chosenBy: readonly string[];
  why: string;
}

export const SERVER_V8_FLAGS: readonly V8Flag[] = [
  {
    flag: '--v8-pool-size=1',
    chosenBy: ['v8-pool-size'],
    why: "one GC helper thread: with Node's four, major GCs stall the event loop",
  },
  {
    flag: '--no-allocation-site-pretenuring',
    chosenBy: ['allocation-site-pretenuring', 'no-allocation-site-pretenuring'],
    why: "a call's short-lived objects are not allocated old, where only a mark-compact frees them",
  },
  {
    flag: '--heap-growing-percent=300',
    chosenBy: ['heap-growing-percent'],
    why: 'the old generation may grow to 4x what the last mark-compact kept: far fewer mark-compacts under load',
  },
];

/** The flag's name as Node and V8 read it: `--a_b=1` → `a-b`. */
function flagName(arg: string): string | null {
  if (!arg.startsWith('--')) return null;
  return arg.slice(2).split('=')[0]!.replaceAll('_', '-');
}

/** Whether a command-line argument sets one of the server's flags, either way. */
export function isServerV8Flag(arg: string): boolean {
  const name = flagName(arg);
  return name !== null && SERVER_V8_FLAGS.some((f) => f.chosenBy.includes(name));
}

/**
 * The server's flags that neither the command line (`execArgv`) nor
 * NODE_OPTIONS (where Node allows `--v8-pool-size`, not V8's own flags) set,
 * either way: an explicit value of the operator's own (`--v8-pool-size=4`,
 * `--allocation-site-pretenuring`) is respected.
 */
export function missingV8Flags(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): V8Flag[] {
  const given = new Set<string>();
  for (const arg of [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]) {
    const name = flagName(arg);
    if (name) given.add(name);
  }
  return SERVER_V8_FLAGS.filter((f) => !f.chosenBy.some((name) => given.has(name)));
}
