/**
 * What the domain needs of the telephony engine, declared by its consumer
 * so unit tests of mpc/ can run over a test double; src/engine's Engine,
 * Conference and Leg satisfy these structurally.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { LegEvents, LegState } from '../engine/index.js';

export interface LegHandle extends EventEmitter<LegEvents> {
  readonly id: string;
  readonly state: LegState;
  readonly sipCallId: string | null;
  hangup(reason?: string): void;
  stats(): { packetsLost: number; jitterMs: number; packetsReceived: number } | null;
}

export interface ConferenceHandle {
  readonly id: string;
  setMuted(leg: LegHandle, muted: boolean): boolean;
  setHeld(leg: LegHandle, held: boolean, music?: string): boolean;
  close(): Promise<void>;
}

export interface CallEngine {
  /** Throws (with a message for a person) when the address cannot be dialled. */
  checkAddress(address: string): void;
  createConference(id: string): ConferenceHandle;
  dial(
    address: string,
    conference: ConferenceHandle,
    options: { callerId?: string; ringTimeoutMs?: number; logger?: Logger },
  ): LegHandle;
}
