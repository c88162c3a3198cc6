/** What every transaction machine shares with the layer that owns it. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { SipRequest } from '../message/index.js';
import type { LingerTimers } from './linger.js';
import type { Source, TimerConfig, TransactionTransport } from './types.js';

export interface TransactionContext {
  readonly transport: TransactionTransport;
  readonly clock: Clock;
  readonly timers: Readonly<TimerConfig>;
  readonly logger: Logger;
  /** Where machines wait out their last timer (see linger.ts). */
  readonly lingers: LingerTimers;
  /** RFC 6026 §8.7: an ACK reaching an INVITE server transaction in Accepted goes to the TU. */
  passAckToUser(ack: SipRequest, source: Source): void;
}

/**
 * Runs a TU callback so that whatever it throws is logged and stops there:
 * a faulty TU must not break the state machine that called it.
 */
export function callUser(logger: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err, callback: what }, 'transaction user callback threw');
  }
}

/** Turns a send that throws synchronously into a rejected promise so both failures take one path. */
export function guardedSend<T>(send: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(send());
  } catch (err) {
    return Promise.reject(err);
  }
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
