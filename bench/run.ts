/**
 * `npm run bench`: every benchmark in one run, a table on stdout and the
 * results in bench/results/<suite>.json (with the machine and the date).
 * Numbers are rates and ratios measured side by side in the same run — never
 * pass/fail assertions. `npm run bench -- sip` runs one suite.
 */
import {
  cpsByName,
  cpsSummary,
  formatTable,
  PEER_NAMES,
  runPeers,
  type CpsResult,
} from './cps/index.js';
import { runDialogMemoryBench } from './dialogs.js';
import { runFloodBench, floodSummary, printFloodResult } from './flood/index.js';
import { runFuzzBench } from './fuzz.js';
import { runParseBench } from './parse.js';
import { printMediaResult, runMediaBench } from './media/index.js';
import { printApiResult, runApiBench } from './api/index.js';
import { mergeResults, resultsPath } from './results.js';

function write(suite: string, results: Record<string, unknown>): void {
  mergeResults(resultsPath(suite), suite, results);
  console.log(`\nwrote bench/results/${suite}.json`);
}

function partylineCps(results: readonly CpsResult[]): number {
  return results.find((r) => r.name === 'partyline')?.cps_max ?? 0;
}

async function sipSuite(): Promise<void> {
  console.log('== SIP: parse + serialise (ours vs npm sip / sip.js) ==');
  const parse = await runParseBench();
  console.table([parse]);

  console.log(
    '\n== SIP: call setup rate (SIPp UAC → answering UA), one ladder rising until every target fails ==',
  );
  const log = (line: string): void => console.log(`  ${line}`);
  // Our UA is measured from the compiled build, as `npm start` runs it: runPeers builds dist/ first.
  const cps = await runPeers({ log }, PEER_NAMES);
  console.log(formatTable(cps));
  const cpsFigures = cpsSummary(cps);

  console.log('\n== SIP: memory per idle dialog ==');
  const mem = await runDialogMemoryBench(5000);
  console.table([mem]);

  console.log(
    '\n== SIP: fuzz, 1 000 000 mutated messages through parser + transaction layer, 100 000 over UDP into a UserAgent ==',
  );
  const fuzz = await runFuzzBench(1_000_000);
  console.table([fuzz]);

  // At ten times the call-setup capacity just measured (issue 10 §6).
  const floodRate = 10 * partylineCps(cps);
  console.log(`\n== SIP: hostile flood at ${floodRate}/s from one source while calls are live ==`);
  const flood = await runFloodBench({ log, rate: floodRate > 0 ? floodRate : undefined });
  printFloodResult(flood);

  const summary = {
    parse_ratio_vs_best_npm: parse.parse_ratio_vs_best_npm,
    ...cpsFigures,
    bytes_per_idle_dialog: mem.bytes_per_idle_dialog,
    fuzz_masked_errors: fuzz.fuzz_masked_errors,
    ...floodSummary(flood),
  };
  console.log('\n== SIP summary ==');
  console.table([summary]);
  write('sip', {
    ...summary,
    parse,
    cps: cpsByName(cps),
    idle_dialogs: mem,
    fuzz,
    flood,
  });
}

async function mediaSuite(): Promise<void> {
  console.log('\n== Media: concurrent members, mixer latency, UDP echo floor, G.711 ==');
  const media = await runMediaBench({ log: (line: string) => console.log(`  ${line}`) });
  printMediaResult(media);
  write('media', media as unknown as Record<string, unknown>);
}

async function apiSuite(): Promise<void> {
  console.log('\n== API: the call action end to end vs bare Fastify; whole-server capacity ==');
  const api = await runApiBench({ log: (line: string) => console.log(`  ${line}`) });
  printApiResult(api);
  write('api', api as unknown as Record<string, unknown>);
}

const suites: Record<string, () => Promise<void>> = {
  sip: sipSuite,
  media: mediaSuite,
  api: apiSuite,
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted.length ? wanted : Object.keys(suites)) {
  const run = suites[name];
  if (!run) {
    console.error(`unknown suite "${name}" (have: ${Object.keys(suites).join(', ')})`);
    process.exit(2);
  }
  await run();
}
