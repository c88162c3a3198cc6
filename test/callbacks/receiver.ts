/**
 * A real callback receiver for the tests: an HTTP server on 127.0.0.1 (a
 * free port) that reads each request whole, verifies its signature with
 * the receivers' own verifier, records it, and answers as the test says.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCallbackSignature, type CallbackPayload } from '../../src/callbacks/index.js';

export interface Received {
  /** The URL the request was sent to, as the dispatcher signed it. */
  url: string;
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  payload: CallbackPayload;
  verified: boolean;
  /** The status answered, once answered. */
  status?: number;
}

/** A status to answer, `hang` (never answer), or a redirect. */
export type Reply = number | 'hang' | { redirect: string };

type Waiter = { check: () => boolean; resolve: () => void };

export class Receiver {
  readonly received: Received[] = [];
  /** Decides each answer; `n` counts requests to that path, from 0. Default 200. */
  reply: (r: Received, n: number) => Reply = () => 200;
  private readonly hanging = new Set<ServerResponse>();
  private readonly perPath = new Map<string, number>();
  private waiters: Waiter[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly token: string,
    private readonly now: () => number,
  ) {}

  /** `now` is the verifier's clock (the dispatcher's wall time in tests that drive one). */
  static async start(token: string, now: () => number = Date.now): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new Receiver(server, port, token, now);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        receiver.handle(req.url ?? '/', req.method ?? '', req.headers, Buffer.concat(chunks), res),
      );
    });
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The requests answered 2xx. */
  get delivered(): Received[] {
    return this.received.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300);
  }

  /** Resolves once `check` holds (checked now and after every request and answer). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(
    path: string,
    method: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    res: ServerResponse,
  ): void {
    const header = (name: string): string => String(headers[name] ?? '');
    const url = this.url(path);
    let payload: CallbackPayload;
    try {
      payload = JSON.parse(body.toString('utf8')) as CallbackPayload;
    } catch {
      payload = {} as CallbackPayload;
    }
    const r: Received = {
      url,
      path,
      method,
      headers,
      body,
      payload,
      verified: verifyCallbackSignature(
        {
          url,
          nonce: header('x-partyline-nonce'),
          timestamp: header('x-partyline-timestamp'),
          body,
          signature: header('x-partyline-signature'),
        },
        this.token,
        { now: this.now },
      ),
    };
    this.received.push(r);
    const n = this.perPath.get(path) ?? 0;
    this.perPath.set(path, n + 1);
    const reply = this.reply(r, n);
    if (reply === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
    } else if (typeof reply === 'number') {
      res.writeHead(reply, { 'Content-Type': 'text/plain' }).end('ok');
      r.status = reply;
    } else {
      res.writeHead(302, { Location: reply.redirect }).end();
      r.status = 302;
    }
    this.notify();
  }

  private notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (w.check()) w.resolve();
      else this.waiters.push(w);
    }
  }
}
