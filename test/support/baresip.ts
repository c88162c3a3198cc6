/**
 * Runs baresip (1.0, Debian's baresip-core) as a real softphone peer on
 * 127.0.0.1: a temp config dir (-f), SIP on a free UDP port, audio from
 * the `ausine` tone generator into the `aubridge` sink (no sound device),
 * the `menu` module for commands (-e "/dial …"), auto-answer optional,
 * and its SIP trace (-s) parsed so tests can assert on what it sent and
 * received. It exits by itself after `lifetimeSeconds` (-t) and is killed
 * by pid in stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssertionError } from 'node:assert';
import { freeUdpPort, freeUdpPortPair } from './ports.js';
import { stopChild } from './stop-child.js';

export interface BaresipOptions {
  /** Answer incoming calls at once (account answermode=auto). */
  autoAnswer?: boolean;
  /** Commands run at start-up (-e), e.g. "/dial sip:…". */
  commands?: string[];
  /** baresip quits by itself after this many seconds (-t); default 30. */
  lifetimeSeconds?: number;
  /** Digest credentials baresip answers challenges with (account auth_user / auth_pass). */
  credentials?: { username: string; password: string };
}

/** One SIP message from baresip's trace. */
export interface TracedMessage {
  /** 'sent' by baresip or 'received' by it. */
  direction: 'sent' | 'received';
  /** The start line: "INVITE sip:… SIP/2.0" or "SIP/2.0 200 OK". */
  startLine: string;
  text: string;
}

const READY = /baresip is ready\./;
const STARTUP_TIMEOUT_MS = 5_000;
const KILL_GRACE_MS = 1_000;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

export class Baresip {
  private out = '';
  private readonly exited: Promise<void>;
  private hasExited = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    /** baresip's SIP port on 127.0.0.1 (UDP). */
    readonly port: number,
    private readonly dir: string,
  ) {
    const take = (chunk: Buffer): void => {
      this.out += chunk.toString('utf8').replace(ANSI, '');
      for (const w of [...this.waiters]) w();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => {
      const done = (): void => {
        this.hasExited = true;
        for (const w of [...this.waiters]) w();
        resolve();
      };
      child.once('exit', done);
      child.once('error', (err) => {
        this.out += `\nspawn error: ${err.message}`;
        done();
      });
    });
  }

  /** Starts baresip and waits for "baresip is ready.". */
  static async start(opts: BaresipOptions = {}): Promise<Baresip> {
    const port = await freeUdpPort();
    const rtp = await freeUdpPortPair();
    const dir = mkdtempSync(join(tmpdir(), 'partyline-baresip-'));
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${port}`,
        // Loopback only: baresip takes its local address from this, never another interface.
        'net_interface 127.0.0.1',
        'call_local_timeout 30',
        'call_max_calls 4',
        // No sound device here: a 440 Hz tone as microphone, the aubridge as loudspeaker.
        'audio_source ausine,440',
        'audio_player aubridge,partyline',
        'audio_alert aubridge,partyline',
        'ausrc_srate 48000',
        'ausrc_channels 2',
        'auplay_srate 48000',
        'auplay_channels 2',
        `rtp_ports ${rtp}-${rtp + 3}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module ausine.so',
        'module aubridge.so',
        'module menu.so',
        'module_app account.so',
        '',
      ].join('\n'),
    );
    const answer = opts.autoAnswer ? ';answermode=auto' : ';answermode=manual';
    const auth = opts.credentials
      ? `;auth_user=${opts.credentials.username};auth_pass=${opts.credentials.password}`
      : '';
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:baresip@127.0.0.1:${port}>;regint=0${answer}${auth}\n`,
    );
    const args = ['-f', dir, '-4', '-s', '-t', String(opts.lifetimeSeconds ?? 30)];
    for (const c of opts.commands ?? []) args.push('-e', c);
    // stdbuf (coreutils) makes baresip's stdout line-buffered, so its trace reaches us as it
    // happens; it execs baresip, so the pid is baresip's.
    const child = spawn('stdbuf', ['-oL', '-eL', 'baresip', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const peer = new Baresip(child, port, dir);
    try {
      await peer.waitFor(READY, STARTUP_TIMEOUT_MS);
    } catch (err) {
      await peer.stop();
      throw err;
    }
    return peer;
  }

  /** A SIP URI that reaches this baresip. */
  uri(user = 'baresip'): string {
    return `sip:${user}@127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything baresip printed, without terminal colours. */
  output(): string {
    return this.out;
  }

  /** The SIP messages of baresip's trace (-s), in order. */
  trace(): TracedMessage[] {
    const messages: TracedMessage[] = [];
    // Each traced message is "#\n<PROTO> <src> -> <dst>\n<message>"; the end is the next "#" line.
    const blocks = this.out.split(/^#\s*$/m).slice(1);
    for (const block of blocks) {
      const lines = block.replace(/^\s*\n/, '').split('\n');
      const route = /^(UDP|TCP) (\S+) -> (\S+)/.exec(lines[0] ?? '');
      if (!route) continue;
      const text = lines.slice(1).join('\n');
      const startLine = (lines[1] ?? '').trim();
      const fromUs = route[2]!.endsWith(`:${this.port}`);
      messages.push({ direction: fromUs ? 'sent' : 'received', startLine, text });
    }
    return messages;
  }

  /** Resolves once the output matches `pattern`; rejects on timeout or exit, with the output. */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil(() => pattern.test(this.out), `printing ${pattern}`, timeoutMs);
  }

  /** Resolves once baresip's trace has a message matching `predicate`. */
  async waitForMessage(
    predicate: (m: TracedMessage) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<TracedMessage> {
    await this.waitUntil(() => this.trace().some(predicate), what, timeoutMs);
    return this.trace().find(predicate)!;
  }

  /** Re-checks `condition` on every chunk of output; rejects on timeout or exit. */
  private waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = (): void => {
        if (condition()) {
          finish();
          resolve();
        } else if (this.hasExited) {
          finish();
          reject(this.failure(`baresip exited before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(this.failure(`baresip: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Awaits a promise of the test's own; if it rejects, the error carries baresip's output. */
  async during<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      throw this.failure(err instanceof Error ? err.message : String(err));
    }
  }

  /** Kills baresip by pid (SIGTERM, SIGKILL after a grace period) and removes its config dir. */
  async stop(): Promise<void> {
    if (!this.hasExited) {
      await stopChild(this.child, this.exited, KILL_GRACE_MS);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private failure(message: string): AssertionError {
    const tail = this.out.length > 12_000 ? `…${this.out.slice(-12_000)}` : this.out;
    return new AssertionError({ message: `${message}\n----- baresip output -----\n${tail}` });
  }
}
