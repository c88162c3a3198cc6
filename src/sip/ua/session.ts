/**
 * The part of a call common to both directions once a dialog exists
 * (RFC 3261 §12–§15): in-dialog requests we send (BYE, re-INVITE, OPTIONS)
 * with digest retries, and in-dialog requests we receive.
 */
import { EventEmitter } from 'node:events';
import {
  createResponse,
  formatNameAddr,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import type { ServerTransaction } from '../transaction/index.js';
import type { DigestClient } from '../auth/index.js';
import type { Dialog } from '../dialog/index.js';
import { AnswerRetransmitter } from './answer-retransmitter.js';
import { ackDue, pacedAck, type PacedAck } from './ack-pacing.js';
import type { NextHop, UaCore } from './core.js';
import type { CallEvents } from './events.js';
import { nextHopOf } from './routing.js';

export type CallState = 'calling' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

/** Thrown/rejected when an in-dialog request we sent fails. */
export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface PendingAnswer {
  seq: number;
  retransmitter: AnswerRetransmitter;
}

export abstract class Session extends EventEmitter<CallEvents> {
  state: CallState = 'calling';
  dialog: Dialog | null = null;
  localSdp: string | null;
  remoteSdp: string | null = null;
  /**
   * Decides the answer to a remote re-INVITE offer (§14.2). The default
   * keeps our current session description; the media layer replaces it.
   * Return null to refuse the offer (488 Not Acceptable Here).
   */
  onReinvite: (offer: string | null) => string | null = () => this.localSdp;
  /** Ended with which cause: set once. */
  endReason: string | null = null;

  /**
   * Resolves once the call is over for good: terminated, and the BYE it
   * sent (if any) has had its final response or given up. The user agent
   * waits on it when it shuts down, so BYEs go out before the sockets close.
   */
  readonly finished: Promise<void>;

  protected digest: DigestClient | null = null;
  private resolveFinished: () => void = () => undefined;
  private bye: Promise<void> | null = null;
  private reinviteInProgress = false;
  private incomingReinvite: ServerTransaction | null = null;
  private pendingAnswer: PendingAnswer | null = null;
  /** ACKs we sent, by INVITE CSeq, to answer retransmitted 2xx (§13.2.2.4), paced (ack-pacing.ts). */
  private acks = new Map<number, PacedAck>();

  protected constructor(
    protected readonly core: UaCore,
    localSdp: string | null,
  ) {
    super();
    this.localSdp = localSdp;
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  get callId(): string | undefined {
    return this.dialog?.callId;
  }

  /** Ends the call: BYE when connected (§15.1.1); subclasses handle the earlier states. */
  hangup(reason = 'hangup'): void {
    if (this.state !== 'confirmed' || !this.dialog) return;
    this.sendBye();
    this.terminate('local', reason);
  }

  /**
   * The user agent is closing and this call did not finish in time: end it
   * here without waiting for the peer any longer. Used by UserAgent.close().
   */
  abandon(reason: string): void {
    this.terminate('local', reason);
  }

  /** Sends a re-INVITE with a new offer (§14.1); resolves with the answer SDP. */
  async reinvite(sdp: string): Promise<string | null> {
    if (this.state !== 'confirmed' || !this.dialog)
      throw new RequestFailedError('Call is not connected');
    if (this.reinviteInProgress || this.incomingReinvite) {
      // §14.1: no new INVITE while one is in progress in either direction.
      throw new RequestFailedError('A re-INVITE is already in progress', 491);
    }
    this.reinviteInProgress = true;
    try {
      const res = await this.sendInDialog('INVITE', Buffer.from(sdp));
      if (res.status >= 300) {
        // §12.2.1.2: 481 and 408 to an in-dialog request end the dialog.
        if (res.status === 481 || res.status === 408)
          this.terminate('remote', `re-INVITE got ${res.status}`);
        throw new RequestFailedError(`re-INVITE failed: ${res.status} ${res.reason}`, res.status);
      }
      this.localSdp = sdp;
      this.remoteSdp = res.body.length ? res.body.toString() : this.remoteSdp;
      return this.remoteSdp;
    } finally {
      this.reinviteInProgress = false;
    }
  }

  /** Sends an in-dialog OPTIONS (keep-alive / capability query); resolves with the status. */
  async options(): Promise<number> {
    if (this.state !== 'confirmed' || !this.dialog)
      throw new RequestFailedError('Call is not connected');
    const res = await this.sendInDialog('OPTIONS');
    return res.status;
  }

  protected nextHop(): NextHop {
    if (!this.dialog) throw new Error('no dialog');
    return nextHopOf(this.dialog.nextHopUri());
  }

  /**
   * Sends one in-dialog request and waits for its final response, answering
   * one digest challenge per nonce (§22.2). INVITE 2xx gets its ACK here.
   */
  protected sendInDialog(method: string, body?: Buffer): Promise<SipResponse> {
    const dialog = this.dialog;
    if (!dialog) return Promise.reject(new RequestFailedError('No dialog'));
    return new Promise<SipResponse>((resolve, reject) => {
      const attempt = (req: SipRequest): void => {
        let settled = false;
        this.core
          .sendRequest(req, this.nextHop(), {
            onResponse: (res) => {
              if (res.status < 200) return;
              if (method === 'INVITE' && res.status < 300) {
                // §12.2.1.2: a 2xx to a target refresh carries the new remote target, which the ACK already goes to.
                if (!settled) dialog.refreshTarget(res.contacts());
                this.ackInvite(req);
              }
              if (settled) return;
              settled = true;
              if ((res.status === 401 || res.status === 407) && this.digest) {
                const retry = dialog.createRequest(method, { body });
                if (this.digest.authorize(retry, res)) return attempt(retry);
              }
              resolve(res);
            },
            onTimeout: () => {
              if (settled) return;
              settled = true;
              // §12.2.1.2: a timeout ends the dialog like a 408.
              if (method !== 'BYE') this.terminate('remote', `${method} timed out`);
              reject(new RequestFailedError(`${method} timed out`, 408));
            },
            onTransportError: (err) => {
              if (settled) return;
              settled = true;
              reject(new RequestFailedError(`${method} could not be sent: ${err.message}`, 503));
            },
          })
          .catch((err: Error) => reject(new RequestFailedError(err.message)));
      };
      const first = dialog.createRequest(method, { body });
      this.digest?.preauthorize(first);
      attempt(first);
    });
  }

  protected sendBye(): void {
    this.bye = this.sendInDialog('BYE').then(
      (res) => {
        if (res.status >= 300)
          this.core.logger.debug({ status: res.status, callId: this.callId }, 'BYE refused');
      },
      (err: Error) => {
        this.core.logger.debug({ err: err.message, callId: this.callId }, 'BYE failed');
      },
    );
  }

  /**
   * The call is over: tells the core to forget it and settles `finished`
   * once the BYE in flight (if any) is done. Idempotent.
   */
  protected markFinished(): void {
    this.core.forget(this);
    const resolve = this.resolveFinished;
    void (this.bye ?? Promise.resolve()).then(resolve);
  }

  /** ACK for a 2xx to an INVITE we sent, kept to answer its retransmissions (§13.2.2.4). */
  protected ackInvite(invite: SipRequest): void {
    const seq = invite.cseq().seq;
    let entry = this.acks.get(seq);
    if (!entry) {
      if (!this.dialog) return;
      const ack = this.dialog.createRequest('ACK', { cseq: seq });
      // §22.1: the ACK carries the same credentials as the INVITE it acknowledges.
      for (const name of ['Authorization', 'Proxy-Authorization']) {
        for (const v of invite.headers.lines(name)) ack.headers.append(name, v);
      }
      entry = pacedAck(ack);
      this.acks.set(seq, entry);
      // Keep only the latest few: older INVITEs cannot be retransmitting anymore.
      if (this.acks.size > 4) this.acks.delete(this.acks.keys().next().value as number);
    }
    this.resendAck(entry);
  }

  /** A retransmitted 2xx gets the very same ACK again, branch included — at most once per T1. */
  private resendAck(entry: PacedAck): void {
    if (!ackDue(entry, this.core.clock, this.core.timers.T1)) return;
    this.core.sendAck(entry.ack, this.nextHop()).catch((err: Error) => {
      this.core.logger.warn({ err: err.message, callId: this.callId }, 'ACK could not be sent');
    });
  }

  /** A 2xx that arrived outside any transaction (RFC 6026 §8.4): re-ACK if we know it. */
  handleStrayAnswer(res: SipResponse): void {
    const entry = this.acks.get(res.cseq().seq);
    if (entry) this.resendAck(entry);
  }

  /** An in-dialog request from the peer (§12.2.2). */
  handleRequest(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.dialog;
    if (!dialog) return tx.respond(createResponse(req, 481));
    if (!dialog.acceptRemoteSeq(req)) {
      return tx.respond(createResponse(req, 500, 'CSeq out of order'));
    }
    switch (req.method) {
      case 'BYE':
        tx.respond(createResponse(req, 200));
        this.terminate('remote', 'BYE');
        return;
      case 'INVITE':
        return this.handleReinvite(req, tx);
      case 'OPTIONS': {
        const res = createResponse(req, 200);
        res.headers.append('Allow', this.core.allow);
        res.headers.append('Accept', 'application/sdp');
        return tx.respond(res);
      }
      case 'INFO':
        // RFC 6086: we take no INFO packages but must not break the dialog.
        return tx.respond(createResponse(req, 200));
      default: {
        const res = createResponse(req, 405);
        res.headers.append('Allow', this.core.allow);
        return tx.respond(res);
      }
    }
  }

  private handleReinvite(req: SipRequest, tx: ServerTransaction): void {
    if (this.reinviteInProgress) {
      // §14.2: glare — our own re-INVITE is pending.
      return tx.respond(createResponse(req, 491));
    }
    if (this.incomingReinvite || this.pendingAnswer) {
      // §14.2: the previous INVITE has not completed yet.
      const res = createResponse(req, 500, 'Previous INVITE still in progress');
      res.headers.append('Retry-After', String(1 + Math.floor(Math.random() * 10)));
      return tx.respond(res);
    }
    const offer = req.body.length ? req.body.toString() : null;
    let answer: string | null;
    try {
      answer = this.onReinvite(offer);
    } catch (err) {
      this.core.logger.warn({ err: (err as Error).message }, 're-INVITE handler failed');
      answer = null;
    }
    if (answer === null) return tx.respond(createResponse(req, 488));
    this.dialog?.refreshTarget(req.contacts());
    this.incomingReinvite = tx;
    this.remoteSdp = offer ?? this.remoteSdp;
    this.localSdp = answer;
    this.sendAnswer(req, tx, answer, this.dialog!.localTag);
    this.emit('reinvited', { offer, answer });
  }

  /**
   * Sends a 2xx with SDP and keeps retransmitting it until the ACK
   * (§13.3.1.4). A 2xx that creates the dialog copies the request's
   * Record-Route (§12.1.1) so the caller learns the same route set.
   */
  protected sendAnswer(
    req: SipRequest,
    tx: ServerTransaction,
    sdp: string,
    toTag: string,
    createsDialog = false,
  ): SipResponse {
    const res = createResponse(req, 200, undefined, { toTag });
    if (createsDialog) copyRecordRoute(req, res);
    if (this.dialog) res.headers.append('Contact', formatNameAddr(this.dialog.localContact));
    res.headers.append('Allow', this.core.allow);
    res.headers.append('Server', this.core.userAgent);
    res.headers.append('Content-Type', 'application/sdp');
    res.body = Buffer.from(sdp);
    tx.respond(res);
    this.pendingAnswer?.retransmitter.stop();
    const seq = req.cseq().seq;
    const retransmitter = new AnswerRetransmitter(
      this.core.clock,
      this.core.timers,
      () => tx.respond(res),
      () => this.onAckTimeout(seq),
      tx.source.protocol === 'tcp',
    );
    this.pendingAnswer = { seq, retransmitter };
    return res;
  }

  /** The ACK for one of our 2xx (§13.3.1.4 / §17.2.3: it has no transaction). */
  handleAck(ack: SipRequest): void {
    const pending = this.pendingAnswer;
    if (!pending || ack.cseq().seq !== pending.seq) return;
    pending.retransmitter.stop();
    this.pendingAnswer = null;
    this.incomingReinvite = null;
    if (ack.body.length && !this.remoteSdp) this.remoteSdp = ack.body.toString();
    this.onAck(pending.seq);
  }

  /** Subclass hook: an ACK for our 2xx to the INVITE with CSeq `seq` arrived. */
  protected onAck(seq: number): void {
    void seq;
  }

  private onAckTimeout(seq: number): void {
    if (this.pendingAnswer?.seq !== seq) return;
    this.pendingAnswer = null;
    this.incomingReinvite = null;
    // §13.3.1.4: no ACK within 64·T1 — confirm then end the dialog with a BYE.
    if (this.state === 'confirmed') {
      this.sendBye();
      this.terminate('local', 'no ACK');
    }
  }

  /** Moves to terminated once; emits `ended` for a call that had connected. */
  protected terminate(by: 'local' | 'remote', reason: string): void {
    if (this.state === 'terminated') return;
    const wasConnected = this.state === 'confirmed';
    this.state = 'terminated';
    this.endReason = reason;
    this.pendingAnswer?.retransmitter.stop();
    this.pendingAnswer = null;
    if (this.dialog) {
      this.dialog.state = 'terminated';
      this.core.removeSession(this.dialog.id);
    }
    this.cleanup();
    this.markFinished();
    if (wasConnected) this.emit('ended', { by, reason });
  }

  /** Subclass hook to stop timers when the call ends. */
  protected cleanup(): void {}
}

/** §12.1.1: a response that creates a dialog carries the request's Record-Route values, in order. */
export function copyRecordRoute(req: SipRequest, res: SipResponse): void {
  for (const line of req.headers.lines('Record-Route')) res.headers.append('Record-Route', line);
}
