/** Real-socket helpers for the transport tests: raw UDP/TCP peers, an inbox, SIP text builders. */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { TransportLayer, type TransportLayerOptions } from '../../../src/sip/transport/index.js';
import type { SipMessage } from '../../../src/sip/message/index.js';
import type { Source } from '../../../src/sip/transport/index.js';
import { StreamFramer } from '../../../src/sip/transport/stream-framer.js';

/** A queue whose next() waits for the next item. */
export class Inbox<T> {
  private items: T[] = [];
  private waiters: Array<(item: T) => void> = [];

  push(item: T): void {
    const w = this.waiters.shift();
    if (w) w(item);
    else this.items.push(item);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get size(): number {
    return this.items.length;
  }
}

export interface Received {
  message: SipMessage;
  source: Source;
}

/** A TransportLayer whose every delivered message lands in `inbox`. */
export async function layerWithInbox(
  opts: TransportLayerOptions,
): Promise<{ layer: TransportLayer; inbox: Inbox<Received> }> {
  const layer = await TransportLayer.create(opts);
  const inbox = new Inbox<Received>();
  layer.onMessage = (message, source) => inbox.push({ message, source });
  return { layer, inbox };
}

export interface Datagram {
  text: string;
  rinfo: RemoteInfo;
}

/** A bare UDP socket playing a SIP peer. */
export class UdpPeer {
  readonly inbox = new Inbox<Datagram>();
  private constructor(
    readonly socket: UdpSocket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => this.inbox.push({ text: data.toString('utf8'), rinfo }));
  }

  static async bind(address: string): Promise<UdpPeer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new UdpPeer(socket, address, socket.address().port);
  }

  send(text: string | Buffer, address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, address, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A bare TCP client; incoming bytes are framed into SIP messages and pongs. */
export class TcpPeer {
  readonly messages = new Inbox<string>();
  readonly pongs = new Inbox<true>();
  readonly closed: Promise<void>;
  private readonly framer = new StreamFramer(65535);

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      // A lone CRLF from the server is a keep-alive pong (RFC 5626 §3.5.1).
      if (chunk.toString('latin1') === '\r\n') {
        this.pongs.push(true);
        return;
      }
      for (const e of this.framer.push(chunk)) {
        if (e.type === 'message') this.messages.push(e.data.toString('utf8'));
      }
    });
  }

  static connect(address: string, port: number, localAddress?: string): Promise<TcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port, localAddress }, () => {
        socket.removeListener('error', reject);
        resolve(new TcpPeer(socket));
      });
      socket.once('error', reject);
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /** Writes and waits until the bytes are handed to the kernel (so separate writes are separate segments). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

/** A port free for both UDP and TCP on `address` (needed where a test sends to "the same port over TCP"). */
export async function freeUdpTcpPort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
    const udp = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, address, () => resolve(true));
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (ok) await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (ok) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

/** A TCP port with nothing listening (bound once, then released). */
export async function closedTcpPort(address: string): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, address, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let seq = 0;

/** A well-formed request as text (Content-Length computed). */
export function requestText(opts: {
  method?: string;
  via: string;
  uri?: string;
  body?: string;
  extraHeaders?: string[];
  callId?: string;
}): string {
  const method = opts.method ?? 'OPTIONS';
  const body = opts.body ?? '';
  const n = ++seq;
  return (
    `${method} ${opts.uri ?? 'sip:service@127.0.0.1'} SIP/2.0\r\n` +
    `Via: ${opts.via}\r\n` +
    'Max-Forwards: 70\r\n' +
    `From: <sip:tester@127.0.0.1>;tag=t${n}\r\n` +
    'To: <sip:service@127.0.0.1>\r\n' +
    `Call-ID: ${opts.callId ?? `call-${n}@test`}\r\n` +
    `CSeq: ${n} ${method}\r\n` +
    (opts.extraHeaders ?? []).map((h) => `${h}\r\n`).join('') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
    body
  );
}

/** A well-formed response as text. */
export function responseText(opts: { via: string; status?: number; callId?: string }): string {
  const n = ++seq;
  return (
    `SIP/2.0 ${opts.status ?? 200} OK\r\n` +
    `Via: ${opts.via}\r\n` +
    `From: <sip:tester@127.0.0.1>;tag=t${n}\r\n` +
    'To: <sip:service@127.0.0.1>;tag=x\r\n' +
    `Call-ID: ${opts.callId ?? `call-${n}@test`}\r\n` +
    `CSeq: ${n} OPTIONS\r\n` +
    'Content-Length: 0\r\n\r\n'
  );
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Waits until `cond` holds, checking once per event-loop turn (for state changed by socket events). */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((resolve) => setImmediate(resolve));
}
