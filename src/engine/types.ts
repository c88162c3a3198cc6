/**
 * What the domain sees of a call leg: states, events and options. Nothing
 * here mentions SIP messages or RTP packets (DESIGN.md §3 "Engine").
 */
import type { Logger } from 'pino';
import type { FailureCause, RemoteReason } from '../sip/ua/index.js';

export type { FailureCause, RemoteReason };

/**
 * A leg's life. Outgoing: dialing → ringing | early-media → connected →
 * ended, or → failed before connecting. Incoming: offered → (ringing) →
 * connected → ended, or → failed (rejected, caller canceled).
 */
export type LegState =
  'dialing' | 'offered' | 'ringing' | 'early-media' | 'connected' | 'ended' | 'failed';

export type LegDirection = 'outgoing' | 'incoming';

export interface LegFailure {
  cause: FailureCause;
  /** Final SIP status, when one was received. */
  status?: number;
  reason: string;
  /** The far end's Reason header (RFC 3326) and its Q.850 cause, when it sent one. */
  remote?: RemoteReason;
}

export interface LegEnd {
  /** Who ended it: us (hangup, shutdown) or the peer (BYE, dead dialog). */
  by: 'local' | 'remote';
  /** SIP status that ended it, when a response did (481/408 to an in-dialog request). */
  status?: number;
  reason: string;
  /** The far end's Reason header (RFC 3326) on its BYE, Q.850 cause included, when it sent one. */
  remote?: RemoteReason;
}

/** What was negotiated, once media runs. */
export interface LegMedia {
  codec: string;
  ptime: number;
}

export interface LegEvents {
  /** The far end is alerting (180/181/182, or a 183 without SDP). */
  ringing: [];
  /** A 183 with SDP: the far end plays audio before answering (the stream runs, not in a room). */
  'early-media': [LegMedia];
  /** Connected: media runs (and the leg is in its conference, if it was dialled into one). */
  answered: [LegMedia];
  /** Never connected. */
  failed: [LegFailure];
  /** The peer put us on hold (re-INVITE without receiving): it is neither heard nor sent audio. */
  'remote-hold': [];
  /** The peer took us off hold. */
  'remote-resume': [];
  /** A connected leg ended. */
  ended: [LegEnd];
  /**
   * No RTP nor RTCP from the peer for the inactivity timeout (`held`: the
   * hold timeout). A connected leg then ends ('ended', reason 'media-timeout').
   */
  'media-timeout': [{ silentMs: number; held: boolean }];
}

export interface DialOptions {
  /** Caller ID (a number or SIP URI user) presented to the callee. */
  callerId?: string;
  ringTimeoutMs?: number;
  /** Joins the conference with these flags when answered. */
  muted?: boolean;
  /** The member's role, for the conference's role-based audiences. */
  role?: string;
  /** The leg logs through this (e.g. carrying the call id of the domain); default the engine's. */
  logger?: Logger;
}
