/**
 * An incoming call (UAS side of an INVITE, RFC 3261 §13.3): the application
 * rings (180), answers (200 with SDP, retransmitted until the ACK) or
 * rejects it; a CANCEL from the caller ends it with 487 (§9.2).
 */
import {
  createResponse,
  formatNameAddr,
  generateTag,
  type NameAddr,
  type SipRequest,
} from '../message/index.js';
import type { TimerHandle } from '../../clock/index.js';
import type { ServerTransaction } from '../transaction/index.js';
import type { Source } from '../transport/index.js';
import { Dialog, uasSessionTimer } from '../dialog/index.js';
import type { UaCore } from './core.js';
import { Session, copyRecordRoute } from './session.js';
import { sdpOf } from './session-body.js';
import { remoteReason } from './reason.js';
import { flowOfRequest } from './nat.js';

export class IncomingCall extends Session {
  readonly localTag = generateTag();
  private answered = false;
  /** The server-side lifetime of the unanswered INVITE (see ringTimedOut). */
  private ringTimer: TimerHandle | undefined;
  protected override readonly ownsCallId = false;

  constructor(
    core: UaCore,
    readonly invite: SipRequest,
    private readonly tx: ServerTransaction,
    readonly source: Source,
    private readonly localContact: NameAddr,
    ringTimeoutMs: number,
  ) {
    super(core, null);
    this.state = 'proceeding';
    const offer = sdpOf(invite);
    if (offer !== null) this.offerAnswer.remoteOffer(offer);
    this.notePeerAllow(invite);
    this.flow = flowOfRequest(invite, source, core.nat);
    // Timer H / transport failure on our final response: nothing more to do but forget the call.
    tx.onTransportError = () => this.terminate('local', 'transport error');
    this.ringTimer = core.clock.setTimeout(() => this.ringTimedOut(), ringTimeoutMs);
  }

  /**
   * Nobody answered or rejected the INVITE within the ring timeout. The
   * INVITE server transaction has no timer of its own before a final
   * response (§17.2.1 Proceeding), so without this an INVITE whose caller
   * never CANCELs — a spoofed one, whose "caller" never hears our 180 —
   * would hold its call, transaction and dialog state for good. 480
   * Temporarily Unavailable, as a UA does when no one picks up (§21.4.18).
   */
  private ringTimedOut(): void {
    this.ringTimer = undefined;
    if (this.answered || this.state === 'terminated') return;
    this.core.logger.info({ callId: this.callId }, 'incoming call not answered in time: 480');
    this.tx.respond(createResponse(this.invite, 480, undefined, { toTag: this.localTag }));
    this.terminate('local', 'ring timeout');
    this.emit('failed', { cause: 'no-answer', status: 480, reason: 'Not answered in time' });
  }

  override get callId(): string {
    return this.invite.callId();
  }

  /** The caller's From (who is calling). */
  get caller(): NameAddr {
    return this.invite.from();
  }

  /** Sends 180 Ringing (with our tag: an early dialog, §12.1.1). */
  ring(status = 180, reason?: string): void {
    if (this.state !== 'proceeding' && this.state !== 'early') return;
    const res = createResponse(this.invite, status, reason, { toTag: this.localTag });
    // A 1xx with a To tag creates an early dialog (§12.1.1): Record-Route and Contact as in the 2xx.
    copyRecordRoute(this.invite, res);
    res.headers.append('Contact', formatNameAddr(this.localContact));
    this.tx.respond(res);
    this.state = 'early';
  }

  /** Answers with our SDP: 200 OK, retransmitted until the ACK (§13.3.1.4). */
  answer(sdp: string): void {
    if (this.answered || this.state === 'terminated') return;
    this.answered = true;
    this.core.clock.clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
    const dialog = Dialog.asUas(this.invite, this.localTag, this.localContact, 'confirmed');
    this.dialog = dialog;
    // Our answer to the caller's offer, or our offer when its INVITE had none (answered in the ACK).
    if (this.offerAnswer.state === 'have-remote-offer') this.offerAnswer.localAnswer(sdp);
    else this.offerAnswer.localOffer(sdp);
    this.state = 'confirmed';
    this.core.addSession(dialog.id, this);
    // RFC 4028 §9: the user agent already refused (422) an interval below our Min-SE.
    const timer = uasSessionTimer(this.invite, this.core.sessionTimer);
    this.sendAnswer(
      this.invite,
      this.tx,
      sdp,
      this.localTag,
      true,
      timer.kind === 'interval' ? timer : null,
    );
    this.emit('answered', { sdp: this.remoteSdp });
  }

  /** Rejects the call with a final status (486 busy, 603 decline, 480 unavailable ...). */
  reject(status = 603, reason?: string): void {
    if (this.answered || this.state === 'terminated') return;
    if (status < 300 || status > 699) throw new RangeError(`Cannot reject with status ${status}`);
    this.tx.respond(createResponse(this.invite, status, reason, { toTag: this.localTag }));
    this.terminate('local', `rejected ${status}`);
  }

  /** Before the answer a hangup is a rejection (480); after it, a BYE. */
  override hangup(reason = 'hangup'): void {
    if (!this.answered) return this.reject(480);
    super.hangup(reason);
  }

  /**
   * The caller sent CANCEL for this INVITE (§9.2): 487 if we had not
   * answered. Its Reason (RFC 3326: e.g. `SIP;cause=200` when a forking
   * proxy's other branch answered) goes with the failure.
   */
  handleCancel(cancel?: SipRequest): void {
    if (this.answered || this.state === 'terminated') return;
    this.tx.respond(createResponse(this.invite, 487, undefined, { toTag: this.localTag }));
    this.terminate('remote', 'canceled');
    const remote = cancel ? remoteReason(cancel) : undefined;
    this.emit(
      'failed',
      remote
        ? { cause: 'canceled', reason: 'Caller canceled', remote }
        : { cause: 'canceled', reason: 'Caller canceled' },
    );
  }

  /** Only the ACK for the answer to the initial INVITE confirms the call; re-INVITE ACKs do not. */
  protected override onAck(seq: number): void {
    if (seq !== this.invite.cseq().seq) return;
    // The dialog now holds everything the call needs from the INVITE; drop
    // its parsed-header caches so a long idle call stays small.
    this.invite.compact();
    this.emit('confirmed');
  }

  /**
   * The call is over: let go of the INVITE transaction's callback so the
   * transaction, which lingers for 64·T1 to absorb retransmissions (RFC 6026),
   * does not keep the whole call alive with it.
   */
  protected override cleanup(): void {
    this.core.clock.clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
    this.tx.onTransportError = undefined;
  }

  /** The server transaction this call answers on (used to match CANCEL). */
  get transaction(): ServerTransaction {
    return this.tx;
  }
}
