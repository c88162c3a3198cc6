/**
 * Pacing of ACKs re-sent for retransmitted 2xx (RFC 3261 §13.2.2.4).
 *
 * A UAS retransmits its 2xx at T1, 2·T1, 4·T1 … (§13.3.1.4), so a genuine
 * retransmission never comes sooner than T1 after the previous one. A peer
 * that answers each of our ACKs at once with another 200 is not
 * retransmitting but looping (or attacking): re-ACKing every one of those
 * made about 11 000 ACKs a second on loopback for as long as the call
 * lasted. So an ACK is re-sent at most once per T1; if the one we sent was
 * lost, the next real retransmission, at least T1 later, gets it again.
 */
import type { Clock } from '../../clock/index.js';
import type { SipRequest } from '../message/index.js';

export interface PacedAck {
  readonly ack: SipRequest;
  /** When it was last sent (clock ms); -Infinity before the first send. */
  sentAt: number;
}

export function pacedAck(ack: SipRequest): PacedAck {
  return { ack, sentAt: -Infinity };
}

/** Whether the ACK may be sent now (and if so records the send): at most once per T1. */
export function ackDue(entry: PacedAck, clock: Clock, t1: number): boolean {
  const now = clock.now();
  if (now - entry.sentAt < t1) return false;
  entry.sentAt = now;
  return true;
}
