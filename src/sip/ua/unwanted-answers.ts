/**
 * The 2xx answers to one outgoing INVITE that its call does not (or no
 * longer) wants: a fork's answer once another fork won or after the call
 * gave up, and — once the call is over — its own answer's retransmissions.
 *
 * RFC 3261 §13.2.2.4: every 2xx gets an ACK; an answer the UAC does not
 * want is ACKed and then ended with a BYE. RFC 6026 §8.4: the INVITE client
 * transaction stays in Accepted for 64·T1 (32 s over UDP) passing up every
 * 2xx. So the transaction's handlers must outlive the call — but only with
 * this: the ACKs to re-send, keyed by To tag, and the INVITE to build a new
 * fork's dialog from, both as bytes (Stowed). A finished call handed here is
 * no longer reachable from the lingering transaction; at 100 calls/s the
 * whole call (its dialog, parsed headers, SDP, digest state) held that 32 s
 * was ~1 500 calls, ~17 KB each, all of it promoted to the old generation.
 */
import { Dialog } from '../dialog/index.js';
import { Stowed, detach, type SipRequest, type SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/index.js';
import { ackDue, pacedAck, type AckBucket, type PacedAck } from './ack-pacing.js';
import type { NextHop, UaCore } from './core.js';
import { Q850, formatReason } from './reason.js';
import { nextHopOf } from './routing.js';

/** Answers remembered per INVITE; a proxy forks to a handful of phones, not more. */
const MAX_REMEMBERED = 16;

interface Remembered extends AckBucket {
  /** Stowed once it has been sent (it carries its Via then, and is re-sent as it is). */
  readonly ack: SipRequest | Stowed<SipRequest>;
  readonly next: NextHop | Endpoint;
}

export class UnwantedAnswers {
  private readonly byTag = new Map<string, Remembered>();
  /** The INVITE answered, once the call is over (see retire). */
  private invite: Stowed<SipRequest> | null = null;

  constructor(
    private readonly core: UaCore,
    private readonly callId: string,
  ) {}

  private get context(): { callId: string } {
    return { callId: this.callId };
  }

  /**
   * A 2xx: re-ACKed (paced, ack-pacing.ts) when it retransmits an answer
   * already here, and false otherwise.
   */
  retransmitted(res: SipResponse): boolean {
    const entry = this.byTag.get(toTagOf(res));
    if (!entry) return false;
    if (!ackDue(entry, this.core.clock, this.core.timers.T1)) return true;
    const ack =
      entry.ack instanceof Stowed ? entry.ack.messageOr(this.core.logger, this.context) : entry.ack;
    if (ack) this.core.sendAck(ack, entry.next).catch(() => undefined);
    return true;
  }

  /** Every 2xx to the INVITE once the call is over: retransmissions re-ACKed, new answers dropped. */
  answer(res: SipResponse): void {
    if (this.retransmitted(res)) return;
    const invite = this.invite?.messageOr(this.core.logger, this.context);
    if (invite) this.drop(Dialog.asUac(invite, res), invite);
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
        { err: (err as Error).message, ...this.context },
        'unwanted dialog has no usable target',
      );
      return;
    }
    const ack = dialog.createRequest('ACK', { cseq: invite.cseq().seq });
    const bye = dialog.createRequest('BYE');
    bye.headers.append('Reason', formatReason(Q850.normalClearing));
    if (this.byTag.size < MAX_REMEMBERED)
      this.byTag.set(detach(dialog.remoteTag), {
        ...pacedAck(ack, this.core.clock.now()),
        next,
      });
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
   * The call is over: from now on this answers for it. `invite` is the last
   * INVITE it sent (a fork may still answer it); `answered` the ACK of its
   * own answer, if it had one, so that retransmissions of that 2xx are still
   * ACKed, never BYEd.
   */
  retire(
    invite: SipRequest,
    answered?: { toTag: string; ack: PacedAck; next: NextHop | Endpoint },
  ): void {
    this.invite = Stowed.of(invite);
    if (!answered) return;
    const { ack, tokens, at } = answered.ack;
    // Not sent yet (its next hop is still being resolved): kept as it is, to get its Via.
    const kept = ack.headers.has('via') ? Stowed.of(ack) : ack;
    // Past the bound on forks: the call's own answer must never be taken for a new one.
    this.byTag.set(detach(answered.toTag), { ack: kept, tokens, at, next: answered.next });
  }
}

function toTagOf(res: SipResponse): string {
  return String(res.to().params.get('tag') ?? '');
}
