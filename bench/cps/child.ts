import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Child processes of the benchmark (targets and SIPp), each started in its own
 * process group so that stopping it also stops anything it started (a wrapper
 * such as `npx` or a shell). Because a detached group does not receive the
 * terminal's Ctrl-C, every live child is also killed, by its group id, when
 * this process exits or is interrupted: a benchmark never leaves SIPp or a UA
 * running behind it.
 */
export interface TrackedChild {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once exited, undefined while running. */
  exitStatus(): ExitStatus | undefined;
  /** The last lines it wrote to stderr (bounded), for error messages. */
  stderrTail(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Called with each complete stdout line; stdout is drained either way so the child never blocks on a full pipe. */
  onStdoutLine?: (line: string) => void;
}

const STDERR_TAIL_BYTES = 4096;
const live = new Map<number, ChildProcess>();

export function spawnTracked(argv: readonly string[], opts: SpawnOptions = {}): TrackedChild {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      if (child.pid !== undefined) live.delete(child.pid);
      if (live.size === 0) uninstallCleanup();
      resolve(status);
    });
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // An 'error' after spawn (e.g. a failed kill) must not crash the harness.
  child.on('error', () => undefined);

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    if (opts.onStdoutLine === undefined) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) opts.onStdoutLine(line.replace(/\r$/, ''));
  });

  if (child.pid === undefined) {
    // spawn failed synchronously enough that there is no pid (ENOENT etc.).
    return failedChild(child, spawned, argv);
  }
  const pid = child.pid;
  live.set(pid, child);
  installCleanup();

  const stop = async (graceMs = 2000): Promise<ExitStatus> => {
    if (status !== undefined) return status;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    pid,
    process: child,
    exited,
    exitStatus: () => status,
    stderrTail: () => stderr,
    stop,
  };
}

function failedChild(
  child: ChildProcess,
  spawned: Promise<void>,
  argv: readonly string[],
): TrackedChild {
  const exited = spawned.then(
    () => ({ code: null, signal: null }),
    () => ({ code: 127, signal: null }),
  );
  let reason = '';
  spawned.catch((err: Error) => (reason = err.message));
  return {
    pid: -1,
    process: child,
    exited,
    exitStatus: () => ({ code: 127, signal: null }),
    stderrTail: () => reason || `could not start ${argv[0]}`,
    stop: () => exited,
  };
}

/** Kills the child's process group (negative pid), falling back to the pid alone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

let cleanupInstalled = false;

function killAllLive(): void {
  for (const pid of live.keys()) killGroup(pid, 'SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killAllLive();
  uninstallCleanup();
  // Exit as the signal would have: 128 + its number.
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllLive);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstallCleanup(): void {
  if (!cleanupInstalled) return;
  cleanupInstalled = false;
  process.off('exit', killAllLive);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
