#!/usr/bin/env node
// Runs every test/**/*.test.ts and packages/client/test/**/*.test.ts with Node's own test runner (Node 20 has no
// glob support in --test). Extra arguments are passed through, so
// `npm test -- test/sip` runs only the files under that folder. `--conditions=source` makes
// workspace packages (@partyline/client) load from their TypeScript source, so no build is
// needed first; child processes the tests start inherit it through process.execArgv.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = (roots.length ? roots : ['test', 'packages/client/test']).flatMap((r) =>
  collect(resolve(r), []),
);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
