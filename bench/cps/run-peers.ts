/**
 * The CPS ladder on its own: Partyline and the peers it is compared with
 * (the npm `sip` UA, sipgo, and the SIPp-answers-SIPp ceiling), all on one
 * ladder that rises until every one of them has failed a step.
 *
 *   node --import tsx bench/cps/run-peers.ts [--only partyline,sipgo,...]
 *     [--seconds 3] [--start 2000] [--factor 1.5] [--max-steps 12]
 *     [--budget 180] [--json] [--merge bench/results/sip.json]
 *
 * Prints one progress line per step on stderr and the summary table on
 * stdout (or the full results as JSON with --json). With --merge, the
 * results and the ratios replace the CPS figures of that file
 * (bench/results/sip.json: `cps`, `cps_max`, `cps_ratio_*`) and nothing
 * else there is touched.
 *
 * Budget: each step costs its load (3 s) plus about 3 s (start, 1.5 s of
 * warm-up, stop), a failing one more (its retry, its bisection, SIPp's
 * timeouts). No new rate starts after --budget seconds (default 180); the
 * targets still passing then are reported as lower bounds.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mergeResults, resultsPath } from '../results.js';
import { measureLadder } from './measure.js';
import {
  buildPartyline,
  nodeSipTarget,
  partylineTarget,
  sipgoTarget,
  sippUasTarget,
} from './peers.js';
import { cpsSummary, formatCpsMax } from './ratio.js';
import type { CpsOptions, CpsResult, CpsTarget } from './types.js';

export const PEER_NAMES = ['partyline', 'node-sip', 'sipgo', 'sipp-uas'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

async function targetOf(name: PeerName): Promise<CpsTarget> {
  switch (name) {
    case 'partyline':
      // Measured from the compiled build, as `npm start` runs it.
      process.stderr.write('building dist/ (npm run build)\n');
      buildPartyline();
      return partylineTarget();
    case 'node-sip':
      return nodeSipTarget();
    case 'sipgo':
      return sipgoTarget();
    case 'sipp-uas':
      return sippUasTarget();
  }
}

/** Measures the named targets (all by default) on one ladder. */
export async function runPeers(
  opts: CpsOptions = {},
  only: readonly PeerName[] = PEER_NAMES,
): Promise<CpsResult[]> {
  const targets: CpsTarget[] = [];
  for (const name of only) targets.push(await targetOf(name));
  return measureLadder(targets, opts);
}

export function formatTable(results: readonly CpsResult[]): string {
  const rows = [
    ['target', 'cps_max', 'p99 at max (ms)', 'ended by', 'SIPp CPU at end (%)'],
    ...results.map((r) => {
      const last = r.steps[r.steps.length - 1];
      return [
        r.name,
        formatCpsMax(r),
        Number.isNaN(r.p99_ms_at_max) ? '-' : String(r.p99_ms_at_max),
        r.capped ? 'ladder cap' : (r.limited_by ?? []).join('+') || 'latency/loss',
        last === undefined ? '-' : String(last.generator_cpu_pct),
      ];
    }),
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
      start: { type: 'string' },
      factor: { type: 'string' },
      'max-steps': { type: 'string' },
      budget: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
      merge: { type: 'string' },
    },
  });
  const only = values.only === undefined ? PEER_NAMES : parsePeerNames(values.only);
  const opts: CpsOptions = { log: (line) => process.stderr.write(`${line}\n`) };
  if (values.seconds !== undefined) opts.secondsPerStep = Number(values.seconds);
  if (values.start !== undefined) opts.startRate = Number(values.start);
  if (values.factor !== undefined) opts.factor = Number(values.factor);
  if (values['max-steps'] !== undefined) opts.maxSteps = Number(values['max-steps']);
  if (values.budget !== undefined) opts.budgetSeconds = Number(values.budget);
  const started = performance.now();
  const results = await runPeers(opts, only);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const summary = cpsSummary(results);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ summary, results }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatTable(results)}\n(${minutes} min)\n`);
    if (Object.keys(summary).length > 0) console.table([summary]);
  }
  if (values.merge !== undefined) {
    const file = values.merge === '' ? resultsPath('sip') : values.merge;
    mergeResults(file, 'sip', { ...summary, cps: cpsByName(results) }, 'cps_date');
    process.stderr.write(`merged into ${file}\n`);
  }
}

/** Results keyed as bench/results/sip.json has them. */
export function cpsByName(results: readonly CpsResult[]): Record<string, CpsResult> {
  const key: Record<string, string> = { 'node-sip': 'node_sip_peer', 'sipp-uas': 'sipp_ceiling' };
  return Object.fromEntries(results.map((r) => [key[r.name] ?? r.name, r]));
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
