/**
 * Shared pieces of the end-to-end tests: a UserAgent on 127.0.0.1 with
 * short RFC timers, awaiting events with a deadline, recording the order
 * of a call's events, and the SDP our side offers.
 */
import type { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserAgent, type UserAgentOptions } from '../../src/sip/ua/index.js';

export const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export function scenario(name: string): string {
  return join(SCENARIOS, name);
}

/** T1 = 100 ms: retransmissions (Timer A, 2xx) come 5x faster than default, so lost-packet tests stay short. */
export const FAST_TIMERS = { T1: 100, T2: 400, T4: 500 };

/** A UserAgent listening on UDP and TCP on 127.0.0.1 (kernel-chosen ports). */
export async function startUa(opts: Partial<UserAgentOptions> = {}): Promise<UserAgent> {
  return UserAgent.create({
    listen: [
      { protocol: 'udp', address: '127.0.0.1', port: 0 },
      { protocol: 'tcp', address: '127.0.0.1', port: 0 },
    ],
    timers: FAST_TIMERS,
    ringTimeoutMs: 10_000,
    ...opts,
  });
}

/** The port our UA listens on for a protocol. */
export function uaPort(ua: UserAgent, protocol: 'udp' | 'tcp' = 'udp'): number {
  const binding = ua.bindings().find((b) => b.protocol === protocol && b.family === 4);
  if (!binding) throw new Error(`UA has no ${protocol} listener`);
  return binding.port;
}

/** Our SDP offer/answer: PCMU on a port nobody reads (the tests are about signalling). */
export function sdp(
  port = 40_000,
  direction: 'sendrecv' | 'sendonly' | 'recvonly' = 'sendrecv',
): string {
  return [
    'v=0',
    `o=partyline ${port} 1 IN IP4 127.0.0.1`,
    's=partyline',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

/**
 * Resolves with the arguments of the next `event`, or rejects after
 * `timeoutMs` (and when `failOn` fires first, with that event's payload).
 */
export function next<T = unknown>(
  emitter: EventEmitter,
  event: string,
  timeoutMs = 10_000,
  failOn: string[] = [],
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      for (const f of failOn) emitter.removeListener(f, failers.get(f)!);
    };
    const onEvent = (value: T): void => {
      cleanup();
      resolve(value);
    };
    const failers = new Map<string, (v: unknown) => void>();
    for (const f of failOn) {
      const onFail = (v: unknown): void => {
        cleanup();
        reject(new Error(`expected '${event}' but got '${f}': ${JSON.stringify(v)}`));
      };
      failers.set(f, onFail);
      emitter.once(f, onFail);
    }
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, onEvent);
  });
}

const CALL_EVENTS = ['progress', 'answered', 'confirmed', 'failed', 'ended', 'reinvited'] as const;

/** Records the names of a call's events in the order they fire. */
export function recordEvents(call: EventEmitter): string[] {
  const seen: string[] = [];
  for (const e of CALL_EVENTS) call.on(e, () => seen.push(e));
  return seen;
}
