/**
 * The part of a call common to both directions once a dialog exists
 * (RFC 3261 §12–§15): in-dialog requests we send (BYE, re-INVITE, UPDATE,
 * OPTIONS) with digest retries, in-dialog requests we receive, the
 * session's offer/answer state (dialog/offer-answer.ts) and its session
 * timer (RFC 4028).
 *
 * Every exchange has a bounded lifetime, so no call can wedge:
 * - our re-INVITE: reinvite-client.ts (timeout → CANCEL → BYE; 491 → retry);
 * - our 2xx to an INVITE: retransmitted until its ACK, BYE after 64·T1
 *   without one (§13.3.1.4, answer-retransmitter.ts);
 * - the session itself: refreshed (or probed with OPTIONS when the peer
 *   took no session timer) and ended with a BYE when a refresh fails or
 *   none arrives in time (RFC 4028 §10, session-timer.ts).
 */
import { EventEmitter } from 'node:events';
import {
  createResponse,
  formatNameAddr,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import type { ClientTransaction, ServerTransaction } from '../transaction/index.js';
import type { DigestClient } from '../auth/index.js';
import {
  OfferAnswer,
  grantSessionTimer,
  minSeOf,
  offerSessionTimer,
  uacSessionTimer,
  uasSessionTimer,
  type Dialog,
  type Refresher,
  type UasTimerDecision,
} from '../dialog/index.js';
import { AnswerRetransmitter } from './answer-retransmitter.js';
import { ackDue, pacedAck, type PacedAck } from './ack-pacing.js';
import { sendCancel } from './cancel.js';
import type { NextHop, UaCore } from './core.js';
import type { CallEvents } from './events.js';
import { ReinviteClient, glareDelayMs } from './reinvite-client.js';
import { RequestFailedError } from './request-failed.js';
import { nextHopOf } from './routing.js';
import { sdpOf } from './session-body.js';
import { byeReason, formatReason, remoteReason, type RemoteReason } from './reason.js';
import { flowOfRequest, type PeerFlow } from './nat.js';
import type { Endpoint } from '../transport/index.js';
import { SessionTimer } from './session-timer.js';

export { RequestFailedError } from './request-failed.js';

export type CallState = 'calling' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

/** A 2xx of ours to an INVITE, waiting for its ACK. */
interface PendingAnswer {
  seq: number;
  retransmitter: AnswerRetransmitter;
  /** The 2xx carried our offer (the INVITE had none): its ACK must carry the answer. */
  carriesOffer: boolean;
}

type GrantedTimer = Extract<UasTimerDecision, { kind: 'interval' }>;

interface InDialogOptions {
  body?: Buffer;
  /** An INVITE or UPDATE: it offers the session timer (RFC 4028 §7.1) and its 2xx refreshes it. */
  refresh?: boolean;
  onSent?: (req: SipRequest, tx: ClientTransaction | null) => void;
  onProvisional?: () => void;
  /** Extra headers for every attempt (a BYE's Reason, RFC 3326). */
  headers?: [string, string][];
}

export abstract class Session extends EventEmitter<CallEvents> {
  state: CallState = 'calling';
  dialog: Dialog | null = null;
  /** Who has an offer outstanding and what was agreed (RFC 3264). */
  readonly offerAnswer = new OfferAnswer();
  /**
   * Decides the answer to a remote offer in a re-INVITE or UPDATE (§14.2,
   * RFC 3311). The default keeps our current session description; the
   * media layer replaces it. Called with null for an offerless re-INVITE:
   * what it returns is then our offer, answered in the ACK ('remote-answer').
   * Return null to refuse the offer (488 Not Acceptable Here).
   */
  onReinvite: (offer: string | null) => string | null = () => this.localSdp;
  /** Ended with which cause: set once. */
  endReason: string | null = null;
  /**
   * The peer is behind NAT (nat.ts): the flow in-dialog requests go to
   * instead of its unreachable Contact, and the host its RTP comes from.
   */
  flow: PeerFlow | null = null;

  /**
   * Resolves once the call is over for good: terminated, and the BYE it
   * sent (if any) has had its final response or given up. The user agent
   * waits on it when it shuts down, so BYEs go out before the sockets close.
   */
  readonly finished: Promise<void>;

  protected digest: DigestClient | null = null;
  /** We generated the Call-ID (sent the initial INVITE): §14.1's longer glare wait. */
  protected abstract readonly ownsCallId: boolean;
  protected readonly sessionTimer: SessionTimer;
  /** The peer took part in RFC 4028; otherwise the timer is our own OPTIONS probe. */
  private timerAgreed = false;
  /** The largest Min-SE we have heard (RFC 4028 §7.1: later requests carry it). */
  protected minSeS: number;
  private peerAllowsUpdate = false;
  private resolveFinished: () => void = () => undefined;
  private bye: Promise<void> | null = null;
  private outgoing: ReinviteClient | null = null;
  private answering: PendingAnswer | null = null;
  /** ACKs we sent, by INVITE CSeq, to answer retransmitted 2xx (§13.2.2.4), paced (ack-pacing.ts). */
  private acks = new Map<number, PacedAck>();

  protected constructor(
    protected readonly core: UaCore,
    localOffer: string | null,
  ) {
    super();
    if (localOffer !== null) this.offerAnswer.localOffer(localOffer);
    this.minSeS = core.sessionTimer.minSeS;
    this.sessionTimer = new SessionTimer(core.clock, {
      refresh: () => this.refreshSession(),
      expire: () => this.endByUs('session expired'),
    });
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  get callId(): string | undefined {
    return this.dialog?.callId;
  }

  /** Our current session description (RFC 3264). */
  get localSdp(): string | null {
    return this.offerAnswer.local;
  }

  /** The peer's current session description (or its offer still to be answered). */
  get remoteSdp(): string | null {
    return this.offerAnswer.remote;
  }

  /** Ends the call: BYE when connected (§15.1.1); subclasses handle the earlier states. */
  hangup(reason = 'hangup'): void {
    if (this.state !== 'confirmed' || !this.dialog) return;
    this.endByUs(reason);
  }

  /**
   * The user agent is closing and this call did not finish in time: end it
   * here without waiting for the peer any longer. Used by UserAgent.close().
   */
  abandon(reason: string): void {
    this.terminate('local', reason);
  }

  /**
   * Sends a re-INVITE with a new offer (§14.1); resolves with the answer
   * SDP. A 491 (glare) is retried after §14.1's random wait, unseen by the
   * caller; a re-INVITE that gets no final response is canceled, and the
   * call ended if even that fails (reinvite-client.ts).
   */
  async reinvite(sdp: string): Promise<string | null> {
    if (this.state !== 'confirmed' || !this.dialog)
      throw new RequestFailedError('Call is not connected');
    if (this.outgoing || !this.offerAnswer.stable) {
      // §14.1: no new INVITE while one is in progress in either direction.
      throw new RequestFailedError('A re-INVITE is already in progress', 491);
    }
    const oa = this.offerAnswer;
    const client = new ReinviteClient({
      core: this.core,
      ownsCallId: this.ownsCallId,
      sendAttempt: (hooks) => {
        oa.localOffer(sdp);
        return this.sendInDialog('INVITE', {
          body: Buffer.from(sdp),
          refresh: true,
          onSent: hooks.onSent,
          onProvisional: hooks.onProvisional,
        }).then(
          (res) => {
            if (res.status >= 300) oa.rollback();
            return res;
          },
          (err: unknown) => {
            oa.rollback();
            throw err;
          },
        );
      },
      cancel: (invite, tx) => sendCancel(this.core, invite, tx, this.nextHop()),
      busy: () => !oa.stable,
      giveUp: (reason) => this.endByUs(reason),
    });
    this.outgoing = client;
    try {
      const res = await client.run();
      if (res.status >= 300)
        throw new RequestFailedError(`re-INVITE failed: ${res.status} ${res.reason}`, res.status);
      const answer = sdpOf(res);
      // §13.2.1: the 2xx must answer; one that does not leaves the peer's description as it was.
      if (answer !== null) oa.remoteAnswer(answer);
      else if (oa.remote !== null) oa.remoteAnswer(oa.remote);
      else oa.rollback();
      return this.remoteSdp;
    } finally {
      if (this.outgoing === client) this.outgoing = null;
    }
  }

  /** Sends an in-dialog OPTIONS (keep-alive / capability query); resolves with the status. */
  async options(): Promise<number> {
    if (this.state !== 'confirmed' || !this.dialog)
      throw new RequestFailedError('Call is not connected');
    const res = await this.sendInDialog('OPTIONS');
    return res.status;
  }

  protected nextHop(): NextHop | Endpoint {
    if (!this.dialog) throw new Error('no dialog');
    // A NATed peer without a proxy in the path is reached through its flow (RFC 3581 §4 in spirit).
    if (this.flow && this.dialog.routeSet.length === 0) return this.flow.endpoint;
    return nextHopOf(this.dialog.nextHopUri());
  }

  /**
   * Sends one in-dialog request and waits for its final response, answering
   * one digest challenge per nonce (§22.2) and one 422 (RFC 4028 §7.4).
   * INVITE 2xx gets its ACK here. §12.2.1.2: a 481 or 408 (or a timeout)
   * to any request but BYE ends the dialog.
   */
  protected sendInDialog(method: string, opts: InDialogOptions = {}): Promise<SipResponse> {
    const dialog = this.dialog;
    if (!dialog) return Promise.reject(new RequestFailedError('No dialog'));
    const { body } = opts;
    let intervalS = this.offeredIntervalS();
    let tooSmallRetried = false;
    const build = (): SipRequest => {
      const req = dialog.createRequest(method, { body });
      for (const [k, v] of opts.headers ?? []) req.headers.append(k, v);
      if (opts.refresh) offerSessionTimer(req, intervalS, this.minSeS, this.ourRefresherParam());
      return req;
    };
    return new Promise<SipResponse>((resolve, reject) => {
      const attempt = (req: SipRequest): void => {
        let settled = false;
        opts.onSent?.(req, null);
        this.core
          .sendRequest(req, this.nextHop(), {
            onResponse: (res) => {
              if (res.status < 200) {
                if (!settled) opts.onProvisional?.();
                return;
              }
              if (method === 'INVITE' && res.status < 300) {
                // §12.2.1.2: a 2xx to a target refresh carries the new remote target, which the ACK already goes to.
                if (!settled) dialog.refreshTarget(res.contacts());
                this.ackInvite(req);
              }
              if (settled) return;
              settled = true;
              if ((res.status === 401 || res.status === 407) && this.digest) {
                const retry = build();
                if (this.digest.authorize(retry, res)) return attempt(retry);
              }
              const minSe = res.status === 422 && opts.refresh ? minSeOf(res) : null;
              if (minSe !== null && minSe > intervalS && !tooSmallRetried) {
                // RFC 4028 §7.4: retry once with the interval the peer asks for.
                tooSmallRetried = true;
                intervalS = minSe;
                this.minSeS = Math.max(this.minSeS, minSe);
                const retry = build();
                this.digest?.preauthorize(retry);
                return attempt(retry);
              }
              if (res.status < 300) {
                this.notePeerAllow(res);
                if (opts.refresh) this.refreshedByUs(res);
              }
              if ((res.status === 481 || res.status === 408) && method !== 'BYE')
                this.terminate('remote', `${method} got ${res.status}`);
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
          .then((tx) => {
            if (tx) opts.onSent?.(req, tx);
          })
          .catch((err: Error) => reject(new RequestFailedError(err.message)));
      };
      const first = build();
      this.digest?.preauthorize(first);
      attempt(first);
    });
  }

  /** BYE, then terminated: the call is ended from our side. */
  protected endByUs(reason: string): void {
    if (this.state !== 'confirmed' || !this.dialog) return;
    this.sendBye(reason);
    this.terminate('local', reason);
  }

  /** BYE, with a Reason (RFC 3326) saying why we hang up. */
  protected sendBye(localReason = 'hangup'): void {
    const reason = formatReason(byeReason(localReason));
    this.bye = this.sendInDialog('BYE', { headers: [['Reason', reason]] }).then(
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
    this.sessionTimer.stop();
    this.outgoing?.stop();
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

  /** The ACK sent for the 2xx to the INVITE with this CSeq, if any (with its pacing). */
  protected sentAck(seq: number): PacedAck | undefined {
    return this.acks.get(seq);
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
        this.terminate('remote', 'BYE', remoteReason(req));
        return;
      case 'INVITE':
        return this.handleReinvite(req, tx);
      case 'UPDATE':
        return this.handleUpdate(req, tx);
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
    if (this.outgoing && this.outgoing.phase !== 'backoff') {
      // §14.2: glare — our own re-INVITE is pending.
      return tx.respond(createResponse(req, 491));
    }
    if (this.answering || !this.offerAnswer.stable) {
      // §14.2: the previous INVITE (or its offer/answer) has not completed yet.
      return tx.respond(retryLater(req, this.core.random));
    }
    const timer = this.grantTimer(req, tx);
    if (!timer) return;
    this.relearnFlow(req, tx);
    const offer = sdpOf(req);
    const answer = this.answerOffer(offer);
    if (answer === null) return tx.respond(createResponse(req, 488));
    this.dialog?.refreshTarget(req.contacts());
    this.sendAnswer(req, tx, answer, this.dialog!.localTag, false, timer);
    this.emit('reinvited', { offer, answer });
  }

  /**
   * RFC 3311 §5.2: an UPDATE, with an offer (answered in its 200) or
   * without (a session refresh, RFC 4028 §10). An offer while ours is
   * outstanding is glare (491); while theirs is unanswered, 500.
   */
  private handleUpdate(req: SipRequest, tx: ServerTransaction): void {
    const offer = sdpOf(req);
    if (offer !== null && this.offerAnswer.state === 'have-local-offer')
      return tx.respond(createResponse(req, 491));
    if (offer !== null && this.offerAnswer.state === 'have-remote-offer')
      return tx.respond(retryLater(req, this.core.random));
    const timer = this.grantTimer(req, tx);
    if (!timer) return;
    this.relearnFlow(req, tx);
    const answer = offer === null ? null : this.answerOffer(offer);
    if (offer !== null && answer === null) return tx.respond(createResponse(req, 488));
    this.dialog?.refreshTarget(req.contacts());
    const res = createResponse(req, 200);
    if (this.dialog) res.headers.append('Contact', formatNameAddr(this.dialog.localContact));
    grantSessionTimer(res, timer.intervalS, timer.refresher);
    if (answer !== null) {
      res.headers.append('Content-Type', 'application/sdp');
      res.body = Buffer.from(answer);
    }
    tx.respond(res);
    this.startGrantedTimer(timer);
    if (offer !== null && answer !== null) this.emit('reinvited', { offer, answer });
  }

  /**
   * A target refresh (re-INVITE, UPDATE: §12.2.2 updates the remote target)
   * from a peer behind NAT shows where its flow is now: a NAT that rebound
   * its port, or a new TCP connection. In-dialog requests follow it, and
   * the media latch (the engine reads `flow` while answering the offer,
   * so this comes first). A request that shows no NAT leaves the flow as
   * it was (one learnt from a 2xx, nat.ts flowOfAnswer).
   */
  private relearnFlow(req: SipRequest, tx: ServerTransaction): void {
    const flow = flowOfRequest(req, tx.source, this.core.nat);
    if (!flow) return;
    const before = this.flow?.endpoint;
    const now = flow.endpoint;
    if (
      before?.protocol === now.protocol &&
      before.address === now.address &&
      before.port === now.port
    )
      return;
    if (before)
      this.core.logger.info(
        {
          callId: this.callId,
          from: `${before.address}:${before.port}`,
          to: `${now.address}:${now.port}`,
        },
        'peer behind NAT moved: its flow is learnt again',
      );
    this.flow = flow;
  }

  /**
   * Our side of a remote offer (or, for null, our offer in a 2xx to an
   * offerless INVITE), through onReinvite; null when refused.
   */
  private answerOffer(offer: string | null): string | null {
    const oa = this.offerAnswer;
    if (offer !== null) oa.remoteOffer(offer);
    let sdp: string | null;
    try {
      sdp = this.onReinvite(offer);
    } catch (err) {
      this.core.logger.warn({ err: (err as Error).message }, 're-INVITE handler failed');
      sdp = null;
    }
    if (sdp === null) {
      oa.rollback();
      return null;
    }
    if (offer !== null) oa.localAnswer(sdp);
    else oa.localOffer(sdp);
    return sdp;
  }

  /**
   * RFC 4028 §9 for an INVITE or UPDATE we are about to accept: the
   * interval and refresher to grant, or null once a 422 has gone out.
   */
  protected grantTimer(req: SipRequest, tx: ServerTransaction): GrantedTimer | null {
    const decision = uasSessionTimer(req, this.core.sessionTimer);
    if (decision.kind === 'interval') return decision;
    const res = createResponse(req, 422);
    res.headers.append('Min-SE', String(decision.minSeS));
    tx.respond(res);
    return null;
  }

  /** A 2xx of ours granted this session timer (§9): it runs from now. */
  protected startGrantedTimer(timer: GrantedTimer): void {
    this.timerAgreed = true;
    this.sessionTimer.start({ intervalS: timer.intervalS, weRefresh: timer.weRefresh });
  }

  /**
   * A 2xx to an INVITE or UPDATE of ours (§7.2). Without Session-Expires
   * the peer takes no session timer; we then probe it with OPTIONS at our
   * own interval, so a peer that vanished without a BYE — on hold, sending
   * no RTP — is still noticed (its 481, 408 or silence ends the dialog).
   */
  protected refreshedByUs(res: SipResponse): void {
    const agreed = uacSessionTimer(res);
    this.timerAgreed = agreed !== null;
    this.sessionTimer.start(
      agreed ?? { intervalS: this.core.sessionTimer.expiresS, weRefresh: true },
    );
  }

  /** Remembers whether the peer takes UPDATE (its Allow, §20.5), for refreshes without offers. */
  protected notePeerAllow(msg: SipRequest | SipResponse): void {
    const allow = msg.headers.values('allow');
    if (allow.length > 0) this.peerAllowsUpdate = allow.some((m) => m.trim() === 'UPDATE');
  }

  private offeredIntervalS(): number {
    const current = this.sessionTimer.current;
    return this.timerAgreed && current ? current.intervalS : this.core.sessionTimer.expiresS;
  }

  /** §7.4: a refresh names the refresher already agreed, from this request's point of view. */
  private ourRefresherParam(): Refresher | null {
    const current = this.sessionTimer.current;
    if (!this.timerAgreed || !current) return null;
    return current.weRefresh ? 'uac' : 'uas';
  }

  /**
   * Half the interval has passed (RFC 4028 §10): refresh with an UPDATE
   * when the peer takes it (no offer/answer needed), else a re-INVITE with
   * our unchanged description; without an agreed timer, an OPTIONS probe.
   * A failed refresh ends the dialog (481/408/timeout, in sendInDialog);
   * one that cannot go out now is tried again shortly.
   */
  private refreshSession(): void {
    if (this.state !== 'confirmed') return;
    const log = (err: Error): void =>
      this.core.logger.debug({ err: err.message, callId: this.callId }, 'session refresh failed');
    if (!this.timerAgreed) {
      void this.options().then((status) => {
        if (status !== 481 && status !== 408 && this.state === 'confirmed') {
          this.sessionTimer.start({ intervalS: this.core.sessionTimer.expiresS, weRefresh: true });
        }
      }, log);
      return;
    }
    const localSdp = this.localSdp;
    if (this.outgoing || !this.offerAnswer.stable || (!this.peerAllowsUpdate && !localSdp)) {
      return this.sessionTimer.retryRefresh(glareDelayMs(this.ownsCallId, this.core.random));
    }
    if (this.peerAllowsUpdate) {
      void this.sendInDialog('UPDATE', { refresh: true }).then((res) => {
        if (res.status === 405 || res.status === 501) {
          // It listed UPDATE but does not take it: re-INVITE from now on.
          this.peerAllowsUpdate = false;
          this.sessionTimer.retryRefresh(0);
        } else if (res.status === 491 || res.status === 500) {
          this.sessionTimer.retryRefresh(glareDelayMs(this.ownsCallId, this.core.random));
        }
      }, log);
      return;
    }
    this.reinvite(localSdp!).catch(log);
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
    createsDialog: boolean,
    timer: GrantedTimer | null,
  ): SipResponse {
    const res = createResponse(req, 200, undefined, { toTag });
    if (createsDialog) copyRecordRoute(req, res);
    if (this.dialog) res.headers.append('Contact', formatNameAddr(this.dialog.localContact));
    res.headers.append('Allow', this.core.allow);
    res.headers.append('Server', this.core.userAgent);
    if (timer) grantSessionTimer(res, timer.intervalS, timer.refresher);
    res.headers.append('Content-Type', 'application/sdp');
    res.body = Buffer.from(sdp);
    tx.respond(res);
    this.answering?.retransmitter.stop();
    const seq = req.cseq().seq;
    const retransmitter = new AnswerRetransmitter(
      this.core.clock,
      this.core.timers,
      () => tx.respond(res),
      () => this.onAckTimeout(seq),
      tx.source.protocol === 'tcp',
    );
    this.answering = {
      seq,
      retransmitter,
      carriesOffer: this.offerAnswer.state === 'have-local-offer',
    };
    if (timer) this.startGrantedTimer(timer);
    return res;
  }

  /**
   * The ACK for one of our 2xx (§13.3.1.4 / §17.2.3: it has no
   * transaction). When that 2xx carried our offer — the INVITE had none —
   * the ACK carries the answer (§13.2.1, §14.2): it is applied and
   * reported as 'remote-answer'.
   */
  handleAck(ack: SipRequest): void {
    const pending = this.answering;
    if (!pending || ack.cseq().seq !== pending.seq) return;
    pending.retransmitter.stop();
    this.answering = null;
    const oa = this.offerAnswer;
    // Only the ACK of a 2xx that offered answers; an offer of ours made since (a re-INVITE
    // sent before this ACK arrived) waits for its own 2xx.
    if (pending.carriesOffer && oa.state === 'have-local-offer') {
      const offer = oa.pendingOffer!;
      const answer = sdpOf(ack);
      if (answer !== null) {
        oa.remoteAnswer(answer);
        this.emit('remote-answer', { offer, answer });
      } else {
        // RFC 3264 §5 / RFC 6337 §3.1.2: no answer in the ACK — our offer did not take.
        oa.rollback();
        this.core.logger.info({ callId: this.callId }, 'ACK without the answer to our offer');
      }
    }
    this.onAck(pending.seq);
  }

  /** Subclass hook: an ACK for our 2xx to the INVITE with CSeq `seq` arrived. */
  protected onAck(seq: number): void {
    void seq;
  }

  private onAckTimeout(seq: number): void {
    if (this.answering?.seq !== seq) return;
    this.answering = null;
    this.offerAnswer.rollback();
    // §13.3.1.4: no ACK within 64·T1 — confirm then end the dialog with a BYE.
    this.endByUs('no ACK');
  }

  /** Moves to terminated once; emits `ended` for a call that had connected. */
  protected terminate(by: 'local' | 'remote', reason: string, remote?: RemoteReason): void {
    if (this.state === 'terminated') return;
    const wasConnected = this.state === 'confirmed';
    this.state = 'terminated';
    this.endReason = reason;
    this.answering?.retransmitter.stop();
    this.answering = null;
    if (this.dialog) {
      this.dialog.state = 'terminated';
      this.core.removeSession(this.dialog.id);
    }
    this.cleanup();
    this.markFinished();
    if (wasConnected) this.emit('ended', remote ? { by, reason, remote } : { by, reason });
  }

  /** Subclass hook to stop timers when the call ends. */
  protected cleanup(): void {}
}

/** §14.2: 500 with a Retry-After of 1–10 s, for an INVITE that overlaps the previous one. */
function retryLater(req: SipRequest, random: () => number): SipResponse {
  const res = createResponse(req, 500, 'Previous INVITE still in progress');
  res.headers.append('Retry-After', String(1 + Math.floor(random() * 10)));
  return res;
}

/** §12.1.1: a response that creates a dialog carries the request's Record-Route values, in order. */
export function copyRecordRoute(req: SipRequest, res: SipResponse): void {
  for (const line of req.headers.lines('Record-Route')) res.headers.append('Record-Route', line);
}
