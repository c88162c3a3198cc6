// The hostile-flood benchmark (bench/flood): its public surface, the table it prints and its
// figures for bench/results/sip.json. Alone:
//   node --import tsx bench/flood/index.ts [--calls 10] [--rate 50000] [--seconds 10]
//     [--quiet 4] [--scenarios open,auth] [--max-server-transactions N] [--max-dialogs N]
//     [--per-source N] [--json] [--merge bench/results/sip.json]
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mergeResults } from '../results.js';
import {
  SCENARIOS,
  runFloodBench,
  type FloodBenchOptions,
  type FloodBenchResult,
  type Scenario,
} from './run.js';

export { runFloodBench, formatScenario, SCENARIOS, DEFAULT_CAPS } from './run.js';
export type { FloodBenchOptions, FloodBenchResult, ScenarioResult, Scenario } from './run.js';

/**
 * The flat figures of bench/results/sip.json, per scenario:
 * flood_<scenario>_rss_high_water_mib, …_heap_high_water_mib,
 * …_server_transactions_high_water (during the flood and after it: a server
 * that fell behind still works through its socket buffer after the last
 * datagram), …_live_audio_loss_pct (during the flood),
 * …_mouth_to_ear_change_ms (median during − median before),
 * …_calls_dropped, …_achieved_rate.
 */
export function floodSummary(r: FloodBenchResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of r.scenarios) {
    const k = `flood_${s.scenario}`;
    const { during, after } = s.server;
    out[`${k}_achieved_rate`] = s.flood.achieved_rate;
    out[`${k}_rss_high_water_mib`] = Math.max(during.rss_high_water_mib, after.rss_high_water_mib);
    out[`${k}_heap_high_water_mib`] = Math.max(
      during.heap_high_water_mib,
      after.heap_high_water_mib,
    );
    out[`${k}_server_transactions_high_water`] = Math.max(
      during.server_transactions_high_water,
      after.server_transactions_high_water,
    );
    out[`${k}_live_audio_loss_pct`] = s.audio.during.loss_pct;
    out[`${k}_mouth_to_ear_change_ms`] =
      Math.round((s.mouth_to_ear.during.median_ms - s.mouth_to_ear.before.median_ms) * 10) / 10;
    out[`${k}_calls_dropped`] = s.calls_dropped;
  }
  return out;
}

/** The table of a run: one row per scenario and window. */
export function printFloodResult(r: FloodBenchResult): void {
  const rows = r.scenarios.flatMap((s) =>
    (['before', 'during', 'after'] as const).map((w) => ({
      scenario: s.scenario,
      window: w,
      flood_rate: w === 'during' ? s.flood.achieved_rate : 0,
      rss_mib: s.server[w].rss_high_water_mib,
      heap_mib: s.server[w].heap_high_water_mib,
      server_tx: s.server[w].server_transactions_high_water,
      dialogs: s.server[w].dialogs_high_water,
      stateless: s.server[w].stateless_sent,
      shed_503: s.server[w].shed_503_sent,
      loss_pct: s.audio[w].loss_pct,
      tone_heard_pct: s.audio[w].tone_heard_pct,
      m2e_median_ms: s.mouth_to_ear[w].median_ms,
      m2e_p90_ms: s.mouth_to_ear[w].p90_ms,
      api_p99_ms: s.api[w].p99_ms,
      api_failed: s.api[w].failed,
    })),
  );
  console.table(rows);
  for (const s of r.scenarios) {
    const [topMessage, topCount] = Object.entries(s.overload_log.top_messages)[0] ?? ['-', 0];
    console.log(
      `  ${s.scenario}: first answers ${JSON.stringify(s.flood.first_answers)}; ` +
        `CPU server ${s.cpu.server_pct} %, flooder ${s.cpu.flooder_pct} %, ` +
        `machine ${s.cpu.machine_pct} %${s.saturated.length ? `, saturated: ${s.saturated.join('+')}` : ''}; ` +
        `kernel UDP drops ${s.kernel_udp_rcvbuf_drops}; calls dropped ${s.calls_dropped}; ` +
        `overload episodes ${JSON.stringify({ rate: s.overload_log.rate, table: s.overload_log.table })}; ` +
        `log lines ${s.overload_log.lines} (most: "${topMessage}" ×${topCount})`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      quiet: { type: 'string' },
      scenarios: { type: 'string' },
      'max-server-transactions': { type: 'string' },
      'max-dialogs': { type: 'string' },
      'per-source': { type: 'string' },
      json: { type: 'boolean', default: false },
      merge: { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined =>
    v === undefined ? undefined : Number(v);
  const opts: FloodBenchOptions = {
    calls: num(values.calls),
    rate: num(values.rate),
    seconds: num(values.seconds),
    quietSeconds: num(values.quiet),
    caps: {
      ...(values['max-server-transactions'] !== undefined && {
        maxServerTransactions: Number(values['max-server-transactions']),
      }),
      ...(values['max-dialogs'] !== undefined && { maxDialogs: Number(values['max-dialogs']) }),
      ...(values['per-source'] !== undefined && {
        newRequestsPerSecondPerSource: Number(values['per-source']),
      }),
    },
    log: (line) => process.stderr.write(`${line}\n`),
  };
  if (values.scenarios !== undefined) {
    opts.scenarios = values.scenarios.split(',').map((name) => {
      if (!(SCENARIOS as readonly string[]).includes(name))
        throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.join(', ')}`);
      return name as Scenario;
    });
  }
  const result = await runFloodBench(opts);
  const summary = floodSummary(result);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    printFloodResult(result);
    console.table([summary]);
  }
  if (values.merge !== undefined) {
    mergeResults(values.merge, 'sip', { ...summary, flood: result }, 'flood_date');
    process.stderr.write(`merged into ${values.merge}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
