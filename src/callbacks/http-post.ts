import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../clock/index.js';

export type PostResult =
  /** The receiver answered with this status (any status: the caller decides). */
  | { kind: 'answered'; status: number }
  /** No answer: refused, reset, TLS failure, DNS failure, or the timeout. */
  | { kind: 'failed'; error: string }
  /** Abandoned by the caller (shutdown); nothing can be said of it. */
  | { kind: 'aborted' };

export interface PostOptions {
  clock: Clock;
  /** From the start of the request (DNS, connect, TLS, send) to the status line. */
  timeoutMs: number;
  signal: AbortSignal;
  lookup?: LookupFunction;
  /** Response bytes read (and thrown away) before the connection is cut. */
  maxResponseBytes?: number;
}

/**
 * One POST, on a connection of its own (no agent: no pooled socket of a
 * bad receiver is ever reused, nothing is left open after it). Redirects
 * are never followed — node:http does not — so a 3xx is just an answer.
 * Never rejects. The timeout is on the injected Clock.
 */
export function postJson(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  options: PostOptions,
): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(body.length), Connection: 'close' },
      agent: false,
      lookup: options.lookup,
    });
    const timer = options.clock.setTimeout(() => {
      settle({ kind: 'failed', error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    const onAbort = (): void => {
      settle({ kind: 'aborted' });
      request.destroy();
    };
    const finish = (): void => {
      options.clock.clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    const maxBytes = options.maxResponseBytes ?? 64 * 1024;
    request.on('response', (response: IncomingMessage) => {
      settle({ kind: 'answered', status: response.statusCode ?? 0 });
      // Read the rest and drop it; the timeout still bounds a body that never ends.
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) request.destroy();
      });
      response.on('error', () => {});
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code && !err.message.includes(err.code) ? `${err.code}: ` : '';
      settle({ kind: 'failed', error: `${code}${err.message}` });
    });
    request.on('close', () => {
      settle({ kind: 'failed', error: 'the connection closed before an answer' });
      finish();
    });
    request.end(body);
  });
}
