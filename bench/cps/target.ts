import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTracked, type TrackedChild } from './child.js';
import { freeUdpPortPair, freeUdpPorts } from './ports.js';
import type { CpsTarget } from './types.js';

/** A target process that is listening on `port`. */
export interface RunningTarget {
  readonly port: number;
  readonly child: TrackedChild;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const READY_LINE = /^READY (\d+)\s*$/;

/**
 * Starts `target` on a fresh free port and resolves once it is listening
 * (see CpsTarget.ready). Rejects, after killing the process, when it exits or
 * does not become ready in time; the error carries its stderr.
 */
export async function startTarget(target: CpsTarget, defaultCwd: string): Promise<RunningTarget> {
  const argv = await expandPlaceholders(target.command);
  const { port } = argv;
  const timeoutMs = target.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;

  let announced: ((reported: number) => void) | undefined;
  const readyLine = new Promise<number>((resolve) => (announced = resolve));
  const child = spawnTracked(argv.args, {
    cwd: target.cwd ?? defaultCwd,
    env: target.env,
    onStdoutLine: (line) => {
      const m = READY_LINE.exec(line);
      if (m) announced?.(Number(m[1]));
    },
  });

  const abort = new AbortController();
  try {
    const ready =
      target.ready === 'udp-bound'
        ? waitUdpBound(port, abort.signal)
        : readyLine.then((reported) => {
            if (reported !== port) {
              throw new Error(`announced READY ${reported} but was asked to listen on ${port}`);
            }
          });
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      child.exited.then(() => 'exited' as const),
      sleep(timeoutMs, 'timeout' as const, { signal: abort.signal }),
    ]);
    if (outcome === 'ready') return { port, child };
    const why =
      outcome === 'exited'
        ? `exited (${describeExit(child)}) before it was ready`
        : `was not ready within ${timeoutMs} ms`;
    throw new Error(`${target.name}: ${why}\n  command: ${argv.args.join(' ')}${tail(child)}`);
  } catch (err) {
    await child.stop();
    throw err;
  } finally {
    abort.abort();
  }
}

export interface ExpandedCommand {
  args: string[];
  port: number;
}

export async function expandPlaceholders(command: readonly string[]): Promise<ExpandedCommand> {
  if (command.length === 0) throw new Error('target command is empty');
  const freePortCount = command.reduce((n, a) => n + (a.match(/\{freePort\}/g)?.length ?? 0), 0);
  const [port, ...spare] = await freeUdpPorts(1 + freePortCount);
  const rtpPort = command.some((a) => a.includes('{rtpPort}')) ? await freeUdpPortPair() : 0;
  const args = command.map((a) =>
    a
      .replaceAll('{port}', String(port))
      .replaceAll('{rtpPort}', String(rtpPort))
      .replace(/\{freePort\}/g, () => String(spare.shift())),
  );
  if (!command.some((a) => a.includes('{port}'))) args.push('--port', String(port));
  return { args, port };
}

/**
 * Resolves once a UDP socket is bound to 127.0.0.1:<port> or 0.0.0.0:<port>
 * according to /proc/net/udp (Linux). Reading the table, rather than trying
 * to bind the port ourselves, cannot steal the port from the target.
 */
async function waitUdpBound(port: number, signal: AbortSignal): Promise<void> {
  const wanted = new Set([`0100007F:${hex4(port)}`, `00000000:${hex4(port)}`]);
  while (!signal.aborted) {
    const table = await readFile('/proc/net/udp', 'utf8').catch(() => '');
    for (const line of table.split('\n')) {
      const local = line.trim().split(/\s+/)[1];
      if (local !== undefined && wanted.has(local)) return;
    }
    await sleep(20, undefined, { signal }).catch(() => undefined);
  }
}

function hex4(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

export function describeExit(child: TrackedChild): string {
  const s = child.exitStatus();
  if (s === undefined) return 'running';
  return s.signal !== null ? `signal ${s.signal}` : `code ${s.code}`;
}

function tail(child: TrackedChild): string {
  const text = child.stderrTail().trim();
  return text === '' ? '' : `\n  stderr: ${text.split('\n').slice(-10).join('\n          ')}`;
}
