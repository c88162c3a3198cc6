/**
 * One TCP connection carrying SIP (RFC 3261 §18.3): frames the stream into
 * messages, answers RFC 5626 keep-alive pings, and closes itself after
 * `idleTimeoutMs` without a message in either direction.
 *
 * Two deadlines keep a slow or silent peer from holding a connection slot
 * for good (the "slowloris" attack): only whole messages count as activity
 * for the idle timer — a peer sending nothing but CRLF keep-alives, or a
 * byte now and then, is still idle — and once a message has begun its
 * header section must be complete within `headerTimeoutMs`.
 *
 * States: open → closed (a connection is only created once connected;
 * connecting lives in the pool). `closed` is final.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock/index.js';
import { canonicalHost } from './address.js';
import { TransportError, fromSocketError } from './errors.js';
import { StreamFramer } from './stream-framer.js';

export interface TcpConnectionOptions {
  id: number;
  direction: 'inbound' | 'outbound';
  clock: Clock;
  idleTimeoutMs: number;
  /** Time from the first byte of a message to the end of its header section. */
  headerTimeoutMs: number;
  maxMessageBytes: number;
  logger: Logger;
  onMessage(data: Buffer, connection: TcpConnection): void;
  onClose(connection: TcpConnection): void;
}

type ConnectionState = 'open' | 'closed';

const PONG = Buffer.from('\r\n', 'latin1');

/**
 * Bytes queued in user space before a peer that stopped reading is given up
 * on: without a cap, a stalled receiver would make us buffer every
 * retransmission forever.
 */
const MAX_QUEUED_WRITE_BYTES = 1024 * 1024;

export class TcpConnection {
  readonly id: number;
  readonly direction: 'inbound' | 'outbound';
  readonly remote: { address: string; port: number };
  readonly local: { address: string; port: number };
  private state: ConnectionState = 'open';
  private readonly framer: StreamFramer;
  private lastActivity: number;
  private idleTimer: TimerHandle | undefined;
  /** Runs while a message's header section is arriving (see headerTimeoutMs). */
  private headerTimer: TimerHandle | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly opts: TcpConnectionOptions,
  ) {
    this.id = opts.id;
    this.direction = opts.direction;
    this.remote = {
      address: canonicalHost(socket.remoteAddress ?? ''),
      port: socket.remotePort ?? 0,
    };
    this.local = { address: canonicalHost(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
    this.framer = new StreamFramer(opts.maxMessageBytes);
    this.lastActivity = opts.clock.now();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      // ECONNRESET and friends: the peer went away. 'close' follows.
      opts.logger.debug({ err, connection: this.describe() }, 'TCP connection error');
    });
    socket.on('close', () => this.markClosed());
    this.armIdleTimer(opts.idleTimeoutMs);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Writes a message; a message sent counts as activity for the idle timer. */
  write(data: Buffer): Promise<void> {
    return this.send(data, true);
  }

  private send(data: Buffer, isMessage: boolean): Promise<void> {
    if (this.state !== 'open' || this.socket.destroyed) {
      return Promise.reject(
        new TransportError('closed', `TCP connection ${this.describe()} is closed`),
      );
    }
    if (this.socket.writableLength + data.length > MAX_QUEUED_WRITE_BYTES) {
      this.opts.logger.warn(
        { connection: this.describe() },
        'closing TCP connection: peer is not reading',
      );
      this.close();
      return Promise.reject(
        new TransportError('closed', `TCP connection ${this.describe()} stalled`),
      );
    }
    if (isMessage) this.touch();
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (err) reject(fromSocketError(err, `TCP write on ${this.describe()}`));
        else resolve();
      });
    });
  }

  close(): void {
    if (this.state === 'closed') return;
    this.socket.destroy();
    this.markClosed();
  }

  describe(): string {
    return `#${this.id} ${this.direction} ${this.local.address}:${this.local.port} <-> ${this.remote.address}:${this.remote.port}`;
  }

  private onData(chunk: Buffer): void {
    if (this.state !== 'open') return;
    for (const event of this.framer.push(chunk)) {
      if (event.type === 'message') {
        this.touch();
        this.opts.onMessage(event.data, this);
      } else if (event.type === 'ping') {
        // RFC 5626 §3.5.1: answer a CRLFCRLF ping with a CRLF pong (not activity: see above).
        this.send(PONG, false).catch((err: unknown) =>
          this.opts.logger.debug({ err, connection: this.describe() }, 'keep-alive pong failed'),
        );
      } else {
        // The stream cannot be resynchronised after a framing error (§18.3).
        this.opts.logger.warn(
          { connection: this.describe(), reason: event.reason },
          'closing TCP connection: bad framing',
        );
        this.close();
      }
      if (this.state !== 'open') return; // onMessage may have closed the layer
    }
    this.watchHeaders();
  }

  /** Arms the header deadline when a message has begun, clears it once its headers are in. */
  private watchHeaders(): void {
    const receivingHeaders = this.framer.inMessage && !this.framer.inBody;
    if (!receivingHeaders) {
      this.opts.clock.clearTimeout(this.headerTimer);
      this.headerTimer = undefined;
      return;
    }
    // Armed once per message: more bytes of the same header section do not extend it.
    this.headerTimer ??= this.opts.clock.setTimeout(() => {
      this.headerTimer = undefined;
      if (this.state !== 'open') return;
      this.opts.logger.debug(
        { connection: this.describe(), timeoutMs: this.opts.headerTimeoutMs },
        'closing TCP connection: message headers not received in time',
      );
      this.close();
    }, this.opts.headerTimeoutMs);
  }

  private touch(): void {
    this.lastActivity = this.opts.clock.now();
  }

  /**
   * One timer per connection, re-armed lazily: traffic only records the time,
   * and the timer on expiry checks whether the connection really was idle.
   */
  private armIdleTimer(ms: number): void {
    this.idleTimer = this.opts.clock.setTimeout(() => {
      if (this.state !== 'open') return;
      const idleFor = this.opts.clock.now() - this.lastActivity;
      if (idleFor >= this.opts.idleTimeoutMs) {
        this.opts.logger.debug({ connection: this.describe() }, 'closing idle TCP connection');
        this.close();
      } else {
        this.armIdleTimer(this.opts.idleTimeoutMs - idleFor);
      }
    }, ms);
  }

  private markClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.opts.clock.clearTimeout(this.idleTimer);
    this.opts.clock.clearTimeout(this.headerTimer);
    this.opts.onClose(this);
  }
}
