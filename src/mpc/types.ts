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
  /** Played to the conversation while fewer than two members are heard. */
  waitMusic?: string | null;
  /** Played to the call when a member joins / leaves (null: none). */
  enterSound?: string | null;
  exitSound?: string | null;
  /** The call ends (every member gets BYE) this long after it was created. */
  maxDurationMs?: number | null;
  /** A member of a role marked true leaving ends the call. */
  endOnExit?: Partial<Record<MemberRole, boolean>>;
  /** A member alone this long (nobody else connected or being dialled) ends the call; null: never. */
  aloneTimeoutMs?: number | null;
  /** Record the call's mix (the private consultation of a warm transfer excluded). */
  record?: boolean;
  /** What voicemail_drop plays; null: the action is refused. */
  voicemailMessage?: string | null;
  /** Where the call's events are POSTed (signed), if anywhere. */
  eventCallbackUrl?: string | null;
  /** A cold transfer whose target fails: the others hear `message`, then the call ends or goes on. */
  coldTransferFailure?: { message: string | null; then: 'end' | 'continue' };
}

/** Counts the server exports as metrics. */
export interface MpcObserver {
  dialOutcome?(
    outcome:
      'connected' | 'busy' | 'declined' | 'no-answer' | 'unreachable' | 'canceled' | 'failed',
  ): void;
}

/** A member action this version carries out. */
export type MemberActionName =
  | 'hold'
  | 'unhold'
  | 'hangup'
  | 'mute'
  | 'unmute'
  | 'resume_call'
  | 'abort_transfer'
  | 'voicemail_drop'
  | 'coach'
  | 'barge'
  | 'listen';

/** What a supervisor is heard by: coach = agents only, barge = everyone, listen = nobody. */
export type SupervisorMode = 'coach' | 'barge' | 'listen';
