/**
 * Runs Plivo's official SDKs the way their users do, against a server the
 * test started (DESIGN.md §6, PLIVO-SDK-WIRE.md). Each client in test/sdk/ is
 * Plivo's published PHLO Multi-Party Call example, changed only to take its
 * base URL and ids from the environment; it prints one line of JSON saying
 * what the SDK returned or raised, and exits 0 (the SDK call succeeded),
 * 1 (the SDK raised / the answer was not 2xx for curl) or 2 (misused: a mode
 * or action that SDK does not offer).
 *
 *   const run = await runSdkClient('python', { PL_BASE_URL, PL_AUTH_ID, ... });
 *   assert.equal(run.code, 0, run.stderr);
 *   assert.equal(run.result?.ok, true);
 *
 * Modes (PL_MODE): `call` (default: retrieve the PHLO, then the MPC node where
 * the SDK can, then call/warm_transfer/cold_transfer per PL_MPC_ACTION),
 * `member` (PL_MEMBER, PL_ACTION), `run` (PL_PAYLOAD, a JSON object).
 * Member actions offered: python hold unhold hangup resume_call
 * voicemail_drop abort_transfer mute unmute; go and java the same without
 * mute/unmute; node the same as go, but every one except abort_transfer
 * fails inside plivo 4.79.0 with "TypeError: client is not a function"
 * before anything is sent; curl sends any action.
 *
 * Ruby, PHP and .NET cannot be installed here: test/sdk/replay.ts replays
 * the exact requests they send instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SdkClient = 'python' | 'node' | 'go' | 'java' | 'curl';
export const SDK_CLIENTS: readonly SdkClient[] = ['python', 'node', 'go', 'java', 'curl'];

/** The pinned versions the clients run (what CI installs). */
export const SDK_VERSIONS: Readonly<Record<SdkClient, string>> = {
  python: 'plivo 4.63.0 (PyPI)',
  node: 'plivo 4.79.0 (npm)',
  go: 'github.com/plivo/plivo-go/v7 v7.60.2',
  java: 'com.plivo:plivo-java 5.46.3 (Maven Central)',
  curl: 'curl',
};

/** What a client reads. Unset optional keys stay unset in the child (PL_ROLE unset = 'agent'). */
export interface SdkClientEnv {
  /** http://127.0.0.1:PORT (no /v1: each client adds what its SDK wants). */
  PL_BASE_URL: string;
  /** 20 characters starting MA: the Python and Java SDKs refuse anything else. */
  PL_AUTH_ID: string;
  PL_AUTH_TOKEN: string;
  PL_PHLO_ID: string;
  PL_NODE_ID?: string;
  PL_MODE?: 'call' | 'member' | 'run';
  PL_TRIGGER_SOURCE?: string;
  PL_TO?: string;
  PL_ROLE?: string;
  PL_MPC_ACTION?: 'call' | 'warm_transfer' | 'cold_transfer';
  PL_MEMBER?: string;
  PL_ACTION?: string;
  /** A JSON object (Java: flat, values strings/numbers/booleans). Unset = run with no payload. */
  PL_PAYLOAD?: string;
}

/** The one JSON line a client prints. */
export interface SdkClientOutput {
  ok: boolean;
  sdk: SdkClient;
  mode: string;
  /** Where it stopped: client, get_phlo, get_node, call, warm_transfer, cold_transfer, member_<action>, run, usage. */
  step: string;
  /** On success: the response's api_id as the SDK decoded it (null if it decoded none). */
  api_id?: string | null;
  /** On success: the response's `error` field as decoded ('' when absent). */
  error?: unknown;
  /** On failure: the exception's class (Python/Java/Node class name, Go `%T`, curl `HTTP 400`/`CurlError`, `UsageError`). */
  error_class?: string;
  message?: string;
  /** curl only: the HTTP status. */
  status?: number;
  /** The final call's response as the SDK handed it back (Node: camelCase keys, as the SDK returns them). */
  response?: unknown;
  /** What the SDK decoded from GET phlo / GET node, where it made those requests. */
  phlo?: unknown;
  node?: unknown;
}

