/**
 * RTP/RTCP port pairs from a configured range (RFC 3550 §11: RTP on an even
 * port, RTCP on the next odd one). A pair is only handed out once both
 * sockets are bound, so ports another process holds are skipped, not failed
 * on. Released ports go to the back of the queue: the port a call just left
 * is the last to be reused, so its stragglers do not reach the next call.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { pino, type Logger } from 'pino';
import { literalFirstLookup, socketTypeFor } from './address.js';

export interface PortPoolOptions {
  /** Lowest port of the range (rounded up to even). */
  minPort: number;
  /** Highest port of the range; the last pair is (even p, p + 1 ≤ maxPort). */
  maxPort: number;
  /** Address to bind when allocate() is given none; default 0.0.0.0. */
  bindAddress?: string;
  logger?: Logger;
}

export interface AllocatedPorts {
  rtp: Socket;
  rtcp: Socket;
  /** The RTP port; RTCP is port + 1. */
  port: number;
}

export type PortPoolErrorCode = 'exhausted' | 'bind-failed';

export class PortPoolError extends Error {
  override readonly name = 'PortPoolError';
  constructor(
    readonly code: PortPoolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class PortPool {
  private readonly free: number[] = [];
  private readonly inUse = new Map<number, AllocatedPorts | null>();
  private readonly bindAddress: string;
  private readonly logger: Logger;
  /** Number of RTP/RTCP pairs in the range. */
  readonly size: number;

  /** @throws RangeError on a range that holds no even/odd pair within 1..65535. */
  constructor(opts: PortPoolOptions) {
    const min = Math.ceil(opts.minPort / 2) * 2;
    if (
      !Number.isInteger(opts.minPort) ||
      !Number.isInteger(opts.maxPort) ||
      min < 2 ||
      opts.maxPort > 65535 ||
      min + 1 > opts.maxPort
    ) {
      throw new RangeError(`RTP port range ${opts.minPort}-${opts.maxPort} holds no even/odd pair`);
    }
    for (let p = min; p + 1 <= opts.maxPort; p += 2) this.free.push(p);
    this.size = this.free.length;
    this.bindAddress = opts.bindAddress ?? '0.0.0.0';
    this.logger = opts.logger ?? pino({ level: 'silent' });
  }

  /** Pairs not handed out (some may be held by other processes; allocate() skips those). */
  available(): number {
    return this.free.length;
  }

  /**
   * Binds the next free pair on `bindAddress`. Ports taken by another
   * process (EADDRINUSE) are skipped.
   * @throws PortPoolError 'exhausted' when no pair could be bound,
   *   'bind-failed' when binding fails for another reason (address not local...).
   */
  async allocate(bindAddress: string = this.bindAddress): Promise<AllocatedPorts> {
    // An IP literal only: dgram would otherwise start a DNS lookup for a host name.
    if (isIP(bindAddress) === 0) {
      throw new PortPoolError(
        'bind-failed',
        `RTP bind address must be an IP literal, got ${bindAddress}`,
      );
    }
    const attempts = this.free.length;
    for (let i = 0; i < attempts; i++) {
      const port = this.free.shift();
      if (port === undefined) break;
      // Reserved synchronously, so concurrent allocations never pick the same pair.
      this.inUse.set(port, null);
      let pair: AllocatedPorts;
      try {
        pair = await bindPair(port, bindAddress);
      } catch (err) {
        this.inUse.delete(port);
        this.free.push(port);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') {
          this.logger.debug({ port, code }, 'rtp port pair busy, trying the next');
          continue;
        }
        throw new PortPoolError(
          'bind-failed',
          `cannot bind RTP on ${bindAddress}:${port}: ${(err as Error).message}`,
        );
      }
      // A socket must always have an error listener: an unhandled 'error' would crash the process.
      pair.rtp.on('error', (e) => this.logger.debug({ port, err: e.message }, 'rtp socket error'));
      pair.rtcp.on('error', (e) =>
        this.logger.debug({ port, err: e.message }, 'rtcp socket error'),
      );
      this.inUse.set(port, pair);
      return pair;
    }
    throw new PortPoolError(
      'exhausted',
      `no free RTP port pair in the range (${this.size} pairs, ${this.inUse.size} in use)`,
    );
  }

  /** Closes the pair's sockets (if still open) and returns it to the pool. Idempotent. */
  release(port: number): void {
    const pair = this.inUse.get(port);
    if (pair === undefined) return;
    this.inUse.delete(port);
    if (pair) {
      closeQuietly(pair.rtp);
      closeQuietly(pair.rtcp);
    }
    this.free.push(port);
  }
}

async function bindPair(port: number, address: string): Promise<AllocatedPorts> {
  const rtp = await bindOne(port, address);
  try {
    const rtcp = await bindOne(port + 1, address);
    return { rtp, rtcp, port };
  } catch (err) {
    closeQuietly(rtp);
    throw err;
  }
}

function bindOne(port: number, address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: socketTypeFor(address),
      reuseAddr: false,
      lookup: literalFirstLookup,
    });
    const onError = (err: Error): void => {
      closeQuietly(socket);
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to release.
  }
}
