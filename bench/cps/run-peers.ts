/**
 * Measures the peers Partyline's SIP stack is compared with: the Node peer
 * (npm `sip`), sipgo, and the SIPp-answers-SIPp ceiling.
 *
 *   node --import tsx bench/cps/run-peers.ts [--seconds 4] [--only sipgo,node-sip] [--json]
 *
 * Prints one progress line per step on stderr and the summary table on
 * stdout (or the full results as JSON with --json).
 *
 * Budget: on the 2-core machine a full run takes about five minutes. Each step
 * costs its load time plus about 2 s (start, warm-up, stop), and the peers
 * stop at their first failing step. SIPp is not free: the UAC alone takes
 * most of a core at several thousand calls/s, so every target here competes
 * with it for the second core, and the ceiling (SIPp on both sides) is what
 * the machine allows at all, not a property of any UA.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measureCps, measureSippCeiling } from './measure.js';
import { nodeSipTarget, sipgoTarget } from './peers.js';
import type { CpsOptions, CpsResult } from './types.js';

export const PEER_NAMES = ['node-sip', 'sipgo', 'sipp-uas'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** Measures the named peers (all by default), one after the other. */
export async function runPeers(
  opts: CpsOptions = {},
  only: readonly PeerName[] = PEER_NAMES,
): Promise<CpsResult[]> {
  const results: CpsResult[] = [];
  for (const name of only) {
    switch (name) {
      case 'node-sip':
        results.push(await measureCps(nodeSipTarget(), opts));
        break;
      case 'sipgo':
        results.push(await measureCps(await sipgoTarget(), opts));
        break;
      case 'sipp-uas':
        results.push(await measureSippCeiling(opts));
        break;
    }
  }
  return results;
}

export function formatTable(results: readonly CpsResult[]): string {
  const rows = [
    ['target', 'cps_max', 'p99 at max (ms)'],
    ...results.map((r) => [
      r.name,
      // Every step passed: the limit lies above the top of the rate grid.
      r.steps.length > 0 && r.steps.every((s) => s.passed) ? `>=${r.cps_max}` : String(r.cps_max),
      Number.isNaN(r.p99_ms_at_max) ? '-' : String(r.p99_ms_at_max),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const only = values.only === undefined ? PEER_NAMES : parsePeerNames(values.only);
  const opts: CpsOptions = { log: (line) => process.stderr.write(`${line}\n`) };
  if (values.seconds !== undefined) opts.secondsPerStep = Number(values.seconds);
  const started = performance.now();
  const results = await runPeers(opts, only);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatTable(results)}\n(${minutes} min)\n`);
  }
}

function parsePeerNames(list: string): PeerName[] {
  return list.split(',').map((n) => {
    const name = n.trim();
    if (!(PEER_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown peer "${name}"; known: ${PEER_NAMES.join(', ')}`);
    }
    return name as PeerName;
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
