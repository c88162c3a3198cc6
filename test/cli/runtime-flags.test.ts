/**
 * Which of the server's V8 flags (README "Running it") a process was started
 * without: what `partyline serve` warns about at start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isServerV8Flag, missingV8Flags, SERVER_V8_FLAGS } from '../../src/cli/runtime-flags.js';

const ALL = ['--v8-pool-size=1', '--no-allocation-site-pretenuring', '--heap-growing-percent=300'];

const names = (execArgv: string[], nodeOptions?: string): string[] =>
  missingV8Flags(execArgv, nodeOptions).map((f) => f.flag);

test('all missing with a bare node; none with what npm start passes', () => {
  assert.deepEqual(names([]), ALL);
  assert.deepEqual(names(ALL), []);
  assert.deepEqual(names(['--conditions=source', '--import', 'tsx']), ALL);
  assert.deepEqual(
    SERVER_V8_FLAGS.map((f) => f.flag),
    ALL,
  );
  for (const f of SERVER_V8_FLAGS) assert.ok(f.why.length > 20, f.flag);
});

test('npm start, npm run bench and the installed command pass every flag', () => {
  const root = new URL('../../', import.meta.url);
  const scripts = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts;
  const shebang = readFileSync(new URL('bin/partyline.js', root), 'utf8').split('\n')[0]!;
  for (const [what, line] of [
    ['npm start', scripts.start as string],
    ['npm run bench', scripts.bench as string],
    ['bin/partyline.js', shebang],
  ] as const)
    assert.deepEqual(names(line.split(/\s+/)), [], what);
});

test("an operator's own value counts as given, in either spelling", () => {
  assert.deepEqual(
    names(['--v8-pool-size=4', '--allocation-site-pretenuring', '--heap-growing-percent=50']),
    [],
  );
  assert.deepEqual(
    names(['--v8_pool_size=2', '--no_allocation_site_pretenuring', '--heap_growing_percent=100']),
    [],
  );
  assert.deepEqual(names(ALL.slice(1)), ['--v8-pool-size=1']);
});

test('NODE_OPTIONS counts (Node allows --v8-pool-size there); words that are not flags do not', () => {
  assert.deepEqual(names(ALL.slice(1), '  --v8-pool-size=1  '), []);
  assert.deepEqual(names([], '--max-old-space-size=4096'), ALL);
  assert.deepEqual(names(['v8-pool-size=1', '-v8-pool-size']), ALL);
  assert.deepEqual(names([], undefined).length, 3);
  assert.deepEqual(names([], '').length, 3);
});

test('isServerV8Flag picks the arguments a baseline process should inherit (bench/api/harness.ts)', () => {
  const argv = ['--expose-gc', ...ALL, '--import', 'tsx'];
  assert.deepEqual(argv.filter(isServerV8Flag), ALL);
  assert.equal(isServerV8Flag('--v8_pool_size=2'), true);
  assert.equal(isServerV8Flag('--heap_growing_percent=100'), true);
  assert.equal(isServerV8Flag('v8-pool-size=1'), false);
});
