/**
 * Which of the server's V8 flags (README "Running it") a process was started
 * without: what `partyline serve` warns about at start.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isServerV8Flag, missingV8Flags, SERVER_V8_FLAGS } from '../../src/cli/runtime-flags.js';

const names = (execArgv: string[], nodeOptions?: string): string[] =>
  missingV8Flags(execArgv, nodeOptions).map((f) => f.flag);

test('both missing with a bare node; none with what npm start passes', () => {
  assert.deepEqual(names([]), ['--v8-pool-size=1', '--no-allocation-site-pretenuring']);
  assert.deepEqual(names(['--v8-pool-size=1', '--no-allocation-site-pretenuring']), []);
  assert.deepEqual(names(['--conditions=source', '--import', 'tsx']), [
    '--v8-pool-size=1',
    '--no-allocation-site-pretenuring',
  ]);
  assert.equal(SERVER_V8_FLAGS.length, 2);
  for (const f of SERVER_V8_FLAGS) assert.ok(f.why.length > 20, f.flag);
});

test("an operator's own value counts as given, in either spelling", () => {
  assert.deepEqual(names(['--v8-pool-size=4', '--allocation-site-pretenuring']), []);
  assert.deepEqual(names(['--v8_pool_size=2', '--no_allocation_site_pretenuring']), []);
  assert.deepEqual(names(['--no-allocation-site-pretenuring']), ['--v8-pool-size=1']);
});

test('NODE_OPTIONS counts (Node allows --v8-pool-size there); words that are not flags do not', () => {
  assert.deepEqual(names(['--no-allocation-site-pretenuring'], '  --v8-pool-size=1  '), []);
  assert.deepEqual(names([], '--max-old-space-size=4096'), [
    '--v8-pool-size=1',
    '--no-allocation-site-pretenuring',
  ]);
  assert.deepEqual(names(['v8-pool-size=1', '-v8-pool-size']), [
    '--v8-pool-size=1',
    '--no-allocation-site-pretenuring',
  ]);
  assert.deepEqual(names([], undefined).length, 2);
  assert.deepEqual(names([], '').length, 2);
});

test('isServerV8Flag picks the arguments a baseline process should inherit (bench/api/harness.ts)', () => {
  const argv = [
    '--expose-gc',
    '--v8-pool-size=1',
    '--no-allocation-site-pretenuring',
    '--import',
    'tsx',
  ];
  assert.deepEqual(argv.filter(isServerV8Flag), [
    '--v8-pool-size=1',
    '--no-allocation-site-pretenuring',
  ]);
  assert.equal(isServerV8Flag('--v8_pool_size=2'), true);
  assert.equal(isServerV8Flag('v8-pool-size=1'), false);
});
