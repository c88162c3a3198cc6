/**
 * What the parts of the API benchmark (call-action.ts, transfer.ts,
 * callbacks.ts) share in setting up and driving a step: a work directory
 * with a tone WAV, the helper processes that print "READY <port>", the
 * open-loop client process (client.ts) and its report, the INVITE log of a
 * uas-signalling SIPp, and the CPU and status arithmetic of a step.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
// The leaf module, not src/cli/index.ts: that pulls in the whole CLI and its client package,
// which the benchmark runs without (no --conditions=source, no build).
import { isServerV8Flag } from '../../src/cli/runtime-flags.js';
import { encodeMulaw } from '../../src/media/index.js';
import type { TestServer } from '../../test/support/partyline-server.js';
import { spawnTracked, type TrackedChild } from '../cps/child.js';
import { REPO_ROOT } from '../cps/peers.js';
import { round } from '../media/stats.js';
import type { ClientJob, ClientReport, ClientSample } from './client.js';
import { until } from './server.js';
import { writeToneWav } from './sipp-uas.js';

const CLIENT = join(REPO_ROOT, 'bench', 'api', 'client.ts');

/** A fresh temporary directory of the benchmark with a 1 s G.711 tone of `hz` in it (tone-<hz>.wav). */
export function workWithTone(hz: number): { work: string; wav: string } {
  const work = mkdtempSync(join(tmpdir(), 'partyline-bench-api-'));
  const wav = join(work, `tone-${hz}.wav`);
  writeToneWav(wav, hz, 1, encodeMulaw);
  return { work, wav };
}

/** Undoes a set-up that failed half-way: stops what it started, last first, and removes its directory. */
export async function abandonSetUp(
  started: { stop(): Promise<unknown> }[],
  work: string,
): Promise<void> {
  for (const s of started.reverse()) await s.stop().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Spawns a TypeScript helper of this repository (`script` and its
 * arguments) that prints "READY <port>" once it listens, and waits up to
 * 20 s for that line; `what` names it in the error when it does not come.
 */
export async function startReadyChild(
  script: readonly string[],
  what: string,
): Promise<{ child: TrackedChild; port: number }> {
  let port = 0;
  // The same V8 settings as the server under test (package.json's bench and start
  // scripts: the GC's thread pool, allocation-site pretenuring, the heap growing
  // factor), so a baseline beside it runs on the same runtime.
  const v8 = process.execArgv.filter(isServerV8Flag);
  const child = spawnTracked([process.execPath, ...v8, '--import', 'tsx', ...script], {
    cwd: REPO_ROOT,
    onStdoutLine: (line) => {
      const m = /^READY (\d+)/.exec(line);
      if (m) port = Number(m[1]);
    },
  });
  if (!(await until(() => port > 0 || child.exitStatus() !== undefined, 20_000)) || !port) {
    // The caller's clean-up does not know the child yet.
    await child.stop().catch(() => undefined);
    throw new Error(`${what} did not start: ${child.stderrTail()}`);
  }
  return { child, port };
}

/** The Authorization header of the server's account (HTTP Basic, auth id and token). */
export function basicAuth(srv: TestServer): string {
  return `Basic ${Buffer.from(`${srv.authId}:${srv.authToken}`).toString('base64')}`;
}

export interface ClientRun {
  /** In the error when the client fails, e.g. "partyline, 100/s". */
  what: string;
  /** How long the client may take before it is stopped and counted as failed, ms. */
  budgetMs: number;
  /** Called with the client's pid as soon as it is spawned (before any line). */
  onSpawn?: (pid: number) => void;
  onStdoutLine?: (line: string) => void;
}

/**
 * Runs one client process (client.ts) on `job`, its report written to a
 * file of its own in `work` and read back; throws when the client does
 * not exit 0 within the budget.
 */
export async function runClient(
  work: string,
  job: Omit<ClientJob, 'out'>,
  run: ClientRun,
): Promise<ClientReport> {
  const out = join(work, `client-${randomUUID()}.json`);
  const full: ClientJob = { ...job, out };
  const client = spawnTracked([process.execPath, '--import', 'tsx', CLIENT, JSON.stringify(full)], {
    cwd: REPO_ROOT,
    onStdoutLine: run.onStdoutLine,
  });
  run.onSpawn?.(client.pid);
  const exited = await Promise.race([client.exited, sleep(run.budgetMs).then(() => undefined)]);
  await client.stop();
  if (!exited || exited.code !== 0) {
    throw new Error(`client (${run.what}) failed: ${client.stderrTail()}`);
  }
  const report = JSON.parse(readFileSync(out, 'utf8')) as ClientReport;
  rmSync(out, { force: true });
  return report;
}

/** Responses other than 201, status → count (0 = no response). */
export function countNot201(samples: readonly ClientSample[]): Record<string, number> {
  const notOk: Record<string, number> = {};
  for (const s of samples) if (s.status !== 201) notOk[s.status] = (notOk[s.status] ?? 0) + 1;
  return notOk;
}

/** CPU ms spent between two marks over `wallMs` of wall time, % of one core; NaN when either is missing. */
export function cpuPercent(a: number | undefined, b: number | undefined, wallMs: number): number {
  return a !== undefined && b !== undefined && wallMs > 0
    ? round((100 * (b - a)) / wallMs, 1)
    : Number.NaN;
}

/** Where reading a uas-signalling SIPp's log has got to, and the INVITEs read so far (N → wall ms). */
export interface InviteLog {
  logOffset: number;
  invites: Map<number, number>;
}

/** New "invite u<N> <s> <us>" lines of the SIPp log at `logPath` into `into.invites`. */
export function readInvites(logPath: string, into: InviteLog): void {
  let text: string;
  try {
    text = readFileSync(logPath, 'latin1');
  } catch {
    return;
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end <= into.logOffset) return;
  for (const line of text.slice(into.logOffset, end).split('\n')) {
    const m = /^invite u(\d+) ([\d.]+) ([\d.]+)/.exec(line);
    if (m) into.invites.set(Number(m[1]), Number(m[2]) * 1000 + Number(m[3]) / 1000);
  }
  into.logOffset = end;
}
