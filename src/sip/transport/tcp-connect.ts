/** Opening an outgoing TCP connection with a Clock-driven connect timeout. */
import { connect, type Socket } from 'node:net';
import type { Clock } from '../../clock/index.js';
import { TransportError, fromSocketError } from './errors.js';

export interface ConnectOptions {
  address: string;
  port: number;
  /** Bind the local side to the listener's address so the peer sees the advertised host. */
  localAddress?: string;
  timeoutMs: number;
  clock: Clock;
  /** Aborts the attempt (the layer is closing): rejects with 'closed'. */
  signal?: AbortSignal;
}

export function connectTcp(opts: ConnectOptions): Promise<Socket> {
  const target = `${opts.address}:${opts.port}`;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new TransportError('closed', `TCP connect to ${target} aborted`));
      return;
    }
    let settled = false;
    let socket: Socket;
    try {
      socket = connect({ host: opts.address, port: opts.port, localAddress: opts.localAddress });
    } catch (err) {
      // Invalid port or address: Node throws synchronously.
      reject(fromSocketError(err, `TCP connect to ${target}`));
      return;
    }
    const timer = opts.clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(
        new TransportError(
          'timeout',
          `TCP connect to ${target} timed out after ${opts.timeoutMs} ms`,
        ),
      );
    }, opts.timeoutMs);
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      opts.clock.clearTimeout(timer);
      socket.destroy();
      reject(new TransportError('closed', `TCP connect to ${target} aborted`));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (err: Error): void => {
      if (settled) return;
      settled = true;
      opts.clock.clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(fromSocketError(err, `TCP connect to ${target}`));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      opts.clock.clearTimeout(timer);
      socket.removeListener('error', onError);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
  });
}
