/**
 * bench/results/<suite>.json: what every benchmark writes, with the machine
 * it ran on. Writes merge: the keys a run produced replace theirs, every
 * other figure already in the file stays (a benchmark run on its own — the
 * fuzz, the CPS ladder, the flood — must not wipe the others' figures).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'results');

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
}

/** bench/results/<suite>.json */
export function resultsPath(suite: string): string {
  return join(RESULTS_DIR, `${suite}.json`);
}

/**
 * Merges `results` into `file` (created when missing) with `suite`, and
 * `dateKey` and its machine key set to now and this machine: `date` and
 * `machine` for a whole suite, `fuzz_date` and `fuzz_machine` for a part run
 * on its own (whose machine and day may differ from the rest of the file).
 */
export function mergeResults(
  file: string,
  suite: string,
  results: Record<string, unknown>,
  dateKey = 'date',
): void {
  mkdirSync(dirname(file), { recursive: true });
  const doc = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  const machineKey = dateKey === 'date' ? 'machine' : dateKey.replace(/date$/, 'machine');
  // A part measured again here is no longer of the day its own run gave it.
  for (const key of Object.keys(results)) {
    if (`${key}_date` !== dateKey) delete doc[`${key}_date`];
    if (`${key}_machine` !== machineKey) delete doc[`${key}_machine`];
  }
  Object.assign(
    doc,
    { suite, [dateKey]: new Date().toISOString(), [machineKey]: machine() },
    results,
  );
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
