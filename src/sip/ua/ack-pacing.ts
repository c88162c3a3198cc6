/**
 * Pacing of ACKs re-sent for retransmitted 2xx (RFC 3261 §13.2.2.4).
 *
 * A UAS retransmits its 2xx at T1, 2·T1, 4·T1 … (§13.3.1.4). A peer that
 * answers each of our ACKs at once with another 200 is not retransmitting
 * but looping (or attacking): re-ACKing every one of those made about
 * 11 000 ACKs a second on loopback for as long as the call lasted. So the
 * ACKs of one 2xx are paced by a token bucket: one per T1 in the long run,
 * with a burst of two. The burst is what keeps real retransmissions
 * answered: the first ACK goes a moment after the first 2xx, so the
 * retransmission T1 after that 2xx comes less than T1 after our ACK — and
 * a peer whose first retransmission comes sooner still (SIPp's
 * "answer twice") gets its second ACK too.
 */
import type { Clock } from '../../clock/index.js';
import type { SipRequest } from '../message/index.js';

/** ACKs that may go at once before the one-per-T1 pace applies. */
const BURST = 2;

/** The token bucket of one ACK. */
export interface AckBucket {
  /** Sends left in the bucket at `at`. */
  tokens: number;
  /** When `tokens` was last brought up to date (clock ms). */
  at: number;
}

export interface PacedAck extends AckBucket {
  readonly ack: SipRequest;
}

/** A bucket for `ack`; `sentAt` when its first send already happened (it used a token). */
export function pacedAck(ack: SipRequest, sentAt?: number): PacedAck {
  return sentAt === undefined
    ? { ack, tokens: BURST, at: -Infinity }
    : { ack, tokens: BURST - 1, at: sentAt };
}

/** Whether the ACK may be sent now (and if so takes a token): one per T1, two at once. */
export function ackDue(entry: AckBucket, clock: Clock, t1: number): boolean {
  const now = clock.now();
  entry.tokens = Math.min(BURST, entry.tokens + (now - entry.at) / t1);
  entry.at = now;
  if (entry.tokens < 1) return false;
  entry.tokens -= 1;
  return true;
}
