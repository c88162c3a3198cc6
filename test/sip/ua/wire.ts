/**
 * A UserAgent on 127.0.0.1 driven by a ManualClock, with a log of every
 * SIP message it sends and receives: the tests about timers (re-INVITE
 * timeout, glare waits, session timers) move time themselves and wait for
 * what is on the wire instead of sleeping. The peer is real (SIPp).
 */
import type { SipMessage } from '../../../src/sip/message/index.js';
import { UserAgent, type UserAgentOptions } from '../../../src/sip/ua/index.js';
import { ManualClock } from '../../support/manual-clock.js';

export interface WireEntry {
  dir: 'in' | 'out';
  message: SipMessage;
}

export interface WiredUa {
  ua: UserAgent;
  clock: ManualClock;
  wire: WireEntry[];
  /** Resolves with the first message (already logged or still to come) matching `pred`. */
  seen(pred: (e: WireEntry) => boolean, timeoutMs?: number): Promise<WireEntry>;
  /** Messages matching `pred` so far. */
  count(pred: (e: WireEntry) => boolean): number;
  /** Closes the UA, moving the manual clock on so its shutdown grace period can end. */
  close(): Promise<void>;
}

/** T1 = 100 ms: 64·T1 = 6.4 s of manual time. */
export const TIMERS = { T1: 100, T2: 400, T4: 500 };

export async function wiredUa(opts: Partial<UserAgentOptions> = {}): Promise<WiredUa> {
  const clock = new ManualClock();
  const ua = await UserAgent.create({
    listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
    timers: TIMERS,
    clock,
    ...opts,
  });
  const wire: WireEntry[] = [];
  const waiters: Array<{ pred: (e: WireEntry) => boolean; resolve: (e: WireEntry) => void }> = [];
  const log = (entry: WireEntry): void => {
    wire.push(entry);
    for (const w of waiters.splice(0)) {
      if (w.pred(entry)) w.resolve(entry);
      else waiters.push(w);
    }
  };
  const transport = ua.transport;
  const receive = transport.onMessage;
  transport.onMessage = (message, source) => {
    log({ dir: 'in', message });
    return receive(message, source);
  };
  // Requests go out through sendRequest, responses through sendResponse, ACKs through send.
  const send = transport.send.bind(transport);
  transport.send = (message, dest) => {
    log({ dir: 'out', message });
    return send(message, dest);
  };
  const sendRequest = transport.sendRequest.bind(transport);
  transport.sendRequest = (req, dest) => {
    log({ dir: 'out', message: req });
    return sendRequest(req, dest);
  };
  const sendResponse = transport.sendResponse.bind(transport);
  transport.sendResponse = (res, source) => {
    log({ dir: 'out', message: res });
    return sendResponse(res, source);
  };
  return {
    ua,
    clock,
    wire,
    count: (pred) => wire.filter(pred).length,
    async close() {
      let closed = false;
      const closing = ua.close().then(() => {
        closed = true;
      });
      for (let i = 0; i < 100 && !closed; i++) {
        await settled();
        clock.advance(100);
      }
      await closing;
    },
    seen(pred, timeoutMs = 5_000) {
      const done = wire.find(pred);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no such SIP message within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          pred,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
  };
}

/** A request of that method, in that direction. */
export function request(dir: 'in' | 'out', method: string): (e: WireEntry) => boolean {
  return (e) => e.dir === dir && 'method' in e.message && e.message.method === method;
}

/** A response with that status to a request of that method, in that direction. */
export function response(
  dir: 'in' | 'out',
  status: number,
  method: string,
): (e: WireEntry) => boolean {
  return (e) =>
    e.dir === dir &&
    'status' in e.message &&
    e.message.status === status &&
    e.message.cseq().method === method;
}

/**
 * Lets every promise continuation already queued run (the wire log sees a
 * message a few microtasks before the UA has acted on it), so that time is
 * moved only once the UA has armed its timers.
 */
export function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The promise, or a rejection after `ms` of real time: a wedged call fails the test instead of hanging it. */
export function within<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
