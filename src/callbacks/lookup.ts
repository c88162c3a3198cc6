import { lookup } from 'node:dns';
import type { LookupFunction } from 'node:net';

type Callback = (...args: unknown[]) => void;
type Lookup = (hostname: string, options: object, callback: Callback) => void;

/**
 * dns.lookup with at most `max` lookups at a time. getaddrinfo runs on
 * libuv's thread pool (4 threads by default), which scrypt (API
 * authentication) and file I/O share: a receiver whose name resolves slowly
 * must not take all of it. Lookups past the limit wait their turn. IP
 * literals never get here (net connects to them directly).
 */
export function boundedLookup(max: number): LookupFunction {
  const limit = Math.max(1, Math.floor(max));
  let active = 0;
  const waiting: (() => void)[] = [];
  const bounded: Lookup = (hostname, options, callback) => {
    const run = (): void => {
      active++;
      (lookup as unknown as Lookup)(hostname, options, (...args) => {
        active--;
        waiting.shift()?.();
        callback(...args);
      });
    };
    if (active < limit) run();
    else waiting.push(run);
  };
  return bounded as unknown as LookupFunction;
}
