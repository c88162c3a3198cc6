/**
 * Running the `partyline` CLI as a user does: a child process
 * (`node --conditions=source --import tsx src/main.ts …`, so
 * @partyline/client loads from this tree's source), with an environment
 * that has none of the caller's credentials and a credentials file of the
 * test's own, so nothing on the machine leaks in.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopChild } from '../support/stop-child.js';
import {
  phone,
  startTestServer,
  type AfterHook,
  type TestServer,
} from '../support/partyline-server.js';
import type { TonePhone } from '../support/phones/index.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables the CLI reads that must come from the test alone. */
const CLEARED = [
  'PARTYLINE_URL',
  'PARTYLINE_BASE_URL',
  'PARTYLINE_AUTH_ID',
  'PARTYLINE_AUTH_TOKEN',
  'PLIVO_AUTH_ID',
  'PLIVO_AUTH_TOKEN',
  'PARTYLINE_PHLO_ID',
  'PARTYLINE_PROFILE',
  'PARTYLINE_CREDENTIALS',
  'PARTYLINE_CONFIG',
];

/** A scratch directory removed when the test ends; its credentials.json is the CLI's file. */
export function scratch(t: AfterHook): string {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function cliEnv(dir: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete base[name];
  return { ...base, PARTYLINE_CREDENTIALS: join(dir, 'credentials.json'), ...env };
}

/** The variables that point the CLI at a test server's account and example PHLO. */
export function serverEnv(srv: TestServer): Record<string, string> {
  return {
    PARTYLINE_URL: srv.baseUrl,
    PARTYLINE_AUTH_ID: srv.authId,
    PARTYLINE_AUTH_TOKEN: srv.authToken,
    PARTYLINE_PHLO_ID: srv.phloId,
  };
}

/** Starts the CLI; `command` wraps it (e.g. in `script` for a terminal). */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  wrap?: (argv: string[]) => string[],
): ChildProcessWithoutNullStreams {
  const argv = [process.execPath, '--conditions=source', '--import', 'tsx', MAIN, ...args];
  const [cmd, ...rest] = wrap ? wrap(argv) : argv;
  return spawn(cmd, rest, { cwd: ROOT, env, stdio: 'pipe' });
}

/** A started CLI: its output so far, its exit, and a stop by pid for t.after. */
export class RunningCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((res) =>
      child.once('close', (code) => res({ code, stdout: this.stdout, stderr: this.stderr })),
    );
  }

  /** Resolves once stdout matches, or rejects with the output if it exits or `ms` pass first. */
  async waitOutput(pattern: RegExp, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.stdout)) {
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${pattern} in the CLI's output:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Its exit, or a failure with its output if it is still running after `ms`. */
  async waitExit(ms: number): Promise<CliResult> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the CLI still runs after ${ms} ms:\n${this.stdout}\n${this.stderr}`)),
        ms,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): Promise<void> {
    return stopChild(this.child, this.exited, 2_000);
  }
}

/** Runs the CLI to its end. */
export async function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const run = new RunningCli(spawnCli(args, env));
  const timer = setTimeout(() => void run.stop(), timeoutMs);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A test server for one test, with the CLI's environment pointing at it (stopped when the test ends). */
export async function cliServer(
  t: AfterHook,
): Promise<{ srv: TestServer; env: NodeJS.ProcessEnv }> {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  return { srv, env: cliEnv(scratch(t), serverEnv(srv)) };
}

/** A phone that answers, sending `toneHz`, for `calls` calls. */
export function answering(
  t: AfterHook,
  user: string,
  toneHz: number,
  calls = 1,
): Promise<TonePhone> {
  return phone(t, { behaviour: 'answer', toneHz, user, calls, timeoutSeconds: 60 });
}

/** `partyline run … --wait --json`: exit 0 once agent and customer are connected; the call id. */
export async function runConnected(
  srv: TestServer,
  env: NodeJS.ProcessEnv,
  agent: TonePhone,
  customer: TonePhone,
): Promise<string> {
  const run = await cli(
    ['run', srv.phloId, `from=${agent.uri}`, `to=${customer.uri}`, '--wait', '--json'],
    env,
  );
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as {
    callId: string;
    members: { state: string }[];
    steps: { event: string }[];
  };
  assert.deepEqual(
    result.members.map((m) => m.state),
    ['connected', 'connected'],
  );
  assert.ok(result.steps.filter((s) => s.event === 'connected').length === 2, run.stdout);
  return result.callId;
}
