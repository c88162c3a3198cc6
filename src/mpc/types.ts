/** The domain's view of what a multi-party call node asks for, already validated and rendered. */
import type { MemberRole } from '../store/index.js';

export type { MemberRole };

export interface NodeSettings {
  phloId: string;
  nodeId: string;
  name: string;
  /** Caller ID presented on every leg this call dials (rendered from the run payload), if any. */
  callerId: string | null;
  ringTimeoutMs: number;
  maxParticipants: number;
  /** Audio source specs for held members, by role. */
  agentHoldMusic: string | null;
  customerHoldMusic: string | null;
}

/** Counts the server exports as metrics. */
export interface MpcObserver {
  dialOutcome?(
    outcome:
      'connected' | 'busy' | 'declined' | 'no-answer' | 'unreachable' | 'canceled' | 'failed',
  ): void;
}

/** A member action this version carries out. */
export type MemberActionName = 'hold' | 'unhold' | 'hangup' | 'mute' | 'unmute';
