/**
 * The benchmark's side of the load generator: starts it as a child process
 * in its own process group (bench/cps/child.ts: killed by group id on stop,
 * on error and when this process exits), accepts its control connection on
 * a loopback TCP port and turns commands into promises of their replies.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnTracked, type TrackedChild } from '../cps/child.js';
import {
  LineSplitter,
  parseReply,
  type GeneratorCommand,
  type GeneratorReply,
  type GeneratorReport,
  type Signal,
} from './protocol.js';

const GENERATOR = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
const CONNECT_TIMEOUT_MS = 20_000;
/** Setting up or tearing down a thousand sockets takes a while on a loaded machine. */
const REPLY_TIMEOUT_MS = 60_000;

type Pending = {
  resolve: (r: GeneratorReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
};

/** Distributes a command over the union, so each command keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export class GeneratorControl {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly child: TrackedChild,
    private readonly server: Server,
    private readonly socket: Socket,
  ) {
    const lines = new LineSplitter();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const line of lines.push(chunk)) this.onLine(line);
    });
    socket.on('close', () => this.fail(new Error(`load generator disconnected${this.tail()}`)));
    socket.on('error', () => undefined);
    void child.exited.then((s) =>
      this.fail(
        new Error(`load generator exited (code ${s.code}, signal ${s.signal})${this.tail()}`),
      ),
    );
  }

  /** Starts the generator and waits for its control connection. */
  static async start(): Promise<GeneratorControl> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const child = spawnTracked([
      process.execPath,
      '--import',
      'tsx',
      GENERATOR,
      '--control',
      String(port),
    ]);
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('load generator did not connect within 20 s')),
          CONNECT_TIMEOUT_MS,
        );
        server.once('connection', (s) => {
          clearTimeout(timer);
          resolve(s);
        });
        void child.exited.then((s) => {
          clearTimeout(timer);
          reject(new Error(`load generator exited (code ${s.code}): ${child.stderrTail()}`));
        });
      });
      socket.setNoDelay(true);
      return new GeneratorControl(child, server, socket);
    } catch (err) {
      await child.stop();
      server.close();
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  async setup(host: string, targets: readonly number[]): Promise<number[]> {
    const r = await this.request({ cmd: 'setup', host, targets: [...targets] });
    if (r.kind !== 'ready') throw new Error(`setup: unexpected reply ${r.kind}`);
    if (r.ports.length !== targets.length) {
      throw new Error(`setup: ${r.ports.length} ports for ${targets.length} targets`);
    }
    return r.ports;
  }

  async start(signal: Signal, phases: number): Promise<void> {
    await this.request({ cmd: 'start', signal, phases });
  }

  /** Starts a measured window; the generator's CPU time so far, µs. */
  async mark(): Promise<number> {
    const r = await this.request({ cmd: 'mark' });
    if (r.kind !== 'mark') throw new Error(`mark: unexpected reply ${r.kind}`);
    return r.cpuUs;
  }

  async stop(): Promise<void> {
    await this.request({ cmd: 'stop' });
  }

  async report(): Promise<GeneratorReport> {
    const r = await this.request({ cmd: 'report' });
    if (r.kind !== 'report') throw new Error(`report: unexpected reply ${r.kind}`);
    return r.report;
  }

  async clicks(opts: {
    from: number;
    to: number;
    count: number;
    intervalMs: number;
    threshold: number;
    timeoutMs: number;
  }): Promise<(number | null)[]> {
    const r = await this.request({ cmd: 'clicks', ...opts });
    if (r.kind !== 'clicks') throw new Error(`clicks: unexpected reply ${r.kind}`);
    return r.latenciesMs;
  }

  async teardown(): Promise<void> {
    await this.request({ cmd: 'teardown' });
  }

  /** Asks the generator to exit, then stops its process group whatever it did. Never rejects. */
  async close(): Promise<void> {
    if (this.failure === null) {
      await Promise.race([
        this.request({ cmd: 'exit' }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
    }
    await this.child.stop();
    this.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private request(command: WithoutId<GeneratorCommand>): Promise<GeneratorReply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const line = JSON.stringify({ ...command, id }) + '\n';
    return new Promise<GeneratorReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load generator: no reply to ${command.cmd} within 60 s`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(line);
    }).then((r) => {
      if (!r.ok) throw new Error(`load generator: ${command.cmd} failed: ${r.error}`);
      return r;
    });
  }

  private onLine(line: string): void {
    const parsed = parseReply(line);
    if (!parsed.ok) {
      this.fail(new Error(`load generator sent a malformed reply (${parsed.error}): ${line}`));
      return;
    }
    const p = this.pending.get(parsed.value.id);
    if (!p) return;
    this.pending.delete(parsed.value.id);
    clearTimeout(p.timer);
    p.resolve(parsed.value);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private tail(): string {
    const t = this.child.stderrTail().trim();
    return t ? `: ${t}` : '';
  }
}