export interface SdkClientRun {
  /** Exit code, or null if killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The last line of stdout that is a JSON object (an SDK may print a line of its own first). */
  result: SdkClientOutput | undefined;
}

export interface SdkClientOptions {
  /** Kill the client (its whole process group, by pid) after this long. Default 60 s. */
  timeoutMs?: number;
}

export type SdkAvailability = { available: true } | { available: false; reason: string };

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SDK_DIR = join(ROOT, 'test', 'sdk');
const PY_VENV = join(SDK_DIR, 'python', '.venv');
const PY_BIN = join(PY_VENV, 'bin', 'python');
const GO_DIR = join(SDK_DIR, 'go');
const JAVA_TARGET = join(SDK_DIR, 'java', 'target');
const JAVA_JAR = join(JAVA_TARGET, 'plivo-seed-example.jar');
const JAVA_CLASSPATH = join(JAVA_TARGET, 'classpath.txt');
const DEFAULT_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 2_000;

const INSTALL_HINT: Record<SdkClient, string> = {
  python:
    'python3 -m venv test/sdk/python/.venv && test/sdk/python/.venv/bin/pip install -r test/sdk/python/requirements.txt',
  node: 'npm ci',
  go: '(cd test/sdk/go && go mod download)',
  java: 'mvn -B -q -f test/sdk/java/pom.xml package dependency:build-classpath',
  curl: 'apt-get install -y curl',
};

const availability = new Map<SdkClient, SdkAvailability>();

/** Whether that client's toolchain and pinned SDK are installed (cached per process). */
export function sdkAvailable(sdk: SdkClient): SdkAvailability {
  let known = availability.get(sdk);
  if (!known) {
    const missing = findMissing(sdk);
    known =
      missing === undefined
        ? { available: true }
        : {
            available: false,
            reason: `${SDK_VERSIONS[sdk]} is not installed (${missing}); .ci/run installs it: ${INSTALL_HINT[sdk]}`,
          };
    availability.set(sdk, known);
  }
  return known;
}

/**
 * For node:test's `skip` option: the reason the client cannot run here, or
 * false. Under CI (CI=true) it is always false: .ci/run installs every
 * client, so a missing one must fail the run, not skip quietly.
 */
export function sdkSkipReason(sdk: SdkClient): string | false {
  if (process.env.CI === 'true') return false;
  const state = sdkAvailable(sdk);
  return state.available ? false : state.reason;
}

/** Runs one client to completion. Throws if the client is not installed. */
export async function runSdkClient(
  sdk: SdkClient,
  env: SdkClientEnv,
  options: SdkClientOptions = {},
): Promise<SdkClientRun> {
  const state = sdkAvailable(sdk);
  if (!state.available) throw new Error(`cannot run the ${sdk} client: ${state.reason}`);
  const argv = await commandFor(sdk);
  return runProcess(argv, childEnv(env), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

async function commandFor(sdk: SdkClient): Promise<string[]> {
  switch (sdk) {
    case 'python':
      return [PY_BIN, join(SDK_DIR, 'python', 'seed_example.py')];
    case 'node':
      return [process.execPath, join(SDK_DIR, 'node', 'seed-example.mjs')];
    case 'go':
      return [await goBinary()];
    case 'java': {
      const classpath = [JAVA_JAR, readFileSync(JAVA_CLASSPATH, 'utf8').trim()].join(delimiter);
      // C1 only and the serial collector: a one-shot client starts in ~0.4 s.
      return [
        'java',
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-cp',
        classpath,
        'partyline.sdk.SeedExample',
      ];
    }
    case 'curl':
      return ['bash', join(SDK_DIR, 'curl', 'seed-example.sh')];
  }
}

/** The client's environment: ours, without anything that would change how an SDK connects or authenticates. */
function childEnv(env: SdkClientEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PL_|PLIVO_)/.test(key)) continue; // the SDKs fall back to PLIVO_AUTH_ID/TOKEN
    if (/^(https?|all|no)_proxy$/i.test(key)) continue; // requests/Go/curl honour proxies even for 127.0.0.1
    out[key] = value;
  }
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) out[key] = String(value);
  }
  return out;
}

