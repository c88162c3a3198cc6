import type { RemoteReason } from './reason.js';

/** Why an outgoing call did not connect, in the words the layers above use. */
export type FailureCause =
  'busy' | 'declined' | 'no-answer' | 'unreachable' | 'canceled' | 'failed';

export interface CallFailure {
  cause: FailureCause;
  /** Final SIP status, when one was received. */
  status?: number;
  reason: string;
  /** The far end's Reason header (RFC 3326) on its final response or CANCEL, Q.850 cause included. */
  remote?: RemoteReason;
}

/**
 * Maps a final non-2xx status to a cause (RFC 3261 §21): 486 Busy Here and
 * 600 Busy Everywhere are busy, 603 Decline declined, 408 Request Timeout and
 * 480 Temporarily Unavailable no answer, 487 Request Terminated canceled (the
 * call decides whether its own ring timeout caused it), anything else failed.
 * `unreachable` never comes from a status: it is Timer B or a transport error.
 */
export function causeOfStatus(status: number): FailureCause {
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 603:
      return 'declined';
    case 408:
    case 480:
      return 'no-answer';
    case 487:
      return 'canceled';
    default:
      return 'failed';
  }
}
