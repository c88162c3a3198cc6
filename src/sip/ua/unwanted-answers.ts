/**
 * The 2xx answers to one outgoing INVITE that its call does not (or no
 * longer) wants: a fork's answer once another fork won or after the call
 * gave up, and — once the call is over — its own answer's retransmissions.
 *
 * RFC 3261 §13.2.2.4: every 2xx gets an ACK; an answer the UAC does not
 * want is ACKed and then ended with a BYE. RFC 6026 §8.4: the INVITE client
 * transaction stays in Accepted for 64·T1 (32 s over UDP) passing up every
 * 2xx. So the transaction's handlers must outlive the call — but only with
 * this: the ACKs to re-send, keyed by To tag, and what it takes to drop a
 * new fork. A finished call handed here is no longer reachable from the
 * lingering transaction; at 100 calls/s the whole call (its dialog, parsed
 * headers, SDP, digest state) held that 32 s was ~1 500 calls, ~17 KB each,
 * all of it promoted to the old generation by the garbage collector.
 */
import { Dialog } from '../dialog/index.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/index.js';
import { ackDue, pacedAck, type PacedAck } from './ack-pacing.js';
import type { NextHop, UaCore } from './core.js';
import { Q850, formatReason } from './reason.js';
import { nextHopOf } from './routing.js';

/** Answers remembered per INVITE; a proxy forks to a handful of phones, not more. */
const MAX_REMEMBERED = 16;

type Remembered = PacedAck & { readonly next: NextHop | Endpoint };

export class UnwantedAnswers {
  private readonly byTag = new Map<string, Remembered>();

  constructor(
    private readonly core: UaCore,
    private readonly callId: string,
  ) {}

  /**
   * A 2xx: re-ACKed (paced, ack-pacing.ts) when it retransmits an answer
   * already here, and false otherwise.
   */
  retransmitted(res: SipResponse): boolean {
    const entry = this.byTag.get(toTagOf(res));
    if (!entry) return false;
    if (ackDue(entry, this.core.clock, this.core.timers.T1))
      this.core.sendAck(entry.ack, entry.next).catch(() => undefined);
    return true;
  }

  /** Every 2xx to `invite` once the call is over: retransmissions re-ACKed, new answers dropped. */
  answer(invite: SipRequest, res: SipResponse): void {
    if (!this.retransmitted(res)) this.drop(Dialog.asUac(invite, res), invite);
  }

  /**
   * ACK and BYE a dialog we do not want. Both go to that dialog's own next
   * hop, its route set or Contact (§13.2.2.4, §12.2.1.1), not to where the
   * INVITE went.
   */
  drop(dialog: Dialog, invite: SipRequest): void {
    let next: NextHop;
    try {
      next = nextHopOf(dialog.nextHopUri());
    } catch (err) {
      this.core.logger.debug(
        { err: (err as Error).message, callId: this.callId },
        'unwanted dialog has no usable target',
      );
      return;
    }
    const ack = dialog.createRequest('ACK', { cseq: invite.cseq().seq });
    const bye = dialog.createRequest('BYE');
    bye.headers.append('Reason', formatReason(Q850.normalClearing));
    this.remember(dialog.remoteTag, { ...pacedAck(ack, this.core.clock.now()), next });
    this.core.sendAck(ack, next).catch(() => undefined);
    this.core
      .sendRequest(bye, next, {
        onResponse: () => {},
        onTimeout: () => {},
        onTransportError: () => {},
      })
      .catch(() => undefined);
  }

  /**
   * The call is over: the ACK of its own answer stays here (with its pacing)
   * so that retransmissions of that 2xx are still ACKed, never BYEd.
   */
  keep(toTag: string, entry: PacedAck, next: NextHop | Endpoint): void {
    // Re-sent as it is, rarely: the parsed caches need not live on (SipMessageBase.compact).
    entry.ack.compact();
    // Past the bound on forks: the call's own answer must never be taken for a new one.
    this.byTag.set(toTag, { ack: entry.ack, tokens: entry.tokens, at: entry.at, next });
  }

  private remember(toTag: string, entry: Remembered): void {
    if (this.byTag.size < MAX_REMEMBERED) this.byTag.set(toTag, entry);
  }
}

function toTagOf(res: SipResponse): string {
  return String(res.to().params.get('tag') ?? '');
}
