/**
 * `npm start` builds with tsconfig.build.json and runs dist/main.js: prove
 * that build emits a runnable program and that it comes up listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

test('the production build emits dist/main.js, which starts the agent and stops on SIGTERM', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'partyline-build-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      out,
    ],
    { stdio: 'pipe' },
  );
  assert.ok(existsSync(join(out, 'main.js')), 'tsconfig.build.json must emit main.js');
  // The emitted code resolves its packages from the project's node_modules.
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));

  const child = spawn(
    process.execPath,
    [join(out, 'main.js'), 'agent', '--port', '0', '--log-level', 'info'],
    {
      cwd: out,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  const ready = new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready in 10 s:\n${output}`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Partyline SIP agent ready')) {
        clearTimeout(timer);
        res();
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => rej(new Error(`exited with ${code} before ready:\n${output}`)));
  });
  await ready;
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('a bad configuration stops the program with a message naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-badcfg-'));
  try {
    const cfg = join(dir, 'bad.json');
    execFileSync('sh', ['-c', `echo '{"sip": {"port": 99999}}' > ${cfg}`]);
    let err: (Error & { status?: number; stderr?: Buffer }) | undefined;
    try {
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'src', 'main.ts'), '--config', cfg, 'agent'],
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
