/**
 * `npm start` builds with tsconfig.build.json and runs dist/main.js: prove
 * that build emits a runnable program and that it comes up listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

/**
 * The Node flags `npm start` gives the server (package.json: `node <flags>
 * dist/main.js`), so these tests run the build exactly as it starts — Node
 * refuses a flag it does not know, and the README's V8 thread pool setting
 * ("Running it") is one of them.
 */
function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const m = /(?:^|&&\s*)node\s+((?:--\S+\s+)*)dist\/main\.js/.exec(pkg.scripts.start);
  assert.ok(m, `npm start runs something other than node dist/main.js: ${pkg.scripts.start}`);
  return m[1]!.split(/\s+/).filter(Boolean);
}

test('the production build emits dist/main.js: the CLI runs, the agent and the call server (npm start) start and stop on SIGTERM', async (t) => {
  // A package laid out as npm start sees it: dist/ beside node_modules/ and examples/.
  const pkg = mkdtempSync(join(tmpdir(), 'partyline-build-'));
  t.after(() => rmSync(pkg, { recursive: true, force: true }));
  const out = join(pkg, 'dist');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // As `npm run build` does: the workspace package @partyline/client first (the CLI imports its
  // dist/ once built), then src/.
  execFileSync(process.execPath, [tsc, '-p', join(root, 'packages', 'client', 'tsconfig.json')], {
    stdio: 'pipe',
  });
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], {
    stdio: 'pipe',
  });
  assert.ok(existsSync(join(out, 'main.js')), 'tsconfig.build.json must emit main.js');
  // The emitted code resolves its packages from the project's node_modules.
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  symlinkSync(join(root, 'examples'), join(pkg, 'examples'));
  // The API commands run from the build: @partyline/client resolves to its built dist/.
  const help = execFileSync(process.execPath, [join(out, 'main.js'), 'call', '--help'], {
    cwd: out,
    encoding: 'utf8',
  });
  assert.match(help, /^Usage: partyline call \[options\] <trigger_source> <to>/);
  await runsUntilSigterm(
    out,
    ['agent', '--port', '0', '--log-level', 'info'],
    'Partyline SIP agent ready',
    {},
  );
  // `npm start` runs serve (the default command): it comes up with its first-start banner.
  const data = join(pkg, 'data');
  const output = await runsUntilSigterm(
    out,
    ['--log-level', 'info'],
    'Partyline call server ready',
    {
      PARTYLINE_HTTP_PORT: '0',
      PARTYLINE_SIP_PORT: '0',
      PARTYLINE_DATA_DIR: data,
    },
  );
  assert.match(output, /AUTH_ID {5}MA[A-Z0-9]{18}/);
  assert.match(output, /PHLO id {5}[0-9a-f-]{36}/);
  assert.ok(existsSync(join(data, 'partyline.db')));
});

async function runsUntilSigterm(
  out: string,
  args: string[],
  readyLine: string,
  env: Record<string, string>,
): Promise<string> {
  const child = spawn(
    process.execPath,
    [...startScriptNodeFlags(), join(out, 'main.js'), ...args],
    {
      cwd: out,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  let output = '';
  const ready = new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready in 10 s:\n${output}`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        res();
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => rej(new Error(`exited with ${code} before ready:\n${output}`)));
  });
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  return output;
}

test('a bad configuration stops the program with a message naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-badcfg-'));
  try {
    const cfg = join(dir, 'bad.json');
    execFileSync('sh', ['-c', `echo '{"sip": {"port": 99999}}' > ${cfg}`]);
    let err: (Error & { status?: number; stderr?: Buffer }) | undefined;
    try {
      execFileSync(
        process.execPath,
        // --conditions=source: @partyline/client from its source, as every test runs it (no build).
        [
          '--conditions=source',
          '--import',
          'tsx',
          join(root, 'src', 'main.ts'),
          '--config',
          cfg,
          'agent',
        ],
        {
          cwd: root,
          stdio: 'pipe',
          timeout: 20_000,
        },
      );
    } catch (e) {
      err = e as Error & { status?: number; stderr?: Buffer };
    }
    assert.ok(err, 'must fail');
    assert.equal(err.status, 1);
    assert.match(String(err.stderr), /bad\.json: sip\.port: must be an integer from 0 to 65535/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
