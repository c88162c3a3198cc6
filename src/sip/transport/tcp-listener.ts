/** One listening TCP socket; accepted connections are handed to the pool. */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { canonicalHost, ipFamily, isWildcard, type IpFamily } from './address.js';
import { TransportError } from './errors.js';

/** Node's own connection cap (net.Server maxConnections) and what it closed. */
export interface TcpAcceptLimit {
  /** Connections accepted by this listener and still open at most; one more is closed at accept. */
  maxConnections: number;
  /** A connection was closed at accept because of the cap. */
  onDrop(remoteAddress: string | undefined): void;
}

export class TcpListener {
  readonly protocol = 'tcp' as const;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    readonly family: IpFamily,
  ) {}

  static listen(
    address: string,
    port: number,
    onConnection: (socket: Socket) => void,
    logger: Logger,
    limit: TcpAcceptLimit,
  ): Promise<TcpListener> {
    const family = ipFamily(address);
    if (family === 0) {
      return Promise.reject(
        new TransportError('no-transport', `listen address "${address}" is not an IP literal`),
      );
    }
    const server = createServer(onConnection);
    // Node closes a connection over the cap before it becomes a Socket, and emits 'drop'.
    server.maxConnections = limit.maxConnections;
    server.on('drop', (data?: { remoteAddress?: string }) => limit.onDrop(data?.remoteAddress));
    return new Promise((resolve, reject) => {
      const onListenError = (err: Error): void => {
        server.close();
        reject(err);
      };
      server.once('error', onListenError);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.removeListener('error', onListenError);
        const bound = server.address();
        const boundPort = typeof bound === 'object' && bound ? bound.port : port;
        const listener = new TcpListener(server, canonicalHost(address), boundPort, family);
        server.on('error', (err) =>
          logger.warn({ err, listener: listener.describe() }, 'TCP server error'),
        );
        resolve(listener);
      });
    });
  }

  serves(family: IpFamily): boolean {
    return this.family === family || (family === 4 && this.address === '::');
  }

  get wildcard(): boolean {
    return isWildcard(this.address);
  }

  /** Stops accepting; open connections are closed by the pool. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  describe(): string {
    return `tcp:${this.family === 6 ? `[${this.address}]` : this.address}:${this.port}`;
  }
}
