/**
 * `npm run bench`: every benchmark in one run, a table on stdout and the
 * results in bench/results/<suite>.json (with the machine and the date).
 * Numbers are rates and ratios measured side by side in the same run — never
 * pass/fail assertions. `npm run bench -- sip` runs one suite.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import {
  measureCps,
  measureSippCeiling,
  nodeSipTarget,
  sipgoTarget,
  REPO_ROOT,
  type CpsResult,
} from './cps/index.js';
import { runDialogMemoryBench } from './dialogs.js';
import { runFuzzBench } from './fuzz.js';
import { runParseBench } from './parse.js';
import { printMediaResult, runMediaBench } from './media/index.js';
import { printApiResult, runApiBench } from './api/index.js';

function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
}

function write(suite: string, results: Record<string, unknown>): void {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const doc = { suite, date: new Date().toISOString(), machine: machine(), ...results };
  writeFileSync(join(dir, `${suite}.json`), JSON.stringify(doc, null, 2) + '\n');
  console.log(`\nwrote bench/results/${suite}.json`);
}

function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 100) / 100 : 0;
}

/** Our UA is measured from the compiled build, as `npm start` runs it. */
function build(): void {
  console.log('== building dist/ (npm run build) ==');
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(REPO_ROOT, 'tsconfig.build.json'),
    ],
    { stdio: 'inherit' },
  );
}

async function sipSuite(): Promise<void> {
  build();
  console.log('== SIP: parse + serialise (ours vs npm sip / sip.js) ==');
  const parse = await runParseBench();
  console.table([parse]);

  console.log('\n== SIP: call setup rate (SIPp UAC → answering UA), stepping up ==');
  const log = (line: string): void => console.log(`  ${line}`);
  const partyline = await measureCps(
    {
      name: 'partyline',
      command: [
        process.execPath,
        join(REPO_ROOT, 'bench', 'peers', 'partyline-uas.mjs'),
        '--port',
        '{port}',
      ],
    },
    { log },
  );
  const peer = await measureCps(nodeSipTarget(), { log });
  const sipgo = await measureCps(await sipgoTarget(), { log });
  const ceiling = await measureSippCeiling({ log });
  const rows = [partyline, peer, sipgo, ceiling].map((r: CpsResult) => ({
    target: r.name,
    cps_max: r.cps_max,
    p99_ms_at_max: r.p99_ms_at_max,
  }));
  console.table(rows);

  console.log('\n== SIP: memory per idle dialog ==');
  const mem = await runDialogMemoryBench(5000);
  console.table([mem]);

  console.log(
    '\n== SIP: fuzz, 1 000 000 mutated messages through parser + transaction layer, 100 000 over UDP into a UserAgent ==',
  );
  const fuzz = await runFuzzBench(1_000_000);
  console.table([fuzz]);

  const summary = {
    parse_ratio_vs_best_npm: parse.parse_ratio_vs_best_npm,
    cps_max: partyline.cps_max,
    cps_p99_ms_at_max: partyline.p99_ms_at_max,
    cps_ratio_vs_peer: ratio(partyline.cps_max, peer.cps_max),
    cps_ratio_vs_sipgo: ratio(partyline.cps_max, sipgo.cps_max),
    cps_ratio_vs_sipp: ratio(partyline.cps_max, ceiling.cps_max),
    bytes_per_idle_dialog: mem.bytes_per_idle_dialog,
    fuzz_masked_errors: fuzz.fuzz_masked_errors,
  };
  console.log('\n== SIP summary ==');
  console.table([summary]);
  write('sip', {
    ...summary,
    parse,
    cps: { partyline, node_sip_peer: peer, sipgo, sipp_ceiling: ceiling },
    idle_dialogs: mem,
    fuzz,
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
