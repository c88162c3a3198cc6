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

/** A call to us, offered to the domain: answered into a conference or rejected. */
export interface IncomingLegHandle extends LegHandle {
  /** The user part of the Request-URI: the number or SIP user called. */
  readonly calledUser: string | null;
  /** Who calls (a SIP URI). */
  readonly address: string;
  ring(): void;
  answer(
    conference: ConferenceHandle,
    options?: { muted?: boolean; role?: string },
  ): Promise<boolean>;
  reject(status?: number, reason?: string): void;
}

/** Who hears a member: everyone, nobody, or the members of some roles. */
export type Audience = 'all' | 'none' | { roles: string[] };

export interface ConferenceHandle {
  readonly id: string;
  setMuted(leg: LegHandle, muted: boolean): boolean;
  setHeld(leg: LegHandle, held: boolean, music?: string): boolean;
  setAudience(leg: LegHandle, audience: Audience): boolean;
  /** Plays once to one leg (null: the room); resolves with why it ended ('finished' when played out). */
  play(to: LegHandle | null, spec: string, options?: { mix?: boolean }): Promise<string>;
  setWaitMusic(spec: string | null): Promise<void>;
  startRecording(path: string): Promise<void>;
  pauseRecording(paused: boolean): void;
  stopRecording(): Promise<{ path: string; durationMs: number } | null>;
  close(): Promise<void>;
  /**
   * Speaking starts or stops on a leg (the mixer's detection, transitions
   * only); returns the unsubscribe. Optional: without it nobody is shown talking.
   */
  onSpeaking?(listener: (legId: string, speaking: boolean) => void): () => void;
}

export interface CallEngine {
  /** Throws (with a message for a person) when the address cannot be dialled. */
  checkAddress(address: string): void;
  createConference(id: string): ConferenceHandle;
  dial(
    address: string,
    conference: ConferenceHandle,
    options: { callerId?: string; ringTimeoutMs?: number; logger?: Logger; role?: string },
  ): LegHandle;
}
