/**
 * Runs SIPp (3.6.x) as a peer of the code under test, on 127.0.0.1 only.
 *
 * One SipPeer is one SIPp process playing one scenario file for `calls`
 * calls (-m). Its verdict is the exit code: 0 means every call went through
 * the scenario, including the checks the scenario makes (ereg check_it,
 * verifyauth branches, unexpected messages, timeouts). On anything else the
 * assertion message carries SIPp's error log, its message trace and the
 * tail of its screen, so a failing test shows what SIPp saw.
 *
 * SIPp is killed by pid in stop() (SIGTERM, then SIGKILL after a grace
 * period); tests call stop() from t.after() so a failing test cleans up too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AssertionError } from 'node:assert';
import { freeTcpPort, freeUdpPort, freeUdpPortPair, isPortBound } from './ports.js';
import { stopChild } from './stop-child.js';

export interface SippOptions {
  /** Path of the scenario XML file. */
  scenario: string;
  /** host:port SIPp sends its first request to (UAC scenarios); absent for UAS scenarios. */
  remote?: string;
  transport?: 'udp' | 'tcp';
  /** SIPp's SIP port; a free one by default. For tests that must know it before SIPp starts. */
  port?: number;
  /** Calls to run before exiting (-m); default 1. */
  calls?: number;
  /** Request-URI user part of SIPp's requests (-s, the [service] keyword). */
  service?: string;
  /** Scenario keywords: -key name value, used as [name] in messages. */
  keys?: Record<string, string>;
  /** Global scenario variables: -set name value, used as [$name]. */
  vars?: Record<string, string>;
  /** Seconds before SIPp gives up and fails (-timeout … -timeout_error); default 20. */
  timeoutSeconds?: number;
  /** Further raw arguments. */
  args?: string[];
}

export interface SippExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STARTUP_TIMEOUT_MS = 5_000;
const KILL_GRACE_MS = 1_000;
const POLL_MS = 20;
const SCREEN_TAIL_BYTES = 4_096;
const LOG_TAIL_BYTES = 12_000;

export class SipPeer {
  private readonly exited: Promise<SippExit>;
  private screen = '';
  private exitStatus: SippExit | null = null;

  private constructor(
    private readonly child: ChildProcess,
    /** SIPp's SIP port on 127.0.0.1. */
    readonly port: number,
    readonly transport: 'udp' | 'tcp',
    private readonly dir: string,
    private readonly scenarioName: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.screen = (this.screen + chunk.toString('latin1')).slice(-SCREEN_TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
      child.once('error', (err) => {
        this.screen += `\nspawn error: ${err.message}`;
        this.exitStatus = { code: null, signal: null };
        resolve(this.exitStatus);
      });
    });
  }

  /**
   * Starts SIPp and, for a UAS scenario (no remote), waits until it has
   * bound its SIP port so the test can send to it at once.
   */
  static async start(opts: SippOptions): Promise<SipPeer> {
    const transport = opts.transport ?? 'udp';
    const port = opts.port ?? (transport === 'tcp' ? await freeTcpPort() : await freeUdpPort());
    const mediaPort = await freeUdpPortPair();
    const dir = mkdtempSync(join(tmpdir(), 'partyline-sipp-'));
    const scenarioName = basename(opts.scenario);
    const timeout = opts.timeoutSeconds ?? 20;
    const args = [
      ...(opts.remote ? [opts.remote] : []),
      '-sf',
      opts.scenario,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-mi',
      '127.0.0.1',
      '-mp',
      String(mediaPort),
      '-t',
      transport === 'tcp' ? 't1' : 'u1',
      '-m',
      String(opts.calls ?? 1),
      '-timeout',
      `${timeout}s`,
      '-timeout_error',
      '-nostdin',
      '-trace_err',
      '-error_file',
      join(dir, 'errors.log'),
      '-trace_msg',
      '-message_file',
      join(dir, 'messages.log'),
      '-trace_logs',
      '-log_file',
      join(dir, 'actions.log'),
      ...(opts.service ? ['-s', opts.service] : []),
      ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
      ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['-set', k, v]),
      ...(opts.args ?? []),
    ];
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const peer = new SipPeer(child, port, transport, dir, scenarioName);
    if (!opts.remote) await peer.waitBound();
    return peer;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** host:port to reach SIPp at. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private async waitBound(): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exitStatus)
        throw this.failure(`SIPp exited while starting (${describe(this.exitStatus)})`);
      if (isPortBound(this.transport, this.port)) return;
      await delay(POLL_MS);
    }
    await this.stop();
    throw this.failure(
      `SIPp did not bind ${this.transport} port ${this.port} within ${STARTUP_TIMEOUT_MS} ms`,
    );
  }

  /** Waits for SIPp to exit (killing it after `timeoutMs`). */
  async wait(timeoutMs = 30_000): Promise<SippExit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      await this.stop();
      throw this.failure(`SIPp did not exit within ${timeoutMs} ms`);
    }
    return result;
  }

  /** Waits for SIPp to exit and asserts every call passed the scenario (exit code 0). */
  async passed(timeoutMs?: number): Promise<void> {
    const exit = await this.wait(timeoutMs);
    if (exit.code !== 0)
      throw this.failure(`SIPp scenario ${this.scenarioName} failed (${describe(exit)})`);
  }

  /**
   * Awaits a promise of the test's own (an event of the code under test);
   * if it rejects, the error carries SIPp's logs, to show what SIPp saw.
   */
  async during<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      throw this.failure(err instanceof Error ? err.message : String(err));
    }
  }

  /** Kills SIPp by pid (SIGTERM, SIGKILL after a grace period) and removes its temp dir. */
  async stop(): Promise<void> {
    if (!this.exitStatus) {
      await stopChild(this.child, this.exited, KILL_GRACE_MS);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIPp's logs, for assertion messages. */
  logs(): string {
    const parts = [
      section('errors', this.readLog('errors.log')),
      section('messages', this.readLog('messages.log')),
      section('log actions', this.readLog('actions.log')),
      section('screen (tail)', this.screen),
    ];
    return parts.filter((p) => p.length > 0).join('\n');
  }

  private readLog(name: string): string {
    const path = join(this.dir, name);
    if (!existsSync(path)) return '';
    const text = readFileSync(path, 'latin1');
    return text.length > LOG_TAIL_BYTES ? `…${text.slice(-LOG_TAIL_BYTES)}` : text;
  }

  private failure(message: string): AssertionError {
    return new AssertionError({ message: `${message}\n${this.logs()}` });
  }
}

function section(title: string, body: string): string {
  return body.trim().length === 0 ? '' : `----- SIPp ${title} -----\n${body.trimEnd()}`;
}

function describe(exit: SippExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