let goBuild: Promise<string> | undefined;

/** `go build` of test/sdk/go into a temporary folder, once per process. */
function goBinary(): Promise<string> {
  goBuild ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'partyline-sdk-go-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const binary = join(dir, 'seed-example');
    const build = await runProcess(
      ['go', 'build', '-o', binary, '.'],
      process.env,
      300_000,
      GO_DIR,
    );
    if (build.code !== 0) {
      throw new Error(
        `go build of ${GO_DIR} failed (${build.code ?? build.signal}):\n${build.stderr}`,
      );
    }
    return binary;
  })();
  goBuild.catch(() => {
    goBuild = undefined; // let a later test try again rather than inherit one failure
  });
  return goBuild;
}

function runProcess(
  argv: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  cwd: string = ROOT,
): Promise<SdkClientRun> {
  const [command, ...args] = argv;
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so a timeout ends it and whatever it started
    // (the curl script runs curl and node) by that one pid.
    const child = spawn(command!, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const out = Buffer.concat(stdout).toString('utf8');
      resolvePromise({
        code,
        signal,
        timedOut,
        stdout: out,
        stderr: Buffer.concat(stderr).toString('utf8'),
        result: lastJsonLine(out),
      });
    });
  });
}

function lastJsonLine(stdout: string): SdkClientOutput | undefined {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const value: unknown = JSON.parse(lines[i]!);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return value as SdkClientOutput;
      }
    } catch {
      // not the report line
    }
  }
  return undefined;
}

/** Why the client cannot run, or undefined when it can. */
function findMissing(sdk: SdkClient): string | undefined {
  switch (sdk) {
    case 'python': {
      if (!existsSync(PY_BIN)) return `no ${PY_BIN}`;
      const lib = join(PY_VENV, 'lib');
      const sitePackages = readdirSafe(lib)
        .filter((name) => name.startsWith('python'))
        .map((name) => join(lib, name, 'site-packages'));
      const installed = sitePackages.some((dir) => existsSync(join(dir, 'plivo-4.63.0.dist-info')));
      return installed ? undefined : `plivo 4.63.0 not in ${PY_VENV}`;
    }
    case 'node': {
      const manifest = join(ROOT, 'node_modules', 'plivo', 'package.json');
      if (!existsSync(manifest)) return `no ${manifest}`;
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
      return version === '4.79.0' ? undefined : `node_modules/plivo is ${version}, not 4.79.0`;
    }
    case 'go': {
      const go = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
      if (go.error || go.status !== 0) return 'no go toolchain on PATH';
      const module = join(go.stdout.trim(), 'github.com', 'plivo', 'plivo-go', 'v7@v7.60.2');
      return existsSync(module) ? undefined : `no ${module}`;
    }
    case 'java': {
      const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
      if (java.error || java.status !== 0) return 'no java on PATH';
      if (!existsSync(JAVA_JAR)) return `no ${JAVA_JAR}`;
      if (!existsSync(JAVA_CLASSPATH)) return `no ${JAVA_CLASSPATH}`;
      const entries = readFileSync(JAVA_CLASSPATH, 'utf8').trim().split(delimiter);
      const absent = entries.find((entry) => !existsSync(entry));
      if (absent !== undefined) return `classpath entry ${absent} is missing`;
      return entries.some((entry) => entry.includes('plivo-java-5.46.3'))
        ? undefined
        : 'plivo-java 5.46.3 is not on target/classpath.txt';
    }
    case 'curl': {
      const curl = spawnSync('curl', ['--version'], { encoding: 'utf8' });
      if (curl.error || curl.status !== 0) return 'no curl on PATH';
      const bash = spawnSync('bash', ['-c', 'true']);
      return bash.error || bash.status !== 0 ? 'no bash on PATH' : undefined;
    }
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
